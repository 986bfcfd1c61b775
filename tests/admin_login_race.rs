//! Logins under attack (its own test binary: the throttle and the hash counter are per process).

mod support;

use reqwest::StatusCode;
use support::TestShop;

const OWNER: &str = "owner@example.lt";
const PASSWORD: &str = "correct horse battery staple";

async fn attempt(shop: &TestShop, from: &str, password: &str) -> StatusCode {
    support::shopper()
        .post(shop.url("/api/admin/login"))
        .header("accept", "application/json")
        .header("x-forwarded-for", from)
        .form(&[("email", OWNER), ("password", password), ("next", "/admin")])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn parallel_wrong_logins_hash_at_most_the_allowed_number_and_the_owner_still_gets_in() {
    let shop = TestShop::spawn_configured(|config, _| {
        config.trusted_proxies = turgus::net::Cidr::parse_list("127.0.0.1").unwrap();
    })
    .await;
    turgus::admin::auth::create_admin(&shop.db, OWNER, PASSWORD, turgus::locale::Locale::en)
        .await
        .unwrap();
    let hashes_before = turgus::admin::passwords::hashes_run();
    let attacks: Vec<_> = (0..200)
        .map(|n| {
            let client = support::shopper();
            let url = shop.url("/api/admin/login");
            tokio::spawn(async move {
                client
                    .post(url)
                    .header("accept", "application/json")
                    .header("x-forwarded-for", "203.0.113.5")
                    .form(&[
                        ("email", OWNER),
                        ("password", &format!("guess {n}")),
                        ("next", "/admin"),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
    for attack in attacks {
        *statuses.entry(attack.await.unwrap().as_u16()).or_default() += 1;
    }
    let hashes = turgus::admin::passwords::hashes_run() - hashes_before;
    println!("200 parallel wrong logins: {statuses:?}, {hashes} hashes");
    assert_eq!(
        statuses.get(&401),
        Some(&turgus::admin::throttle::REFUSE_AFTER)
    );
    assert_eq!(
        statuses.get(&429),
        Some(&(200 - turgus::admin::throttle::REFUSE_AFTER))
    );
    assert!(
        hashes <= u64::from(turgus::admin::throttle::REFUSE_AFTER),
        "{hashes} hashes"
    );

    // The stranger's address is refused, even with the right password…
    assert_eq!(
        attempt(&shop, "203.0.113.5", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // …while the owner, elsewhere, is only delayed.
    assert_eq!(
        attempt(&shop, "198.51.100.7", PASSWORD).await,
        StatusCode::OK
    );

    forwarded_addresses_count_only_from_trusted_proxies().await;
}

/// Run after the race above, not beside it: the hash counter is the process's.
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    // No proxy trusted: whatever X-Forwarded-For says, every attempt is the peer's (127.0.0.1).
    let shop = TestShop::spawn().await;
    turgus::admin::auth::create_admin(
        &shop.db,
        "other@example.lt",
        PASSWORD,
        turgus::locale::Locale::en,
    )
    .await
    .unwrap();
    let mut last = StatusCode::OK;
    for n in 0..=turgus::admin::throttle::REFUSE_AFTER {
        last = support::shopper()
            .post(shop.url("/api/admin/login"))
            .header("accept", "application/json")
            .header("x-forwarded-for", format!("192.0.2.{n}"))
            .form(&[
                ("email", "other@example.lt"),
                ("password", "wrong"),
                ("next", "/admin"),
            ])
            .send()
            .await
            .unwrap()
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}
