//! The shop tried as an attacker would: a stranger on the internet, someone who read a log line,
//! a local user of the server. Each test is a hole that was found open, and stays closed.

mod support;

use reqwest::{Method, StatusCode};
use support::TestShop;

async fn scrape(metrics: std::net::SocketAddr) -> String {
    reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The request series of one route, as `/metrics` lists them (in no particular order).
fn series_of(text: &str, route: &str) -> std::collections::BTreeSet<String> {
    let label = format!("route=\"{route}\"");
    text.lines()
        .filter(|line| !line.starts_with('#') && line.contains(&label))
        .map(|line| {
            line.rsplit_once(' ')
                .map_or(line, |(series, _)| series)
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn odd_http_methods_add_no_metrics_series() {
    let shop = TestShop::spawn_configured(|config, _| {
        config.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let metrics = shop.metrics.expect("a metrics address");
    let odd =
        |n: usize| Method::from_bytes(format!("X{n}{}", "Q".repeat(4000)).as_bytes()).unwrap();
    let send = |method: Method| shop.client.request(method, shop.url("/healthz")).send();
    assert_eq!(send(Method::GET).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        send(odd(0)).await.unwrap().status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    let before = series_of(&scrape(metrics).await, "/healthz");
    for n in 1..=100 {
        send(odd(n)).await.unwrap();
    }
    let text = scrape(metrics).await;
    assert_eq!(series_of(&text, "/healthz"), before);
    assert!(!text.contains("QQQQ"), "no method taken as a label");
    assert!(text.len() < 200_000, "{} bytes", text.len());
}

/// `%2e%2e` is `..` to the router, but the shop's own checks read the path as sent: the admin's
/// orders rendered as a shopper page, and the checkout's one-time key without `no-store`.
#[tokio::test]
async fn addresses_with_dot_segments_empty_segments_or_backslashes_are_refused() {
    let shop = TestShop::spawn().await;
    for odd in [
        "/en/%2e%2e/admin/orders",
        "/en/%2E%2E/checkout",
        "/en/./checkout",
        "/en/.%2e/cart",
        "/en//checkout",
        "/en/p/enamel-mug%5c",
        "/admin/%2e/orders",
    ] {
        let answer = raw_get(&shop, odd).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{odd}: {answer}");
        assert!(!answer.contains("<html"), "{odd}: {answer}");
    }
    assert!(raw_get(&shop, "/en/p/enamel-mug")
        .await
        .starts_with("HTTP/1.1 200"));
}

/// A GET of `path` exactly as written: HTTP clients resolve `%2e%2e` before sending, as browsers
/// do, but an attacker's need not.
async fn raw_get(shop: &TestShop, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = shop.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn html_is_not_stored_unless_it_is_a_catalog_page() {
    let shop = TestShop::spawn().await;
    let cache = |response: &reqwest::Response| {
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let missing = shop.get("/en/no-such-page").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(cache(&missing), "no-store");
    for catalog in ["/en", "/en/p/enamel-mug", "/en/terms"] {
        let page = shop.get(catalog).await;
        assert_eq!(page.status(), StatusCode::OK, "{catalog}");
        assert_eq!(cache(&page), "private, no-cache", "{catalog}");
    }
    assert_eq!(cache(&shop.get("/en/checkout").await), "private, no-store");
    assert_eq!(cache(&shop.get("/admin/login").await), "no-store");
}

/// A failed cart form comes back with its error in the address; a stranger can write such an
/// address with any sentence in it and send it to a shopper. The box shows the shop's own words.
#[tokio::test]
async fn an_error_in_the_address_shows_only_the_shops_own_words() {
    use base64::Engine;
    let shop = TestShop::spawn().await;
    let forged = base64::engine::general_purpose::URL_SAFE.encode(
        r#"{"Conflict":"Your payment was declined. Call +370 600 00000 to pay by phone."}"#,
    );
    let (status, html) = shop
        .page(&format!(
            "/en/p/enamel-mug?__path=/api/cart/add&__err={forged}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("+370"), "the URL's words are not shown");
    assert!(html.contains("There is not enough in stock for that quantity, or your cart is full."));
    let (_, html) = shop
        .page(&format!(
            "/lt/p/enamel-mug?__path=/api/cart/add&__err={forged}"
        ))
        .await;
    assert!(!html.contains("+370"));
    assert!(html.contains("Tokio kiekio sandėlyje nėra arba jūsų krepšelis pilnas."));
}

/// The clean-up job's lock across instances. A session-level lock stayed held on a pooled
/// connection when its unlock did not run (here: the job is cancelled mid-way, as at shutdown),
/// and no instance could run the job again; a transaction's lock ends with the transaction.
#[tokio::test]
async fn a_cancelled_job_does_not_keep_its_lock_on_postgres() {
    if !support::on_postgres() {
        return;
    }
    use turgus::db::Job;
    let dir = tempfile::tempdir().unwrap();
    let db = turgus::db::connect(&support::database_url(dir.path()))
        .await
        .unwrap();
    let forever = db.exclusively(Job::CleanUp, || {
        tokio::time::sleep(std::time::Duration::from_secs(3600))
    });
    let cancelled = tokio::time::timeout(std::time::Duration::from_millis(300), forever).await;
    assert!(cancelled.is_err(), "the job was cancelled mid-way");
    let mut ran = false;
    for _ in 0..50 {
        if db
            .exclusively(Job::CleanUp, || async {})
            .await
            .unwrap()
            .is_some()
        {
            ran = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ran, "another run got the lock");
    let held: i64 = turgus::on_db!(&db, pool => sqlx::query_scalar(
        // This test's database only: other tests' shops run their own jobs meanwhile.
        "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(held, 0);
}

/// In the sandbox any visitor can "pay", so with SMTP configured any visitor could make the shop
/// e-mail any address with a greeting of their own. E-mails go to files there, unless the operator
/// asks for delivery.
#[tokio::test]
async fn the_sandbox_sends_no_e_mail_over_smtp_unless_asked_to() {
    use turgus::domain::mail::delivery::Mailer;
    let dir = tempfile::tempdir().unwrap();
    let mut config = support::config_for(dir.path());
    config.mail.smtp_url = Some(turgus::config::Secret::new("smtp://127.0.0.1:2525".into()));
    config.mail.from = Some("shop@example.lt".into());
    assert!(!Mailer::new(&config, true).unwrap().has_smtp(), "sandbox");
    assert!(Mailer::new(&config, false).unwrap().has_smtp(), "live");
    config.mail.sandbox_delivery = true;
    assert!(Mailer::new(&config, true).unwrap().has_smtp(), "asked for");
}

/// A backup whose photos hold a link (to `/etc/hostname`, or to a folder above it) published the
/// linked file under `/media/`, or recursed until the stack overflowed. Restore refuses it,
/// naming it, before anything is replaced.
#[tokio::test]
async fn a_restore_refuses_links_in_the_backup_before_replacing_anything() {
    if support::on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let storage = turgus::config::Storage {
        database_url: turgus::config::Secret::new(format!(
            "sqlite://{}",
            data.join("turgus.db").display()
        )),
        public_url: "http://127.0.0.1:3000".into(),
        data_dir: data.clone(),
        default_locale: Default::default(),
        currency: turgus::money::Currency::Eur,
    };
    turgus::db::connect(storage.database_url.expose())
        .await
        .unwrap()
        .close()
        .await;
    let backup = dir.path().join("backup");
    turgus::backup::backup(&storage, &backup).await.unwrap();
    let photos = backup.join("media/products");
    std::fs::create_dir_all(&photos).unwrap();
    std::fs::write(photos.join("mug.jpg"), b"photo").unwrap();

    for (name, target) in [("leak.jpg", "/etc/hostname"), ("up", "..")] {
        let link = photos.join(name);
        std::os::unix::fs::symlink(target, &link).unwrap();
        let refused = turgus::backup::restore(&storage, &backup)
            .await
            .unwrap_err();
        assert!(refused.contains(name), "{refused}");
        std::fs::remove_file(&link).unwrap();
    }
    let left: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.contains("before-restore"))
        .collect();
    assert!(left.is_empty(), "nothing was replaced: {left:?}");
    turgus::backup::restore(&storage, &backup).await.unwrap();
    assert_eq!(
        std::fs::read(data.join("media/products/mug.jpg")).unwrap(),
        b"photo"
    );
}

/// The sandbox's e-mails, written as files, name shoppers and their addresses.
#[tokio::test]
async fn the_sandboxs_e_mail_files_are_the_shops_user_alone() {
    use std::os::unix::fs::PermissionsExt;
    let shop = TestShop::spawn().await;
    shop.execute(
        "INSERT INTO email_outbox (event_key, kind, to_addr, subject, body_text, body_html, message_id)
         VALUES ('test', 'order_confirmation', 'ona@example.lt', 'Ačiū', 'text', '<p>html</p>',
                 '<test@example.lt>')",
    )
    .await;
    // What the sandbox's e-mail worker does with it (here at once, not at its next look).
    let mailer =
        turgus::domain::mail::delivery::Mailer::new(&support::config_for(shop.dir.path()), true)
            .unwrap();
    mailer.write_files(&shop.db, &shop.db).await.unwrap();
    let folder = shop.dir.path().join("mail");
    let files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(files.len(), 1, "the e-mail was written");
    assert_eq!(mode(&folder), 0o700);
    assert_eq!(mode(&files[0]), 0o600);
}

/// Each refused callback was an fsync'd row, which anyone could cause as fast as they could send.
/// From one address only so many a minute are stored; the rest are answered alike and counted.
/// Paysera's authentic callbacks are not held back by it.
#[tokio::test]
async fn a_flood_of_forged_callbacks_from_one_address_stores_only_so_many() {
    use support::paysera::{callback, live_shop, order, send};
    let shop = live_shop().await;
    for n in 0..100 {
        let (status, body) = send(&shop, &format!("data=forged{n}&ss1=x")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let stored: i64 = shop
        .scalar("SELECT COUNT(*) FROM payment_callbacks WHERE authentic = FALSE")
        .await;
    assert_eq!(
        stored,
        i64::from(turgus::checkout::callback::REFUSALS_KEPT_PER_MINUTE)
    );
    let placed = order(&shop, "brass-pen", "1").await;
    assert_eq!(callback(&shop, &placed, &[]).await, StatusCode::OK);
    let status: String = shop
        .scalar(&format!(
            "SELECT status FROM orders WHERE id = {}",
            placed.id
        ))
        .await;
    assert_eq!(status, "paid");
}

/// An address the shop took but its mailer refused (the order placed, its confirmation never
/// sent) is refused at the checkout, next to its field.
#[tokio::test]
async fn the_checkout_refuses_an_address_the_mailer_could_not_send_to() {
    let shop = TestShop::spawn().await;
    let id = shop.product_id("enamel-mug").await.to_string();
    shop.call("cart/add", &[("product_id", &id), ("quantity", "1")])
        .await;
    let key = shop.checkout_key().await;
    let form: Vec<(&str, &str)> = support::shopper::SHOPPER_FIELDS
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                if k == "email" {
                    "victim+\"q\"@example.com"
                } else {
                    v
                },
            )
        })
        .chain([("checkout_key", key.as_str())])
        .collect();
    let response = shop.call("checkout/place", &form).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let orders: i64 = shop.scalar("SELECT COUNT(*) FROM orders").await;
    assert_eq!(orders, 0);
    let view: serde_json::Value = shop
        .call("checkout", &[("country", "LT")])
        .await
        .json()
        .await
        .unwrap();
    assert!(view["errors"].to_string().contains("\"email\""), "{view}");
}
