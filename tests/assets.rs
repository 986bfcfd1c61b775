//! What a shopper's browser downloads besides the page: the islands' WASM and JS glue and the
//! stylesheet under content-hashed names, precompressed, cached for a year; pages compressed on
//! the fly; the admin loading no WASM at all.

mod support;

use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use reqwest::StatusCode;
use support::TestShop;

/// A site folder as the build leaves it (`turgus assets DIR`), with stand-in client files.
fn built_site() -> (tempfile::TempDir, turgus::assets::AssetNames) {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        pkg.join("turgus.js"),
        "export function hydrate() {}\n".repeat(100),
    )
    .unwrap();
    std::fs::write(
        pkg.join("turgus_bg.wasm"),
        [b"\0asm\x01\0\0\0".as_slice(); 200].concat(),
    )
    .unwrap();
    std::fs::write(pkg.join("turgus.css"), "body { margin: 0 }\n".repeat(100)).unwrap();
    std::fs::write(
        site.path().join("favicon.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .unwrap();
    let names = turgus::assets::build(site.path()).unwrap();
    (site, names)
}

async fn shop_on(site: &std::path::Path) -> TestShop {
    let site = site.to_path_buf();
    TestShop::spawn_configured(move |config, _| config.site_root = site).await
}

#[tokio::test]
async fn pages_name_the_hashed_files_and_the_files_come_compressed_and_immutable() {
    let (site, names) = built_site();
    let shop = shop_on(site.path()).await;
    let (_, home) = shop.page("/en/").await;
    assert!(home.contains(&format!("/pkg/{}.js", names.client)));
    assert!(home.contains(&format!("/pkg/{}_bg.wasm", names.client)));
    assert!(home.contains(&names.stylesheet));
    assert!(!home.contains("/pkg/turgus.css"));

    let wasm = format!("/pkg/{}_bg.wasm", names.client);
    for (accepted, encoding) in [
        ("gzip, deflate, br, zstd", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ] {
        let response = shop
            .client
            .get(shop.url(&wasm))
            .header(ACCEPT_ENCODING, accepted)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(
            headers.get(CONTENT_ENCODING).map(|v| v.to_str().unwrap()),
            encoding,
            "{accepted}"
        );
        assert_eq!(headers[CONTENT_TYPE], "application/wasm");
        assert_eq!(
            headers[CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(headers[VARY], "accept-encoding");
        assert!(headers.get("set-cookie").is_none());
    }
    // A name that does not change with the content is cached briefly, not for a year.
    let favicon = shop.get("/favicon.svg").await;
    assert_eq!(favicon.headers()[CACHE_CONTROL], "public, max-age=3600");
    // The unhashed names are gone: nothing stale can be served under them.
    assert_eq!(
        shop.get("/pkg/turgus.js").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pages_over_a_kilobyte_are_compressed_small_answers_are_not() {
    let shop = TestShop::spawn().await;
    let page = |path: &'static str, accepted: &'static str| {
        let request = shop
            .client
            .get(shop.url(path))
            .header(ACCEPT_ENCODING, accepted);
        async move { request.send().await.unwrap() }
    };
    let home = page("/en/", "br, gzip").await;
    assert_eq!(home.headers()[CONTENT_ENCODING], "br");
    assert!(home.headers()[VARY]
        .to_str()
        .unwrap()
        .contains("accept-encoding"));
    assert_eq!(
        page("/en/p/linen-apron", "gzip").await.headers()[CONTENT_ENCODING],
        "gzip"
    );
    let health = page("/healthz", "br, gzip").await;
    assert!(health.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(health.text().await.unwrap(), "ok");
    // A client that asks for nothing gets plain HTML.
    let plain = shop.get("/en/").await;
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert!(plain.text().await.unwrap().starts_with("<!DOCTYPE html>"));
}

#[tokio::test]
async fn admin_pages_load_no_wasm_and_shopper_pages_do() {
    let (site, names) = built_site();
    let shop = shop_on(site.path()).await;
    let (_, login) = shop.page("/admin/login").await;
    assert!(
        !login.contains(&names.client),
        "the admin page loads the client"
    );
    assert!(!login.contains("modulepreload"));
    for path in [
        "/en/",
        "/en/c/kitchen",
        "/en/p/linen-apron",
        "/en/search?q=linen",
        "/en/cart",
        "/en/checkout",
    ] {
        let (_, page) = shop.page(path).await;
        assert!(
            page.contains(&names.client),
            "{path} does not load the islands"
        );
    }
}
