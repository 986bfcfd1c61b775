//! Several instances of the shop on one PostgreSQL database, as behind a load balancer: they
//! behave as one shop. Callbacks for one order reaching both make one transition, the last unit
//! sold through both makes one order, orders paid through both get invoice numbers without gaps,
//! a discount code's last use taken through both goes to one order, both expiry tasks expire each
//! order once, and killing one
//! instance with `kill -9` under load loses no callback it answered `OK`.
//!
//! These need PostgreSQL (`make test` runs them with a throw-away server). On SQLite a second
//! instance must not start on the same database at all: there each test checks that it is
//! refused, and goes no further.

mod support;

use reqwest::{Client, StatusCode};
use std::process::{Child, Command, Stdio};
use support::paysera::{fields, live_shop_with, order, password, signed, PROJECT};
use support::TestShop;

/// Two in-process instances of a live-project shop on one database (each with its own data
/// folder, caches and background tasks), or, on SQLite, `None` once a second instance on the
/// same file has been refused.
async fn two_instances() -> Option<(TestShop, TestShop)> {
    if !support::on_postgres() {
        let one = TestShop::spawn().await;
        let second = turgus::server::start(support::config_for(one.dir.path())).await;
        assert!(
            matches!(second, Err(turgus::server::StartError::Lock(_))),
            "a second shop on the same SQLite file is refused"
        );
        println!("several instances need PostgreSQL: set TURGUS_TEST_POSTGRES (make test does)");
        return None;
    }
    let generous = |config: &mut turgus::config::Config| {
        config.limits.unpaid_orders_per_client = 1000;
        config.limits.unpaid_orders_per_session = 1000;
    };
    let one = live_shop_with(generous).await;
    let database = support::database_url(one.dir.path());
    let two = live_shop_with(|config| {
        generous(config);
        config.database_url = turgus::config::Secret::new(database);
    })
    .await;
    Some((one, two))
}

async fn count(shop: &TestShop, sql: &str, id: i64) -> i64 {
    turgus::on_db!(&shop.db, conn => sqlx::query_scalar(sql).bind(id).fetch_one(conn).await)
        .unwrap()
}

#[tokio::test]
async fn fifty_duplicate_callbacks_split_across_two_instances_make_one_transition() {
    let Some((one, two)) = two_instances().await else {
        return;
    };
    let placed = order(&one, "gooseneck-kettle", "1").await;
    let query = signed(&fields(&placed, &[]));
    let client = support::shopper();
    let answers = futures::future::join_all((0..50).map(|n| {
        let shop = if n % 2 == 0 { &one } else { &two };
        let (client, url) = (
            client.clone(),
            shop.url(&format!("/paysera/callback?{query}")),
        );
        async move {
            let response = client.get(url).send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    }))
    .await;
    assert!(answers
        .iter()
        .all(|(status, body)| *status == StatusCode::OK && body == "OK"));
    let paid = "SELECT COUNT(*) FROM order_events WHERE order_id = $1 AND to_status = 'paid'";
    assert_eq!(count(&one, paid, placed.id).await, 1);
    let logged = "SELECT COUNT(*) FROM payment_callbacks WHERE order_id = $1";
    assert_eq!(count(&two, logged, placed.id).await, 50);
    let paying = "SELECT COUNT(*) FROM payment_callbacks WHERE order_id = $1 AND verdict = 'paid'";
    assert_eq!(count(&two, paying, placed.id).await, 1);
    // One confirmation for the shopper and one notice for the merchant, not one per instance.
    let mails = "SELECT COUNT(*) FROM email_outbox WHERE order_id = $1";
    assert_eq!(count(&one, mails, placed.id).await, 2);
}

/// A shopper's browser: puts the product in the cart at one instance, checks out at another (a
/// load balancer may send each request anywhere; the session is in the database).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_orders_paid_at_once_through_two_instances_get_invoice_numbers_without_gaps() {
    let Some((one, two)) = two_instances().await else {
        return;
    };
    one.set_stock("enamel-mug", 1000).await;
    let mut orders = vec![];
    for _ in 0..100 {
        orders.push(order(&one, "enamel-mug", "1").await);
    }
    let client = support::shopper();
    let answers = futures::future::join_all(orders.iter().enumerate().map(|(n, placed)| {
        let shop = if n % 2 == 0 { &one } else { &two };
        let url = shop.url(&format!(
            "/paysera/callback?{}",
            signed(&fields(placed, &[]))
        ));
        let client = client.clone();
        async move { client.get(url).send().await.unwrap().status() }
    }))
    .await;
    assert!(answers.iter().all(|status| *status == StatusCode::OK));
    let numbers: Vec<i64> = turgus::on_db!(&two.db, conn => sqlx::query_scalar(
        "SELECT number FROM invoices WHERE series = 'TRG' ORDER BY number",
    )
    .fetch_all(conn)
    .await)
    .unwrap();
    assert_eq!(
        numbers,
        (1..=100).collect::<Vec<i64>>(),
        "no gap, no duplicate"
    );
}

async fn buy(cart_at: &TestShop, checkout_at: &TestShop, product_id: &str) -> StatusCode {
    buy_with(cart_at, checkout_at, product_id, None).await[0]
}

/// One shopper puts a unit of `product_id` in a cart at one instance (applying `code` there, if
/// any, which may already be used up) and checks out at the other; told the code is refused,
/// they send the form again, which orders without it. The statuses of their attempts to place the order.
async fn buy_with(
    cart_at: &TestShop,
    checkout_at: &TestShop,
    product_id: &str,
    code: Option<&str>,
) -> Vec<StatusCode> {
    let browser = support::shopper();
    let call = |shop: &TestShop, endpoint: &str, form: Vec<(&str, String)>| {
        browser
            .post(shop.url(&format!("/api/{endpoint}")))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
    };
    let added = call(
        cart_at,
        "cart/add",
        vec![("product_id", product_id.into()), ("quantity", "1".into())],
    )
    .await
    .unwrap();
    assert_eq!(added.status(), StatusCode::OK);
    if let Some(code) = code {
        // A shopper slower than the one who took the last use is told so already here.
        let applied = call(cart_at, "checkout/discount", vec![("code", code.into())])
            .await
            .unwrap();
        let status = applied.status();
        let said = applied.text().await.unwrap();
        assert!(
            status == StatusCode::OK
                || (status == StatusCode::CONFLICT && said.contains("used up")),
            "{status}: {said}"
        );
    }
    let view: serde_json::Value = call(checkout_at, "checkout", vec![("country", "LT".into())])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut form: Vec<(&str, String)> = support::shopper::SHOPPER_FIELDS
        .iter()
        .map(|(k, v)| (*k, (*v).to_owned()))
        .collect();
    form.push((
        "checkout_key",
        view["checkout_key"].as_str().unwrap().into(),
    ));
    let mut statuses = vec![];
    loop {
        let placed = call(checkout_at, "checkout/place", form.clone())
            .await
            .unwrap();
        let status = placed.status();
        statuses.push(status);
        let refused_code = placed.text().await.unwrap().contains("used up");
        if !(refused_code && status == StatusCode::CONFLICT && statuses.len() == 1) {
            return statuses;
        }
    }
}

#[tokio::test]
async fn fifty_shoppers_racing_for_a_codes_last_use_across_two_instances_make_one_discounted_order()
{
    let Some((one, two)) = two_instances().await else {
        return;
    };
    one.set_stock("enamel-mug", 1000).await;
    one.execute(
        "INSERT INTO discount_codes (code, kind, value, currency, max_uses, created_at)
         VALUES ('PASKUTINIS', 'fixed', 500, 'EUR', 1, '2026-01-01T00:00:00.000Z')",
    )
    .await;
    let id = one.product_id("enamel-mug").await.to_string();
    let shoppers = futures::future::join_all((0..50).map(|n| {
        let (cart_at, checkout_at) = if n % 2 == 0 {
            (&one, &two)
        } else {
            (&two, &one)
        };
        buy_with(cart_at, checkout_at, &id, Some("paskutinis"))
    }))
    .await;
    // A shopper whose checkout page already found the code used up orders without it at once;
    // one who placed while another took the last use is told so (409) and orders without it.
    assert!(
        shoppers.iter().all(|s| s.last() == Some(&StatusCode::OK)),
        "everyone orders: {shoppers:?}"
    );
    let discounted: i64 = two
        .scalar("SELECT COUNT(*) FROM orders WHERE discount_minor > 0")
        .await;
    let orders: i64 = two.scalar("SELECT COUNT(*) FROM orders").await;
    let uses: i64 = two.scalar("SELECT uses FROM discount_codes").await;
    assert_eq!((discounted, orders, uses), (1, 50, 1));
}

#[tokio::test]
async fn a_hundred_buyers_of_the_last_unit_across_two_instances_make_one_order() {
    let Some((one, two)) = two_instances().await else {
        return;
    };
    one.execute(
        "UPDATE product_variants SET stock = 1
         WHERE product_id = (SELECT id FROM products WHERE slug = 'bird-feeder')",
    )
    .await;
    let id = one.product_id("bird-feeder").await.to_string();
    let statuses = futures::future::join_all((0..100).map(|n| {
        let (cart_at, checkout_at) = if n % 2 == 0 {
            (&one, &two)
        } else {
            (&two, &one)
        };
        buy(cart_at, checkout_at, &id)
    }))
    .await;
    let sold = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(sold, 1, "{statuses:?}");
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT));
    assert_eq!(one.stock("bird-feeder").await, 0);
    assert_eq!(two.scalar::<i64>("SELECT COUNT(*) FROM orders").await, 1);
}

#[tokio::test]
async fn the_expiry_task_of_two_instances_expires_each_order_once() {
    let Some((one, two)) = two_instances().await else {
        return;
    };
    let before = one.stock("kneeling-pad").await;
    for _ in 0..20 {
        order(&one, "kneeling-pad", "1").await;
    }
    // Two hours on, both instances sweep at the same moment, as their minute timers may.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(2 * 3600);
    let (by_one, by_two) = tokio::join!(
        turgus::domain::flows::unpaid_orders::expire_overdue(&one.db, 60, later),
        turgus::domain::flows::unpaid_orders::expire_overdue(&two.db, 60, later)
    );
    assert_eq!(by_one.unwrap() + by_two.unwrap(), 20);
    assert_eq!(
        one.scalar::<i64>("SELECT COUNT(*) FROM orders WHERE status = 'expired'")
            .await,
        20
    );
    assert_eq!(
        one.scalar::<i64>("SELECT COUNT(*) FROM order_events WHERE to_status = 'expired'")
            .await,
        20
    );
    // Each order's unit came back once: not twice, not lost.
    assert_eq!(one.stock("kneeling-pad").await, before);
}

/// A shop process (the real binary) on `database`, live project 310840, on a free port.
struct Instance {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Instance {
    async fn start(database: &str) -> Instance {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("paysera.pem");
        std::fs::write(&key, include_str!("data/paysera-test-certificate.pem")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_turgus"));
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("TURGUS_")) {
            command.env_remove(name);
        }
        let child = command
            .env("TURGUS_DATABASE_URL", database)
            .env("TURGUS_ADDR", format!("127.0.0.1:{port}"))
            .env("TURGUS_DATA_DIR", dir.path())
            .env("TURGUS_PAYSERA_PROJECT_ID", PROJECT.to_string())
            .env("TURGUS_PAYSERA_PASSWORD", password())
            .env("TURGUS_PAYSERA_PUBLIC_KEY_FILE", &key)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let instance = Instance {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        assert!(
            support::until_ready(&instance.base).await,
            "the instance did not start"
        );
        instance
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `query` to `base`'s callback; whether it was answered `OK`.
async fn answered_ok(client: &Client, base: &str, query: &str) -> bool {
    match client
        .get(format!("{base}/paysera/callback?{query}"))
        .send()
        .await
    {
        Ok(response) => {
            response.status() == StatusCode::OK && response.text().await.is_ok_and(|b| b == "OK")
        }
        Err(_) => false,
    }
}

#[tokio::test]
async fn killing_one_instance_under_load_loses_no_callback_it_answered_ok() {
    let Some((shop, _)) = two_instances().await else {
        return;
    };
    let database = support::database_url(shop.dir.path());
    let (mut doomed, survivor) = (
        Instance::start(&database).await,
        Instance::start(&database).await,
    );
    shop.execute(
        "UPDATE product_variants SET stock = 1000
         WHERE product_id = (SELECT id FROM products WHERE slug = 'brass-pen')",
    )
    .await;
    let mut orders = vec![];
    for _ in 0..40 {
        orders.push(order(&shop, "brass-pen", "1").await);
    }
    let queries: Vec<String> = orders.iter().map(|o| signed(&fields(o, &[]))).collect();
    let client = Client::new();
    let (answered, mut first_answer) = tokio::sync::mpsc::unbounded_channel();
    // Each order's callback goes to both instances at once, as Paysera's retries and a load
    // balancer may arrange.
    let calls: Vec<_> = queries
        .iter()
        .map(|query| {
            let (client, answered, query) = (client.clone(), answered.clone(), query.clone());
            let bases = (doomed.base.clone(), survivor.base.clone());
            tokio::spawn(async move {
                let (at_doomed, at_survivor) = tokio::join!(
                    answered_ok(&client, &bases.0, &query),
                    answered_ok(&client, &bases.1, &query)
                );
                let _ = answered.send(());
                (at_doomed, at_survivor)
            })
        })
        .collect();
    first_answer.recv().await;
    doomed.child.kill().unwrap(); // SIGKILL: no drain, no clean shutdown
    let mut ok_from_doomed = 0;
    for ((order, query), call) in orders.iter().zip(&queries).zip(calls) {
        let (at_doomed, at_survivor) = call.await.unwrap();
        ok_from_doomed += usize::from(at_doomed);
        let paid: String = shop
            .scalar(&format!(
                "SELECT status FROM orders WHERE id = {}",
                order.id
            ))
            .await;
        if at_doomed || at_survivor {
            assert_eq!(paid, "paid", "order {} was answered OK", order.id);
        } else {
            // Neither answered OK: Paysera sends it again, and the survivor takes it.
            assert!(answered_ok(&client, &survivor.base, query).await);
        }
        let transitions =
            "SELECT COUNT(*) FROM order_events WHERE order_id = $1 AND to_status = 'paid'";
        assert_eq!(count(&shop, transitions, order.id).await, 1);
    }
    assert_eq!(
        shop.scalar::<i64>("SELECT COUNT(*) FROM orders WHERE status = 'paid'")
            .await,
        40
    );
    println!("{ok_from_doomed} of 40 callbacks answered OK by the instance killed under load");
}
