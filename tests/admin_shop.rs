//! Running the shop from the admin: orders with their payment log and actions, the CSV export,
//! products, photos and categories, and that none of it opens to strangers or other sites.

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use support::paysera::{fields, live_shop, order, send, signed};
use support::{TestShop, OWNER, PASSWORD};
use turgus::domain::flows::place_order::place;
use turgus::domain::orders::place::PlacedOrder;
use turgus::money::Currency;

async fn admin_shop() -> TestShop {
    let shop = live_shop().await;
    shop.log_in_admin().await;
    shop
}

async fn json(shop: &TestShop, endpoint: &str, form: &[(&str, &str)]) -> Value {
    let response = shop.call(endpoint, form).await;
    assert_eq!(response.status(), StatusCode::OK, "{endpoint}");
    response.json().await.unwrap()
}

async fn order_detail(shop: &TestShop, order: &PlacedOrder) -> Value {
    json(
        shop,
        "admin/order",
        &[("number", &order.number.to_string())],
    )
    .await
}

async fn act(
    shop: &TestShop,
    order: &PlacedOrder,
    action: &str,
    note: &str,
    confirm: bool,
) -> StatusCode {
    let number = order.number.to_string();
    let mut form = vec![
        ("number", number.as_str()),
        ("action", action),
        ("note", note),
    ];
    if confirm {
        form.push(("confirm", "yes"));
    }
    shop.call("admin/order/action", &form).await.status()
}

async fn paid_order(shop: &TestShop, slug: &str) -> PlacedOrder {
    let order = order(shop, slug, "1").await;
    let (status, body) = send(shop, &signed(&fields(&order, &[]))).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "OK"));
    order
}

#[tokio::test]
async fn every_admin_page_route_and_server_function_refuses_strangers() {
    let shop = live_shop().await;
    turgus::admin::auth::create_admin(&shop.db, OWNER, PASSWORD, turgus::locale::Locale::en)
        .await
        .unwrap();
    let order = order(&shop, "enamel-mug", "1").await;
    let number = order.number.to_string();
    let product = shop.product_id("enamel-mug").await.to_string();
    let calls: [(&str, Vec<(&str, &str)>); 32] = [
        ("admin/home", vec![]),
        ("admin/orders", vec![]),
        ("admin/order", vec![("number", &number)]),
        (
            "admin/order/action",
            vec![
                ("number", &number),
                ("action", "cancel"),
                ("confirm", "yes"),
            ],
        ),
        ("admin/products", vec![]),
        ("admin/product", vec![("id", &product)]),
        (
            "admin/product/save",
            vec![
                ("id", "0"),
                ("name", "Free"),
                ("category_id", "1"),
                ("price", "0"),
                ("stock", "9"),
            ],
        ),
        (
            "admin/product/remove",
            vec![("id", &product), ("confirm", "yes")],
        ),
        ("admin/product/image/delete", vec![("id", "1")]),
        ("admin/categories", vec![]),
        ("admin/category/save", vec![("id", "0"), ("name", "Stolen")]),
        ("admin/category/delete", vec![("id", "1")]),
        ("admin/settings", vec![]),
        ("admin/settings/save", vec![("shop_name", "Stolen")]),
        (
            "admin/shipping/save",
            vec![
                ("id", "1"),
                ("name", "Free"),
                ("price", "0"),
                ("countries", "LT"),
            ],
        ),
        ("admin/shipping/delete", vec![("id", "1")]),
        ("admin/discounts", vec![]),
        ("admin/discount", vec![("id", "0")]),
        (
            "admin/discount/save",
            vec![
                ("id", "0"),
                ("code", "STOLEN"),
                ("kind", "percent"),
                ("value", "50"),
                ("scope", "all"),
            ],
        ),
        ("admin/discount/remove", vec![("id", "1")]),
        (
            "admin/vat-rates/set",
            vec![
                ("country", "LT"),
                ("tax_class", "standard"),
                ("rate", "0"),
                ("valid_from", "2030-01-01"),
            ],
        ),
        (
            "admin/vat-rates/withdraw",
            vec![
                ("country", "LT"),
                ("tax_class", "standard"),
                ("valid_from", "2030-01-01"),
            ],
        ),
        ("admin/legal", vec![("slug", "terms")]),
        (
            "admin/legal/save",
            vec![("slug", "terms"), ("markdown", "x")],
        ),
        ("admin/emails", vec![]),
        ("admin/email/again", vec![("id", "1")]),
        (
            "admin/product/options",
            vec![
                ("id", &product),
                ("option1_name", "Size"),
                ("option1_values", "S"),
            ],
        ),
        (
            "admin/product/variant",
            vec![
                ("product_id", &product),
                ("id", "1"),
                ("sku", "x"),
                ("stock", "9"),
                ("stock_was", "0"),
            ],
        ),
        ("admin/profile", vec![]),
        ("admin/language", vec![("language", "lt")]),
        ("admin/shipping/points", vec![]),
        ("admin/shipping/refresh", vec![("carrier", "omniva")]),
    ];
    for (endpoint, form) in &calls {
        assert_eq!(
            shop.call(endpoint, form).await.status(),
            StatusCode::UNAUTHORIZED,
            "{endpoint}"
        );
    }
    for page in [
        "/admin",
        "/admin/orders",
        &format!("/admin/orders/{number}"),
        "/admin/products",
        "/admin/products/new",
        &format!("/admin/products/{product}"),
        "/admin/categories",
        "/admin/settings",
        "/admin/legal/terms",
        "/admin/profile",
        "/admin/emails",
        "/admin/shipping",
    ] {
        let response = shop
            .client
            .get(shop.url(page))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_redirection(),
            "{page}: {}",
            response.status()
        );
        assert!(
            response.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/admin/login?next="),
            "{page}"
        );
    }
    for file in ["/admin/export/orders.csv", "/admin/emails/1.eml"] {
        assert_eq!(
            shop.get(file).await.status(),
            StatusCode::UNAUTHORIZED,
            "{file}"
        );
    }
    let upload = shop
        .client
        .post(shop.url(&format!("/admin/products/{product}/images")))
        .multipart(
            reqwest::multipart::Form::new()
                .part("image", reqwest::multipart::Part::bytes(png(10, 10))),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::UNAUTHORIZED);
    let list = shop
        .client
        .post(shop.url("/admin/shipping/points-file"))
        .multipart(
            reqwest::multipart::Form::new()
                .text("carrier", "omniva")
                .part("file", reqwest::multipart::Part::bytes(b"[]".to_vec())),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), StatusCode::UNAUTHORIZED);
    // Nothing changed.
    let (status,): (String,) =
        turgus::on_db!(&shop.db, conn => sqlx::query_as("SELECT status FROM orders WHERE id = $1")
        .bind(order.id)
        .fetch_one(conn)
        .await)
        .unwrap();
    assert_eq!(status, "pending_payment");
    let counts: (i64, i64, i64) = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM products), (SELECT COUNT(*) FROM categories), (SELECT COUNT(*) FROM product_images)",
    )
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!(
        counts,
        (31, 5, 33),
        "the demo's 31 products, 5 categories and 33 photos (the shirt has one per colour)"
    );
    let settings: (String, i64, i64) = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT (SELECT shop_name FROM shop_settings), (SELECT COUNT(*) FROM shipping_methods),
                (SELECT COUNT(*) FROM settings_events)",
    )
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!(settings, ("Turgus".to_owned(), 3, 0));
}

#[tokio::test]
async fn cross_site_admin_requests_are_refused() {
    let shop = admin_shop().await;
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ] {
        let response = shop
            .client
            .post(shop.url("/api/admin/category/save"))
            .header(name, value)
            .form(&[("id", "0"), ("name", "Planted")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
    }
    let planted: i64 = turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT COUNT(*) FROM categories WHERE name = 'Planted'")
        .fetch_one(conn)
        .await)
        .unwrap();
    assert_eq!(planted, 0);
    // The same request from the shop's own pages goes through.
    let response = shop
        .client
        .post(shop.url("/api/admin/category/save"))
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .form(&[("id", "0"), ("name", "Planted")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_paid_order_shows_its_payment_log_and_is_shipped_then_refunded() {
    let shop = admin_shop().await;
    let order = paid_order(&shop, "enamel-mug").await;
    let detail = order_detail(&shop, &order).await;
    assert_eq!(detail["state"], "to_ship");
    assert_eq!(detail["payment_log"].as_array().unwrap().len(), 1);
    let callback = &detail["payment_log"][0];
    assert_eq!(callback["verdict"], "paid");
    assert!(callback["raw"].as_str().unwrap().starts_with("data="));
    assert!(callback["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f[0] == "requestid" && f[1] == "9001"));

    let page = shop.get(&format!("/admin/orders/{}", order.number)).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        page.headers()["cache-control"],
        "no-store",
        "customer data is not cached"
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Payment log") && html.contains("requestid"),
        "{html}"
    );

    assert_eq!(
        act(&shop, &order, "ship", "", false).await,
        StatusCode::BAD_REQUEST,
        "unconfirmed"
    );
    assert_eq!(
        act(&shop, &order, "ship", "LP123", true).await,
        StatusCode::OK
    );
    assert_eq!(
        act(&shop, &order, "ship", "", true).await,
        StatusCode::CONFLICT,
        "shipped twice"
    );
    assert_eq!(
        act(&shop, &order, "cancel", "", true).await,
        StatusCode::CONFLICT,
        "paid orders are refunded, not cancelled"
    );
    assert_eq!(
        act(&shop, &order, "refund", "", true).await,
        StatusCode::BAD_REQUEST,
        "a refund needs a note"
    );
    assert_eq!(
        act(&shop, &order, "refund", "returned unused", true).await,
        StatusCode::OK
    );
    assert_eq!(
        act(&shop, &order, "teleport", "", true).await,
        StatusCode::BAD_REQUEST
    );

    let detail = order_detail(&shop, &order).await;
    assert_eq!(detail["state"], "refunded");
    let notes: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(
        notes.contains(&"marked shipped by owner@example.lt: LP123"),
        "{notes:?}"
    );
    // The history is typed events (kind + data), written out only for display.
    let kinds: Vec<String> = turgus::on_db!(&shop.db, conn => sqlx::query_scalar(
        "SELECT e.kind FROM order_events e JOIN orders o ON o.id = e.order_id
         WHERE o.number = $1 ORDER BY e.id",
    )
    .bind(order.number)
    .fetch_all(conn)
    .await)
    .unwrap();
    assert_eq!(kinds, ["placed", "paid", "shipped", "refunded"]);
    let shipped: String = shop
        .scalar("SELECT data FROM order_events WHERE kind = 'shipped'")
        .await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&shipped).unwrap(),
        serde_json::json!({"by": "owner@example.lt", "note": "LP123"})
    );
    assert!(
        notes.contains(&"marked refunded by owner@example.lt: returned unused"),
        "{notes:?}"
    );
}

#[tokio::test]
async fn cancelling_an_unpaid_order_puts_its_stock_back() {
    let shop = admin_shop().await;
    let before = shop.stock("enamel-mug").await;
    let order = order(&shop, "enamel-mug", "2").await;
    assert_eq!(shop.stock("enamel-mug").await, before - 2);
    assert_eq!(
        act(&shop, &order, "ship", "", true).await,
        StatusCode::CONFLICT,
        "unpaid orders are not shipped"
    );
    assert_eq!(
        act(&shop, &order, "cancel", "customer phoned", true).await,
        StatusCode::OK
    );
    assert_eq!(shop.stock("enamel-mug").await, before);
    assert_eq!(
        act(&shop, &order, "cancel", "", true).await,
        StatusCode::CONFLICT,
        "not twice"
    );
    assert_eq!(shop.stock("enamel-mug").await, before);
    assert_eq!(order_detail(&shop, &order).await["state"], "cancelled");
}

#[tokio::test]
async fn a_flagged_order_is_cleared_with_a_note() {
    let shop = admin_shop().await;
    let order = order(&shop, "enamel-mug", "1").await;
    let short = (order.total.minor - 1).to_string();
    send(
        &shop,
        &signed(&fields(
            &order,
            &[("amount", &short), ("payamount", &short)],
        )),
    )
    .await;
    let detail = order_detail(&shop, &order).await;
    assert_eq!(
        (detail["needs_review"].as_bool(), &detail["state"]),
        (Some(true), &Value::from("awaiting_payment"))
    );
    assert_eq!(detail["payment_log"][0]["verdict"], "amount_mismatch");
    let home = json(&shop, "admin/home", &[]).await;
    assert_eq!(home["needs_review"][0]["number"], order.number);
    assert_eq!(
        act(&shop, &order, "clear_review", "", true).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        act(
            &shop,
            &order,
            "clear_review",
            "customer paid the cent by bank",
            true
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(order_detail(&shop, &order).await["needs_review"], false);
}

/// The order list, as its page asks for it.
async fn list_orders(shop: &TestShop, filter: Vec<(&'static str, String)>) -> (StatusCode, Value) {
    let form: Vec<(String, String)> = filter
        .into_iter()
        .map(|(key, value)| (format!("filter[{key}]"), value))
        .collect();
    let response = shop
        .client
        .post(shop.url("/api/admin/orders"))
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_order_list_filters_searches_and_the_dashboard_counts_sales() {
    let shop = admin_shop().await;
    let paid = paid_order(&shop, "enamel-mug").await;
    let unpaid = order(&shop, "enamel-mug", "1").await;
    let list = |filter: Vec<(&'static str, String)>| list_orders(&shop, filter);
    let numbers = |list: &Value| -> Vec<i64> {
        list["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["number"].as_i64().unwrap())
            .collect()
    };
    let (_, all) = list(vec![]).await;
    assert_eq!(
        numbers(&all),
        vec![unpaid.number, paid.number],
        "newest first"
    );
    let (_, to_ship) = list(vec![("state", "to_ship".into())]).await;
    assert_eq!(numbers(&to_ship), vec![paid.number]);
    let (_, by_number) = list(vec![("q", paid.number.to_string())]).await;
    assert_eq!(numbers(&by_number), vec![paid.number]);
    let (_, by_email) = list(vec![("q", "PIRKEJAS@example".into())]).await;
    assert_eq!(by_email["total"], 2);
    let (_, wildcard) = list(vec![("q", "%".into())]).await;
    assert_eq!(wildcard["total"], 0, "LIKE wildcards are literal");
    let (_, future) = list(vec![("from", "2999-01-01".into())]).await;
    assert_eq!(future["total"], 0);
    let (_, today) = list(vec![
        ("from", "2020-01-01".into()),
        ("to", "2999-12-31".into()),
    ])
    .await;
    assert_eq!(today["total"], 2);
    let (status, _) = list(vec![("from", "2026-02-30".into())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = list(vec![("state", "bogus".into())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let home = json(&shop, "admin/home", &[]).await;
    let today = home["sales_by_day"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        today["sales"]["minor"], paid.total.minor,
        "only the paid order counts"
    );
    assert_eq!(home["sales_by_day"].as_array().unwrap().len(), 30);
    let (status, html) = shop.page("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<svg") && html.contains(&paid.total.to_string()),
        "{html}"
    );
}

#[tokio::test]
async fn the_csv_export_opens_safely_in_a_spreadsheet() {
    let shop = admin_shop().await;
    let id = shop.variant_id("enamel-mug").await;
    let mut new = support::paysera::new_order(id, "1");
    new.customer.first_name = "=HYPERLINK(\"http://evil.example\",\"click\")".into();
    new.customer.last_name = "Quote \"Q\", comma".into();
    new.customer.city = "+370 @Vilnius".into();
    let order = place(&shop.db, &new, Currency::Eur).await.unwrap();
    send(&shop, &signed(&fields(&order, &[]))).await;

    let response = shop.get("/admin/export/orders.csv?state=to_ship").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"orders-"));
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 byte order mark"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("\"order\",\"sandbox\",\"created_at\",\"status\""));
    let row = lines[1];
    // Placed in a live shop, not the sandbox.
    assert!(
        row.starts_with(&format!("\"{}\",\"no\"", order.number)),
        "{row}"
    );
    assert!(
        row.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""),
        "{row}"
    );
    assert!(row.contains("\"Quote \"\"Q\"\", comma\""), "{row}");
    assert!(
        row.ends_with("\"1 × Enamel Camp Mug [enamel-mug]\""),
        "the items, with their SKU: {row}"
    );
    assert!(row.contains("\"'+370 @Vilnius\""), "{row}");
    assert!(
        row.contains(&format!("\"{}\"", order.total.decimal())),
        "{row}"
    );
    assert!(
        row.contains("\"paid\",\"9001\",\"hanza\""),
        "payment fields: {row}"
    );
    assert_eq!(
        shop.get("/admin/export/orders.csv?from=yesterday")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

async fn save_product(shop: &TestShop, form: &[(&str, &str)]) -> reqwest::Response {
    let mut full = vec![
        ("id", "0"),
        ("category_id", "1"),
        ("price", "1"),
        ("stock", "1"),
        ("active", "on"),
    ];
    for (key, value) in form {
        full.retain(|(k, _)| k != key);
        full.push((key, value));
    }
    shop.call("admin/product/save", &full).await
}

#[tokio::test]
async fn products_are_created_priced_exactly_and_shown_in_the_shop() {
    let shop = admin_shop().await;
    let response = save_product(
        &shop,
        &[
            ("name", "Oak board"),
            ("price", "1 234,5"),
            ("stock", "7"),
            ("description", "Solid oak."),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let id: i64 = response.json().await.unwrap();
    let (price, slug, stock): (i64, String, i64) =
        turgus::on_db!(&shop.db, conn => sqlx::query_as("SELECT p.price_minor, p.slug, v.stock FROM products p JOIN product_variants v ON v.product_id = p.id WHERE p.id = $1")
            .bind(id)
            .fetch_one(conn)
            .await)
            .unwrap();
    assert_eq!((price, slug.as_str(), stock), (123_450, "oak-board", 7));
    let (status, html) = shop.page("/en/p/oak-board").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1\u{a0}234,50\u{a0}€"), "{html}");

    for (field, value, expected) in [
        ("price", "12.345", StatusCode::BAD_REQUEST),
        ("price", "-1", StatusCode::BAD_REQUEST),
        ("price", "1e3", StatusCode::BAD_REQUEST),
        ("stock", "-1", StatusCode::BAD_REQUEST),
        ("stock", "lots", StatusCode::BAD_REQUEST),
        ("name", " ", StatusCode::BAD_REQUEST),
        ("category_id", "999", StatusCode::BAD_REQUEST),
        ("slug", "oak-board", StatusCode::CONFLICT),
    ] {
        let response = save_product(&shop, &[("name", "Another"), (field, value)]).await;
        assert_eq!(response.status(), expected, "{field}={value}");
    }
    let count: i64 =
        turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(conn)
        .await)
        .unwrap();
    assert_eq!(count, 32, "refused forms create nothing");
}

#[tokio::test]
async fn saving_a_product_never_puts_back_units_bought_meanwhile() {
    let shop = admin_shop().await;
    let id = shop.product_id("enamel-mug").await.to_string();
    let form = json(&shop, "admin/product", &[("id", &id)]).await;
    let seen = form["stock_saved"].as_i64().unwrap().to_string();
    // A shopper buys one while the merchant edits the price.
    order(&shop, "enamel-mug", "1").await;
    let edit = |stock_was: String| {
        let (id, seen) = (id.clone(), seen.clone());
        let shop = &shop;
        async move {
            save_product(
                shop,
                &[
                    ("id", &id),
                    ("name", "Enamel mug"),
                    ("slug", "enamel-mug"),
                    ("price", "9.90"),
                    ("stock", &seen),
                    ("stock_was", &stock_was),
                ],
            )
            .await
        }
    };
    let refused = edit(seen.clone()).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let now = shop.stock("enamel-mug").await;
    assert_eq!(
        now.to_string(),
        (seen.parse::<i64>().unwrap() - 1).to_string(),
        "nothing saved"
    );
    assert_eq!(
        edit(now.to_string()).await.status(),
        StatusCode::OK,
        "with the fresh stock"
    );
}

#[tokio::test]
async fn merchant_text_renders_inert() {
    let shop = admin_shop().await;
    // `</title>` first: leptos_meta does not escape the title it renders on the server.
    let script = "</title><script>alert('name')</script>";
    // `</textarea>` first: Leptos does not escape a textarea's text on the server.
    let image = "</textarea><img src=x onerror=alert('description')>";
    let response = save_product(
        &shop,
        &[("name", script), ("slug", "inert"), ("description", image)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let id: i64 = response.json().await.unwrap();
    let category: String = turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT slug FROM categories WHERE id = 1")
        .fetch_one(conn)
        .await)
        .unwrap();
    let renamed = shop
        .call(
            "admin/category/save",
            &[("id", "1"), ("name", script), ("slug", &category)],
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    for page in [
        "/en/p/inert".to_owned(),
        format!("/admin/products/{id}"),
        "/admin/products".into(),
        "/admin/categories".into(),
        format!("/en/c/{category}"),
    ] {
        let (status, html) = shop.page(&page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for needle in [script, image] {
            if let Some(at) = html.find(needle) {
                panic!(
                    "{page} renders merchant text as markup: …{}…",
                    html[at.saturating_sub(300)..(at + 100).min(html.len())].replace('\n', " ")
                );
            }
        }
        assert!(
            html.contains("&lt;/title&gt;&lt;script&gt;alert("),
            "{page} does not show the text"
        );
    }
}

#[tokio::test]
async fn ordered_products_are_archived_and_others_deleted() {
    let shop = admin_shop().await;
    let ordered = shop.product_id("enamel-mug").await;
    order(&shop, "enamel-mug", "1").await;
    let never = shop.product_id("linen-apron").await;
    for id in [ordered, never] {
        let id = id.to_string();
        assert_eq!(
            shop.call("admin/product/remove", &[("id", &id)])
                .await
                .status(),
            StatusCode::BAD_REQUEST,
            "unconfirmed"
        );
        assert_eq!(
            shop.call("admin/product/remove", &[("id", &id), ("confirm", "yes")])
                .await
                .status(),
            StatusCode::OK
        );
    }
    let active: Option<bool> = turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT active FROM products WHERE id = $1")
        .bind(ordered)
        .fetch_optional(conn)
        .await)
        .unwrap();
    assert_eq!(active, Some(false), "archived, still there for its order");
    let gone: Option<bool> = turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT active FROM products WHERE id = $1")
        .bind(never)
        .fetch_optional(conn)
        .await)
        .unwrap();
    assert_eq!(gone, None);
    assert_eq!(shop.page("/en/p/enamel-mug").await.0, StatusCode::NOT_FOUND);
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_pixel(width, height, image::Rgb([20, 110, 80]));
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn upload(shop: &TestShop, product: i64, bytes: Vec<u8>, accept: &str) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .part(
            "image",
            reqwest::multipart::Part::bytes(bytes)
                .file_name("photo.png")
                .mime_str("image/png")
                .unwrap(),
        )
        .text("alt", "A green square");
    shop.client
        .post(shop.url(&format!("/admin/products/{product}/images")))
        .header("accept", accept)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn photos_are_resized_stored_and_served_with_long_caching() {
    let shop = admin_shop().await;
    let product = shop.product_id("enamel-mug").await;
    let response = upload(&shop, product, png(1600, 800), "*/*").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let (path, thumb, alt): (String, String, String) = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT path, thumb_path, alt FROM product_images WHERE product_id = $1 AND thumb_path IS NOT NULL",
    )
    .bind(product)
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!(alt, "A green square");
    for (path, width) in [(&path, 1200), (&thumb, 400)] {
        let response = shop.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        assert!(response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"));
        let picture = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(picture.width(), width);
    }
    // A browser is sent back to the product's page.
    let response = upload(&shop, product, png(20, 20), "text/html").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        format!("/admin/products/{product}?image=uploaded")
    );
    // Removing a photo removes its files.
    let image_id: i64 = turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT id FROM product_images WHERE path = $1")
        .bind(&path)
        .fetch_one(conn)
        .await)
        .unwrap();
    assert_eq!(
        shop.call(
            "admin/product/image/delete",
            &[("id", &image_id.to_string())]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(shop.get(&path).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn non_images_and_oversized_files_are_refused_with_a_clear_message() {
    let shop = admin_shop().await;
    let product = shop.product_id("enamel-mug").await;
    let response = upload(
        &shop,
        product,
        b"<svg onload=\"alert(1)\"></svg>".to_vec(),
        "*/*",
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("not a JPEG, PNG or WebP"));
    let mut huge = png(64, 64);
    huge.resize(10 * 1024 * 1024 + 1, 0);
    let response = upload(&shop, product, huge, "*/*").await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.text().await.unwrap().contains("larger than 10 MB"));
    let response = upload(&shop, product, b"hello".to_vec(), "text/html").await;
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        format!("/admin/products/{product}?image=type")
    );
    let (_, html) = shop
        .page(&format!("/admin/products/{product}?image=type"))
        .await;
    assert!(html.contains("not a JPEG, PNG or WebP"));
    let uploaded: i64 =
        turgus::on_db!(&shop.db, conn => sqlx::query_scalar("SELECT COUNT(*) FROM product_images WHERE thumb_path IS NOT NULL")
            .fetch_one(conn)
            .await)
            .unwrap();
    assert_eq!(uploaded, 0);
}

#[tokio::test]
async fn categories_are_created_renamed_and_only_empty_ones_deleted() {
    let shop = admin_shop().await;
    assert_eq!(
        shop.call(
            "admin/category/save",
            &[("id", "0"), ("name", "Šaukštai ir šakutės")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    let (id, slug): (i64, String) =
        turgus::on_db!(&shop.db, conn => sqlx::query_as("SELECT id, slug FROM categories WHERE name = 'Šaukštai ir šakutės'")
            .fetch_one(conn)
            .await)
            .unwrap();
    assert_eq!(slug, "saukstai-ir-sakutes");
    let id = id.to_string();
    assert_eq!(
        shop.call(
            "admin/category/save",
            &[
                ("id", &id),
                ("name", "Cutlery"),
                ("slug", "cutlery"),
                ("position", "9")
            ]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(shop.page("/en/c/cutlery").await.0, StatusCode::OK);
    assert_eq!(
        shop.call(
            "admin/category/save",
            &[("id", "0"), ("name", "Again"), ("slug", "cutlery")]
        )
        .await
        .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        shop.call("admin/category/delete", &[("id", "1")])
            .await
            .status(),
        StatusCode::CONFLICT,
        "has products"
    );
    assert_eq!(
        shop.call("admin/category/delete", &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        shop.call("admin/category/delete", &[("id", &id)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
