//! The storefront over HTTP: catalog pages, search, and the session cart, including every kind of
//! bad input a shopper (or a forged form) can send.

mod support;

use reqwest::StatusCode;
use support::TestShop;
use turgus::domain::cart::CartView;
use turgus::error::AppError;

fn nbsp(text: &str) -> String {
    text.replace('\u{a0}', " ")
}

async fn cart(shop: &TestShop) -> CartView {
    let response = shop.call("cart", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn add(shop: &TestShop, slug: &str, quantity: &str) -> reqwest::Response {
    let id = shop.product_id(slug).await.to_string();
    shop.call("cart/add", &[("product_id", &id), ("quantity", quantity)])
        .await
}

async fn error_of(response: reqwest::Response) -> (StatusCode, AppError) {
    let status = response.status();
    (status, response.json().await.expect("an AppError body"))
}

#[tokio::test]
async fn home_page_shows_featured_products_with_seo_tags() {
    let shop = TestShop::spawn().await;
    let (status, html) = shop.page("/en/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<title>Turgus</title>"), "{html}");
    assert!(html.contains("Oak Cutting Board"));
    assert!(nbsp(&html).contains("34,50 €"));
    assert!(
        html.contains(r#"<link href="http://127.0.0.1:3000/en/" rel="canonical">"#),
        "{html}"
    );
    assert!(html.contains(r#"name="description""#));
    for category in [
        "Kitchen",
        "Coffee &amp; Tea",
        "Home Textiles",
        "Stationery",
        "Garden",
    ] {
        assert!(html.contains(category), "{category} in the navigation");
    }
}

#[tokio::test]
async fn demo_catalog_loads_once_even_across_restarts() {
    async fn count(db: &turgus::db::Db) -> i64 {
        turgus::on_db!(db, conn => sqlx::query_scalar("SELECT COUNT(*) FROM products")
            .fetch_one(conn)
            .await)
        .unwrap()
    }
    let shop = TestShop::spawn().await;
    let first = count(&shop.db).await;
    assert!(first >= 24);
    let (dir, client) = shop.stop().await;
    let again = TestShop::spawn_in(dir, client).await;
    assert_eq!(count(&again.db).await, first);
}

#[tokio::test]
async fn category_pages_paginate_and_sort() {
    let shop = TestShop::spawn().await;
    // 6 demo products plus 20 more: three pages of twelve.
    for n in 0..20 {
        turgus::on_db!(&shop.db, conn => sqlx::query(
            "INSERT INTO products (category_id, slug, name, price_minor, currency)
             SELECT id, $1, $2, $3, 'EUR' FROM categories WHERE slug = 'kitchen'",
        )
        .bind(format!("spoon-{n}"))
        .bind(format!("Spoon {n:02}"))
        .bind(100 + n)
        .execute(conn)
        .await.map(|done| done.rows_affected()))
        .unwrap();
        shop.execute(&format!(
            "INSERT INTO product_variants (product_id, sku, stock)
             SELECT id, slug, 5 FROM products WHERE slug = 'spoon-{n}'"
        ))
        .await;
    }
    let (status, html) = shop.page("/en/c/kitchen").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("26 products"));
    assert!(html.contains("<title>Kitchen · Turgus</title>"));
    assert!(html.contains(r#"href="/en/c/kitchen?page=2""#));

    let (_, last) = shop.page("/en/c/kitchen?page=3").await;
    assert_eq!(last.matches(r#"class="product-tile""#).count(), 2);

    let (_, cheapest_first) = shop.page("/en/c/kitchen?sort=price").await;
    let first_tile = cheapest_first.find("Spoon 00").unwrap();
    assert!(first_tile < cheapest_first.find("Spoon 01").unwrap());
    assert!(cheapest_first.contains(r#"href="/en/c/kitchen?sort=price&amp;page=2""#));

    let (_, by_price_desc) = shop.page("/en/c/kitchen?sort=price-desc").await;
    assert!(
        by_price_desc
            .find("Chef&#x27;s Knife")
            .or(by_price_desc.find("Chef's Knife"))
            .unwrap()
            < by_price_desc.find("Cast Iron").unwrap()
    );

    // Odd parameters are tolerated; a page past the end does not exist.
    assert_eq!(
        shop.page("/en/c/kitchen?sort=nonsense&page=abc").await.0,
        StatusCode::OK
    );
    assert_eq!(
        shop.page("/en/c/kitchen?page=4").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        shop.page("/en/c/no-such-category").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn product_page_shows_price_stock_and_a_form() {
    let shop = TestShop::spawn().await;
    let (status, html) = shop.page("/en/p/chef-knife").await;
    assert_eq!(status, StatusCode::OK);
    assert!(nbsp(&html).contains("89,00 €"));
    assert!(html.contains("Only 7 left"));
    assert!(html.contains(r#"action="/api/cart/add""#));
    assert!(html.contains(r#"<link href="http://127.0.0.1:3000/en/p/chef-knife" rel="canonical">"#));

    let (_, sold_out) = shop.page("/en/p/chamomile-mint-tea").await;
    assert!(sold_out.contains("Sold out"));
    assert!(
        !sold_out.contains(r#"action="/api/cart/add""#),
        "no add-to-cart for a sold-out product"
    );
}

#[tokio::test]
async fn missing_pages_answer_404_with_a_friendly_page() {
    let shop = TestShop::spawn().await;
    for path in [
        "/en/p/no-such-product",
        "/en/no/such/page",
        "/en/c/kitchen/extra",
    ] {
        let (status, html) = shop.page(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(html.contains("Back to the shop"), "{path}: {html}");
    }
    turgus::on_db!(&shop.db, conn => sqlx::query("UPDATE products SET active = FALSE WHERE slug = 'oak-cutting-board'")
        .execute(conn)
        .await.map(|done| done.rows_affected()))
        .unwrap();
    assert_eq!(
        shop.page("/en/p/oak-cutting-board").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn search_ranks_matches_and_tolerates_odd_input() {
    let shop = TestShop::spawn().await;
    let (status, html) = shop.page("/en/search?q=linen").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Linen Tablecloth") && html.contains("Linen Apron"));
    assert!(!html.contains("Garden Trowel"));
    // A name match outranks a description match.
    let (_, html) = shop.page("/en/search?q=towel").await;
    assert!(html.contains("Waffle Towel Set"));

    let (_, prefix) = shop.page("/en/search?q=coff").await;
    assert!(prefix.contains("Hand Coffee Grinder"), "prefix search");

    let (_, diacritics) = shop.page("/en/search?q=dzukija").await;
    assert!(
        diacritics.contains("Linden Blossom Tea"),
        "diacritics are folded"
    );
    // Both ways round, and in a name the merchant typed (FTS5 on SQLite, tsvector on PostgreSQL).
    shop.execute(
        "INSERT INTO products (category_id, slug, name, price_minor, currency)
         SELECT id, 'mediniai-saukstai', 'Mediniai Šaukštai', 900, 'EUR'
         FROM categories WHERE slug = 'kitchen'",
    )
    .await;
    shop.execute(
        "INSERT INTO product_variants (product_id, sku, stock)
         SELECT id, slug, 5 FROM products WHERE slug = 'mediniai-saukstai'",
    )
    .await;
    for typed in ["saukstai", "ŠAUKŠT", "Saukštai"] {
        let (_, found) = shop.page(&format!("/en/search?q={typed}")).await;
        assert!(found.contains("Mediniai Šaukštai"), "{typed}");
    }

    for odd in [
        "%22",
        "*",
        "NEAR(",
        "a%22b%22c",
        "%27%3B+DROP+TABLE+products%3B",
        "%00",
        "%F0%9F%98%80",
        "-",
        "OR",
        &"x".repeat(5000),
        // Letters PostgreSQL's unaccent folds into tsquery syntax: ː → :, ʼ → ', ⑴ → (1), ∖ → \.
        "a%CB%90",
        "x%CA%BCy",
        "%E2%91%B4",
        "a%E2%88%96b",
    ] {
        let (status, _) = shop.page(&format!("/en/search?q={odd}")).await;
        assert_eq!(status, StatusCode::OK, "{odd}");
    }
    let (status, empty) = shop.page("/en/search").await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty.contains("Type a word or two"));
    let (_, nothing) = shop.page("/en/search?q=zzzzqqq").await;
    assert!(nothing.contains("Nothing matched"));
}

#[tokio::test]
async fn cart_adds_changes_removes_and_empties_with_totals_from_the_database() {
    let shop = TestShop::spawn().await;
    assert_eq!(cart(&shop).await.item_count, 0);

    assert_eq!(add(&shop, "enamel-mug", "2").await.status(), StatusCode::OK);
    assert_eq!(
        add(&shop, "oak-cutting-board", "1").await.status(),
        StatusCode::OK
    );
    assert_eq!(add(&shop, "enamel-mug", "1").await.status(), StatusCode::OK);
    let view = cart(&shop).await;
    assert_eq!(view.lines.len(), 2);
    assert_eq!(view.item_count, 4);
    assert_eq!(view.total.minor, 3 * 1250 + 3450);

    let mug = shop.variant_id("enamel-mug").await.to_string();
    let response = shop
        .call("cart/update", &[("variant_id", &mug), ("quantity", "5")])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(cart(&shop).await.total.minor, 5 * 1250 + 3450);

    // The merchant changes a price: the cart follows the database, not what it saw before.
    turgus::on_db!(&shop.db, conn => sqlx::query("UPDATE products SET price_minor = 1000 WHERE slug = 'enamel-mug'")
        .execute(conn)
        .await.map(|done| done.rows_affected()))
        .unwrap();
    assert_eq!(cart(&shop).await.total.minor, 5 * 1000 + 3450);

    let response = shop.call("cart/remove", &[("variant_id", &mug)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let view = cart(&shop).await;
    assert_eq!(view.lines.len(), 1);
    assert_eq!(view.total.minor, 3450);

    assert_eq!(shop.call("cart/empty", &[]).await.status(), StatusCode::OK);
    assert!(cart(&shop).await.lines.is_empty());
}

#[tokio::test]
async fn cart_page_renders_lines_and_totals() {
    let shop = TestShop::spawn().await;
    add(&shop, "linen-apron", "2").await;
    let (status, html) = shop.page("/en/cart").await;
    assert_eq!(status, StatusCode::OK);
    let html = nbsp(&html);
    assert!(html.contains("Linen Apron"));
    assert!(html.contains("59,00 €"), "line total and total");
    assert!(html.contains(r#"data-testid="cart-count""#));
    assert!(html.contains(r#"action="/api/cart/update""#));
}

#[tokio::test]
async fn bad_quantities_get_a_clear_message_and_400() {
    let shop = TestShop::spawn().await;
    for (quantity, expected) in [
        ("0", "at least 1"),
        ("-1", "at least 1"),
        ("abc", "whole number"),
        ("", "whole number"),
        ("2.5", "whole number"),
        ("1000", "at most 999"),
        ("99999999999999999999999999", "at most 999"),
    ] {
        let (status, error) = error_of(add(&shop, "enamel-mug", quantity).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{quantity:?}");
        assert!(
            error.message().contains(expected),
            "{quantity:?}: {error:?}"
        );
    }
    assert!(cart(&shop).await.lines.is_empty(), "nothing was added");
}

#[tokio::test]
async fn unknown_and_forged_products_are_refused() {
    let shop = TestShop::spawn().await;
    let (status, _) = error_of(
        shop.call("cart/add", &[("product_id", "999999"), ("quantity", "1")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for forged in ["abc", "-5", "0", "1 OR 1=1", ""] {
        let (status, _) = error_of(
            shop.call("cart/add", &[("product_id", forged), ("quantity", "1")])
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{forged:?}");
    }
    // Missing fields, and a price the browser has no business sending.
    let (status, error) = error_of(shop.call("cart/add", &[("quantity", "1")]).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error.message().contains("could not be read"));
    let id = shop.product_id("enamel-mug").await.to_string();
    let response = shop
        .call(
            "cart/add",
            &[("product_id", &id), ("quantity", "1"), ("price_minor", "1")],
        )
        .await;
    if response.status() == StatusCode::OK {
        assert_eq!(
            cart(&shop).await.total.minor,
            1250,
            "a forged price is ignored"
        );
    } else {
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    // Inactive products cannot be added.
    turgus::on_db!(&shop.db, conn => sqlx::query("UPDATE products SET active = FALSE WHERE slug = 'garden-trowel'")
        .execute(conn)
        .await.map(|done| done.rows_affected()))
        .unwrap();
    assert_eq!(
        add(&shop, "garden-trowel", "1").await.status(),
        StatusCode::NOT_FOUND
    );
    // Changing or removing what is not in the cart.
    let board = shop.variant_id("oak-cutting-board").await.to_string();
    assert_eq!(
        shop.call("cart/update", &[("variant_id", &board), ("quantity", "1")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        shop.call("cart/remove", &[("variant_id", &board)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn more_than_the_stock_is_refused_with_how_many_are_left() {
    let shop = TestShop::spawn().await;
    let (status, error) = error_of(add(&shop, "chef-knife", "8").await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(error.message().contains("only 7"), "{error:?}");
    assert_eq!(add(&shop, "chef-knife", "5").await.status(), StatusCode::OK);
    let (status, _) = error_of(add(&shop, "chef-knife", "3").await).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "5 in the cart + 3 is more than 7"
    );
    let knife = shop.variant_id("chef-knife").await.to_string();
    let (status, _) = error_of(
        shop.call("cart/update", &[("variant_id", &knife), ("quantity", "8")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = error_of(add(&shop, "chamomile-mint-tea", "1").await).await;
    assert_eq!(status, StatusCode::CONFLICT, "sold out");
    assert_eq!(cart(&shop).await.item_count, 5);
}

#[tokio::test]
async fn lines_that_became_unavailable_are_flagged_and_left_out_of_the_total() {
    let shop = TestShop::spawn().await;
    add(&shop, "enamel-mug", "2").await;
    add(&shop, "brass-pen", "3").await;
    add(&shop, "oak-cutting-board", "1").await;
    turgus::on_db!(&shop.db, conn => sqlx::query("UPDATE products SET active = FALSE WHERE slug = 'enamel-mug'")
        .execute(conn)
        .await.map(|done| done.rows_affected()))
        .unwrap();
    turgus::on_db!(&shop.db, conn => sqlx::query("UPDATE product_variants SET stock = 2 WHERE product_id = (SELECT id FROM products WHERE slug = 'brass-pen')")
        .execute(conn)
        .await.map(|done| done.rows_affected()))
        .unwrap();
    let view = cart(&shop).await;
    assert_eq!(view.lines.len(), 3);
    assert!(view.has_problems());
    assert_eq!(
        view.total.minor, 3450,
        "only the cutting board can be bought"
    );
    let (_, html) = shop.page("/en/cart").await;
    assert!(html.contains("No longer available"));
    assert!(html.contains("Only 2 left in stock"));
}

#[tokio::test]
async fn forms_work_without_javascript() {
    let shop = TestShop::spawn().await;
    let id = shop.product_id("dot-grid-notebook").await.to_string();
    let variant = shop.variant_id("dot-grid-notebook").await.to_string();

    // Adding redirects to the cart (POST-redirect-GET).
    let response = shop
        .post_form(
            "cart/add",
            &[("product_id", &id), ("quantity", "2")],
            "/en/p/dot-grid-notebook",
        )
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/en/cart");
    let (_, html) = shop.page("/en/cart").await;
    assert!(nbsp(&html).contains("29,80 €"));

    // A bad quantity sends the shopper back to the product page, which explains.
    let response = shop
        .post_form(
            "cart/add",
            &[("product_id", &id), ("quantity", "0")],
            "/en/p/dot-grid-notebook",
        )
        .await;
    assert!(response.status().is_redirection());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&shop.url("/en/p/dot-grid-notebook")),
        "{location}"
    );
    let (status, html) = shop.page(location.trim_start_matches(&shop.base)).await;
    assert_eq!(status, StatusCode::OK);
    // In the shop's own words for the kind of error (the address carries it, and anyone can
    // write an address).
    assert!(
        html.contains(
            "That could not be done to your cart. Please check the quantity and try again."
        ),
        "{html}"
    );

    // Changing the quantity from the cart page.
    let response = shop
        .post_form(
            "cart/update",
            &[("variant_id", &variant), ("quantity", "3")],
            "/en/cart",
        )
        .await;
    assert!(response.status().is_redirection());
    assert_eq!(cart(&shop).await.item_count, 3);
}

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site_lax() {
    let shop = TestShop::spawn().await;
    let response = add(&shop, "enamel-mug", "1").await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("turgus_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain http in tests");
}

#[tokio::test]
async fn the_cart_survives_a_server_restart() {
    let shop = TestShop::spawn().await;
    add(&shop, "wool-throw", "1").await;
    let (dir, client) = shop.stop().await;
    let restarted = TestShop::spawn_in(dir, client).await;
    let view = cart(&restarted).await;
    assert_eq!(view.item_count, 1);
    assert_eq!(view.lines[0].slug, "wool-throw");
}

#[tokio::test]
async fn many_shoppers_at_once_all_get_their_pages() {
    let shop = TestShop::spawn().await;
    let paths = [
        "/en/",
        "/en/c/kitchen",
        "/en/p/chef-knife",
        "/en/search?q=linen",
        "/en/cart",
        "/en/search?q=%22NEAR(",
    ];
    let requests = (0..120).map(|i| {
        let client = support::shopper();
        let url = shop.url(paths[i % paths.len()]);
        async move { client.get(url).send().await.map(|r| r.status()) }
    });
    for status in futures::future::join_all(requests).await {
        assert_eq!(status.expect("answered in time"), StatusCode::OK);
    }
}

#[tokio::test]
async fn cross_site_posts_are_refused_but_paysera_may_call_back() {
    let shop = TestShop::spawn().await;
    let id = shop.product_id("enamel-mug").await.to_string();
    let post = |path: &str, headers: &[(&str, &str)]| {
        let mut request = shop
            .client
            .post(shop.url(path))
            .form(&[("product_id", id.as_str()), ("quantity", "1")]);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("sec-fetch-site", "cross-site")][..],
    ] {
        let response = post("/api/cart/add", headers).await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{headers:?}");
    }
    assert_eq!(cart(&shop).await.item_count, 0, "nothing was added");
    let own_origin = shop.base.clone();
    assert_eq!(
        post("/api/cart/add", &[("origin", &own_origin)])
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        post("/api/cart/add", &[("sec-fetch-site", "same-origin")])
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // The callback is judged by its signature, not its origin.
    let callback = post("/paysera/callback", &[("sec-fetch-site", "cross-site")])
        .await
        .unwrap();
    assert_eq!(callback.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn pages_carry_security_headers_allowing_their_own_scripts_by_hash() {
    let shop = TestShop::spawn().await;
    let response = shop.get("/en/p/chef-knife").await;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let csp = header("content-security-policy").expect("a CSP");
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(
        header("cache-control").as_deref(),
        Some("private, no-cache"),
        "catalog pages may be kept by the browser"
    );
    assert_eq!(
        header("referrer-policy").as_deref(),
        Some("strict-origin-when-cross-origin")
    );
    assert_eq!(
        header("strict-transport-security"),
        None,
        "no HSTS on plain http"
    );
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'"),
        "{csp}"
    );
    // Every script the page runs is allowed by its hash, and nothing by a nonce: the same page
    // is the same bytes for every visitor (and may be served from the page cache).
    assert!(!csp.contains("nonce"), "{csp}");
    let html = response.text().await.unwrap();
    let hashes = turgus::security::inline_script_hashes(html.as_bytes());
    assert!(
        hashes.len() >= 2,
        "the island loader and Leptos' resource stubs"
    );
    for hash in &hashes {
        assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    }
    assert_eq!(
        csp.matches("'sha256-").count(),
        hashes.len(),
        "no hash of a script the page does not have"
    );
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap();
        assert!(
            !tag.contains("nonce=\"") || tag.contains("nonce=\"\""),
            "{tag}"
        );
    }
    let api = shop.call("cart", &[]).await;
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
}
