//! `make bench`: the shop under load, as its shoppers and Paysera load it, in one run.
//!
//! Starts a release build (`target/release/turgus`, or `TURGUS_BIN`) on a free port with a fresh
//! database and the built-in sandbox, the server pinned to core 0 and this load generator
//! (reqwest on tokio) to the other cores, then prints one Markdown table: requests/s for the
//! product (simple and with 12 variants), home and category pages for a visitor without a session
//! (served from the page cache) and for a shopper with a cart (rendered), the search page, a
//! static file of the product page's size from the same server and the same bytes from a bare
//! axum server (`benches/bare_server.rs`: the ceiling), callbacks/s with p50/p99 for 50
//! concurrent duplicate callbacks and for 80 orders' paying callbacks at once (each issuing an
//! invoice), checkouts/s with p99 for 100 concurrent buyers, without and with a discount code, a
//! catalog
//! import of 6,000 rows (seconds, peak memory, the slowest callback while it runs), idle RSS and
//! RSS with 256 connections open, and the shopper's WASM size.
//!
//! Everything goes over HTTP (orders are placed through the checkout, callbacks are signed with
//! the sandbox's key from the data folder), so the same bench measures an older build too:
//! `TURGUS_BIN=… LEPTOS_SITE_ROOT=… cargo bench --features ssr --bench load`.
//!
//! Under `cargo test` (which compiles and runs benches once) it only says how to run it.

use reqwest::Client;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use turgus::checkout::sandbox::signed_callback;
use turgus::domain::payments::gateway::{sandbox_keys, SandboxKeys};
use turgus::paysera::encoding::{decode_base64, parse_str};

#[path = "../tests/support/shopper.rs"]
mod shopper;

/// How long each throughput phase runs, and with how many requests in flight.
const PHASE: Duration = Duration::from_secs(5);
const IN_FLIGHT: usize = 32;

struct Shop {
    base: String,
    child: Child,
    data: tempfile::TempDir,
    database: String,
}

impl Drop for Shop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts the shop on `database`, or on a SQLite file in its scratch folder.
async fn start(binary: &Path, site: &Path, database: Option<String>) -> Shop {
    let data = tempfile::tempdir().expect("a scratch folder");
    let database =
        database.unwrap_or_else(|| format!("sqlite://{}/bench.db", data.path().display()));
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new("taskset")
        .args(["-c", "0"])
        .arg(binary)
        .env("TURGUS_DATABASE_URL", &database)
        .env("TURGUS_DATA_DIR", data.path())
        .env("TURGUS_SANDBOX", "1")
        .env("TURGUS_ADDR", format!("127.0.0.1:{port}"))
        .env("TURGUS_PUBLIC_URL", &base)
        .env("TURGUS_UNPAID_ORDERS_PER_CLIENT", "100000")
        .env("LEPTOS_SITE_ROOT", site)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the shop starts (is taskset installed? util-linux)");
    let mut shop = Shop {
        base,
        child,
        data,
        database,
    };
    let client = Client::new();
    for _ in 0..300 {
        if let Ok(Some(status)) = shop.child.try_wait() {
            panic!("the shop stopped at start-up: {status}");
        }
        let ready = client.get(format!("{}/readyz", shop.base)).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return shop;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the shop did not become ready");
}

/// Requests/s for `url` over one phase, `IN_FLIGHT` at a time on kept-alive connections.
async fn throughput(client: &Client, url: &str) -> f64 {
    let deadline = Instant::now() + PHASE;
    let started = Instant::now();
    let workers = (0..IN_FLIGHT).map(|_| {
        let (client, url) = (client.clone(), url.to_owned());
        tokio::spawn(async move {
            let mut done = 0u64;
            while Instant::now() < deadline {
                let response = client.get(&url).send().await.expect("an answer");
                assert!(
                    response.status().is_success(),
                    "{url}: {}",
                    response.status()
                );
                response.bytes().await.expect("a body");
                done += 1;
            }
            done
        })
    });
    let total: u64 = futures::future::join_all(workers)
        .await
        .into_iter()
        .map(|done| done.expect("worker"))
        .sum();
    total as f64 / started.elapsed().as_secs_f64()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// A server function called as a script calls it: a form posted, JSON asked for.
async fn call(client: &Client, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client
        .post(url)
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"))
}

/// A shopper with a cookie jar and one of `slug` in the cart (and `code` applied to it), ready
/// to check out.
async fn shopper_with_cart(shop: &Shop, product_id: &str, code: Option<&str>) -> (Client, String) {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let add = [("product_id", product_id), ("quantity", "1")];
    let added = call(&client, &format!("{}/api/cart/add", shop.base), &add).await;
    assert!(
        added.status().is_success(),
        "add to cart: {}",
        added.status()
    );
    if let Some(code) = code {
        let url = format!("{}/api/checkout/discount", shop.base);
        let applied = call(&client, &url, &[("code", code)]).await;
        assert!(
            applied.status().is_success(),
            "the code: {}",
            applied.status()
        );
    }
    let page = client
        .get(format!("{}/lt/checkout", shop.base))
        .send()
        .await
        .expect("checkout")
        .text()
        .await
        .expect("checkout page");
    let key = page
        .split("name=\"checkout_key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the checkout form's key")
        .to_owned();
    (client, key)
}

/// Places the order; returns the time it took and the Paysera request it produced.
async fn place(shop: &Shop, client: &Client, key: &str) -> (Duration, Option<String>) {
    let mut form = shopper::SHOPPER_FIELDS.to_vec();
    form.extend([("payment", ""), ("checkout_key", key)]);
    let sent = Instant::now();
    let response = call(client, &format!("{}/api/checkout/place", shop.base), &form).await;
    let ok = response.status().is_success();
    let body = response.text().await.unwrap_or_default();
    let elapsed = sent.elapsed();
    (
        elapsed,
        ok.then(|| serde_json::from_str::<String>(&body).unwrap_or(body)),
    )
}

fn product_id(page: &str) -> String {
    page.split("name=\"product_id\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the product page's form")
        .to_owned()
}

async fn page_text(client: &Client, url: &str) -> String {
    client
        .get(url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body")
}

struct Checkouts {
    per_second: f64,
    p99: Duration,
    failed: usize,
    pay_urls: Vec<String>,
}

/// 100 buyers with a cart each press "Place order" at the same moment (with enough stock for
/// all: this measures placing orders, not refusing them), each with a 10 % code (limited to a
/// million uses, so that each order takes one) when `with_code`.
async fn checkouts(shop: &Shop, product_id: &str, with_code: bool) -> Checkouts {
    let db = turgus::db::connect(&shop.database)
        .await
        .expect("the database");
    turgus::on_db!(&db, conn => sqlx::query("UPDATE product_variants SET stock = 100000")
        .execute(conn)
        .await.map(|done| done.rows_affected()))
    .expect("stock for every buyer");
    db.close().await;
    let code = with_code.then_some("BENCH10");
    let buyers =
        futures::future::join_all((0..100).map(|_| shopper_with_cart(shop, product_id, code)))
            .await;
    let started = Instant::now();
    let results =
        futures::future::join_all(buyers.iter().map(|(client, key)| place(shop, client, key)))
            .await;
    let elapsed = started.elapsed();
    let mut times: Vec<Duration> = results.iter().map(|(t, _)| *t).collect();
    times.sort();
    let pay_urls: Vec<String> = results.into_iter().filter_map(|(_, url)| url).collect();
    Checkouts {
        per_second: 100.0 / elapsed.as_secs_f64(),
        p99: percentile(&times, 0.99),
        failed: 100 - pay_urls.len(),
        pay_urls,
    }
}

/// Paysera's callback for the order behind `pay_url` (the sandbox's request), signed with the
/// sandbox's key: a paid, non-test payment of the order's amount.
fn callback_for(shop: &Shop, keys: &SandboxKeys, pay_url: &str) -> String {
    let query = pay_url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let signed = parse_str(query);
    let data = decode_base64(&signed["data"]).expect("request data");
    let request = parse_str(&String::from_utf8(data).expect("UTF-8"));
    let params = shopper::paid_fields(
        &request["projectid"],
        &request["orderid"],
        &request["amount"],
        &request["currency"],
        "4242",
    );
    format!(
        "{}/paysera/callback?{}",
        shop.base,
        signed_callback(&params, keys)
    )
}

/// The sandbox's keys, from the shop's database and data folder.
async fn keys_of(shop: &Shop) -> SandboxKeys {
    let db = turgus::db::connect(&shop.database)
        .await
        .expect("the database");
    let keys = sandbox_keys(&db, shop.data.path())
        .await
        .expect("the sandbox's keys");
    db.close().await;
    keys
}

/// For each order, 50 identical callbacks at once; latencies over all of them.
async fn duplicate_callbacks(shop: &Shop, pay_urls: &[String]) -> (f64, Duration, Duration) {
    let client = Client::new();
    let keys = keys_of(shop).await;
    let mut latencies = Vec::new();
    let mut busy = Duration::ZERO;
    for pay_url in pay_urls {
        let url = callback_for(shop, &keys, pay_url);
        let started = Instant::now();
        let answers = futures::future::join_all((0..50).map(|_| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let sent = Instant::now();
                let response = client.get(url).send().await.expect("callback");
                let ok = response.status().is_success()
                    && response.text().await.unwrap_or_default() == "OK";
                (ok, sent.elapsed())
            }
        }))
        .await;
        busy += started.elapsed();
        assert!(
            answers.iter().all(|(ok, _)| *ok),
            "every callback answered OK"
        );
        latencies.extend(answers.into_iter().map(|(_, t)| t));
    }
    latencies.sort();
    let per_second = latencies.len() as f64 / busy.as_secs_f64();
    (
        per_second,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
    )
}

/// One paying callback for each of `pay_urls`' orders, all at once: each marks its order paid and
/// (since issue 25) issues its invoice, every invoice taking the next number of one series.
async fn paying_callbacks(shop: &Shop, pay_urls: &[String]) -> (f64, Duration) {
    let client = Client::new();
    let keys = keys_of(shop).await;
    let urls: Vec<String> = pay_urls
        .iter()
        .map(|pay_url| callback_for(shop, &keys, pay_url))
        .collect();
    let started = Instant::now();
    let answers = futures::future::join_all(urls.into_iter().map(|url| {
        let client = client.clone();
        async move {
            let sent = Instant::now();
            let response = client.get(url).send().await.expect("callback");
            let ok =
                response.status().is_success() && response.text().await.unwrap_or_default() == "OK";
            (ok, sent.elapsed())
        }
    }))
    .await;
    let busy = started.elapsed();
    assert!(
        answers.iter().all(|(ok, _)| *ok),
        "every callback answered OK"
    );
    let mut latencies: Vec<Duration> = answers.into_iter().map(|(_, t)| t).collect();
    latencies.sort();
    (
        latencies.len() as f64 / busy.as_secs_f64(),
        percentile(&latencies, 0.99),
    )
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse().ok()))
        })
        .unwrap_or(0)
}

/// RSS while 256 connections each have a product page request in flight, repeatedly.
async fn rss_at_256_connections(shop: &Shop, url: &str) -> u64 {
    let clients: Vec<Client> = (0..256)
        .map(|_| {
            Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client")
        })
        .collect();
    let mut peak = 0;
    for _ in 0..5 {
        let round = futures::future::join_all(clients.iter().map(|c| c.get(url).send()));
        let (_, rss) = tokio::join!(round, async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            rss_kib(shop.child.id())
        });
        peak = peak.max(rss).max(rss_kib(shop.child.id()));
    }
    peak
}

/// The site's file closest in size to `bytes` (the static file to compare a page with).
fn file_of_size(site: &Path, bytes: usize) -> String {
    let mut best: Option<(usize, String)> = None;
    let mut stack = vec![site.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = path.to_string_lossy().into_owned();
            if path.is_dir() {
                stack.push(path);
            } else if !(name.ends_with(".gz") || name.ends_with(".br") || name.ends_with(".json")) {
                let size = entry.metadata().map(|m| m.len() as usize).unwrap_or(0);
                let distance = size.abs_diff(bytes);
                if best.as_ref().is_none_or(|(d, _)| distance < *d) {
                    let url = name.trim_start_matches(&*site.to_string_lossy()).to_owned();
                    best = Some((distance, url));
                }
            }
        }
    }
    best.map(|(_, url)| url).expect("a built site")
}

/// The WASM's size, compressed here with the build's own settings (an older build has no
/// precompressed copies).
fn wasm_sizes(site: &Path) -> String {
    let pkg = site.join("pkg");
    let wasm = std::fs::read_dir(&pkg)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "wasm"))
        .expect("the WASM");
    let raw = std::fs::read(&wasm).expect("the WASM");
    format!(
        "{} B raw, {} B gzip, {} B brotli",
        raw.len(),
        turgus::assets::gzip(&raw, turgus::assets::BEST_GZIP).len(),
        turgus::assets::brotli(&raw, turgus::assets::BEST_BROTLI).len()
    )
}

/// The table's rows, as `| what | figure |`.
type Rows = Vec<String>;

fn row(rows: &mut Rows, what: impl std::fmt::Display, figure: impl std::fmt::Display) {
    rows.push(format!("| {what} | {figure} |"));
}

/// Pages per second for visitors without a session (served from the page cache) and with one
/// (rendered: a shopper with a cart), beside a static file of the product page's size from the
/// same server and the same bytes from a bare axum server: what a page costs above serving bytes.
/// Measured with `wrk` on the other core: this load generator tops out below what the server
/// serves from memory.
async fn reads(shop: &Shop, site: &Path, bare: &Path, rows: &mut Rows) -> String {
    let visitor = Client::new();
    let product_url = format!("{}/lt/p/linen-apron", shop.base);
    let product_page = page_text(&visitor, &product_url).await;
    let product_id = product_id(&product_page);
    let cookie = session_cookie(shop, &product_id).await;
    let mut kept_rates = Vec::new();
    for (name, path) in [
        ("product page", "/lt/p/linen-apron"),
        ("product page with 12 variants", "/lt/p/linen-shirt"),
        ("home page", "/lt/"),
        ("category page", "/lt/c/kitchen"),
    ] {
        let url = format!("{}{path}", shop.base);
        let size = page_text(&visitor, &url).await.len();
        let kept = wrk(&url, None);
        let rendered = wrk(&url, Some(&cookie));
        kept_rates.push(kept);
        row(
            rows,
            format!("{name} ({size} B): no session (kept) / with a session"),
            format!("{kept:.0} / {rendered:.0} req/s"),
        );
    }
    let search = wrk(&format!("{}/lt/search?q=linen", shop.base), None);
    row(
        rows,
        "search page (never kept)",
        format!("{search:.0} req/s"),
    );
    let static_path = file_of_size(site, product_page.len());
    let file = wrk(&format!("{}{static_path}", shop.base), None);
    row(
        rows,
        format!("static file `{static_path}`"),
        format!("{file:.0} req/s"),
    );
    let ceiling = bare_server(bare, &product_page).await;
    row(
        rows,
        format!(
            "bare axum server, the product page's {} B from memory",
            product_page.len()
        ),
        format!("{ceiling:.0} req/s"),
    );
    row(
        rows,
        "kept product page ÷ bare server",
        format!("{:.2}×", kept_rates[0] / ceiling),
    );
    product_id
}

/// A shopper's session cookie (`turgus_session=…`) with one product in the cart.
async fn session_cookie(shop: &Shop, product_id: &str) -> String {
    let add = [("product_id", product_id), ("quantity", "1")];
    let added = call(&Client::new(), &format!("{}/api/cart/add", shop.base), &add).await;
    added
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("turgus_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// Requests/s for `url` by `wrk` (one thread, `IN_FLIGHT` connections, one phase) on core 1,
/// without `Accept-Encoding`; every answer must be a success.
fn wrk(url: &str, cookie: Option<&str>) -> f64 {
    let mut command = Command::new("taskset");
    command.args(["-c", "1", "wrk", "-t1"]);
    command.arg(format!("-c{IN_FLIGHT}"));
    command.arg(format!("-d{}s", PHASE.as_secs()));
    if let Some(cookie) = cookie {
        command.args(["-H", &format!("Cookie: {cookie}")]);
    }
    let output = command
        .arg(url)
        .output()
        .expect("wrk runs (make bench installs it)");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        !report.contains("Non-2xx"),
        "{url}: answers that were not a success\n{report}"
    );
    report
        .lines()
        .find_map(|line| line.strip_prefix("Requests/sec:"))
        .and_then(|rate| rate.trim().parse().ok())
        .unwrap_or_else(|| panic!("{url}: no rate in wrk's report\n{report}"))
}

/// Requests/s of `benches/bare_server.rs` serving `page`, pinned to the shop's core.
async fn bare_server(binary: &Path, page: &str) -> f64 {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let file = scratch.path().join("page.html");
    std::fs::write(&file, page).expect("the page written");
    let port = free_port();
    let mut child = Command::new("taskset")
        .args(["-c", "0"])
        .arg(binary)
        .arg(port.to_string())
        .arg(&file)
        .spawn()
        .expect("the bare server starts");
    let url = format!("http://127.0.0.1:{port}/lt/p/linen-apron");
    let client = Client::new();
    for _ in 0..100 {
        if client.get(&url).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rate = wrk(&url, None);
    let _ = child.kill();
    let _ = child.wait();
    rate
}

/// WooCommerce's CSV of 1,000 variable products with 5 variations each (6,000 rows, 5,000
/// variants), no photos.
fn catalog_csv() -> String {
    let mut csv = String::from(
        "Type,SKU,Name,Regular price,Stock,Categories,Parent,Attribute 1 name,Attribute 1 value(s)\n",
    );
    let sizes = ["XS", "S", "M", "L", "XL"];
    for product in 0..1000 {
        csv.push_str(&format!(
            "variable,bench-{product},Bench product {product},10.00,,Bench > Things,,Size,\"{}\"\n",
            sizes.join(", ")
        ));
        for (n, size) in sizes.iter().enumerate() {
            csv.push_str(&format!(
                "variation,bench-{product}-{n},,{}.50,{n},,bench-{product},Size,{size}\n",
                10 + n
            ));
        }
    }
    csv
}

/// `turgus catalog import` of [`catalog_csv`] into the running shop's database, while a paid
/// order's callback is sent again every 50 ms: the import's seconds, its peak memory (the child's
/// maximum resident set) and the slowest callback meanwhile (each one writes, so each waits for
/// any write lock the import holds).
async fn catalog_import(shop: &Shop, binary: &Path, pay_url: &str) -> (Duration, u64, Duration) {
    let file = shop.data.path().join("bench-import.csv");
    std::fs::write(&file, catalog_csv()).expect("the bench's CSV");
    let callback = callback_for(shop, &keys_of(shop).await, pay_url);
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args(["catalog", "import"])
        .arg(&file)
        .env("TURGUS_DATABASE_URL", &shop.database)
        .env("TURGUS_DATA_DIR", shop.data.path())
        .env("TURGUS_PUBLIC_URL", &shop.base)
        .stdout(Stdio::null())
        .spawn()
        .expect("turgus catalog import");
    let client = Client::new();
    let mut slowest = Duration::ZERO;
    let peak = loop {
        if let Some(peak) = finished_peak_kib(&mut child) {
            break peak;
        }
        let sent = Instant::now();
        let answered = client.get(&callback).send().await.expect("callback");
        assert!(answered.status().is_success(), "the callback answered");
        slowest = slowest.max(sent.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    (started.elapsed(), peak, slowest)
}

/// If `child` has ended (successfully), its own peak resident set in KiB, read by `wait4`, which
/// reports that one process's usage (not the largest of every child waited for so far).
fn finished_peak_kib(child: &mut Child) -> Option<u64> {
    let pid = i32::try_from(child.id()).expect("a pid");
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 fills `status` and `usage`, both valid and the right size; WNOHANG returns 0
    // while the child runs.
    let (done, usage) = unsafe {
        let done = libc::wait4(pid, &mut status, libc::WNOHANG, usage.as_mut_ptr());
        (done, usage.assume_init())
    };
    if done != pid {
        return None;
    }
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the import succeeded"
    );
    Some(u64::try_from(usage.ru_maxrss).unwrap_or(0))
}

/// Creates the code `BENCH10` (10 %, a million uses); `false` for a build without codes.
async fn with_discount_code(shop: &Shop) -> bool {
    let db = turgus::db::connect(&shop.database)
        .await
        .expect("the database");
    let created = turgus::on_db!(&db, conn => sqlx::query(
        "INSERT INTO discount_codes (code, kind, value, currency, max_uses, created_at)
         VALUES ('BENCH10', 'percent', 1000, 'EUR', 1000000, '2026-01-01T00:00:00.000Z')",
    )
    .execute(conn)
    .await
    .map(|done| done.rows_affected()));
    db.close().await;
    created.is_ok()
}

/// Concurrent checkouts, then duplicate callbacks for 20 of the orders they placed, then a
/// catalog import while callbacks keep coming.
async fn writes(shop: &Shop, binary: &Path, product_id: &str, rows: &mut Rows) -> Rows {
    let placed = checkouts(shop, product_id, false).await;
    let figure = format!(
        "{:.0} checkouts/s, p99 {}, {} failed",
        placed.per_second,
        ms(placed.p99),
        placed.failed
    );
    row(rows, "100 concurrent checkouts", figure);
    if with_discount_code(shop).await {
        let coded = checkouts(shop, product_id, true).await;
        let figure = format!(
            "{:.0} checkouts/s, p99 {}, {} failed ({:+.0} % against without)",
            coded.per_second,
            ms(coded.p99),
            coded.failed,
            (coded.per_second / placed.per_second - 1.0) * 100.0
        );
        row(
            rows,
            "100 concurrent checkouts with a discount code",
            &figure,
        );
    }
    let orders = &placed.pay_urls[..20.min(placed.pay_urls.len())];
    let (per_second, p50, p99) = duplicate_callbacks(shop, orders).await;
    let figure = format!(
        "{per_second:.0} callbacks/s, p50 {}, p99 {}",
        ms(p50),
        ms(p99)
    );
    row(
        rows,
        "50 concurrent duplicate callbacks (×20 orders)",
        figure,
    );
    let mut brief = Rows::new();
    row(
        &mut brief,
        "checkouts/s (100 at once), p99",
        format!("{:.0}/s, {}", placed.per_second, ms(placed.p99)),
    );
    row(&mut brief, "duplicate callbacks p99", ms(p99));
    let others = &placed.pay_urls[orders.len()..];
    let (per_second, p99) = paying_callbacks(shop, others).await;
    let figure = format!("{per_second:.0} callbacks/s, p99 {}", ms(p99));
    let what = format!(
        "{} paying callbacks at once (one per order, each invoiced)",
        others.len()
    );
    row(rows, &what, figure.clone());
    row(&mut brief, &what, figure);
    let (took, peak, slowest) = catalog_import(shop, binary, &orders[0]).await;
    let figure = format!(
        "{:.1} s, peak {:.0} MB, slowest callback meanwhile {}",
        took.as_secs_f64(),
        peak as f64 / 1024.0,
        ms(slowest)
    );
    row(
        rows,
        "catalog import, 6,000 rows (1,000 products × 5 variations)",
        &figure,
    );
    row(
        &mut brief,
        "catalog import of 6,000 rows; peak memory; slowest callback",
        figure,
    );
    brief
}

/// Omniva's list of 5,000 lockers in its own format: 1,000 in Lithuania, 2,000 each in Latvia
/// and Estonia, spread over 50 towns per country.
fn omniva_list() -> Vec<u8> {
    let mut points = vec![];
    for (country, latitude, count) in [
        ("LT", 54.9, 1_000),
        ("LV", 56.9, 2_000),
        ("EE", 58.9, 2_000),
    ] {
        for i in 0..count {
            points.push(serde_json::json!({
                "ZIP": format!("{country}{i:05}"),
                "NAME": format!("Miestelio {} PC paštomatas {i}", i % 50),
                "TYPE": "0",
                "A0_NAME": country,
                "A1_NAME": "Apskritis",
                "A2_NAME": format!("Miestas {}", i % 50),
                "A5_NAME": format!("Gatvės g. {}", i % 200),
                "A7_NAME": format!("{}", i % 90 + 1),
                "X_COORDINATE": format!("{:.6}", 23.0 + (i % 100) as f64 * 0.01),
                "Y_COORDINATE": format!("{:.6}", latitude + (i % 50) as f64 * 0.01),
            }));
        }
    }
    serde_json::to_vec(&points).unwrap()
}

/// A refresh of 5,000 points (parsed and put in place in one transaction, beside the running
/// shop), then the checkout page listing Lithuania's 1,000: its size, as sent compressed, and
/// how fast it renders.
async fn pickup_points(shop: &Shop, product_id: &str, rows: &mut Rows) {
    use turgus::domain::pickup_points::{refresh, store, Carrier};
    let db = turgus::db::connect(&shop.database)
        .await
        .expect("the database");
    let writer = turgus::db::connect_writer(&shop.database, &db)
        .await
        .expect("the writer");
    let list = omniva_list();
    let started = Instant::now();
    let now = std::time::SystemTime::now();
    let outcome = refresh::load_file(&writer, Carrier::Omniva, &list, now)
        .await
        .unwrap();
    let took = started.elapsed();
    row(
        rows,
        format!(
            "pick-up point list refresh ({outcome:?}, {} KB of JSON)",
            list.len() / 1024
        ),
        ms(took),
    );
    let lithuania = store::in_country(&db, Carrier::Omniva, "LT")
        .await
        .unwrap()
        .len();
    let (client, _) = shopper_with_cart(shop, product_id, None).await;
    let url = format!("{}/lt/checkout", shop.base);
    let plain = page_text(&client, &url).await.len();
    let gzipped = client
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    let rate = throughput(&client, &url).await;
    row(
        rows,
        format!(
            "checkout page with {lithuania} pick-up points ({} KB, {} KB gzipped)",
            plain / 1024,
            gzipped / 1024
        ),
        format!("{rate:.0} pages/s ({:.1} ms each)", 1000.0 / rate),
    );
}

/// A fresh database for the bench on the PostgreSQL server `server` names (an admin URL).
async fn postgres_database(server: &str) -> String {
    use sqlx::Connection;
    let name = format!("bench_{}", turgus::tokens::random_hex(6));
    let mut admin = sqlx::PgConnection::connect(server)
        .await
        .expect("the PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("a database for the bench");
    let (base, query) = server.split_once('?').unwrap_or((server, ""));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    format!("{base}/{name}?{query}")
}

/// The same checkouts and callbacks on PostgreSQL, beside SQLite's figures.
async fn writes_on_postgres(binary: &Path, site: &Path, server: &str, sqlite: &Rows) {
    let shop = start(binary, site, Some(postgres_database(server).await)).await;
    let page = page_text(&Client::new(), &format!("{}/lt/p/linen-apron", shop.base)).await;
    let postgres = writes(&shop, binary, &product_id(&page), &mut Rows::new()).await;
    let side_by_side: Vec<String> = sqlite
        .iter()
        .zip(&postgres)
        .map(|(lite, pg)| {
            let pg_figure = pg.rsplit('|').nth(1).unwrap_or_default();
            format!("{lite}{pg_figure}|")
        })
        .collect();
    println!(
        "\n| writes | SQLite | PostgreSQL |\n|---|---|---|\n{}",
        side_by_side.join("\n")
    );
}

async fn run(binary: &Path, site: &Path, bare: &Path) {
    let shop = start(binary, site, None).await;
    let idle = rss_kib(shop.child.id());
    let product_url = format!("{}/lt/p/linen-apron", shop.base);
    let mut rows = Rows::new();
    let product_id = reads(&shop, site, bare, &mut rows).await;
    if std::env::var("TURGUS_BENCH_READS_ONLY").is_ok() {
        println!("\n| measure | figure |\n|---|---|\n{}", rows.join("\n"));
        return;
    }
    let sqlite = writes(&shop, binary, &product_id, &mut rows).await;
    pickup_points(&shop, &product_id, &mut rows).await;
    let busy = rss_at_256_connections(&shop, &product_url).await;
    let mb = |kib: u64| kib as f64 / 1024.0;
    let figure = format!("{:.1} MB / {:.1} MB", mb(idle), mb(busy));
    row(&mut rows, "RSS idle / with 256 connections", figure);
    row(&mut rows, "shopper WASM", wasm_sizes(site));
    println!("\n| measure | figure |\n|---|---|\n{}", rows.join("\n"));
    drop(shop);
    match std::env::var("TURGUS_BENCH_POSTGRES") {
        Ok(server) => writes_on_postgres(binary, site, &server, &sqlite).await,
        Err(_) => println!("\n(PostgreSQL: set TURGUS_BENCH_POSTGRES, as `make bench` does)"),
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("load: run it with `make bench` (needs a release build)");
        return;
    }
    let binary = PathBuf::from(
        std::env::var("TURGUS_BIN").unwrap_or_else(|_| "target/release/turgus".into()),
    );
    let site =
        PathBuf::from(std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()));
    // The ceiling pages are compared with (`benches/bare_server.rs`, built by `make bench`).
    let bare = PathBuf::from(
        std::env::var("TURGUS_BARE_BIN")
            .unwrap_or_else(|_| "target/release/examples/bare_server".into()),
    );
    for needed in [&binary, &bare] {
        assert!(
            needed.is_file(),
            "{} is missing: build a release first (make bench)",
            needed.display()
        );
    }
    // The load generator stays off the server's core.
    let _ = Command::new("taskset")
        .args(["-cp", "1-63", &std::process::id().to_string()])
        .stdout(Stdio::null())
        .status();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(run(&binary, &site, &bare));
}
