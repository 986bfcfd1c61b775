//! A WooCommerce merchant moving in: WooCommerce's own sample catalog imported (its photos served
//! by a local server standing in for the old shop), a Lithuanian spreadsheet's file, every kind of
//! error refused with nothing changed, a dry run, the export's round trip, the command line, and a
//! shopper buying while an import runs.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use turgus::domain::catalog::woocommerce::{self, ImportOptions, Report};
use turgus::money::Currency;

const SAMPLE: &str = include_str!("fixtures/woocommerce/sample_products.csv");
const OLD_SHOP: &str = "https://woocommercecore.mystagingwebsite.com";

/// A stand-in for the old shop's web server: a small PNG at every address (but those with
/// `missing` in them), counting the requests per path.
async fn photo_server() -> (String, Arc<Mutex<HashMap<String, u32>>>) {
    let requests = Arc::new(Mutex::new(HashMap::<String, u32>::new()));
    let counted = requests.clone();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let counted = counted.clone();
        async move {
            *counted
                .lock()
                .unwrap()
                .entry(uri.path().to_owned())
                .or_default() += 1;
            if uri.path().contains("missing") {
                return axum::http::StatusCode::NOT_FOUND.into_response();
            }
            let picture = image::RgbImage::from_pixel(40, 30, image::Rgb([20, 90, 160]));
            let mut png = std::io::Cursor::new(Vec::new());
            picture.write_to(&mut png, image::ImageFormat::Png).unwrap();
            // Named .jpg, but a PNG: the content decides.
            ([("content-type", "image/jpeg")], png.into_inner()).into_response()
        }
    });
    use axum::response::IntoResponse;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, requests)
}

async fn import(shop: &support::TestShop, csv: &str, dry_run: bool) -> Report {
    let options = ImportOptions {
        currency: Currency::Eur,
        origin: &shop.base,
        photos_folder: None,
        data_dir: shop.dir.path(),
        dry_run,
    };
    woocommerce::import(&shop.db, csv.as_bytes(), &options)
        .await
        .unwrap()
}

/// (SKU, values, own price, sale price, stock, weight) of a product's variants, in order.
type VariantFacts = (
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
);

async fn variants_of(shop: &support::TestShop, slug: &str) -> Vec<VariantFacts> {
    turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT v.sku, v.option1, v.option2, v.price_minor, v.sale_price_minor, v.stock, v.weight_grams
         FROM product_variants v JOIN products p ON p.id = v.product_id
         WHERE p.slug = $1 ORDER BY v.position, v.id",
    )
    .bind(slug)
    .fetch_all(conn)
    .await)
    .unwrap()
}

#[tokio::test]
async fn woocommerces_sample_catalog_comes_in_with_its_variations_categories_and_photos() {
    let shop = support::TestShop::spawn().await;
    let (server, requests) = photo_server().await;
    let csv = SAMPLE.replace(OLD_SHOP, &server);
    let report = import(&shop, &csv, false).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.products_created, 14, "12 simple and 2 variable");
    assert_eq!(
        report.categories_created, 3,
        "Tshirts, Hoodies, Accessories"
    );
    let skipped: Vec<String> = report.skipped.iter().map(|p| p.to_string()).collect();
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    assert!(
        skipped[0].starts_with("line 14, Type: downloadable"),
        "{skipped:?}"
    );
    assert!(
        skipped.iter().any(|s| s.contains("grouped"))
            && skipped.iter().any(|s| s.contains("external"))
    );

    // The V-neck: Color × Size, each colour's variation standing for every size (9 variants).
    let vneck = variants_of(&shop, "woo-vneck-tee").await;
    assert_eq!(vneck.len(), 9);
    let red_large = vneck
        .iter()
        .find(|v| v.0 == "woo-vneck-tee-red-large")
        .unwrap();
    assert_eq!(
        (red_large.1.as_deref(), red_large.2.as_deref()),
        (Some("Red"), Some("Large"))
    );
    assert_eq!(
        red_large.3,
        Some(2000),
        "red is dearer than the product's 15,00"
    );
    let blue = vneck
        .iter()
        .find(|v| v.0 == "woo-vneck-tee-blue-small")
        .unwrap();
    assert_eq!(
        blue.3, None,
        "the cheapest variation's price is the product's"
    );
    let price: i64 = shop
        .scalar("SELECT price_minor FROM products WHERE slug = 'woo-vneck-tee'")
        .await;
    assert_eq!(price, 1500);
    // The hoodie: 4 of Color × Logo's 6, Red / No on sale.
    let hoodie = variants_of(&shop, "woo-hoodie").await;
    assert_eq!(hoodie.len(), 4);
    let red = hoodie.iter().find(|v| v.0 == "woo-hoodie-red").unwrap();
    assert_eq!(
        (red.1.as_deref(), red.2.as_deref(), red.4),
        (Some("Red"), Some("No"), Some(4200))
    );
    // A simple product: one variant under its SKU, weight from pounds, not tracked → 0 in stock.
    let logo = variants_of(&shop, "woo-hoodie-with-logo").await;
    assert_eq!(
        logo,
        vec![(
            "woo-hoodie-with-logo".into(),
            None,
            None,
            None,
            None,
            0,
            Some(907)
        )]
    );
    assert!(report
        .warnings
        .iter()
        .any(|w| w.message.contains("not tracked")));
    let (category, active): (String, bool) = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT c.name, p.active FROM products p JOIN categories c ON c.id = p.category_id
         WHERE p.slug = 'woo-hoodie-with-pocket'",
    )
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!(
        (category.as_str(), active),
        ("Hoodies", false),
        "hidden in WooCommerce"
    );

    // Photos: fetched once each, stored as JPEGs, the variation's own one chosen.
    assert!(report.photos_added >= 14, "{}", report.photos_added);
    assert!(
        requests.lock().unwrap().values().all(|n| *n == 1),
        "each address once"
    );
    let red_photo: String = shop
        .scalar(
            "SELECT i.source FROM product_variants v JOIN product_images i ON i.id = v.image_id
             WHERE v.sku = 'woo-vneck-tee-red-large'",
        )
        .await;
    assert!(red_photo.ends_with("/vneck-tee-2.jpg"), "{red_photo}");
    let (status, page) = shop.page("/en/p/woo-vneck-tee").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(page.contains("/media/products/"), "its photos on its page");

    // Again: nothing new, nothing fetched again.
    let fetched = requests.lock().unwrap().values().sum::<u32>();
    let again = import(&shop, &csv, false).await;
    assert_eq!(
        (
            again.products_created,
            again.variants_created,
            again.photos_added
        ),
        (0, 0, 0)
    );
    assert_eq!(again.products_unchanged, 14, "{again:?}");
    assert_eq!(requests.lock().unwrap().values().sum::<u32>(), fetched);
}

#[tokio::test]
async fn a_lithuanian_spreadsheets_file_with_semicolons_a_bom_and_decimal_commas_comes_in() {
    let shop = support::TestShop::spawn().await;
    let csv = "\u{feff}Type;SKU;Name;Regular price;Sale price;Stock;Categories;Weight (kg);Description\n\
               simple;lino-rankšluostis;Lininis rankšluostis;12,50;9,90;7;Namų tekstilė;0,35;\"Minkštas; sugeria\n<b>greitai</b> džiūsta\"\n";
    let report = import(&shop, csv, false).await;
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].to_string(), "line 2, SKU: \"lino-rankšluostis\" is not a SKU this shop can keep (1 to 120 letters, digits, dots, dashes or underscores)");
    let csv = csv.replace("lino-rankšluostis", "lino-ranksluostis");
    let report = import(&shop, &csv, false).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let facts = variants_of(&shop, "lino-ranksluostis").await;
    assert_eq!(
        facts,
        vec![(
            "lino-ranksluostis".into(),
            None,
            None,
            None,
            Some(990),
            7,
            Some(350)
        )]
    );
    let (price, description, category): (i64, String, String) = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT p.price_minor, p.description, c.name FROM products p JOIN categories c ON c.id = p.category_id
         WHERE p.slug = 'lino-ranksluostis'",
    )
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!(
        (price, description.as_str(), category.as_str()),
        (1250, "Minkštas; sugeria\ngreitai džiūsta", "Namų tekstilė")
    );
}

#[tokio::test]
async fn a_file_with_any_error_changes_nothing_and_names_every_error_by_line_and_column() {
    let shop = support::TestShop::spawn().await;
    let before: i64 = shop.scalar("SELECT COUNT(*) FROM product_variants").await;
    let csv = "Type,SKU,Name,Regular price,Parent,Attribute 1 name,Attribute 1 value(s),Stock,Date sale price starts,Sale price\n\
               simple,good-one,Good,5,,,,1,,\n\
               simple,bad-price,Bad,12.5.0,,,,1,,\n\
               variable,tee,Tee,10,,Size,\"S, M\",,,\n\
               variation,tee-xl,Tee XL,10,tee,Size,XL,1,,\n\
               variation,orphan,Orphan,10,nobody,Size,S,1,,\n\
               simple,bad-stock,Bad stock,5,,,,lots,,\n\
               simple,bad-day,Bad day,5,,,,1,2026-02-30,4\n\
               bundle,x,What,5,,,,1,,\n\
               simple,good-one,Twice,5,,,,1,,\n";
    let report = import(&shop, csv, false).await;
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    for expected in [
        "line 3, Regular price: \"12.5.0\" is not a price",
        "line 5, Attribute 1 value(s): \"XL\" is not one of Size's values",
        "line 6, Parent: \"nobody\" is not a product in this file",
        "line 7, Stock: \"lots\" is not a whole number",
        "line 8, Date sale price starts: \"2026-02-30\" is not a date (YYYY-MM-DD)",
        "line 9, Type: \"bundle\" is not a product type",
        "line 10, SKU: SKU \"good-one\" is also on line 2",
    ] {
        assert!(
            errors.iter().any(|e| e == expected),
            "{expected} in {errors:#?}"
        );
    }
    let after: i64 = shop.scalar("SELECT COUNT(*) FROM product_variants").await;
    assert_eq!(before, after, "nothing imported");
    let missing = import(&shop, "SKU,Price\na,1\n", false).await;
    assert_eq!(
        missing.errors[0].to_string(),
        "the file has no \"Type\" column"
    );
}

#[tokio::test]
async fn a_dry_run_reports_what_it_would_do_and_changes_nothing() {
    let shop = support::TestShop::spawn().await;
    let (server, requests) = photo_server().await;
    let csv = SAMPLE.replace(OLD_SHOP, &server);
    let dry = import(&shop, &csv, true).await;
    assert!(dry.dry_run && dry.errors.is_empty());
    assert_eq!((dry.products_created, dry.variants_created), (14, 25));
    let imported: i64 = shop
        .scalar("SELECT COUNT(*) FROM products WHERE import_key IS NOT NULL")
        .await;
    assert_eq!(imported, 0);
    assert!(requests.lock().unwrap().is_empty(), "no photo fetched");
}

/// A product's variant as a merchant would compare two shops: by address and SKU.
#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Fact {
    slug: String,
    name: String,
    category: String,
    price_minor: i64,
    active: bool,
    featured: bool,
    description: String,
    sku: String,
    own_price: Option<i64>,
    sale_price_minor: Option<i64>,
    stock: i64,
    variant_active: bool,
    weight_grams: Option<i64>,
    option1: Option<String>,
    option2: Option<String>,
}

async fn catalog_facts(shop: &support::TestShop) -> Vec<Fact> {
    turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT p.slug, p.name, c.name AS category, p.price_minor, p.active, p.featured, p.description,
                v.sku, v.price_minor AS own_price, v.sale_price_minor, v.stock, v.active AS variant_active,
                v.weight_grams, v.option1, v.option2
         FROM products p JOIN categories c ON c.id = p.category_id
         JOIN product_variants v ON v.product_id = p.id ORDER BY p.slug, v.sku",
    )
    .fetch_all(conn)
    .await)
    .unwrap()
}

#[tokio::test]
async fn an_export_imported_into_an_empty_shop_gives_the_same_catalog_and_into_the_same_shop_changes_nothing(
) {
    let shop = support::TestShop::spawn().await;
    shop.execute(
        "UPDATE product_variants SET weight_grams = 350, sale_from = '2026-11-26T22:00:00.000Z',
                  sale_until = '2026-11-30T22:00:00.000Z' WHERE sku = 'linen-shirt-m-natural'",
    )
    .await;
    let csv = woocommerce::export::export(&shop.db, &shop.base)
        .await
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("\u{feff}ID,Type,SKU,Name,"));
    let same = import(&shop, &csv, false).await;
    assert!(same.errors.is_empty(), "{:?}", same.errors);
    assert_eq!(
        (
            same.products_created,
            same.products_updated,
            same.variants_created,
            same.variants_updated,
            same.photos_added
        ),
        (0, 0, 0, 0, 0),
        "{same:?}"
    );
    assert_eq!(same.products_unchanged, 31);

    let empty = support::TestShop::spawn().await;
    for table in [
        "product_variants",
        "product_images",
        "product_options",
        "products",
        "categories",
    ] {
        empty.execute(&format!("DELETE FROM {table}")).await;
    }
    let into_empty = import(&empty, &csv, false).await;
    assert!(into_empty.errors.is_empty(), "{:?}", into_empty.errors);
    assert_eq!(into_empty.products_created, 31);
    assert_eq!(catalog_facts(&empty).await, catalog_facts(&shop).await);
    let sale: (Option<String>, Option<String>) = turgus::on_db!(&empty.db, conn => sqlx::query_as(
        "SELECT sale_from, sale_until FROM product_variants WHERE sku = 'linen-shirt-m-natural'",
    )
    .fetch_one(conn)
    .await)
    .unwrap();
    assert_eq!(
        sale,
        (
            Some("2026-11-26T22:00:00.000Z".into()),
            Some("2026-11-30T22:00:00.000Z".into())
        )
    );
}

#[tokio::test]
async fn a_shopper_buying_while_an_import_runs_never_takes_stock_below_zero() {
    let shop = support::TestShop::spawn().await;
    shop.set_stock("enamel-mug", 3).await;
    let id = shop.variant_id("enamel-mug").await;
    let csv = "Type,SKU,Name,Regular price,Stock,Categories\nsimple,enamel-mug,Enamel Camp Mug,12.50,2,Kitchen\n".to_owned();
    let buyers = (0..5).map(|_| {
        let db = shop.db.clone();
        async move {
            turgus::domain::flows::place_order::place(
                &db,
                &support::paysera::new_order(id, "1"),
                Currency::Eur,
            )
            .await
        }
    });
    let (report, orders) = tokio::join!(
        import(&shop, &csv, false),
        futures::future::join_all(buyers)
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let stock = shop.stock("enamel-mug").await;
    let sold = orders.iter().filter(|o| o.is_ok()).count() as i64;
    assert!(stock >= 0);
    assert!(sold <= 3 + 2, "never more than the stock there was");
    assert!(
        (0..=2).contains(&stock),
        "the file's 2, less what was bought after it: {stock}"
    );
}

#[tokio::test]
async fn the_command_line_imports_dry_or_for_real_and_exports() {
    let shop = support::TestShop::spawn().await;
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("products.csv");
    std::fs::write(
        &file,
        "Type,SKU,Name,Regular price,Stock,Images\nsimple,cli-mug,CLI Mug,3.20,4,mug.png\n",
    )
    .unwrap();
    let picture = image::RgbImage::from_pixel(20, 20, image::Rgb([200, 10, 10]));
    picture.save(folder.path().join("mug.png")).unwrap();
    let path = file.display().to_string();
    let (code, out) = shop
        .command(&["catalog", "import", &path, "--dry-run"], "")
        .await;
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.starts_with("Would create 1 products (1 variants)"),
        "{out}"
    );
    let folder_arg = folder.path().display().to_string();
    let (code, out) = shop
        .command(
            &["catalog", "import", &path, "--images-from", &folder_arg],
            "",
        )
        .await;
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("1 photos added"), "{out}");
    assert_eq!(shop.stock("cli-mug").await, 4);
    std::fs::write(&file, "Type,SKU,Name,Regular price\nsimple,x,X,1.2.3\n").unwrap();
    let (code, out) = shop.command(&["catalog", "import", &path], "").await;
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("line 2, Regular price: \"1.2.3\" is not a price"),
        "{out}"
    );
    let exported = folder.path().join("out.csv");
    let (code, out) = shop
        .command(&["catalog", "export", &exported.display().to_string()], "")
        .await;
    assert_eq!(code, Some(0), "{out}");
    assert!(std::fs::read_to_string(&exported)
        .unwrap()
        .contains("cli-mug,CLI Mug"));
}

#[tokio::test]
async fn the_admin_tries_a_file_sees_what_it_would_do_then_imports_it_and_exports_the_catalog() {
    let shop = support::TestShop::spawn().await;
    let (server, _) = photo_server().await;
    let csv = SAMPLE.replace(OLD_SHOP, &server);
    let upload = |csv: String| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("woo.csv"),
        );
        shop.client
            .post(shop.url("/admin/products/import"))
            .multipart(form)
            .send()
    };
    assert_eq!(
        upload(csv.clone()).await.unwrap().status(),
        reqwest::StatusCode::UNAUTHORIZED
    );
    shop.log_in_admin().await;
    let tried = upload(csv).await.unwrap();
    assert_eq!(tried.status(), reqwest::StatusCode::SEE_OTHER);
    let (status, page) = shop.page("/admin/products/import").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(
        page.contains("Tried without changes"),
        "the dry run's report"
    );
    assert!(
        page.contains("line 14, Type: downloadable"),
        "skipped rows listed"
    );
    let imported: i64 = shop
        .scalar("SELECT COUNT(*) FROM products WHERE import_key IS NOT NULL")
        .await;
    assert_eq!(imported, 0, "nothing yet");

    let current: serde_json::Value = shop
        .call("admin/catalog/current", &[])
        .await
        .json()
        .await
        .unwrap();
    let token = current["token"].as_str().unwrap().to_owned();
    assert_eq!(
        shop.call("admin/catalog/import", &[("token", "not-it")])
            .await
            .status(),
        reqwest::StatusCode::CONFLICT
    );
    assert_eq!(
        shop.call("admin/catalog/import", &[("token", &token)])
            .await
            .status(),
        reqwest::StatusCode::OK
    );
    let imported: i64 = shop
        .scalar("SELECT COUNT(*) FROM products WHERE import_key IS NOT NULL")
        .await;
    assert_eq!(imported, 14);
    let (_, page) = shop.page("/admin/products/import").await;
    assert!(page.contains("Imported"));
    assert_eq!(
        shop.call("admin/catalog/import", &[("token", &token)])
            .await
            .status(),
        reqwest::StatusCode::CONFLICT,
        "once"
    );

    let export = shop.get("/admin/export/products.csv").await;
    assert_eq!(export.status(), reqwest::StatusCode::OK);
    let text = export.text().await.unwrap();
    assert!(
        text.contains("woo-hoodie-red,\"Hoodie — Red, No\""),
        "{}",
        &text[..400]
    );
}
