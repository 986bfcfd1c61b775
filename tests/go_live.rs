//! Going live: what strangers can make the shop store is bounded, payments that need a person are
//! flagged and never told to the shopper, and the pages that belong to one shopper are not cached.
//! Each test is an attack or a mistake as a request, against a real shop on port 0.

mod support;

use reqwest::StatusCode;
use support::paysera::{callback, fields, live_shop, order, send};
use support::TestShop;

const FLOOD: usize = 60 * 1024;

/// `select` over the sessions' table: tower-sessions names it `tower_sessions` on SQLite and
/// `tower_sessions.session` on PostgreSQL.
fn sessions_table(shop: &TestShop, select: &str) -> String {
    let table = if shop.db.is_postgres() {
        "tower_sessions.session"
    } else {
        "tower_sessions"
    };
    format!("{select} {table}")
}

async fn scalar(shop: &TestShop, sql: &str) -> i64 {
    turgus::on_db!(&shop.db, conn => sqlx::query_scalar(sql).fetch_one(conn).await).unwrap()
}

#[tokio::test]
async fn refused_callbacks_are_kept_only_in_part_and_oversized_ones_not_at_all() {
    let shop = live_shop().await;
    let flood = vec![0xffu8; FLOOD];
    for _ in 0..20 {
        let response = shop
            .client
            .post(shop.url("/paysera/callback"))
            .body(flood.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    assert_eq!(
        scalar(
            &shop,
            "SELECT COUNT(*) FROM payment_callbacks WHERE authentic = FALSE"
        )
        .await,
        20
    );
    // At most 2 KiB of each is kept, with the whole's length and digest.
    assert!(
        scalar(
            &shop,
            "SELECT CAST(MAX(octet_length(raw)) AS BIGINT) FROM payment_callbacks"
        )
        .await
            <= 2048
    );
    assert_eq!(
        scalar(&shop, "SELECT MIN(raw_bytes) FROM payment_callbacks").await,
        FLOOD as i64
    );
    let digest: String = turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT raw_sha256 FROM payment_callbacks LIMIT 1")
        .fetch_one(conn)
        .await)
        .unwrap();
    use sha2::Digest;
    let expected: String = sha2::Sha256::digest(&flood)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, expected);

    // Over 64 KiB: 413 with a message, nothing stored. A 20 KiB query string is still read.
    let huge = shop
        .client
        .post(shop.url("/paysera/callback"))
        .body(vec![b'a'; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(huge.text().await.unwrap().contains("64 KiB"));
    let long_query = format!("data={}&ss2=x", "A".repeat(20 * 1024));
    assert_eq!(send(&shop, &long_query).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        scalar(&shop, "SELECT COUNT(*) FROM payment_callbacks").await,
        21
    );
}

#[tokio::test]
async fn old_refused_callbacks_are_pruned_by_the_background_task_and_authentic_ones_kept() {
    let shop = live_shop().await;
    let placed = order(&shop, "brass-pen", "1").await;
    assert_eq!(callback(&shop, &placed, &[]).await, StatusCode::OK);
    turgus::on_db!(&shop.db, conn => sqlx::query(
        "INSERT INTO payment_callbacks (received_at, raw, authentic, verdict)
         VALUES ($1, 'old', FALSE, 'rejected'), ($2, 'recent', FALSE, 'rejected')",
    )
    .bind(turgus::clock::now_plus(-40 * 86_400))
    .bind(turgus::clock::now_plus(-2 * 86_400))
    .execute(conn)
    .await.map(|done| done.rows_affected()))
    .unwrap();
    // Authentic callbacks can never be deleted, whatever asks.
    assert!(
        turgus::on_db!(&shop.db, conn => sqlx::query("DELETE FROM payment_callbacks WHERE authentic = TRUE")
            .execute(conn)
            .await.map(|done| done.rows_affected()))
            .is_err()
    );
    // A restart runs the clean-up round at once.
    let (dir, client) = shop.stop().await;
    let mut config = support::config_for(dir.path());
    config.paysera = live_config(dir.path());
    let shop = TestShop::start(dir, client, config).await;
    let mut raws: Vec<String> = vec![];
    for _ in 0..50 {
        raws = turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT raw FROM payment_callbacks WHERE authentic = FALSE")
            .fetch_all(conn)
            .await)
            .unwrap();
        if raws.len() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(raws, vec!["recent".to_owned()]);
    assert_eq!(
        scalar(
            &shop,
            "SELECT COUNT(*) FROM payment_callbacks WHERE authentic = TRUE"
        )
        .await,
        1
    );
}

fn live_config(dir: &std::path::Path) -> turgus::config::PayseraConfig {
    let mut paysera = support::config_for(dir).paysera;
    paysera.project = Some((
        support::paysera::PROJECT,
        turgus::config::Secret::new(support::paysera::password()),
    ));
    paysera.public_key_file = Some(dir.join("paysera.pem"));
    paysera
}

#[tokio::test]
async fn cookieless_visitors_get_no_stored_session() {
    let shop = TestShop::spawn().await;
    for path in [
        "/en/checkout",
        "/lt/",
        "/en/cart",
        "/lt/search?q=mug",
        "/admin/login",
    ] {
        for _ in 0..40 {
            let response = support::shopper().get(shop.url(path)).send().await.unwrap();
            assert!(response.status().is_success(), "{path}");
            assert!(response.headers().get("set-cookie").is_none(), "{path}");
        }
    }
    assert_eq!(
        scalar(&shop, &sessions_table(&shop, "SELECT COUNT(*) FROM")).await,
        0
    );
    // A cart line is something to keep.
    let id = shop.product_id("enamel-mug").await.to_string();
    shop.call("cart/add", &[("product_id", &id), ("quantity", "1")])
        .await;
    assert_eq!(
        scalar(&shop, &sessions_table(&shop, "SELECT COUNT(*) FROM")).await,
        1
    );
}

#[tokio::test]
async fn a_refused_checkout_keeps_at_most_each_fields_limit() {
    let shop = TestShop::spawn().await;
    let id = shop.product_id("enamel-mug").await.to_string();
    shop.call("cart/add", &[("product_id", &id), ("quantity", "1")])
        .await;
    let key = shop.checkout_key().await;
    let long_name = "Ą".repeat(5000);
    let mut form = support::shopper::SHOPPER_FIELDS.to_vec();
    form.retain(|(field, _)| *field != "first_name");
    form.extend([("first_name", long_name.as_str()), ("checkout_key", &key)]);
    let response = shop.call("checkout/place", &form).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let view: serde_json::Value = shop
        .call("checkout", &[("country", "LT")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["form"]["first_name"].as_str().unwrap().chars().count(),
        100
    );
    let message = view["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("at most 100"), "{message}");
    assert!(
        scalar(
            &shop,
            &sessions_table(&shop, "SELECT CAST(MAX(length(data)) AS BIGINT) FROM")
        )
        .await
            < 4096
    );

    // 1.9 MB of first name never reaches the form: 413 with a message.
    let flood = "x".repeat(1_900_000);
    let response = shop
        .call(
            "checkout/place",
            &[("first_name", flood.as_str()), ("checkout_key", &key)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.text().await.unwrap().contains("too large"));
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_or_without_a_declared_length() {
    let shop = TestShop::spawn().await;
    let body = format!("product_id=1&quantity=1&pad={}", "x".repeat(70 * 1024));
    let declared = shop
        .client
        .post(shop.url("/api/cart/add"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(declared.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body
        .into_bytes()
        .chunks(8192)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let chunked = shop
        .client
        .post(shop.url("/api/cart/add"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(chunked.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        scalar(&shop, &sessions_table(&shop, "SELECT COUNT(*) FROM")).await,
        0
    );
}

/// Places an order through the checkout as `shop`'s browser would.
async fn checkout(
    shop: &TestShop,
    browser: &reqwest::Client,
    slug: &str,
    quantity: &str,
) -> reqwest::Response {
    let id = shop.product_id(slug).await.to_string();
    let post = |endpoint: &str, form: Vec<(&str, String)>| {
        browser
            .post(shop.url(&format!("/api/{endpoint}")))
            .header("accept", "application/json")
            .form(&form)
            .send()
    };
    post(
        "cart/add",
        vec![("product_id", id), ("quantity", quantity.into())],
    )
    .await
    .unwrap();
    let view: serde_json::Value = post("checkout", vec![("country", "LT".into())])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = view["checkout_key"].as_str().unwrap().to_owned();
    post(
        "checkout/place",
        support::shopper::SHOPPER_FIELDS
            .into_iter()
            .map(|(k, v)| (k, v.to_owned()))
            .chain([("checkout_key", key)])
            .collect(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn one_visitor_cannot_hold_the_stock_with_unpaid_orders() {
    let shop = TestShop::spawn_configured(|config, _| {
        config.limits.unpaid_orders_per_session = 2;
        config.limits.unpaid_orders_per_client = 3;
    })
    .await;
    let browser = support::shopper();
    for _ in 0..2 {
        assert_eq!(
            checkout(&shop, &browser, "enamel-mug", "1").await.status(),
            StatusCode::OK
        );
    }
    let third = checkout(&shop, &browser, "enamel-mug", "1").await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.text().await.unwrap().contains("waiting for payment"));
    // A fresh session from the same address: one more, then the address is full too.
    let other = support::shopper();
    assert_eq!(
        checkout(&shop, &other, "enamel-mug", "1").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        checkout(&shop, &support::shopper(), "enamel-mug", "1")
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(scalar(&shop, "SELECT COUNT(*) FROM orders").await, 3);
    // Every order was placed in the sandbox, and says so.
    assert_eq!(
        scalar(&shop, "SELECT COUNT(*) FROM orders WHERE NOT sandbox").await,
        0
    );
}

#[tokio::test]
async fn a_product_can_limit_units_per_order() {
    let shop = TestShop::spawn().await;
    turgus::on_db!(&shop.db, conn => sqlx::query("UPDATE products SET max_per_order = 2 WHERE slug = 'enamel-mug'")
        .execute(conn)
        .await.map(|done| done.rows_affected()))
        .unwrap();
    let stock = shop.stock("enamel-mug").await;
    let refused = checkout(&shop, &shop.client, "enamel-mug", "3").await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.unwrap().contains("at most 2"));
    assert_eq!(shop.stock("enamel-mug").await, stock);
}

#[tokio::test]
async fn a_checkout_key_works_only_in_the_session_it_was_given_to() {
    let shop = TestShop::spawn().await;
    let first = checkout(&shop, &shop.client, "enamel-mug", "1").await;
    assert_eq!(first.status(), StatusCode::OK);
    // Another browser replaying the first one's form (its key included) gets nothing of it.
    let stranger = support::shopper();
    let id = shop.product_id("enamel-mug").await.to_string();
    stranger
        .post(shop.url("/api/cart/add"))
        .form(&[("product_id", id.as_str()), ("quantity", "1")])
        .send()
        .await
        .unwrap();
    let key: String =
        turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT checkout_key FROM orders")
        .fetch_one(conn)
        .await)
        .unwrap();
    let replay = stranger
        .post(shop.url("/api/checkout/place"))
        .header("accept", "application/json")
        .form(&[
            ("email", "x@example.lt"),
            ("first_name", "X"),
            ("last_name", "Y"),
            ("street", "S 1"),
            ("city", "V"),
            ("postcode", "1"),
            ("country", "LT"),
            ("shipping", "courier"),
            ("terms", "on"),
            ("checkout_key", key.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::CONFLICT);
    assert!(!replay
        .text()
        .await
        .unwrap()
        .contains("/sandbox/paysera/pay"));
}

#[tokio::test]
async fn shopper_pages_are_private_and_never_stored() {
    let shop = TestShop::spawn().await;
    for path in [
        "/en/cart",
        "/lt/checkout",
        "/en/checkout/accept?order=x",
        "/lt/checkout/cancelled?order=x",
    ] {
        let response = shop.get(path).await;
        assert_eq!(
            response.headers()["cache-control"],
            "private, no-store",
            "{path}"
        );
    }
    let placed = checkout(&shop, &shop.client, "enamel-mug", "1").await;
    let pay_url: String = placed.json().await.unwrap();
    assert!(pay_url.contains("/sandbox/paysera/pay"));
    let response = shop.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(shop.get("/readyz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_request_to_paysera_carries_a_time_limit_within_its_bounds() {
    let shop = live_shop().await;
    let placed = checkout(&shop, &shop.client, "enamel-mug", "1").await;
    let pay_url: String = placed.json().await.unwrap();
    let params = support::paysera::pay_params(&pay_url);
    let limit = &params["time_limit"];
    assert_eq!(limit.len(), 19, "{limit}");
    assert_eq!(&limit[4..5], "-");
    assert_eq!(&limit[10..11], " ");
}

#[tokio::test]
async fn only_the_canonical_amount_pays() {
    let shop = live_shop().await;
    let placed = order(&shop, "brass-pen", "1").await;
    let padded = format!("0{}", placed.total.minor);
    assert_eq!(
        callback(&shop, &placed, &[("amount", &padded)]).await,
        StatusCode::OK
    );
    let status: String = turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
        .bind(placed.id)
        .fetch_one(conn)
        .await)
        .unwrap();
    assert_eq!(status, "pending_payment");
    assert_eq!(
        scalar(
            &shop,
            "SELECT COUNT(*) FROM payment_callbacks WHERE verdict = 'amount_mismatch'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn an_encrypted_callback_is_refused_when_the_shop_checks_rsa() {
    let shop = live_shop().await;
    let placed = order(&shop, "brass-pen", "1").await;
    // Anyone holding the project password can make one of these.
    let (status, body) = send(
        &shop,
        &support::paysera::encrypted(&fields(&placed, &[]), &support::paysera::password()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        scalar(&shop, "SELECT COUNT(*) FROM orders WHERE status = 'paid'").await,
        0
    );
}

#[tokio::test]
async fn payments_that_need_a_person_are_flagged_and_never_told_to_the_shopper() {
    let shop = live_shop().await;
    // Paid twice: another requestid for a paid order.
    let twice = order(&shop, "brass-pen", "1").await;
    assert_eq!(callback(&shop, &twice, &[]).await, StatusCode::OK);
    assert_eq!(callback(&shop, &twice, &[]).await, StatusCode::OK);
    assert!(
        !review_flag(&shop, twice.id).await,
        "the same payment repeated"
    );
    assert_eq!(
        callback(&shop, &twice, &[("requestid", "9002")]).await,
        StatusCode::OK
    );
    assert!(review_flag(&shop, twice.id).await);
    assert_eq!(
        scalar(
            &shop,
            "SELECT COUNT(*) FROM payment_callbacks WHERE verdict = 'paid_twice'"
        )
        .await,
        1
    );

    // Late: paid after expiry, of a product taken off sale meanwhile: paid, flagged, stock untouched.
    let late = order(&shop, "enamel-mug", "1").await;
    turgus::domain::flows::unpaid_orders::expire_overdue(&shop.db, 0, std::time::SystemTime::now())
        .await
        .ok();
    turgus::on_db!(&shop.db, conn => sqlx::query("UPDATE orders SET status = 'expired' WHERE id = $1")
        .bind(late.id)
        .execute(conn)
        .await.map(|done| done.rows_affected()))
        .unwrap();
    turgus::on_db!(&shop.db, conn => sqlx::query("UPDATE products SET active = FALSE WHERE slug = 'enamel-mug'")
        .execute(conn)
        .await.map(|done| done.rows_affected()))
        .unwrap();
    let stock = shop.stock("enamel-mug").await;
    assert_eq!(
        callback(&shop, &late, &[("requestid", "9100")]).await,
        StatusCode::OK
    );
    assert_eq!(shop.stock("enamel-mug").await, stock);
    assert!(review_flag(&shop, late.id).await);

    // The status API says paid, and nothing about the review.
    let api: serde_json::Value = shop
        .get(&format!("/api/orders/{}", twice.public_token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["status"], "paid");
    assert!(api.get("needs_review").is_none(), "{api}");
    let (_, page) = shop
        .page(&format!("/en/checkout/accept?order={}", twice.public_token))
        .await;
    assert!(!page.to_lowercase().contains("review"));
}

async fn review_flag(shop: &TestShop, order_id: i64) -> bool {
    turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT needs_review FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(conn)
        .await)
        .unwrap()
}

#[tokio::test]
async fn other_sites_of_the_same_site_cannot_post() {
    let shop = TestShop::spawn().await;
    let id = shop.product_id("enamel-mug").await.to_string();
    let response = shop
        .client
        .post(shop.url("/api/cart/add"))
        .header("sec-fetch-site", "same-site")
        .form(&[("product_id", id.as_str()), ("quantity", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn metrics_are_served_apart_from_the_shop_and_count_what_happened() {
    let shop = support::paysera::live_shop_with(|config| {
        config.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let placed = order(&shop, "brass-pen", "1").await;
    assert_eq!(callback(&shop, &placed, &[]).await, StatusCode::OK);
    assert_eq!(
        support::paysera::send(&shop, "data=forged&ss1=x").await.0,
        StatusCode::BAD_REQUEST
    );
    // A visitor without a session: the page is rendered and kept, then served from the cache.
    for _ in 0..2 {
        assert_eq!(shop.get("/en/p/brass-pen").await.status(), StatusCode::OK);
    }
    // Not on the shop's own address: strangers never see it.
    assert_eq!(
        shop.get("/en/metrics").await.status(),
        StatusCode::NOT_FOUND
    );

    let metrics = shop.metrics.expect("a metrics address");
    let text = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        r#"http_requests_total{method="GET",route="/p/{slug}",status="200"}"#,
        r#"http_request_duration_seconds_bucket{method="GET",route="/p/{slug}",le="0.005"}"#,
        r#"paysera_callbacks_total{verdict="paid"}"#,
        r#"paysera_callbacks_total{verdict="rejected"}"#,
        r#"orders{stage="to_ship"} "#,
        r#"email_outbox{state="waiting"} "#,
        r#"db_pool_connections{state="open"} "#,
        "page_cache_requests_total{result=\"miss\"} 1\n",
        "page_cache_requests_total{result=\"hit\"} 1\n",
        "page_cache_pages 1\n",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    // Routes by pattern, never by the address asked for.
    assert!(!text.contains("brass-pen"), "{text}");
}
