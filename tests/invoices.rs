//! Invoices as the tax office sees them: a paid order gets its invoice in the callback's
//! transaction, numbered without gaps; the shopper downloads it as a PDF that a real reader
//! (poppler's `pdftotext`) reads back with its Lithuanian letters, rates and totals; an issued
//! invoice never changes; a refund issues a credit note in its own series; the month's i.SAF
//! register validates against VMI's schema (`xmllint`). `make test` installs both readers.

mod support;

use reqwest::StatusCode;
use support::paysera::{fields, live_shop, new_order, send, signed};
use support::TestShop;
use turgus::domain::flows::place_order::place;
use turgus::domain::orders::place::PlacedOrder;
use turgus::money::Currency;

/// The seller as its invoices must name it (all of ąčęėįšųūž in its name).
const SELLER: &str = "UAB „Ąžuolų čęėįšų ūkis“";

async fn seller_shop() -> TestShop {
    let shop = live_shop().await;
    shop.log_in_admin().await;
    save_seller(&shop, SELLER).await;
    shop
}

async fn save_seller(shop: &TestShop, legal_name: &str) {
    let saved = shop
        .call(
            "admin/settings/save",
            &[
                ("shop_name", "Ąžuolas"),
                ("legal_name", legal_name),
                ("company_code", "305000001"),
                ("vat_code", "LT100012345"),
                ("address", "Žalgirio g. 5, Vilnius"),
                ("contact_email", "labas@azuolas.lt"),
                ("vat_payer", "on"),
                ("seller_country", "LT"),
            ],
        )
        .await;
    answered_ok(saved).await;
}

/// `response` is a success; its body says why not.
async fn answered_ok(response: reqwest::Response) {
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
}

/// An order of `quantity` mugs (12,50 € each) by courier (3,90 €), placed by a Lithuanian shopper.
async fn mugs(shop: &TestShop, quantity: &str) -> PlacedOrder {
    let mut order = new_order(shop.variant_id("enamel-mug").await, quantity);
    order.locale = turgus::locale::Locale::lt;
    place(&shop.db, &order, Currency::Eur).await.unwrap()
}

async fn pay(shop: &TestShop, order: &PlacedOrder) {
    let (status, body) = send(shop, &signed(&fields(order, &[]))).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "OK"));
}

/// The text a PDF reader finds in `pdf`.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("invoice.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian's poppler-utils; make test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn shoppers_pdf(shop: &TestShop, order: &PlacedOrder, file: &str) -> (StatusCode, String) {
    let response = shop
        .get(&format!("/orders/{}/{file}", order.public_token))
        .await;
    let status = response.status();
    if status != StatusCode::OK {
        return (status, String::new());
    }
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("private"));
    (status, pdf_text(&response.bytes().await.unwrap()))
}

#[tokio::test]
async fn a_paid_order_gets_one_invoice_the_shopper_downloads_and_a_reader_reads() {
    let shop = seller_shop().await;
    let order = mugs(&shop, "2").await;
    assert_eq!(
        shoppers_pdf(&shop, &order, "invoice.pdf").await.0,
        StatusCode::NOT_FOUND,
        "no invoice before the payment"
    );
    pay(&shop, &order).await;
    pay(&shop, &order).await;
    let invoices: Vec<(String, i64, i64, i64)> = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT series, number, total_minor, vat_minor FROM invoices WHERE order_id = $1",
    )
    .bind(order.id)
    .fetch_all(conn)
    .await)
    .unwrap();
    // 2 × 12,50 + 3,90 = 28,90 € at 21 %: 5,02 € VAT. One invoice, whatever Paysera repeats.
    assert_eq!(invoices, [("TRG".to_owned(), 1, 2890, 502)]);
    let (_, text) = shoppers_pdf(&shop, &order, "invoice.pdf").await;
    for expected in [
        "PVM sąskaita faktūra",
        "TRG-000001",
        SELLER,
        "Įmonės kodas: 305000001",
        "PVM mokėtojo kodas: LT100012345",
        "Ona Onaitė",
        "Enamel Camp Mug",
        "10,33 €",
        "PVM 21 %: apmokestinama 23,88 €, PVM 5,02 €",
        "Iš viso (EUR): 28,90 €",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    // The confirmation e-mail and the accept page link it.
    let link = format!("/orders/{}/invoice.pdf", order.public_token);
    let mail: String = shop
        .scalar(&format!(
            "SELECT body_text FROM email_outbox WHERE order_id = {} AND kind = 'order_confirmation'",
            order.id
        ))
        .await;
    assert!(mail.contains(&link), "{mail}");
    let (_, page) = shop
        .page(&format!("/lt/checkout/accept?order={}", order.public_token))
        .await;
    assert!(page.contains(&format!(r#"href="{link}""#)), "{page}");
    assert!(page.contains("Sąskaita faktūra TRG-000001 (PDF)"), "{page}");
    let other = shop
        .get(&format!("/orders/{}x/invoice.pdf", order.public_token))
        .await;
    assert_eq!(
        other.status(),
        StatusCode::NOT_FOUND,
        "another token finds nothing"
    );
}

#[tokio::test]
async fn an_issued_invoice_never_changes_and_is_never_deleted() {
    let shop = seller_shop().await;
    let order = mugs(&shop, "1").await;
    pay(&shop, &order).await;
    save_seller(&shop, "UAB Kitas vardas").await;
    shop.execute("UPDATE product_variants SET price_minor = 9900 WHERE sku = 'enamel-mug'")
        .await;
    let (_, text) = shoppers_pdf(&shop, &order, "invoice.pdf").await;
    assert!(
        text.contains(SELLER) && !text.contains("Kitas vardas"),
        "{text}"
    );
    assert!(text.contains("16,40 €"), "the price it was sold at: {text}");
    for change in [
        "UPDATE invoices SET total_minor = 1",
        "DELETE FROM invoices",
    ] {
        let refused =
            turgus::on_db!(&shop.db, conn => sqlx::query(change).execute(conn).await.map(|_| ()));
        assert!(refused.is_err(), "{change} is refused by the database");
    }
}

#[tokio::test]
async fn a_refund_issues_a_credit_note_and_the_month_goes_to_i_saf_valid_by_the_schema() {
    let shop = seller_shop().await;
    let order = mugs(&shop, "3").await;
    pay(&shop, &order).await;
    let refused = shop
        .call(
            "admin/order/action",
            &[
                ("number", &order.number.to_string()),
                ("action", "refund"),
                ("note", "grąžinta"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::OK);
    let (status, text) = shoppers_pdf(&shop, &order, "credit-note.pdf").await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "Kreditinė PVM sąskaita faktūra",
        "TRGK-000001",
        "Koreguoja sąskaitą TRG-000001",
        "Iš viso (EUR): -41,40 €",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    // A month's register, from the admin's page, valid by VMI's schema.
    let month: String = shop
        .scalar("SELECT substr(issue_date, 1, 7) FROM invoices LIMIT 1")
        .await;
    let (_, page) = shop.page(&format!("/admin/invoices?month={month}")).await;
    assert!(
        page.contains("TRG-000001") && page.contains("TRGK-000001"),
        "{page}"
    );
    let xml = isaf_of(&shop, &month).await;
    assert!(xml.contains("<InvoiceType>KS</InvoiceType>"), "{xml}");
    assert!(xml.contains("<TaxableValue>-34.21</TaxableValue>"), "{xml}");
    assert!(xml.contains("<VATRegistrationNumber>ND</VATRegistrationNumber>"));
    validate_isaf(&xml);
    // A month without invoices is a valid, empty register.
    let empty = isaf_of(&shop, "2020-01").await;
    assert!(!empty.contains("<Invoice>"), "{empty}");
    validate_isaf(&empty);
    let bad = shop.get("/admin/invoices/isaf.xml?month=2026-13").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

/// The i.SAF register of `month` (`YYYY-MM`), as the admin downloads it.
async fn isaf_of(shop: &TestShop, month: &str) -> String {
    let response = shop
        .get(&format!("/admin/invoices/isaf.xml?month={month}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

/// `xml` checked by libxml2 against VMI's `isaf_1.2.xsd`.
fn validate_isaf(xml: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("isaf.xml");
    std::fs::write(&file, xml).unwrap();
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/isaf/isaf_1.2.xsd"
    );
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema", schema, file.to_str().unwrap()])
        .output()
        .expect("xmllint (Debian's libxml2-utils; make test installs it)");
    assert!(
        out.status.success(),
        "{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_orders_paid_at_once_get_numbers_without_gaps_or_duplicates() {
    let shop = seller_shop().await;
    shop.set_stock("enamel-mug", 1000).await;
    let mut orders = vec![];
    for _ in 0..100 {
        orders.push(mugs(&shop, "1").await);
    }
    let client = support::shopper();
    let answers = futures::future::join_all(orders.iter().map(|order| {
        let url = shop.url(&format!(
            "/paysera/callback?{}",
            signed(&fields(order, &[]))
        ));
        let client = client.clone();
        async move { client.get(url).send().await.unwrap().status() }
    }))
    .await;
    assert!(answers.iter().all(|status| *status == StatusCode::OK));
    let numbers: Vec<i64> = turgus::on_db!(&shop.db, conn => sqlx::query_scalar(
        "SELECT number FROM invoices WHERE series = 'TRG' ORDER BY number",
    )
    .fetch_all(conn)
    .await)
    .unwrap();
    assert_eq!(numbers, (1..=100).collect::<Vec<i64>>());
}

/// The checkout's "Buying for a company", as a plain form posts it: `extra` added to the
/// shopper's usual fields. The answer's status.
async fn check_out_for(shop: &TestShop, extra: &[(&str, &str)]) -> StatusCode {
    let id = shop.product_id("enamel-mug").await.to_string();
    shop.call("cart/add", &[("product_id", &id), ("quantity", "1")])
        .await;
    let key = shop.checkout_key().await;
    let form: Vec<(&str, &str)> = support::shopper::SHOPPER_FIELDS
        .into_iter()
        .chain(extra.iter().copied())
        .chain([("checkout_key", key.as_str())])
        .collect();
    shop.call("checkout/place", &form).await.status()
}

#[tokio::test]
async fn a_company_buyer_is_named_on_the_invoice_and_a_malformed_vat_code_is_refused() {
    let shop = seller_shop().await;
    let refused = check_out_for(
        &shop,
        &[("company", "UAB Pirkėjas"), ("vat_code", "LT12345")],
    )
    .await;
    assert_eq!(refused, StatusCode::BAD_REQUEST);
    let view: serde_json::Value = shop
        .call("checkout", &[("country", "LT")])
        .await
        .json()
        .await
        .unwrap();
    let errors = view["errors"].to_string();
    assert!(errors.contains("LT123456789 / LT123456789012"), "{errors}");
    let nameless = check_out_for(&shop, &[("vat_code", "LT100012345")]).await;
    assert_eq!(
        nameless,
        StatusCode::BAD_REQUEST,
        "a company needs its name"
    );
    assert_eq!(shop.scalar::<i64>("SELECT COUNT(*) FROM orders").await, 0);
    let company = [
        ("company", "UAB „Pirkėjas“"),
        ("company_code", "304000002"),
        ("vat_code", "lt 100 004 000 017"),
        ("company_address", "Laisvės al. 10, Kaunas"),
    ];
    assert_eq!(check_out_for(&shop, &company).await, StatusCode::OK);
    let id: i64 = shop.scalar("SELECT id FROM orders").await;
    let placed = PlacedOrder {
        id,
        number: shop.scalar("SELECT number FROM orders").await,
        public_token: shop.scalar("SELECT public_token FROM orders").await,
        total: turgus::money::Money::new(
            shop.scalar("SELECT total_minor FROM orders").await,
            Currency::Eur,
        ),
    };
    pay(&shop, &placed).await;
    let (_, text) = shoppers_pdf(&shop, &placed, "invoice.pdf").await;
    for expected in [
        "UAB „Pirkėjas“",
        "Laisvės al. 10, Kaunas",
        "304000002",
        "LT100004000017",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    let (_, page) = shop.page(&format!("/admin/orders/{}", placed.number)).await;
    assert!(page.contains("VAT code LT100004000017"), "{page}");
    let month: String = shop
        .scalar("SELECT substr(issue_date, 1, 7) FROM invoices")
        .await;
    let xml = isaf_of(&shop, &month).await;
    assert!(xml.contains("<VATRegistrationNumber>LT100004000017</VATRegistrationNumber>"));
    assert!(xml.contains("<RegistrationNumber>304000002</RegistrationNumber>"));
    validate_isaf(&xml);
}

#[tokio::test]
async fn the_merchant_names_the_series_and_a_new_series_starts_at_one() {
    let shop = seller_shop().await;
    let first = mugs(&shop, "1").await;
    pay(&shop, &first).await;
    let series = |invoice: &'static str, credit: &'static str| {
        [
            ("shop_name", "Ąžuolas"),
            ("legal_name", SELLER),
            ("vat_payer", "on"),
            ("invoice_series", invoice),
            ("credit_note_series", credit),
        ]
    };
    for (invoice, credit) in [("ab-1", "K"), ("LN", "LN"), ("ABCDEFGHIJK", "K")] {
        let refused = shop
            .call("admin/settings/save", &series(invoice, credit))
            .await;
        assert_eq!(
            refused.status(),
            StatusCode::BAD_REQUEST,
            "{invoice} {credit}"
        );
    }
    let saved = shop.call("admin/settings/save", &series("ln", "lnk")).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let second = mugs(&shop, "1").await;
    pay(&shop, &second).await;
    let numbers: Vec<(String, i64)> = turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT series, number FROM invoices ORDER BY id",
    )
    .fetch_all(conn)
    .await)
    .unwrap();
    assert_eq!(numbers, [("TRG".to_owned(), 1), ("LN".to_owned(), 1)]);
    let (_, changes) = shop.page("/admin/settings").await;
    assert!(
        changes.contains("Invoice series: TRG → LN"),
        "audited: {changes}"
    );
}

/// An order of one mug by courier (16,40 €) shipped to `country`, by a consumer or, with
/// `vat_code`, a company; paid.
async fn paid_mug_to(shop: &TestShop, country: &str, vat_code: &str) -> PlacedOrder {
    let mut order = new_order(shop.variant_id("enamel-mug").await, "1");
    order.customer.country = country.into();
    if !vat_code.is_empty() {
        order.company = Some(turgus::domain::orders::place::Company {
            name: "Firma OÜ".into(),
            vat_code: vat_code.into(),
            ..Default::default()
        });
    }
    let placed = place(&shop.db, &order, Currency::Eur).await.unwrap();
    pay(shop, &placed).await;
    placed
}

/// The mug's rate on `order`, and whether the order is an OSS sale.
async fn charged(shop: &TestShop, order: &PlacedOrder) -> (i64, bool) {
    turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT l.vat_rate_bp, o.oss_sale FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE o.id = $1",
    )
    .bind(order.id)
    .fetch_one(conn)
    .await)
    .unwrap()
}

#[tokio::test]
async fn under_oss_a_consumer_abroad_pays_their_countrys_vat_and_the_overview_counts_the_threshold()
{
    let shop = seller_shop().await;
    // Not registered for OSS: an Estonian consumer pays Lithuania's 21 %.
    let before = paid_mug_to(&shop, "EE", "").await;
    assert_eq!(charged(&shop, &before).await, (2100, false));
    // 16,40 € at 21 % holds 2,85 € of VAT: 13,55 € toward the 10 000 € threshold.
    let (_, home) = shop.page("/admin").await;
    let home = home.replace("<!>", "");
    assert!(home.contains("13,55\u{a0}€"), "{home}");
    assert!(home.contains("Under the threshold"), "{home}");

    let registered = shop
        .call(
            "admin/settings/save",
            &[
                ("shop_name", "Ąžuolas"),
                ("legal_name", SELLER),
                ("company_code", "305000001"),
                ("vat_payer", "on"),
                ("seller_country", "LT"),
                ("oss_registered", "on"),
            ],
        )
        .await;
    assert_eq!(registered.status(), StatusCode::OK);
    let (_, settings) = shop.page("/admin/settings").await;
    assert!(settings
        .contains("Registered for OSS (consumers abroad pay their country's VAT): off → on"));
    let oss = paid_mug_to(&shop, "EE", "").await;
    assert_eq!(charged(&shop, &oss).await, (2400, true), "Estonia's 24 %");
    let company = paid_mug_to(&shop, "EE", "EE100000000").await;
    assert_eq!(
        charged(&shop, &company).await,
        (2100, false),
        "a VAT payer: not OSS"
    );
    let home_country = paid_mug_to(&shop, "LT", "").await;
    assert_eq!(charged(&shop, &home_country).await, (2100, false));
    // Finland's rates are not in the shop: the seller's apply until all four classes are set.
    let finland = paid_mug_to(&shop, "FI", "").await;
    assert_eq!(charged(&shop, &finland).await, (2100, false));
    let today = turgus::domain::vat::today();
    for (class, rate) in [
        ("standard", "25,5"),
        ("reduced", "14"),
        ("super_reduced", "10"),
        ("zero", "0"),
    ] {
        let set = shop
            .call(
                "admin/vat-rates/set",
                &[
                    ("country", "FI"),
                    ("tax_class", class),
                    ("rate", rate),
                    ("valid_from", &today),
                ],
            )
            .await;
        answered_ok(set).await;
    }
    let finland = paid_mug_to(&shop, "FI", "").await;
    assert_eq!(charged(&shop, &finland).await, (2550, true));

    // 16,40 € at 24 % holds 3,17 €, at 25,5 % 3,33 €: 13,55 + 13,55 + 13,23 + 13,07 = 53,40 €
    // (the company's order and the Lithuanian one do not count).
    let (_, home) = shop.page("/admin").await;
    assert!(home.replace("<!>", "").contains("53,40\u{a0}€"), "{home}");
    assert!(home.contains("Registered for OSS"), "{home}");
    // OSS sales go to the OSS return: the month's i.SAF register leaves them out.
    let xml = isaf_of(&shop, &today[..7]).await;
    let listed = xml.matches("<Invoice>").count();
    assert_eq!(listed, 4, "{xml}");
    validate_isaf(&xml);
}
