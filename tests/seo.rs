//! What search engines read: the sitemap (every catalog page in each language, with its
//! alternates and when it changed; an index past 50,000 addresses), robots.txt, and the JSON-LD
//! and Open Graph tags of the pages. The markup is also read by a real structured-data parser
//! (Python's extruct) in `make test`'s browser run (`end2end/structured-data.py`).

mod support;

const ORIGIN: &str = "https://parduotuve.example.lt";

async fn shop_behind_its_public_url() -> support::TestShop {
    support::TestShop::spawn_configured(|config, _| config.public_url = ORIGIN.into()).await
}

async fn sitemap(shop: &support::TestShop, path: &str) -> String {
    let response = shop.get(path).await;
    assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "application/xml; charset=utf-8"
    );
    response.text().await.unwrap()
}

/// The `<url>` entry whose `<loc>` is `loc`.
fn entry<'a>(xml: &'a str, loc: &str) -> &'a str {
    let start = xml
        .find(&format!("<url><loc>{loc}</loc>"))
        .unwrap_or_else(|| panic!("{loc} is not listed"));
    let end = start + xml[start..].find("</url>").unwrap();
    &xml[start..end]
}

#[tokio::test]
async fn the_sitemap_lists_every_catalog_page_in_each_language_under_the_public_url() {
    let shop = shop_behind_its_public_url().await;
    let xml = sitemap(&shop, "/sitemap.xml").await;
    let shirt = entry(&xml, &format!("{ORIGIN}/lt/p/linen-shirt"));
    for alternate in [
        format!(r#"hreflang="lt" href="{ORIGIN}/lt/p/linen-shirt""#),
        format!(r#"hreflang="en" href="{ORIGIN}/en/p/linen-shirt""#),
        r#"hreflang="x-default""#.to_owned(),
    ] {
        assert!(shirt.contains(&alternate), "{alternate} in {shirt}");
    }
    assert!(shirt.contains("<lastmod>"));
    entry(&xml, &format!("{ORIGIN}/en/c/kitchen"));
    entry(&xml, &format!("{ORIGIN}/en/"));
    // 31 products, 5 categories and the home page, in two languages.
    assert_eq!(xml.matches("<url>").count(), (31 + 5 + 1) * 2);
    for private in ["/admin", "/cart", "/checkout", "/api/"] {
        assert!(!xml.contains(&format!("{ORIGIN}{private}")), "{private}");
        assert!(!xml.contains(&format!("/en{private}")), "{private}");
    }

    // A product taken off sale leaves at once; a changed one gets a new lastmod.
    let was = entry(&xml, &format!("{ORIGIN}/en/p/brass-pen")).to_owned();
    shop.execute("UPDATE products SET active = FALSE, updated_at = '2027-01-02T03:04:05.000Z' WHERE slug = 'wax-seal-kit'")
        .await;
    shop.execute(
        "UPDATE products SET updated_at = '2027-01-01T00:00:00.000Z' WHERE slug = 'brass-pen'",
    )
    .await;
    let xml = sitemap(&shop, "/sitemap.xml").await;
    assert!(!xml.contains("/p/wax-seal-kit"));
    let now = entry(&xml, &format!("{ORIGIN}/en/p/brass-pen"));
    assert_ne!(now, was);
    assert!(now.contains("<lastmod>2027-01-01T00:00:00.000Z</lastmod>"));
    assert!(entry(&xml, &format!("{ORIGIN}/en/c/stationery"))
        .contains("<lastmod>2027-01-01T00:00:00.000Z</lastmod>"));
    assert_eq!(
        shop.get("/sitemap-1.xml").await.status(),
        reqwest::StatusCode::NOT_FOUND,
        "one file while it fits"
    );
}

#[tokio::test]
async fn past_fifty_thousand_addresses_the_sitemap_becomes_an_index() {
    let shop = shop_behind_its_public_url().await;
    // 25,000 more products: with the demo's, over 50,000 addresses in two languages.
    shop.execute(
        "INSERT INTO products (category_id, slug, name, price_minor, currency)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25000)
         SELECT 1, 'bulk-' || i, 'Bulk ' || i, 100, 'EUR' FROM n",
    )
    .await;
    let index = sitemap(&shop, "/sitemap.xml").await;
    assert!(index.contains("<sitemapindex"), "{}", &index[..300]);
    assert!(index.contains(&format!("<loc>{ORIGIN}/sitemap-1.xml</loc>")));
    assert!(index.contains(&format!("<loc>{ORIGIN}/sitemap-2.xml</loc>")));
    assert!(!index.contains("sitemap-3.xml"));
    let first = sitemap(&shop, "/sitemap-1.xml").await;
    let second = sitemap(&shop, "/sitemap-2.xml").await;
    assert_eq!(first.matches("<url>").count(), 50_000);
    assert_eq!(
        first.matches("<url>").count() + second.matches("<url>").count(),
        (31 + 25_000 + 5 + 1) * 2
    );
    assert_eq!(
        shop.get("/sitemap-3.xml").await.status(),
        reqwest::StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn robots_txt_keeps_crawlers_out_of_the_admin_cart_checkout_and_api_and_names_the_sitemap() {
    let shop = shop_behind_its_public_url().await;
    let response = shop.get("/robots.txt").await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let text = response.text().await.unwrap();
    for rule in [
        "Disallow: /admin\n",
        "Disallow: /api/\n",
        "Disallow: /lt/cart\n",
        "Disallow: /en/checkout\n",
    ] {
        assert!(text.contains(rule), "{rule}");
    }
    assert!(text.contains(&format!("Sitemap: {ORIGIN}/sitemap.xml\n")));
    assert!(!text.contains("Disallow: /\n"), "the catalog stays open");
}

/// The JSON-LD blocks of a page, parsed.
fn json_ld(html: &str) -> Vec<serde_json::Value> {
    html.split(r#"<script type="application/ld+json""#)
        .skip(1)
        .map(|rest| {
            let body = &rest[rest.find('>').unwrap() + 1..];
            serde_json::from_str(&body[..body.find("</script>").unwrap()]).unwrap()
        })
        .collect()
}

#[tokio::test]
async fn product_pages_carry_json_ld_and_open_graph_that_match_what_the_page_shows() {
    let shop = shop_behind_its_public_url().await;
    let (_, mug) = shop.page("/lt/p/enamel-mug").await;
    let blocks = json_ld(&mug);
    let product = blocks.iter().find(|b| b["@type"] == "Product").unwrap();
    assert_eq!(product["sku"], "enamel-mug");
    assert_eq!(product["offers"]["price"], "12.50");
    assert_eq!(product["offers"]["priceCurrency"], "EUR");
    assert_eq!(
        product["offers"]["availability"],
        "https://schema.org/InStock"
    );
    assert_eq!(product["url"], format!("{ORIGIN}/lt/p/enamel-mug"));
    assert_eq!(
        product["image"][0],
        format!("{ORIGIN}/images/products/enamel-mug.svg")
    );
    let trail = blocks
        .iter()
        .find(|b| b["@type"] == "BreadcrumbList")
        .unwrap();
    assert_eq!(trail["itemListElement"].as_array().unwrap().len(), 3);
    assert!(mug.contains(r#"<meta property="og:type" content="product">"#));
    assert!(mug.contains(r#"<meta property="product:price:amount" content="12.50">"#));
    assert!(mug.contains(&format!(
        r#"<meta property="og:image" content="{ORIGIN}/images/products/enamel-mug.svg">"#
    )));

    let (_, shirt) = shop.page("/en/p/linen-shirt").await;
    let group = json_ld(&shirt)
        .into_iter()
        .find(|b| b["@type"] == "ProductGroup")
        .unwrap();
    assert_eq!(
        group["variesBy"],
        serde_json::json!(["https://schema.org/size", "https://schema.org/color"])
    );
    let variants = group["hasVariant"].as_array().unwrap();
    assert_eq!(variants.len(), 12);
    let on_sale = variants
        .iter()
        .find(|v| v["sku"] == "linen-shirt-m-natural")
        .unwrap();
    assert_eq!(on_sale["offers"]["price"], "49.00", "the price in force");
    assert_eq!(
        (&on_sale["size"], &on_sale["color"]),
        (&"M".into(), &"Natural".into())
    );
    let sold_out = variants
        .iter()
        .find(|v| v["sku"] == "linen-shirt-s-navy")
        .unwrap();
    assert_eq!(
        sold_out["offers"]["availability"],
        "https://schema.org/OutOfStock"
    );

    // A name that tries to close the script stays inside it.
    shop.execute(
        "UPDATE products SET name = '</script><script>alert(1)</script>' WHERE slug = 'brass-pen'",
    )
    .await;
    let (_, pen) = shop.page("/en/p/brass-pen").await;
    assert!(!pen.contains("<script>alert(1)"));
    let product = json_ld(&pen)
        .into_iter()
        .find(|b| b["@type"] == "Product")
        .unwrap();
    assert_eq!(product["name"], "</script><script>alert(1)</script>");
}

#[tokio::test]
async fn category_pages_carry_their_breadcrumb_trail() {
    let shop = shop_behind_its_public_url().await;
    let (_, kitchen) = shop.page("/en/c/kitchen").await;
    let trail = json_ld(&kitchen)
        .into_iter()
        .find(|b| b["@type"] == "BreadcrumbList")
        .unwrap();
    assert_eq!(trail["itemListElement"][1]["name"], "Kitchen");
    assert_eq!(
        trail["itemListElement"][1]["item"],
        format!("{ORIGIN}/en/c/kitchen")
    );
}
