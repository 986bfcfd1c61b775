//! The admin in its admin's language: the login page follows the browser, each admin works in the
//! language of their account (chosen at creation and on the profile page), and no admin page
//! says in Lithuanian what it says in English, but for names.

mod support;

use reqwest::header::ACCEPT_LANGUAGE;
use reqwest::StatusCode;
use std::collections::BTreeSet;
use support::paysera::{fields, live_shop, order, send, signed};
use support::{TestShop, OWNER, PASSWORD};
use turgus::locale::Locale;

/// A logged-in admin whose account speaks `language`.
async fn admin_in(shop: &TestShop, language: Locale) {
    turgus::admin::auth::create_admin(&shop.db, OWNER, PASSWORD, language)
        .await
        .unwrap();
    let form = [("email", OWNER), ("password", PASSWORD), ("next", "/admin")];
    assert_eq!(
        shop.call("admin/login", &form).await.status(),
        StatusCode::OK
    );
}

async fn page_in_browser(shop: &TestShop, path: &str, languages: &str) -> String {
    let response = support::shopper()
        .get(shop.url(path))
        .header(ACCEPT_LANGUAGE, languages)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_login_page_follows_the_browser_and_is_not_indexed_per_language() {
    let shop = TestShop::spawn().await;
    let lithuanian = page_in_browser(&shop, "/admin/login", "lt-LT,lt;q=0.9,en;q=0.5").await;
    assert!(lithuanian.contains(r#"<html lang="lt""#));
    assert!(lithuanian.contains("Prisijungti"), "{lithuanian}");
    assert!(!lithuanian.contains("hreflang"));
    let english = page_in_browser(&shop, "/admin/login", "en-GB,en;q=0.9").await;
    assert!(english.contains(r#"<html lang="en""#));
    assert!(english.contains("Log in"));
}

#[tokio::test]
async fn an_admin_works_in_their_own_language_and_changes_it_on_the_profile_page() {
    let shop = TestShop::spawn().await;
    admin_in(&shop, Locale::lt).await;
    let (status, home) = shop.page("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains(r#"<html lang="lt""#));
    assert!(home.contains("Jūsų parduotuvė"), "{home}");
    let refused = shop.call("admin/order", &[("number", "999999")]).await;
    let error: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(error["NotFound"], "Užsakymo 999999 nėra.");

    let (_, profile) = shop.page("/admin/profile").await;
    assert!(profile.contains("Administravimo kalba") && profile.contains(OWNER));
    let unknown = shop.call("admin/language", &[("language", "de")]).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let chosen = shop.call("admin/language", &[("language", "en")]).await;
    assert_eq!(chosen.status(), StatusCode::OK);
    let (_, home) = shop.page("/admin").await;
    assert!(home.contains(r#"<html lang="en""#) && home.contains("Your shop"));
    let stored: String = shop.scalar("SELECT language FROM admins").await;
    assert_eq!(
        stored, "en",
        "the choice is the account's, not the session's"
    );
    // The shopper's pages are untouched by the admin's choice.
    let (_, shop_page) = shop.page("/lt/").await;
    assert!(shop_page.contains(r#"<html lang="lt""#));
}

#[tokio::test]
async fn the_csv_export_speaks_the_admins_language_and_keeps_the_merchants_texts() {
    let shop = live_shop().await;
    admin_in(&shop, Locale::lt).await;
    let placed = order(&shop, "enamel-mug", "1").await;
    let (status, _) = send(&shop, &signed(&fields(&placed, &[]))).await;
    assert_eq!(status, StatusCode::OK);
    let csv = shop
        .get("/admin/export/orders.csv")
        .await
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("\u{feff}\"užsakymas\",\"smėlio_dėžė\",\"pateiktas\""));
    let row = lines.next().unwrap();
    assert!(row.contains("\"ne\""), "{row}");
}

/// The text a person reads on a page: text nodes, and the `title`, `aria-label` and `alt`
/// attributes, without scripts and styles.
fn readable_texts(html: &str) -> BTreeSet<String> {
    let mut texts = BTreeSet::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_text(&mut texts, &rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        for attribute in ["title=\"", "aria-label=\"", "alt=\""] {
            if let Some(at) = tag.find(attribute) {
                let value = &tag[at + attribute.len()..];
                push_text(&mut texts, value.split('"').next().unwrap_or(""));
            }
        }
        rest = &rest[open + close + 1..];
        for skipped in ["script", "style"] {
            if tag.starts_with(skipped) {
                let end = format!("</{skipped}>");
                rest = rest.find(&end).map_or("", |at| &rest[at..]);
            }
        }
    }
    texts
}

fn push_text(texts: &mut BTreeSet<String>, raw: &str) {
    let text = raw
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if !text.is_empty() {
        texts.insert(text);
    }
}

/// Worth translating: a word of three letters or more that is not an identifier
/// (`orderid`, `pending_payment`) or a number.
fn is_phrase(text: &str) -> bool {
    let identifier = text
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let word = text
        .split(|c: char| !c.is_alphabetic())
        .any(|word| word.chars().count() >= 3);
    word && !identifier
}

/// What the shop holds that is the merchant's or the shopper's own: the same in every language.
async fn data_texts(shop: &TestShop) -> BTreeSet<String> {
    let mut texts = BTreeSet::new();
    for sql in [
        "SELECT name FROM products",
        "SELECT name FROM categories",
        "SELECT description FROM categories",
        "SELECT name FROM shipping_methods",
        "SELECT description FROM shipping_methods",
        "SELECT shop_name FROM shop_settings",
        "SELECT first_name || ' ' || last_name FROM orders",
        "SELECT first_name FROM orders",
        "SELECT street FROM orders",
        "SELECT postcode || ' ' || city FROM orders",
        "SELECT shipping_method FROM orders",
        "SELECT subject FROM email_outbox",
        "SELECT alt FROM product_images",
        "SELECT description FROM products",
        "SELECT sku FROM order_lines",
        "SELECT markdown FROM legal_pages",
        "SELECT raw FROM payment_callbacks",
    ] {
        let rows: Vec<String> = turgus::on_db!(&shop.db, conn => sqlx::query_scalar(sql)
            .fetch_all(conn)
            .await)
        .unwrap();
        for row in rows {
            push_text(&mut texts, &row);
        }
    }
    texts
}

/// Names that are the same in every language.
const NAMES: [&str; 9] = [
    "EUR",
    "Paysera",
    "SKU",
    "CSV",
    "Turgus",
    "English",
    "Lietuvių",
    ".eml",
    "Markdown",
];

#[tokio::test]
async fn no_admin_page_says_in_lithuanian_what_it_says_in_english() {
    let shop = live_shop().await;
    admin_in(&shop, Locale::lt).await;
    // Something on every page: a paid order with its payment log and e-mails, one needing review.
    let paid = order(&shop, "enamel-mug", "2").await;
    send(&shop, &signed(&fields(&paid, &[]))).await;
    let reviewed = order(&shop, "wool-throw", "1").await;
    send(&shop, &signed(&fields(&reviewed, &[("amount", "1")]))).await;
    let product = shop.product_id("enamel-mug").await;
    let pages = [
        "/admin".to_owned(),
        "/admin/orders".to_owned(),
        format!("/admin/orders/{}", paid.number),
        format!("/admin/orders/{}", reviewed.number),
        "/admin/products".to_owned(),
        format!("/admin/products/{product}"),
        "/admin/products/new".to_owned(),
        "/admin/products/import".to_owned(),
        "/admin/categories".to_owned(),
        "/admin/emails".to_owned(),
        "/admin/settings".to_owned(),
        "/admin/legal/terms".to_owned(),
        "/admin/profile".to_owned(),
    ];
    // Logged in, then (login and setup) as a browser asking for `browser`.
    let render_all = |browser: &'static str| {
        let (shop, pages) = (&shop, &pages);
        async move {
            let mut rendered = vec![];
            for path in pages {
                let (status, html) = shop.page(path).await;
                assert_eq!(status, StatusCode::OK, "{path}");
                rendered.push(readable_texts(&html));
            }
            for path in ["/admin/login", "/admin/setup?token=none"] {
                rendered.push(readable_texts(&page_in_browser(shop, path, browser).await));
            }
            rendered
        }
    };
    let lithuanian = render_all("lt").await;
    assert_eq!(
        shop.call("admin/language", &[("language", "en")])
            .await
            .status(),
        StatusCode::OK
    );
    let english = render_all("en").await;
    let pages: Vec<String> = pages
        .iter()
        .cloned()
        .chain(["/admin/login".into(), "/admin/setup".into()])
        .collect();
    let data = data_texts(&shop).await;
    let mut untranslated = vec![];
    for ((path, lt), en) in pages.iter().zip(&lithuanian).zip(&english) {
        for text in lt.intersection(en) {
            // A page's title is its subject and the shop's name: `Enamel Camp Mug · Turgus`.
            let allowed = text
                .split(" · ")
                .all(|part| NAMES.contains(&part) || data.contains(part) || part.contains('@'));
            if is_phrase(text) && !allowed {
                untranslated.push(format!("{path}: {text:?}"));
            }
        }
    }
    assert!(untranslated.is_empty(), "{untranslated:#?}");
    // The check sees what it should: the two renders differ, and English was found on them.
    assert!(english[0].contains("Your shop") && lithuanian[0].contains("Jūsų parduotuvė"));
}
