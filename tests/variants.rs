//! Variants, the unit the shop stocks and sells: a shop made before them migrates without loss
//! (each product becomes its one variant, keeping its stock and its orders), on SQLite and on
//! PostgreSQL.

mod support;

use sqlx::migrate::Migrator;
use std::borrow::Cow;

/// The shop's schema as it stood before variants: every migration below `first_with_variants`.
fn before_variants(all: &Migrator, first_with_variants: i64) -> Migrator {
    Migrator {
        migrations: Cow::Owned(
            all.migrations
                .iter()
                .filter(|m| m.version < first_with_variants)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    }
}

/// What a shop of that schema holds: a product with 7 in stock, bought once.
const OLD_SHOP: [&str; 4] = [
    "INSERT INTO categories (slug, name) VALUES ('kitchen', 'Kitchen')",
    "INSERT INTO products (category_id, slug, name, price_minor, currency, stock)
     SELECT id, 'enamel-mug', 'Enamel Camp Mug', 1250, 'EUR', 7 FROM categories",
    "INSERT INTO orders (number, public_token, currency, subtotal_minor, shipping_minor, total_minor,
                         email, first_name, last_name, street, city, postcode, country,
                         shipping_method)
     VALUES (1001, 'token-of-at-least-thirty-two-characters', 'EUR', 1250, 0, 1250,
             'ona@example.lt', 'Ona', 'Onaitė', 'Gedimino pr. 1', 'Vilnius', '01103', 'LT', 'pickup')",
    "INSERT INTO order_lines (order_id, product_id, name, unit_price_minor, quantity, line_total_minor)
     SELECT o.id, p.id, p.name, 1250, 1, 1250 FROM orders o, products p",
];

/// (variant id = product id, SKU, stock) and (the order line's variant = product, its SKU).
const CHECK_VARIANT: &str = "SELECT CAST(v.id = p.id AS INTEGER) AS same_id, v.sku, v.stock
     FROM product_variants v JOIN products p ON p.id = v.product_id";
const CHECK_LINE: &str =
    "SELECT CAST(variant_id = product_id AS INTEGER) AS same_id, sku FROM order_lines";

#[tokio::test]
async fn a_shop_made_before_variants_keeps_its_stock_and_orders_on_sqlite() {
    if support::on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let all = sqlx::migrate!("./migrations/sqlite");
    before_variants(&all, 11).run(&pool).await.unwrap();
    order_numbers_from(&pool).await;
    for sql in OLD_SHOP {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    all.run(&pool).await.unwrap();
    let variant: (i64, String, i64) = sqlx::query_as(CHECK_VARIANT)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(variant, (1, "enamel-mug".into(), 7));
    let line: (i64, String) = sqlx::query_as(CHECK_LINE).fetch_one(&pool).await.unwrap();
    assert_eq!(line, (1, "enamel-mug".into()));
    let gone = sqlx::query("SELECT stock FROM products")
        .execute(&pool)
        .await;
    assert!(gone.is_err(), "stock lives on variants only");
    pool.close().await;
    shop_sells_the_migrated_variant(&url).await;
}

/// Order numbers begin where the shop's first migration says; the old order takes one.
async fn order_numbers_from(pool: &sqlx::SqlitePool) {
    sqlx::query("INSERT INTO order_numbers (number) VALUES (1001)")
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_shop_made_before_variants_keeps_its_stock_and_orders_on_postgresql() {
    if !support::on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = support::database_url(dir.path());
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let all = sqlx::migrate!("./migrations/postgres");
    before_variants(&all, 5).run(&pool).await.unwrap();
    sqlx::query("INSERT INTO order_numbers (number) VALUES (1001)")
        .execute(&pool)
        .await
        .unwrap();
    for sql in OLD_SHOP {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    all.run(&pool).await.unwrap();
    let variant: (i32, String, i64) = sqlx::query_as(CHECK_VARIANT)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(variant, (1, "enamel-mug".into(), 7));
    let line: (i32, String) = sqlx::query_as(CHECK_LINE).fetch_one(&pool).await.unwrap();
    assert_eq!(line, (1, "enamel-mug".into()));
    let gone = sqlx::query("SELECT stock FROM products")
        .execute(&pool)
        .await;
    assert!(gone.is_err(), "stock lives on variants only");
    // A variant made after the migration takes an id of its own, past the migrated ones.
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO product_variants (product_id, sku, stock) SELECT id, 'mug-2', 1 FROM products
         RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(next > 1);
    pool.close().await;
    shop_sells_the_migrated_variant(&url).await;
}

/// The shop, opened on the migrated database, sells the migrated variant and takes it from stock.
async fn shop_sells_the_migrated_variant(url: &str) {
    let db = turgus::db::connect(url).await.unwrap();
    let writer = turgus::db::connect_writer(url, &db).await.unwrap();
    let id = support::variant_id(&db, "enamel-mug").await;
    let mut order = support::paysera::new_order(id, "2");
    order.checkout_key = None;
    turgus::domain::flows::place_order::place(&writer, &order, turgus::money::Currency::Eur)
        .await
        .unwrap();
    let stock: i64 = turgus::on_db!(&db, conn => sqlx::query_scalar(
        "SELECT stock FROM product_variants WHERE id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!(stock, 5);
}

/// The linen apron in sizes S and M and colours Navy and Sand, set up in the admin; the first
/// combination keeps the apron's stock and SKU, the rest start empty.
async fn apron_in_sizes_and_colours(shop: &support::TestShop) -> i64 {
    let product = shop.product_id("linen-apron").await.to_string();
    let options = [
        ("id", product.as_str()),
        ("option1_name", "Size"),
        ("option1_values", "S, M"),
        ("option2_name", "Colour"),
        ("option2_values", "Navy, Sand"),
    ];
    let saved = shop.call("admin/product/options", &options).await;
    assert_eq!(saved.status(), reqwest::StatusCode::OK);
    product.parse().unwrap()
}

async fn variant(shop: &support::TestShop, sku: &str) -> (i64, i64, bool) {
    turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT id, stock, active FROM product_variants WHERE sku = $1",
    )
    .bind(sku)
    .fetch_one(conn)
    .await)
    .unwrap()
}

async fn stock_variant(
    shop: &support::TestShop,
    product: i64,
    sku: &str,
    stock: &str,
    price: &str,
) {
    let (id, was, _) = variant(shop, sku).await;
    let form = [
        ("product_id", product.to_string()),
        ("id", id.to_string()),
        ("sku", sku.to_owned()),
        ("price", price.to_owned()),
        ("stock", stock.to_owned()),
        ("stock_was", was.to_string()),
        ("on_sale", "on".to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = shop.call("admin/product/variant", &form).await;
    assert_eq!(saved.status(), reqwest::StatusCode::OK, "{sku}");
}

async fn add(shop: &support::TestShop, product: i64, values: &[&str]) -> reqwest::Response {
    let product = product.to_string();
    let mut form = vec![("product_id", product.as_str()), ("quantity", "1")];
    for (field, value) in ["option1", "option2", "option3"].into_iter().zip(values) {
        form.push((field, value));
    }
    shop.call_from("cart/add", &form, "/en/p/linen-apron").await
}

#[tokio::test]
async fn a_shopper_buys_the_size_and_colour_chosen_and_only_that_variant_is_taken() {
    let shop = support::paysera::live_shop().await;
    shop.log_in_admin().await;
    let apron = apron_in_sizes_and_colours(&shop).await;
    // The apron's own variant became S / Navy, with its 30 in stock; the others start at 0.
    assert_eq!(variant(&shop, "linen-apron").await.1, 30);
    assert_eq!(variant(&shop, "linen-apron-m-navy").await.1, 0);
    stock_variant(&shop, apron, "linen-apron-m-navy", "3", "31,50").await;
    // The adjustment is in the shop's audit, with who made it.
    let (_, settings) = shop.page("/admin/settings").await;
    assert!(
        settings.contains("variant linen-apron-m-navy: stock 0 → 3"),
        "audited"
    );
    assert!(settings.contains(support::OWNER));

    let page = shop
        .page("/en/p/linen-apron?variant=linen-apron-m-navy")
        .await
        .1;
    assert!(page.contains("<legend>Size") && page.contains("<legend>Colour"));
    assert!(
        page.contains(r#"name="option1" value="M" checked"#),
        "chosen by its address"
    );
    assert!(page.contains("31,50"), "the chosen variant's price");
    assert!(page.contains("Sand (sold out)"), "no Sand can be bought");

    let refused = add(&shop, apron, &["M", "Sand"]).await;
    assert_eq!(refused.status(), reqwest::StatusCode::CONFLICT, "sold out");
    let refused = add(&shop, apron, &["XL", "Navy"]).await;
    assert_eq!(refused.status(), reqwest::StatusCode::NOT_FOUND);
    let message: serde_json::Value = refused.json().await.unwrap();
    assert!(message.to_string().contains("XL, Navy"), "{message}");
    let refused = add(&shop, apron, &[]).await;
    assert_eq!(refused.status(), reqwest::StatusCode::BAD_REQUEST);
    let message: serde_json::Value = refused.json().await.unwrap();
    assert!(message.to_string().contains("Size, Colour"), "{message}");

    assert_eq!(
        add(&shop, apron, &["M", "Navy"]).await.status(),
        reqwest::StatusCode::OK
    );
    let cart: serde_json::Value = shop.call("cart", &[]).await.json().await.unwrap();
    assert_eq!(cart["lines"][0]["name"], "Linen Apron — M, Navy");
    assert_eq!(cart["lines"][0]["unit_price"]["minor"], 3150);

    let id = variant(&shop, "linen-apron-m-navy").await.0;
    let order = support::paysera::new_order(id, "2");
    turgus::domain::flows::place_order::place(&shop.db, &order, turgus::money::Currency::Eur)
        .await
        .unwrap();
    assert_eq!(variant(&shop, "linen-apron-m-navy").await.1, 1);
    assert_eq!(
        variant(&shop, "linen-apron").await.1,
        30,
        "S / Navy untouched"
    );
    let line: (String, String, String, i64) = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT name, sku, options, unit_price_minor FROM order_lines WHERE variant_id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!(
        line,
        (
            "Linen Apron — M, Navy".into(),
            "linen-apron-m-navy".into(),
            "M, Navy".into(),
            3150
        )
    );
}

#[tokio::test]
async fn a_hundred_buyers_of_one_variants_last_unit_make_one_order_and_leave_the_others_alone() {
    let shop = support::paysera::live_shop().await;
    shop.log_in_admin().await;
    let apron = apron_in_sizes_and_colours(&shop).await;
    stock_variant(&shop, apron, "linen-apron-m-sand", "1", "").await;
    let id = variant(&shop, "linen-apron-m-sand").await.0;
    let results = futures::future::join_all((0..100).map(|_| {
        let db = shop.db.clone();
        let order = support::paysera::new_order(id, "1");
        async move {
            turgus::domain::flows::place_order::place(&db, &order, turgus::money::Currency::Eur)
                .await
        }
    }))
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert_eq!(variant(&shop, "linen-apron-m-sand").await.1, 0);
    assert_eq!(variant(&shop, "linen-apron").await.1, 30);
}

#[tokio::test]
async fn the_admin_refuses_options_past_the_limits_and_a_sku_twice_saving_nothing() {
    let shop = support::TestShop::spawn().await;
    shop.log_in_admin().await;
    let apron = apron_in_sizes_and_colours(&shop).await.to_string();
    let eleven = (0..11).map(|n| n.to_string()).collect::<Vec<_>>().join(",");
    let too_many = [
        ("id", apron.as_str()),
        ("option1_name", "Size"),
        ("option1_values", eleven.as_str()),
        ("option2_name", "Colour"),
        ("option2_values", eleven.as_str()),
    ];
    let refused = shop.call("admin/product/options", &too_many).await;
    assert_eq!(refused.status(), reqwest::StatusCode::BAD_REQUEST);
    let count: i64 = shop
        .scalar("SELECT COUNT(*) FROM product_variants WHERE sku LIKE 'linen-apron%'")
        .await;
    assert_eq!(count, 4, "nothing saved");
    let (id, was, _) = variant(&shop, "linen-apron-s-sand").await;
    let (id, was) = (id.to_string(), was.to_string());
    let taken = [
        ("product_id", apron.as_str()),
        ("id", id.as_str()),
        ("sku", "LINEN-APRON-M-NAVY"),
        ("stock", "1"),
        ("stock_was", was.as_str()),
    ];
    let refused = shop.call("admin/product/variant", &taken).await;
    assert_eq!(refused.status(), reqwest::StatusCode::CONFLICT);
    assert_eq!(
        variant(&shop, "linen-apron-s-sand").await.1,
        0,
        "nothing saved"
    );

    // Low in stock: a variant on sale with few left; a combination switched off does not count.
    let (_, low) = shop.page("/admin/products?low=1").await;
    assert!(
        low.contains("Linen Apron"),
        "the new combinations have none"
    );
    shop.execute("UPDATE product_variants SET active = FALSE WHERE sku LIKE 'linen-apron-%'")
        .await;
    let (_, low) = shop.page("/admin/products?low=1").await;
    assert!(
        !low.contains("Linen Apron"),
        "only S / Navy is on sale, with 30"
    );
}

#[tokio::test]
async fn listings_say_from_when_variants_differ_in_price_and_sold_out_only_when_all_are() {
    let shop = support::TestShop::spawn().await;
    let (_, listing) = shop.page("/en/c/home-textiles").await;
    let listing = listing.replace('\u{a0}', " ");
    // The demo shirt: 59,00 € in S and M, 64,00 € in L, and M / Natural on sale at 49,00 €.
    assert!(listing.contains("from 49,00 €"), "{listing}");
    let (_, lithuanian) = shop.page("/lt/c/home-textiles").await;
    assert!(lithuanian.replace('\u{a0}', " ").contains("nuo 49,00 €"));
    // Sold out only once no variant is left.
    shop.execute(
        "UPDATE product_variants SET stock = 0
         WHERE product_id = (SELECT id FROM products WHERE slug = 'linen-shirt')",
    )
    .await;
    let (_, page) = shop.page("/en/p/linen-shirt").await;
    assert!(page.contains("Sold out"), "every combination sold out");
}

/// A page's HTML as a reader sees its text: without the renderer's `<!>` markers, with plain spaces.
async fn shown(shop: &support::TestShop, path: &str) -> String {
    let (status, html) = shop.page(path).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{path}");
    html.replace("<!>", "").replace('\u{a0}', " ")
}

/// The Vilnius day `days` from today, as the admin's date fields take it.
fn day(days: i64) -> String {
    turgus::clock::vilnius::date_of(&turgus::clock::now_plus(days * 86_400), false).unwrap()
}

/// Saves the enamel mug's one variant with a sale (price, first day, last day): the response.
async fn mug_sale(shop: &support::TestShop, sale: [&str; 3], image_id: &str) -> reqwest::Response {
    let product = shop.product_id("enamel-mug").await.to_string();
    let (id, was, _) = variant(shop, "enamel-mug").await;
    let (id, was) = (id.to_string(), was.to_string());
    let form = [
        ("product_id", product.as_str()),
        ("id", id.as_str()),
        ("sku", "enamel-mug"),
        ("stock_was", was.as_str()),
        ("on_sale", "on"),
        ("sale_price", sale[0]),
        ("sale_from", sale[1]),
        ("sale_until", sale[2]),
        ("weight", "340"),
        ("image_id", image_id),
    ];
    shop.call("admin/product/variant", &form).await
}

/// The price an order for one mug placed now freezes.
async fn mug_ordered_at(shop: &support::TestShop) -> i64 {
    let id = variant(shop, "enamel-mug").await.0;
    let order = support::paysera::new_order(id, "1");
    let placed =
        turgus::domain::flows::place_order::place(&shop.db, &order, turgus::money::Currency::Eur)
            .await
            .unwrap();
    turgus::on_db!(&shop.db, conn => sqlx::query_scalar(
        "SELECT unit_price_minor FROM order_lines WHERE order_id = $1",
    )
    .bind(placed.id)
    .fetch_one(conn)
    .await)
    .unwrap()
}

#[tokio::test]
async fn a_sale_price_is_in_force_between_its_days_on_the_page_in_the_cart_and_in_the_order() {
    let shop = support::paysera::live_shop().await;
    shop.log_in_admin().await;
    // From yesterday to tomorrow (Vilnius days): on sale now.
    let saved = mug_sale(&shop, ["9,90", &day(-1), &day(1)], "").await;
    assert_eq!(saved.status(), reqwest::StatusCode::OK);
    let page = shown(&shop, "/en/p/enamel-mug").await;
    assert!(
        page.contains("12,50 €</s>"),
        "the regular price struck through"
    );
    assert!(page.contains(r#"<span class="price-now">9,90 €"#), "{page}");
    let listing = shown(&shop, "/en/c/kitchen").await;
    assert!(listing.contains("12,50 €</s> 9,90 €"), "{listing}");
    let mug = shop.product_id("enamel-mug").await.to_string();
    let added = shop
        .call_from(
            "cart/add",
            &[("product_id", &mug), ("quantity", "1")],
            "/en/p/enamel-mug",
        )
        .await;
    assert_eq!(added.status(), reqwest::StatusCode::OK);
    let cart: serde_json::Value = shop.call("cart", &[]).await.json().await.unwrap();
    assert_eq!(cart["lines"][0]["unit_price"]["minor"], 990);
    assert_eq!(mug_ordered_at(&shop).await, 990);

    // The sale ended a second ago: the next order pays the regular price, whatever was shown.
    shop.execute(&format!(
        "UPDATE product_variants SET sale_until = '{}' WHERE sku = 'enamel-mug'",
        turgus::clock::now_plus(-1)
    ))
    .await;
    assert_eq!(mug_ordered_at(&shop).await, 1250);
    let page = shown(&shop, "/en/p/enamel-mug").await;
    assert!(page.contains(r#"<s aria-label="Regular price" hidden class="price-was"></s> <span class="price-now">12,50 €"#), "no regular price shown");
    // One that starts tomorrow is not in force yet; one with no days is.
    assert_eq!(
        mug_sale(&shop, ["9,90", &day(1), ""], "").await.status(),
        reqwest::StatusCode::OK
    );
    assert_eq!(mug_ordered_at(&shop).await, 1250);
    assert_eq!(
        mug_sale(&shop, ["9,90", "", ""], "").await.status(),
        reqwest::StatusCode::OK
    );
    assert_eq!(mug_ordered_at(&shop).await, 990);
    let weight: Option<i64> = shop
        .scalar("SELECT weight_grams FROM product_variants WHERE sku = 'enamel-mug'")
        .await;
    assert_eq!(weight, Some(340));
}

#[tokio::test]
async fn the_admin_refuses_a_sale_not_below_the_price_a_backwards_sale_a_bad_day_and_anothers_photo(
) {
    let shop = support::TestShop::spawn().await;
    shop.log_in_admin().await;
    let others_photo: i64 = shop
        .scalar(
            "SELECT i.id FROM product_images i JOIN products p ON p.id = i.product_id
             WHERE p.slug = 'brass-pen'",
        )
        .await;
    for (sale, photo, why) in [
        (["12,50", "", ""], String::new(), "not below 12,50"),
        (["13", "", ""], String::new(), "above"),
        (
            ["9", &day(3), &day(1)],
            String::new(),
            "ends before it starts",
        ),
        (["9", "2026-02-30", ""], String::new(), "no such day"),
        (["9", "tomorrow", ""], String::new(), "not a date"),
        (["-1", "", ""], String::new(), "below zero"),
        (
            ["", "", ""],
            others_photo.to_string(),
            "another product's photo",
        ),
    ] {
        let refused = mug_sale(&shop, sale, &photo).await;
        assert_eq!(refused.status(), reqwest::StatusCode::BAD_REQUEST, "{why}");
    }
    let kept: (Option<i64>, Option<i64>) = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT sale_price_minor, image_id FROM product_variants WHERE sku = 'enamel-mug'",
    )
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!(kept, (None, None), "nothing saved");
}

#[tokio::test]
async fn a_variants_own_photo_leads_its_page_and_the_demo_shirt_shows_its_sale() {
    let shop = support::TestShop::spawn().await;
    let natural = shown(&shop, "/en/p/linen-shirt?variant=linen-shirt-m-natural").await;
    let gallery = r#"<img src="/images/products/linen-shirt-natural.svg" alt="Linen Shirt, Natural" width="600" height="600" class="product-image"><div class="thumbs"><img src="/images/products/linen-shirt.svg""#;
    assert!(
        natural.contains(gallery),
        "its photo first, then the others"
    );
    assert!(natural.contains("59,00 €</s>"), "M / Natural on sale");
    assert!(natural.contains(r#"<span class="price-now">49,00 €"#));
    let navy = shown(&shop, "/en/p/linen-shirt?variant=linen-shirt-m-navy").await;
    assert!(navy.contains(
        r#"<img src="/images/products/linen-shirt.svg" alt="Linen Shirt, Navy" width="600""#
    ));
    assert!(navy.contains(r#"data-values="M|Natural" data-price="49,00"#));
    assert!(navy.contains(r#"data-image="/images/products/linen-shirt-natural.svg""#));
}
