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
