//! Paysera callbacks against a live-configured shop: every money rule, over HTTP.
//! Callbacks are signed with the reference vectors' throw-away key pair, as Paysera would.

mod support;

use reqwest::StatusCode;
use rsa::RsaPrivateKey;
use support::paysera::*;
use support::TestShop;
use turgus::domain::flows::place_order::place;
use turgus::domain::orders::place::PlacedOrder;
use turgus::money::Currency;
use turgus::paysera::encoding::{encode_base64, php_urlencode};

async fn status_of(shop: &TestShop, order: &PlacedOrder) -> (String, bool) {
    turgus::on_db!(&shop.db, conn => sqlx::query_as("SELECT status, needs_review FROM orders WHERE id = $1")
        .bind(order.id)
        .fetch_one(conn)
        .await)
        .unwrap()
}

async fn last_verdict(shop: &TestShop) -> String {
    turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT verdict FROM payment_callbacks ORDER BY id DESC LIMIT 1")
        .fetch_one(conn)
        .await)
        .unwrap()
}

#[tokio::test]
async fn a_matching_paid_callback_pays_the_order_and_is_logged() {
    let shop = live_shop().await;
    let order = order(&shop, "chef-knife", "1").await;
    assert_eq!(order.total.minor, 8900 + 390);
    let (status, body) = send(&shop, &signed(&fields(&order, &[]))).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "OK"));
    assert_eq!(status_of(&shop, &order).await, ("paid".into(), false));
    assert_eq!(last_verdict(&shop).await, "paid");
    let raw: String =
        turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT raw FROM payment_callbacks")
        .fetch_one(conn)
        .await)
        .unwrap();
    assert!(raw.starts_with("data="), "stored raw");
}

#[tokio::test]
async fn payments_that_do_not_match_are_recorded_flagged_and_answered_ok() {
    let shop = live_shop().await;
    for (changes, verdict) in [
        (vec![("test", "1")], "test_payment"),
        (vec![("amount", "9289")], "amount_mismatch"),
        (vec![("amount", "9291")], "amount_mismatch"),
        (vec![("currency", "USD")], "currency_mismatch"),
    ] {
        let order = order(&shop, "enamel-mug", "1").await;
        let (status, body) = send(&shop, &signed(&fields(&order, &changes))).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, "OK"),
            "{changes:?}"
        );
        assert_eq!(
            status_of(&shop, &order).await,
            ("pending_payment".into(), true),
            "{changes:?}"
        );
        assert_eq!(last_verdict(&shop).await, verdict);
    }
}

#[tokio::test]
async fn statuses_other_than_paid_never_pay_and_never_unpay() {
    let shop = live_shop().await;
    let order = order(&shop, "brass-pen", "2").await;
    for code in ["0", "2", "3", "4", "9"] {
        assert_eq!(
            send(&shop, &signed(&fields(&order, &[("status", code)])))
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            status_of(&shop, &order).await.0,
            "pending_payment",
            "status {code}"
        );
    }
    // 2 then 1: accepted, then paid.
    send(&shop, &signed(&fields(&order, &[("status", "1")]))).await;
    assert_eq!(status_of(&shop, &order).await.0, "paid");
    // 1 then 2, 1 then 0: a paid order stays paid.
    for code in ["2", "0"] {
        send(&shop, &signed(&fields(&order, &[("status", code)]))).await;
        assert_eq!(status_of(&shop, &order).await.0, "paid");
    }
}

#[tokio::test]
async fn an_unknown_order_is_recorded_and_answered_ok() {
    let shop = live_shop().await;
    let order = order(&shop, "brass-pen", "1").await;
    let (status, _) = send(&shop, &signed(&fields(&order, &[("orderid", "999999")]))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(last_verdict(&shop).await, "unknown_order");
    assert_eq!(status_of(&shop, &order).await.0, "pending_payment");
}

#[tokio::test]
async fn inauthentic_callbacks_get_400_and_change_nothing() {
    let shop = live_shop().await;
    let order = order(&shop, "wool-throw", "1").await;
    let good = fields(&order, &[]);
    let data = data_of(&good);

    let other_project = signed(&fields(&order, &[("projectid", "310841")]));
    let tampered = signed(&good).replacen("data=", "data=A", 1);
    let other_key = {
        let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).unwrap();
        format!(
            "data={}&ss3={}",
            php_urlencode(&data),
            php_urlencode(&rsa_sign::<sha2::Sha256>(&key, &data))
        )
    };
    let ss1_only = format!(
        "data={}&ss1={}",
        php_urlencode(&data),
        md5_hex(&format!("{data}{}", password()))
    );
    let encrypted_with_wrong_password =
        format!("data={}", php_urlencode(&encode_base64(&[7u8; 64])));
    for (name, query) in [
        ("other project", other_project),
        ("tampered data", tampered),
        ("wrong key", other_key),
        ("ss1 under the rsa policy", ss1_only),
        ("undecryptable", encrypted_with_wrong_password),
        ("no data", "ss1=abc".to_owned()),
    ] {
        let (status, body) = send(&shop, &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: {body}");
        assert!(body.starts_with("Refused: "), "{name}: {body}");
        assert_eq!(
            status_of(&shop, &order).await,
            ("pending_payment".into(), false),
            "{name}"
        );
    }
    let (authentic,): (i64,) =
        turgus::on_db!(&shop.db, conn => sqlx::query_as("SELECT COUNT(*) FROM payment_callbacks WHERE authentic = TRUE")
            .fetch_one(conn)
            .await)
            .unwrap();
    assert_eq!(authentic, 0);
}

#[tokio::test]
async fn an_encrypted_callback_pays_a_shop_that_chose_encryption() {
    let shop = support::TestShop::spawn_configured(|config, _| {
        config.paysera.project = Some((
            support::paysera::PROJECT,
            turgus::config::Secret::new(password()),
        ));
        config.paysera.signature = turgus::paysera::SignaturePolicy::Encrypted;
    })
    .await;
    let order = order(&shop, "wool-throw", "1").await;
    let (status, _) = send(&shop, &encrypted(&fields(&order, &[]), &password())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(status_of(&shop, &order).await.0, "paid");
}

#[tokio::test]
async fn a_replayed_callback_cannot_pay_another_order_with_the_same_total() {
    let shop = live_shop().await;
    let first = order(&shop, "enamel-mug", "1").await;
    let callback = signed(&fields(&first, &[]));
    send(&shop, &callback).await;
    let second = order(&shop, "enamel-mug", "1").await;
    assert_eq!(first.total, second.total);
    assert_ne!(
        first.number, second.number,
        "order numbers are never reused"
    );
    assert_eq!(send(&shop, &callback).await.0, StatusCode::OK);
    assert_eq!(last_verdict(&shop).await, "already_paid");
    assert_eq!(status_of(&shop, &second).await.0, "pending_payment");
}

/// On SQLite every callback goes through the shop's one writer connection
/// (`db::connect_writer`); on PostgreSQL each locks the order's row while it decides. Either way
/// the fifty queue, one after the other, and exactly one of them pays the order.
#[tokio::test]
async fn fifty_identical_callbacks_at_once_make_exactly_one_transition() {
    let shop = live_shop().await;
    let order = order(&shop, "gooseneck-kettle", "1").await;
    let url = shop.url(&format!(
        "/paysera/callback?{}",
        signed(&fields(&order, &[]))
    ));
    let client = support::shopper();
    let started = std::time::Instant::now();
    let answers = futures::future::join_all((0..50).map(|_| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let sent = std::time::Instant::now();
            let response = client.get(url).send().await.unwrap();
            (
                response.status(),
                response.text().await.unwrap(),
                sent.elapsed(),
            )
        }
    }))
    .await;
    let elapsed = started.elapsed();
    let mut latencies: Vec<_> = answers.iter().map(|(_, _, t)| *t).collect();
    latencies.sort();
    println!(
        "50 concurrent callbacks: {:.0}/s, p99 {:?}",
        50.0 / elapsed.as_secs_f64(),
        latencies[49]
    );
    assert!(answers
        .iter()
        .all(|(s, b, _)| *s == StatusCode::OK && b == "OK"));
    let (transitions,): (i64,) = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT COUNT(*) FROM order_events WHERE order_id = $1 AND to_status = 'paid'",
    )
    .bind(order.id)
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!(transitions, 1);
    let verdicts: Vec<String> = turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT verdict FROM payment_callbacks")
        .fetch_all(conn)
        .await)
        .unwrap();
    assert_eq!(verdicts.len(), 50);
    assert_eq!(verdicts.iter().filter(|v| *v == "paid").count(), 1);
}

#[tokio::test]
async fn a_hundred_buyers_of_the_last_unit_make_exactly_one_order() {
    let shop = live_shop().await;
    shop.set_stock("bird-feeder", 1).await;
    let id = shop.variant_id("bird-feeder").await;
    let results = futures::future::join_all((0..100).map(|_| {
        let db = shop.db.clone();
        async move { place(&db, &new_order(id, "1"), Currency::Eur).await }
    }))
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| e.status() == 409));
    assert_eq!(shop.stock("bird-feeder").await, 0);
}

#[tokio::test]
async fn a_late_payment_re_reserves_stock_or_is_flagged() {
    let shop = live_shop().await;
    let expire = |order: &PlacedOrder| {
        let (db, id) = (shop.db.clone(), order.id);
        async move {
            // What the expiry task does: give the stock back, mark expired.
            turgus::on_db!(&db, conn => sqlx::query("UPDATE product_variants SET stock = stock + (SELECT quantity FROM order_lines WHERE order_id = $1 LIMIT 1) WHERE id = (SELECT variant_id FROM order_lines WHERE order_id = $1 LIMIT 1)")
                .bind(id).execute(conn).await.map(|done| done.rows_affected())).unwrap();
            turgus::on_db!(&db, conn => sqlx::query("UPDATE orders SET status = 'expired' WHERE id = $1")
                .bind(id)
                .execute(conn)
                .await.map(|done| done.rows_affected()))
                .unwrap();
        }
    };
    let before = shop.stock("watering-can").await;
    let late = order(&shop, "watering-can", "2").await;
    expire(&late).await;
    assert_eq!(shop.stock("watering-can").await, before);
    send(&shop, &signed(&fields(&late, &[]))).await;
    // Paid, and flagged all the same: the shopper may have bought elsewhere meanwhile.
    assert_eq!(status_of(&shop, &late).await, ("paid".into(), true));
    assert_eq!(
        shop.stock("watering-can").await,
        before - 2,
        "stock reserved again"
    );

    let gone = order(&shop, "watering-can", "1").await;
    expire(&gone).await;
    shop.set_stock("watering-can", 0).await;
    send(&shop, &signed(&fields(&gone, &[]))).await;
    assert_eq!(
        status_of(&shop, &gone).await,
        ("paid".into(), true),
        "paid, but a person must sort out the stock"
    );
    assert_eq!(shop.stock("watering-can").await, 0);
}

#[tokio::test]
async fn long_callbacks_are_accepted() {
    let shop = live_shop().await;
    let order = order(&shop, "linen-napkins", "1").await;
    let padding = "x".repeat(16 * 1024);
    let (status, _) = send(&shop, &signed(&fields(&order, &[("paytext", &padding)]))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(status_of(&shop, &order).await.0, "paid");
}

#[tokio::test]
async fn the_payment_log_is_append_only() {
    let shop = live_shop().await;
    let order = order(&shop, "linen-napkins", "1").await;
    send(&shop, &signed(&fields(&order, &[]))).await;
    assert!(
        turgus::on_db!(&shop.db, conn => sqlx::query("UPDATE payment_callbacks SET verdict = 'x'")
        .execute(conn)
        .await.map(|done| done.rows_affected()))
        .is_err()
    );
    assert!(
        turgus::on_db!(&shop.db, conn => sqlx::query("DELETE FROM payment_callbacks")
        .execute(conn)
        .await.map(|done| done.rows_affected()))
        .is_err()
    );
}

#[tokio::test]
async fn an_internal_error_answers_500_so_paysera_retries_and_changes_nothing() {
    let shop = live_shop().await;
    let order = order(&shop, "linen-napkins", "1").await;
    turgus::on_db!(&shop.db, conn => sqlx::query("ALTER TABLE payment_callbacks RENAME TO payment_callbacks_away")
        .execute(conn)
        .await.map(|done| done.rows_affected()))
        .unwrap();
    let (status, body) = send(&shop, &signed(&fields(&order, &[]))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !body.contains("payment_callbacks"),
        "no internals in the answer: {body}"
    );
    assert_eq!(
        status_of(&shop, &order).await.0,
        "pending_payment",
        "rolled back"
    );
}

#[tokio::test]
async fn unpaid_orders_expire_and_release_their_stock() {
    use turgus::domain::flows::unpaid_orders::expire_overdue;
    let shop = live_shop().await;
    let before = shop.stock("kneeling-pad").await;
    let old = order(&shop, "kneeling-pad", "3").await;
    assert_eq!(shop.stock("kneeling-pad").await, before - 3);
    // An hour and a minute on, the expiry task finds it overdue.
    let an_hour_on = std::time::SystemTime::now() + std::time::Duration::from_secs(61 * 60);
    assert_eq!(expire_overdue(&shop.db, 60, an_hour_on).await.unwrap(), 1);
    assert_eq!(status_of(&shop, &old).await.0, "expired");
    assert_eq!(shop.stock("kneeling-pad").await, before);
    assert_eq!(
        expire_overdue(&shop.db, 60, an_hour_on).await.unwrap(),
        0,
        "only once"
    );
    // A fresh order is not overdue now.
    let fresh = order(&shop, "kneeling-pad", "1").await;
    let now = std::time::SystemTime::now();
    assert_eq!(expire_overdue(&shop.db, 60, now).await.unwrap(), 0);
    assert_eq!(status_of(&shop, &fresh).await.0, "pending_payment");
    assert_eq!(shop.stock("kneeling-pad").await, before - 1);
}

#[tokio::test]
async fn the_order_api_reports_live_state_by_token() {
    let shop = live_shop().await;
    let order = order(&shop, "desk-planner", "1").await;
    let state = |token: String| {
        let shop_url = shop.url(&format!("/api/orders/{token}"));
        let client = shop.client.clone();
        async move { client.get(shop_url).send().await.unwrap() }
    };
    let response = state(order.public_token.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let json: serde_json::Value = response.json().await.unwrap();
    assert_eq!(json["status"], "pending_payment");
    assert_eq!(json["number"], order.number);
    assert_eq!(json["total_minor"], order.total.minor);
    assert_eq!(json["currency"], "EUR");
    assert!(
        json.get("needs_review").is_none(),
        "the review is the merchant's: {json}"
    );
    send(&shop, &signed(&fields(&order, &[]))).await;
    let json: serde_json::Value = state(order.public_token.clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["status"], "paid");
    assert_eq!(
        state("no-such-token".into()).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_accept_page_never_changes_state_whatever_it_is_given() {
    let shop = live_shop().await;
    let order = order(&shop, "dot-grid-notebook", "1").await;
    let token = &order.public_token;
    for query in [
        format!("order={token}"),
        format!("order={token}&status=1&paid=1"),
        format!("order={token}&data=x&ss1=y"),
    ] {
        let (status, html) = shop.page(&format!("/en/checkout/accept?{query}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("Waiting for confirmation from your bank"),
            "{html}"
        );
    }
    assert_eq!(
        status_of(&shop, &order).await,
        ("pending_payment".into(), false)
    );
    assert_eq!(
        shop.page("/en/checkout/accept?order=nope").await.0,
        StatusCode::NOT_FOUND
    );

    // The callback may come before or after the shopper's return: the page shows what is.
    send(&shop, &signed(&fields(&order, &[("status", "2")]))).await;
    assert!(shop
        .page(&format!("/en/checkout/accept?order={token}"))
        .await
        .1
        .contains("Payment accepted, awaiting your bank"));
    send(&shop, &signed(&fields(&order, &[]))).await;
    assert!(shop
        .page(&format!("/en/checkout/accept?order={token}"))
        .await
        .1
        .contains("Payment received"));
}

#[tokio::test]
async fn cancelling_after_paying_changes_nothing() {
    let shop = live_shop().await;
    let before = shop.stock("wax-seal-kit").await;
    let order = order(&shop, "wax-seal-kit", "1").await;
    send(&shop, &signed(&fields(&order, &[]))).await;
    let response = shop
        .get(&format!("/checkout/cancel?order={}", order.public_token))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("outcome=paid"), "{location}");
    assert!(shop.page(&location).await.1.contains("is already paid"));
    assert_eq!(status_of(&shop, &order).await.0, "paid");
    assert_eq!(shop.stock("wax-seal-kit").await, before - 1);
}

#[tokio::test]
async fn cancelling_a_pending_order_releases_stock_once() {
    let shop = live_shop().await;
    let before = shop.stock("wax-seal-kit").await;
    let order = order(&shop, "wax-seal-kit", "2").await;
    for _ in 0..2 {
        shop.get(&format!("/checkout/cancel?order={}", order.public_token))
            .await;
    }
    assert_eq!(status_of(&shop, &order).await.0, "cancelled");
    assert_eq!(
        shop.stock("wax-seal-kit").await,
        before,
        "released once, not twice"
    );
    assert_eq!(
        shop.get("/checkout/cancel?order=unknown").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_double_submitted_checkout_places_one_order() {
    let shop = live_shop().await;
    let id = shop.product_id("enamel-mug").await.to_string();
    shop.call("cart/add", &[("product_id", &id), ("quantity", "2")])
        .await;
    let key = shop.checkout_key().await;
    let mut form = support::shopper::SHOPPER_FIELDS.to_vec();
    form.extend([("payment", "smsbank"), ("checkout_key", &key)]);
    let first = shop.call("checkout/place", &form).await;
    assert_eq!(first.status(), StatusCode::OK);
    let pay_url: String = first.json().await.unwrap();
    assert!(
        pay_url.starts_with("https://bank.paysera.com/pay/?data="),
        "{pay_url}"
    );
    // The cart is empty now; the same form again (double click, back + resubmit) is the same order.
    shop.call("cart/add", &[("product_id", &id), ("quantity", "2")])
        .await;
    let second = shop.call("checkout/place", &form).await;
    assert_eq!(second.status(), StatusCode::OK);
    let (orders,): (i64,) =
        turgus::on_db!(&shop.db, conn => sqlx::query_as("SELECT COUNT(*) FROM orders")
        .fetch_one(conn)
        .await)
        .unwrap();
    assert_eq!(orders, 1);

    // What goes to Paysera: the order's number and total, smsbank, our URLs, signed.
    let params = pay_params(&pay_url);
    assert_eq!(params["amount"], (2 * 1250 + 390).to_string());
    assert_eq!(params["currency"], "EUR");
    assert_eq!(params["payment"], "smsbank");
    assert_eq!(params["projectid"], PROJECT.to_string());
    assert!(params["accepturl"].starts_with("http://127.0.0.1:3000/en/checkout/accept?order="));
    assert_eq!(
        params["callbackurl"],
        "http://127.0.0.1:3000/paysera/callback"
    );
    assert!(!params.contains_key("test"));
}

#[tokio::test]
async fn checkout_refuses_bad_input_with_400_and_creates_nothing() {
    let shop = live_shop().await;
    let id = shop.product_id("enamel-mug").await.to_string();
    shop.call("cart/add", &[("product_id", &id), ("quantity", "1")])
        .await;
    let key = shop.checkout_key().await;
    for (field, value) in [
        ("email", "no-at-sign"),
        ("country", "XX"),
        ("shipping", "teleport"),
        ("payment", "../../etc"),
        ("first_name", ""),
    ] {
        let mut form = vec![
            ("email", "ona@example.lt"),
            ("first_name", "Ona"),
            ("last_name", "O"),
            ("street", "S 1"),
            ("city", "V"),
            ("postcode", "1"),
            ("country", "LT"),
            ("shipping", "courier"),
            ("payment", ""),
            ("terms", "on"),
            ("checkout_key", &key),
        ];
        form.iter_mut().find(|(k, _)| *k == field).unwrap().1 = value;
        assert_eq!(
            shop.call("checkout/place", &form).await.status(),
            StatusCode::BAD_REQUEST,
            "{field}={value}"
        );
    }
    let (orders,): (i64,) =
        turgus::on_db!(&shop.db, conn => sqlx::query_as("SELECT COUNT(*) FROM orders")
        .fetch_one(conn)
        .await)
        .unwrap();
    assert_eq!(orders, 0);
}

#[tokio::test]
async fn a_reset_shop_never_reuses_an_order_number() {
    let first_shop = live_shop().await;
    let first = order(&first_shop, "brass-pen", "1").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let reset_shop = live_shop().await; // a brand-new database
    let after_reset = order(&reset_shop, "brass-pen", "1").await;
    assert!(
        after_reset.number > first.number,
        "{} then {}",
        first.number,
        after_reset.number
    );
}
