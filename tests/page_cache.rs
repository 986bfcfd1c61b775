//! The page cache, as visitors, the merchant and other instances meet it: a visitor without a
//! session is served the kept page (the same bytes, in each encoding, with the same headers a
//! rendered page has), nothing of one visitor's reaches another, each kind of change reaches the
//! next visitor (at once for the merchant's own, within seconds for another instance's or the
//! database's), a sale turns at its moment, and a catalog of 10,000 products stays within the
//! budget. A shopper with a cart has every page rendered, the home page from cards kept with the
//! pages: each change reaches them as it reaches everyone, and nothing is kept with the cache off.

mod support;

use reqwest::header::HeaderMap;
use reqwest::{Client, StatusCode};
use std::io::Read;
use std::time::{Duration, Instant};
use support::TestShop;

/// A visitor's browser that has never been given a session.
fn visitor() -> Client {
    support::shopper()
}

async fn visit(
    shop: &TestShop,
    client: &Client,
    path: &str,
    encoding: &str,
) -> (HeaderMap, Vec<u8>) {
    let mut request = client.get(shop.url(path));
    if !encoding.is_empty() {
        request = request.header("accept-encoding", encoding);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let headers = response.headers().clone();
    (headers, response.bytes().await.unwrap().to_vec())
}

async fn page_text(shop: &TestShop, path: &str) -> String {
    let (_, body) = visit(shop, &visitor(), path, "").await;
    String::from_utf8(body).unwrap()
}

/// Headers a visitor's browser acts on: all but the framing, the date and the tag (which only a
/// kept page has).
fn meaningful(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| {
            !matches!(
                name.as_str(),
                "date" | "content-length" | "transfer-encoding" | "etag"
            )
        })
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    kept.sort();
    kept
}

/// Waits until the visitor's page at `path` contains `text`: within 5 s, as the issue allows
/// another instance's change.
async fn shows_within_5_s(shop: &TestShop, path: &str, text: &str) -> Duration {
    within_5_s(shop, &visitor(), path, text, |page| page.contains(text)).await
}

/// Waits until the page at `path`, as the browser `client` gets it, passes `test` (`what`).
async fn within_5_s(
    shop: &TestShop,
    client: &Client,
    path: &str,
    what: &str,
    test: impl Fn(&str) -> bool,
) -> Duration {
    let start = Instant::now();
    loop {
        let (_, page) = visit(shop, client, path, "").await;
        if test(&String::from_utf8(page).unwrap()) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{path} never showed {what:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A statement on the shop's database from outside it (as another instance or the command line
/// would write): the shop is not told.
async fn elsewhere(shop: &TestShop, sql: &str) {
    turgus::on_db!(&shop.db, conn => sqlx::query(sql).execute(conn).await.map(|_| ())).unwrap();
}

/// A shopper's browser that put `quantity` linen aprons in its cart: it has a session.
async fn shopper_with_aprons(shop: &TestShop, quantity: &str) -> Client {
    let shopper = support::shopper();
    let id = shop.product_id("linen-apron").await.to_string();
    let added = shopper
        .post(shop.url("/api/cart/add"))
        .form(&[("product_id", id.as_str()), ("quantity", quantity)])
        .send()
        .await
        .unwrap();
    assert!(added.status().is_success() || added.status().is_redirection());
    shopper
}

#[tokio::test]
async fn a_page_without_a_session_is_rendered_once_then_served_from_memory_in_each_encoding() {
    let shop = TestShop::spawn().await;
    let (_, first) = visit(&shop, &visitor(), "/en/p/linen-apron", "").await;
    let after_first = shop.page_cache.stats();
    assert_eq!(
        (after_first.misses, after_first.hits, after_first.pages),
        (1, 0, 1)
    );
    let (_, again) = visit(&shop, &visitor(), "/en/p/linen-apron", "").await;
    assert_eq!(again, first, "the same bytes for every visitor");
    let (gz_headers, gzip) = visit(&shop, &visitor(), "/en/p/linen-apron", "gzip").await;
    let (br_headers, brotli) = visit(&shop, &visitor(), "/en/p/linen-apron", "gzip, br").await;
    assert_eq!(gz_headers["content-encoding"], "gzip");
    assert_eq!(br_headers["content-encoding"], "br");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gzip[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    let mut unbrotlied = Vec::new();
    brotli::Decompressor::new(&brotli[..], 4096)
        .read_to_end(&mut unbrotlied)
        .unwrap();
    assert_eq!(unzipped, first);
    assert_eq!(unbrotlied, first);
    let stats = shop.page_cache.stats();
    assert_eq!(
        (stats.misses, stats.hits, stats.pages),
        (1, 3, 1),
        "rendered once"
    );
    // Each language is its own page.
    let lithuanian = page_text(&shop, "/lt/p/linen-apron").await;
    assert!(lithuanian.contains(r#"<html lang="lt""#));
    assert_eq!(shop.page_cache.stats().pages, 2);
}

#[tokio::test]
async fn a_kept_page_carries_the_headers_of_a_rendered_one() {
    let shop = TestShop::spawn().await;
    let path = "/en/p/chef-knife";
    let (rendered, _) = visit(&shop, &visitor(), path, "gzip").await;
    let (kept, _) = visit(&shop, &visitor(), path, "gzip").await;
    assert_eq!(shop.page_cache.stats().hits, 1);
    assert_eq!(meaningful(&kept), meaningful(&rendered));
    // And those of the page rendered for a shopper with a cart, which is never kept.
    let shopper = shopper_with_aprons(&shop, "1").await;
    let (with_session, _) = visit(&shop, &shopper, path, "gzip").await;
    assert_eq!(meaningful(&with_session), meaningful(&kept));
    // Only the page everyone gets has a tag to ask about.
    assert_eq!(kept["etag"], rendered["etag"]);
    assert!(with_session.get("etag").is_none());
    let csp = kept["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("'sha256-") && !csp.contains("nonce"), "{csp}");
}

/// The browser's copy of `path`, asked about with `tags` in `If-None-Match`: the answer's status,
/// headers and body.
async fn ask_with(
    shop: &TestShop,
    client: &Client,
    path: &str,
    tags: &str,
) -> (StatusCode, HeaderMap, String) {
    let response = client
        .get(shop.url(path))
        .header("if-none-match", tags)
        .send()
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

#[tokio::test]
async fn a_browser_holding_the_kept_page_is_told_it_has_not_changed() {
    let shop = TestShop::spawn().await;
    let path = "/en/p/chef-knife";
    let (first, _) = visit(&shop, &visitor(), path, "br").await;
    let tag = first["etag"].to_str().unwrap().to_owned();
    assert!(tag.starts_with("W/\"") && tag.len() == 36, "{tag}");

    // Pages say `no-cache`: the browser asks before using its copy, and is told it is good,
    // under the same policies, without the page.
    let (status, headers, body) = ask_with(&shop, &visitor(), path, &tag).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty() && headers.get("content-type").is_none());
    for name in [
        "etag",
        "cache-control",
        "content-security-policy",
        "x-frame-options",
        "vary",
    ] {
        assert_eq!(headers.get(name), first.get(name), "{name}");
    }
    for tags in [
        format!("\"elsewhere\", {tag}"),
        tag.trim_start_matches("W/").to_owned(),
        "*".into(),
    ] {
        assert_eq!(
            ask_with(&shop, &visitor(), path, &tags).await.0,
            StatusCode::NOT_MODIFIED,
            "{tags}"
        );
    }
    let (status, _, body) = ask_with(&shop, &visitor(), path, "W/\"elsewhere\"").await;
    assert!(status == StatusCode::OK && body.contains("Chef"));

    // Another product changes: the cache is emptied, this page rendered again, the same bytes
    // under the same tag.
    let other = shop.variant_id("linen-apron").await;
    shop.execute(&format!(
        "UPDATE product_variants SET price_minor = 3100 WHERE id = {other}"
    ))
    .await;
    assert_eq!(
        ask_with(&shop, &visitor(), path, &tag).await.0,
        StatusCode::NOT_MODIFIED
    );
    // This product changes: the browser gets the new page and its new tag.
    let knife = shop.variant_id("chef-knife").await;
    shop.execute(&format!(
        "UPDATE product_variants SET price_minor = 7700 WHERE id = {knife}"
    ))
    .await;
    let (status, headers, body) = ask_with(&shop, &visitor(), path, &tag).await;
    assert!(status == StatusCode::OK && body.contains("77,00"));
    assert_ne!(headers["etag"].to_str().unwrap(), tag);

    // A shopper with a cart, holding the page from before: rendered for them, with their count.
    let shopper = shopper_with_aprons(&shop, "1").await;
    let current = headers["etag"].to_str().unwrap().to_owned();
    let (status, headers, _) = ask_with(&shop, &shopper, path, &current).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("etag").is_none());
}

#[tokio::test]
async fn nothing_of_one_visitor_is_kept_for_another() {
    let shop = TestShop::spawn().await;
    // A shopper with a cart sees its count; the page rendered for them is not kept.
    let shopper = shopper_with_aprons(&shop, "2").await;
    let count = |page: &str| {
        page.split(r#"data-testid="cart-count""#)
            .nth(1)
            .and_then(|rest| rest.split('>').nth(1))
            .and_then(|text| text.split('<').next())
            .map(|text| text.replace("<!>", "").trim().to_owned())
            .unwrap()
    };
    let (_, theirs) = visit(&shop, &shopper, "/en/", "").await;
    assert_eq!(
        count(&String::from_utf8(theirs).unwrap()),
        "2",
        "the shopper's count"
    );
    assert_eq!(shop.page_cache.stats().pages, 0);
    let anyones = page_text(&shop, "/en/").await;
    assert_eq!(count(&anyones), "0", "no one's cart");
    assert_eq!(shop.page_cache.stats().pages, 1);

    // The merchant, logged in, browses the shop: not kept, and nothing of theirs in a kept page.
    shop.log_in_admin().await;
    let (_, merchants) = visit(&shop, &shop.client, "/en/p/chef-knife", "").await;
    assert!(!merchants.is_empty());
    assert_eq!(shop.page_cache.stats().pages, 1);
    let kept = page_text(&shop, "/en/p/chef-knife").await;
    assert!(!kept.contains(support::OWNER));

    // A message brought back in the address (a form's error), a search, the cart and the
    // checkout are the visitor's own: rendered, never kept.
    for own in [
        "/en/p/chef-knife?__err=sold_out",
        "/en/search?q=linen",
        "/en/cart",
        "/en/checkout",
    ] {
        let response = visitor().get(shop.url(own)).send().await.unwrap();
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "{own}"
        );
    }
    assert_eq!(shop.page_cache.stats().pages, 2);
    // No kept page sets a cookie, nor carries a one-time key.
    let response = visitor()
        .get(shop.url("/en/p/chef-knife"))
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("set-cookie").is_none());
    let kept = response.text().await.unwrap();
    assert!(!kept.contains("checkout_key") && !kept.contains("name=\"key\""));
}

/// Each kind of change the issue names, made in the database as another instance would: the next
/// visitor sees it within 5 s (the shop looks once a second).
async fn every_kind_of_change_reaches_visitors(shop: &TestShop) {
    let product = "/en/p/chef-knife";
    assert!(page_text(shop, product).await.contains("89,00"));
    let knife = shop.product_id("chef-knife").await;
    let variant = shop.variant_id("chef-knife").await;
    let cases: Vec<(String, &str, &str)> = vec![
        (format!("UPDATE product_variants SET price_minor = 7700 WHERE id = {variant}"), product, "77,00"),
        (format!("UPDATE product_variants SET stock = 3 WHERE id = {variant}"), product, "Only 3 left"),
        (format!("UPDATE product_variants SET stock = 0 WHERE id = {variant}"), product, "Sold out"),
        (format!("UPDATE products SET description = 'Now with a leather sheath.' WHERE id = {knife}"), product, "leather sheath"),
        (
            format!("INSERT INTO product_images (product_id, path, alt, position) VALUES ({knife}, '/images/products/knife-side.svg', 'The knife from the side', 9)"),
            product,
            "/images/products/knife-side.svg",
        ),
        (
            "UPDATE product_variants SET sku = 'linen-shirt-xl-oak' WHERE sku = 'linen-shirt-m-navy'".into(),
            "/en/p/linen-shirt",
            "linen-shirt-xl-oak",
        ),
        (
            "UPDATE product_options SET name = 'Colourway' WHERE position = 2
             AND product_id = (SELECT id FROM products WHERE slug = 'linen-shirt')".into(),
            "/en/p/linen-shirt",
            "Colourway",
        ),
        ("UPDATE categories SET name = 'Cookware' WHERE slug = 'kitchen'".into(), "/en/", "Cookware"),
        ("UPDATE shop_settings SET shop_name = 'Lino namai'".into(), "/en/c/kitchen", "Lino namai"),
        ("UPDATE legal_pages SET markdown = 'Returns within **60 days**.', placeholder = FALSE WHERE slug = 'returns'".into(), "/en/returns", "60 days"),
    ];
    for (sql, path, text) in cases {
        // Kept before the change.
        page_text(shop, path).await;
        elsewhere(shop, &sql).await;
        let took = shows_within_5_s(shop, path, text).await;
        println!("{text:?} on {path} after {took:?}");
    }
    assert!(
        shop.page_cache.stats().hits > 0,
        "pages were served from the cache meanwhile"
    );
}

#[tokio::test]
async fn each_kind_of_change_reaches_the_next_visitors_within_seconds() {
    let shop = TestShop::spawn().await;
    every_kind_of_change_reaches_visitors(&shop).await;
}

#[tokio::test]
async fn the_merchants_own_change_is_on_the_very_next_page() {
    let shop = TestShop::spawn().await;
    shop.log_in_admin().await;
    assert!(!page_text(&shop, "/en/").await.contains("Lino namai"));
    let saved = shop
        .call("admin/settings/save", &[("shop_name", "Lino namai")])
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    // No waiting: the save's request looked for changes before it answered.
    assert!(page_text(&shop, "/en/").await.contains("Lino namai"));
}

/// This shop's browser puts a mug in its cart: from then on it has a session, and every page is
/// rendered for it.
async fn with_a_cart(shop: &TestShop) -> String {
    let mug = shop.product_id("enamel-mug").await.to_string();
    let added = shop
        .call(
            "cart/add",
            &[("product_id", mug.as_str()), ("quantity", "1")],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let (_, home) = shop.page("/en/").await;
    assert!(home.contains("Enamel Camp Mug") && home.contains("12,50"));
    home
}

#[tokio::test]
async fn a_shopper_with_a_cart_sees_each_change_to_the_home_pages_cards() {
    let shop = TestShop::spawn().await;
    with_a_cart(&shop).await;
    let mug = shop.product_id("enamel-mug").await;
    let variant = shop.variant_id("enamel-mug").await;
    // Rendered for the shopper each time, never kept; the cards it shows are kept between
    // changes, and each change the card shows reaches the shopper as it reaches everyone.
    let cases: Vec<(String, &str)> = vec![
        (format!("UPDATE product_variants SET price_minor = 1234 WHERE id = {variant}"), "12,34"),
        (format!("UPDATE products SET name = 'Enamel Tin Mug' WHERE id = {mug}"), "Enamel Tin Mug"),
        (
            format!("INSERT INTO product_images (product_id, path, alt, position) VALUES ({mug}, '/images/products/mug-side.svg', 'The mug from the side', -1)"),
            "/images/products/mug-side.svg",
        ),
        (format!("UPDATE product_variants SET stock = 0 WHERE id = {variant}"), "Sold out"),
    ];
    for (sql, text) in cases {
        shop.page("/en/").await;
        elsewhere(&shop, &sql).await;
        let took = within_5_s(&shop, &shop.client, "/en/", text, |page| {
            page.contains(text)
        })
        .await;
        println!("{text:?} on the shopper's home page after {took:?}");
    }
    elsewhere(
        &shop,
        &format!("UPDATE product_variants SET stock = 1 WHERE id = {variant}"),
    )
    .await;
    within_5_s(&shop, &shop.client, "/en/", "in stock again", |page| {
        !page.contains("Sold out")
    })
    .await;
    assert_eq!(shop.page_cache.stats().pages, 0, "no page of theirs kept");
    // The shopper buys the last mug: their very next page says it is sold out.
    assert_eq!(shop.place_cart().await.status(), StatusCode::OK);
    assert!(shop.page("/en/").await.1.contains("Sold out"));
}

#[tokio::test]
async fn with_the_page_cache_turned_off_nothing_is_kept_for_a_shopper_either() {
    let shop = TestShop::spawn_configured(|config, _| config.page_cache_bytes = 0).await;
    with_a_cart(&shop).await;
    let variant = shop.variant_id("enamel-mug").await;
    elsewhere(
        &shop,
        &format!("UPDATE product_variants SET price_minor = 1234 WHERE id = {variant}"),
    )
    .await;
    // No one looks for changes, so the cards are read for each page.
    assert!(shop.page("/en/").await.1.contains("12,34"));
}

#[tokio::test]
async fn a_sale_starts_on_kept_pages_at_its_moment() {
    let shop = TestShop::spawn().await;
    let variant = shop.variant_id("linen-apron").await;
    let starts = turgus::clock::now_plus(2);
    shop.execute(&format!(
        "UPDATE product_variants SET sale_price_minor = 1990, sale_from = '{starts}' WHERE id = {variant}"
    ))
    .await;
    let before = page_text(&shop, "/en/p/linen-apron").await;
    assert!(before.contains("29,50") && !before.contains("19,90"));
    // Nothing is written when the sale starts: the shop knows when it does.
    let took = shows_within_5_s(&shop, "/en/p/linen-apron", "19,90").await;
    println!("the sale showed {took:?} after it was set to start in 2 s");
}

#[tokio::test]
async fn a_change_through_one_instance_reaches_the_other_within_seconds() {
    if !support::on_postgres() {
        println!("two instances need PostgreSQL: set TURGUS_TEST_POSTGRES (make test does)");
        return;
    }
    let one = support::paysera::live_shop().await;
    let database = support::database_url(one.dir.path());
    let two = support::paysera::live_shop_with(|config| {
        config.database_url = turgus::config::Secret::new(database);
    })
    .await;
    assert!(page_text(&one, "/en/").await.contains("Turgus"));
    // The merchant saves the shop's name at the second instance.
    two.log_in_admin().await;
    let saved = two
        .call("admin/settings/save", &[("shop_name", "Lino namai")])
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let took = shows_within_5_s(&one, "/en/", "Lino namai").await;
    println!("the other instance showed the new name after {took:?}");
    // A shopper buys the last knives at the second instance: the first stops offering them.
    let page = page_text(&one, "/en/p/chef-knife").await;
    assert!(!page.contains("Sold out"));
    let stock = two.stock("chef-knife").await.to_string();
    support::paysera::order(&two, "chef-knife", &stock).await;
    shows_within_5_s(&one, "/en/p/chef-knife", "Sold out").await;
    // And every other kind of change, made in the database the two share.
    every_kind_of_change_reaches_visitors(&one).await;
}

#[tokio::test]
async fn ten_thousand_products_do_not_grow_the_cache_past_its_budget() {
    const BUDGET: usize = 2 * 1024 * 1024;
    let shop = TestShop::spawn_configured(|config, _| config.page_cache_bytes = BUDGET).await;
    shop.execute(
        "INSERT INTO products (category_id, slug, name, price_minor, currency)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
         SELECT 1, 'bulk-' || i, 'Bulk product ' || i, 100 + i, 'EUR' FROM n",
    )
    .await;
    shop.execute(
        "INSERT INTO product_variants (product_id, sku, stock)
         SELECT id, slug, 5 FROM products WHERE slug LIKE 'bulk-%'",
    )
    .await;
    let client = visitor();
    let mut most = 0;
    for chunk in (1..=10_000).collect::<Vec<_>>().chunks(50) {
        let pages = chunk.iter().map(|i| {
            let url = shop.url(&format!("/en/p/bulk-{i}"));
            let client = client.clone();
            async move { client.get(url).send().await.unwrap().status() }
        });
        for status in futures::future::join_all(pages).await {
            assert_eq!(status, StatusCode::OK);
        }
        let stats = shop.page_cache.stats();
        assert!(stats.bytes <= BUDGET, "{stats:?}");
        most = most.max(stats.pages);
    }
    let stats = shop.page_cache.stats();
    println!("after 10,000 product pages: {stats:?}, at most {most} pages kept");
    assert_eq!(stats.misses, 10_000);
    assert!(stats.pages > 50 && stats.pages < 10_000, "{stats:?}");
    assert!(stats.bytes > BUDGET / 2, "the budget is used: {stats:?}");
}

#[tokio::test]
async fn the_clean_up_shortens_the_changes_and_every_instance_sees_it_as_one_more() {
    let shop = TestShop::spawn().await;
    let before = turgus::domain::page_changes::version(&shop.db)
        .await
        .unwrap();
    assert!(!turgus::domain::page_changes::prune(&shop.db).await.unwrap());
    for _ in 0..1_001 {
        elsewhere(&shop, "UPDATE categories SET name = name").await;
    }
    page_text(&shop, "/en/").await;
    shop.seen_by_shop().await;
    page_text(&shop, "/en/").await;
    assert_eq!(
        shop.page_cache.stats().pages,
        1,
        "kept after the changes were seen"
    );
    assert!(turgus::domain::page_changes::prune(&shop.db).await.unwrap());
    let rows: i64 = shop.scalar("SELECT COUNT(*) FROM page_changes").await;
    assert_eq!(rows, 1);
    let after = turgus::domain::page_changes::version(&shop.db)
        .await
        .unwrap();
    assert_ne!(after, before);
    shop.seen_by_shop().await;
    assert_eq!(shop.page_cache.stats().pages, 0, "emptied once");
}
