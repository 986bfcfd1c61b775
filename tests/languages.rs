//! The shop in Lithuanian and English: the language is in the address, a first visit follows the
//! browser, the choice is remembered, the cart survives a switch, Paysera is told the language,
//! and every language file has every key (`locales/`).

mod support;

use reqwest::header::{ACCEPT_LANGUAGE, COOKIE, LOCATION};
use reqwest::StatusCode;
use std::collections::{BTreeMap, BTreeSet};
use support::paysera::{live_shop, pay_params};
use support::TestShop;

/// A visit to `path` by a browser that asks for `languages` and sends `cookie`, if any.
async fn visit(
    shop: &TestShop,
    path: &str,
    languages: &str,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request = shop
        .client
        .get(shop.url(path))
        .header(ACCEPT_LANGUAGE, languages);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_first_visit_follows_the_browser_and_the_last_language_is_remembered() {
    let shop = TestShop::spawn().await;
    let first = visit(
        &shop,
        "/p/enamel-mug?ref=x",
        "lt-LT,lt;q=0.9,en;q=0.5",
        None,
    )
    .await;
    assert_eq!(first.status(), StatusCode::FOUND);
    assert_eq!(first.headers()[LOCATION], "/lt/p/enamel-mug?ref=x");
    assert_eq!(first.headers()["cache-control"], "no-store");

    // The Lithuanian page is in Lithuanian and says so; browsing sets no cookie.
    let page = shop.get("/lt/p/enamel-mug").await;
    assert!(page.headers().get("set-cookie").is_none());
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<html lang="lt""#));
    assert!(html.contains("Į krepšelį"), "the add-to-cart button");
    for alternate in ["/en/p/enamel-mug", "/lt/p/enamel-mug"] {
        assert!(
            html.contains(&format!("http://127.0.0.1:3000{alternate}")),
            "{alternate}"
        );
    }
    assert!(
        html.contains(r#"href="/language/en?next=%2Fp%2Fenamel-mug""#),
        "the switcher"
    );

    // Choosing English with the switcher goes on to the same page, and is remembered...
    let chosen = shop.get("/language/en?next=%2Fp%2Fenamel-mug").await;
    assert_eq!(chosen.status(), StatusCode::SEE_OTHER);
    assert_eq!(chosen.headers()[LOCATION], "/en/p/enamel-mug");
    let cookie = chosen.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("turgus_lang=en;"), "{cookie}");
    // ...over the browser's wish, next time an address without a language is opened.
    let again = visit(&shop, "/", "lt", None).await;
    assert_eq!(again.headers()[LOCATION], "/en/");

    // The switcher only ever leads to this shop's pages.
    for elsewhere in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let path = format!("/language/lt?next={}", urlencode(elsewhere));
        assert_eq!(
            shop.get(&path).await.headers()[LOCATION],
            "/lt/",
            "{elsewhere}"
        );
    }
    assert_eq!(
        shop.get("/language/xx?next=/").await.status(),
        StatusCode::NOT_FOUND
    );
}

fn urlencode(text: &str) -> String {
    turgus::ui::urlencode(text)
}

#[tokio::test]
async fn a_browser_asking_for_no_language_the_shop_speaks_gets_the_default() {
    let shop = TestShop::spawn_configured(|config, _| {
        config.default_locale = turgus::locale::Locale::lt;
    })
    .await;
    let french = visit(&shop, "/cart", "fr-FR,fr;q=0.9", None).await;
    assert_eq!(french.headers()[LOCATION], "/lt/cart");
    // A cookie naming a language the shop does not speak is ignored.
    let stale = visit(&shop, "/cart", "en", Some("turgus_lang=xx")).await;
    assert_eq!(stale.headers()[LOCATION], "/en/cart");
}

#[tokio::test]
async fn switching_language_keeps_the_cart_and_the_page() {
    let shop = TestShop::spawn().await;
    let id = shop.product_id("enamel-mug").await.to_string();
    let added = shop
        .call_from(
            "cart/add",
            &[("product_id", &id), ("quantity", "2")],
            "/en/p/enamel-mug",
        )
        .await;
    let message: String = added.json().await.unwrap();
    assert!(message.starts_with("Added 2 × "), "{message}");

    let (_, english) = shop.page("/en/cart").await;
    assert!(
        english.contains(r#"href="/language/lt?next=%2Fcart""#),
        "the switcher leads to this page"
    );
    let (status, lithuanian) = shop.page("/lt/cart").await;
    assert_eq!(status, StatusCode::OK);
    assert!(lithuanian.contains("Jūsų krepšelis"));
    assert!(
        lithuanian.contains(r#"data-testid="cart-subtotal">25,00"#),
        "the same cart"
    );
    // Plurals as Lithuanian has them: 2 prekės.
    assert!(
        lithuanian.contains(r#"aria-label="2 prekės""#),
        "{lithuanian}"
    );

    // Answers to a page's scripts are in that page's language.
    let more = shop
        .call_from(
            "cart/add",
            &[("product_id", &id), ("quantity", "999")],
            "/lt/p/enamel-mug",
        )
        .await;
    assert_eq!(more.status(), StatusCode::BAD_REQUEST);
    let error: serde_json::Value = more.json().await.unwrap();
    assert!(
        error["BadRequest"].as_str().unwrap().contains("vnt."),
        "{error}"
    );
}

/// Checks out from the checkout page in `language` and returns what is sent to Paysera.
async fn checkout_in(shop: &TestShop, language: &str) -> BTreeMap<String, String> {
    let id = shop.product_id("enamel-mug").await.to_string();
    let page = format!("/{language}/checkout");
    shop.call_from("cart/add", &[("product_id", &id), ("quantity", "1")], &page)
        .await;
    let key = shop.checkout_key().await;
    let mut form = support::shopper::SHOPPER_FIELDS.to_vec();
    form.extend([("payment", ""), ("checkout_key", &key)]);
    let placed = shop.call_from("checkout/place", &form, &page).await;
    assert_eq!(placed.status(), StatusCode::OK);
    pay_params(&placed.json::<String>().await.unwrap())
}

#[tokio::test]
async fn paysera_is_told_the_language_the_shopper_checked_out_in() {
    let shop = live_shop().await;
    let lithuanian = checkout_in(&shop, "lt").await;
    assert_eq!(lithuanian["lang"], "LIT");
    assert!(lithuanian["accepturl"].contains("/lt/checkout/accept?order="));
    assert!(lithuanian["cancelurl"].contains("/lt/checkout/cancel?order="));
    assert!(lithuanian["paytext"].contains("užsakymas nr. [order_nr]"));

    let english = checkout_in(&shop, "en").await;
    assert_eq!(english["lang"], "ENG");
    assert!(english["accepturl"].contains("/en/checkout/accept?order="));

    let stored: Vec<(String, String)> =
        turgus::on_db!(&shop.db, conn => sqlx::query_as("SELECT locale, shipping_name FROM orders ORDER BY id")
            .fetch_all(conn)
            .await)
            .unwrap();
    // Each order keeps the language and the name of the way to ship its shopper saw.
    assert_eq!(
        stored,
        [
            ("lt".to_owned(), "Kurjeris iki durų".to_owned()),
            ("en".to_owned(), "Courier to your door".to_owned())
        ]
    );

    // The merchant sees which language the shopper bought (and is e-mailed) in.
    shop.log_in_admin().await;
    let number: i64 = shop.scalar("SELECT MIN(number) FROM orders").await;
    let (_, order) = shop.page(&format!("/admin/orders/{number}")).await;
    assert!(
        order.contains(r#"<dd data-testid="order-language">Lietuvių"#),
        "{order}"
    );
}

#[tokio::test]
async fn shipping_methods_are_named_in_the_shoppers_language_as_the_merchant_names_them() {
    let shop = TestShop::spawn().await;
    let id = shop.product_id("enamel-mug").await.to_string();
    shop.call("cart/add", &[("product_id", &id), ("quantity", "1")])
        .await;
    let (_, lithuanian) = shop.page("/lt/checkout").await;
    assert!(lithuanian.contains("Kurjeris iki durų") && lithuanian.contains("Omniva paštomatas"));
    assert!(lithuanian.contains("Pristatome per 1–3 darbo dienas."));
    let (_, english) = shop.page("/en/checkout").await;
    assert!(english.contains("Courier to your door") && !english.contains("Kurjeris"));

    shop.log_in_admin().await;
    let locker: i64 = shop
        .scalar("SELECT id FROM shipping_methods WHERE code = 'locker'")
        .await;
    let locker = locker.to_string();
    let name_it = |name: &'static str| {
        let locker = locker.clone();
        let shop = &shop;
        async move {
            let form = [("id", locker.as_str()), ("locale", "lt"), ("name", name)];
            shop.call("admin/shipping/text", &form).await.status()
        }
    };
    assert_eq!(name_it("Omniva paštomatai").await, StatusCode::OK);
    assert!(shop
        .page("/lt/checkout")
        .await
        .1
        .contains("Omniva paštomatai"));
    let audited: String = shop
        .scalar("SELECT change FROM settings_events ORDER BY id DESC LIMIT 1")
        .await;
    assert_eq!(
        audited,
        "shipping method “Omniva parcel locker” in lt: “Omniva paštomatai”"
    );
    // No name of its own in Lithuanian: the method's own name shows.
    assert_eq!(name_it("").await, StatusCode::OK);
    assert!(shop
        .page("/lt/checkout")
        .await
        .1
        .contains("Omniva parcel locker"));
    assert_eq!(name_it("Paštomatas\nBcc: x").await, StatusCode::BAD_REQUEST);
    let unknown = [("id", locker.as_str()), ("locale", "xx"), ("name", "X")];
    let refused = shop.call("admin/shipping/text", &unknown).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

/// Every key of a language file, with plural forms (`items_few`) under their key (`items`).
fn keys(value: &serde_json::Value, prefix: &str, out: &mut BTreeMap<String, Vec<String>>) {
    const PLURAL_FORMS: [&str; 6] = ["_zero", "_one", "_two", "_few", "_many", "_other"];
    for (name, value) in value.as_object().expect("an object of keys") {
        let path = format!("{prefix}{name}");
        match value {
            serde_json::Value::Object(_) => keys(value, &format!("{path}."), out),
            serde_json::Value::String(text) => {
                let key = PLURAL_FORMS
                    .iter()
                    .find_map(|form| path.strip_suffix(form))
                    .unwrap_or(&path);
                out.entry(key.to_owned()).or_default().push(text.clone());
            }
            other => panic!("{path}: not text: {other}"),
        }
    }
}

/// `{{ count }}` and the like in a text.
fn placeholders(text: &str) -> BTreeSet<String> {
    text.split("{{")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}"))
        .map(|(name, _)| name.trim().to_owned())
        .collect()
}

fn language_file(code: &str) -> BTreeMap<String, Vec<String>> {
    let path = format!("{}/locales/{code}.json", env!("CARGO_MANIFEST_DIR"));
    let json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    keys(&json, "", &mut out);
    out
}

#[test]
fn every_language_has_every_key_translated_with_the_same_placeholders() {
    let english = language_file("en");
    // Identical in both on purpose: a name every merchant uses as it is.
    let same_on_purpose: [&str; 1] = ["admin.variants.sku"];
    let dir = format!("{}/locales", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(code) = name.strip_suffix(".json").filter(|code| *code != "en") else {
            continue;
        };
        let other = language_file(code);
        let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{code}: missing {missing:?}, extra {extra:?}"
        );
        for (key, texts) in &other {
            let wanted: BTreeSet<String> =
                english[key].iter().flat_map(|t| placeholders(t)).collect();
            for text in texts {
                assert!(!text.trim().is_empty(), "{code}.{key} is empty");
                assert!(
                    !["TODO", "FIXME", "XXX"]
                        .iter()
                        .any(|mark| text.contains(mark)),
                    "{code}.{key} is marked unfinished: {text}"
                );
                let found = placeholders(text);
                // A plural form may leave out the count ("one item"), never add or rename one.
                assert!(
                    found.is_subset(&wanted),
                    "{code}.{key}: {found:?} vs English {wanted:?}"
                );
            }
            let all: BTreeSet<String> = texts.iter().flat_map(|t| placeholders(t)).collect();
            assert_eq!(all, wanted, "{code}.{key} drops a placeholder");
            if !same_on_purpose.contains(&key.as_str()) {
                assert!(
                    texts.iter().all(|t| !english[key].contains(t)),
                    "{code}.{key} is still the English text: {texts:?}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 1, "at least Lithuanian beside English");
}
