//! Boots the real shop on port 0 with a fresh database, and talks to it over HTTP.
//!
//! The database is a fresh SQLite file in the test's folder, or, when `TURGUS_TEST_POSTGRES`
//! names a PostgreSQL server (`make test` starts a throw-away one and runs the suite again with
//! it), a fresh database on that server: `t_` and random letters, one per test's folder, so a
//! restarted shop finds its data again. Nothing is shared between tests either way.

#![allow(dead_code)] // each test file uses its own part of this

pub mod paysera;
pub mod shopper;
pub mod smtp;

use reqwest::header::{ACCEPT, REFERER};
use reqwest::{Client, Response, StatusCode};
use std::path::PathBuf;
use tempfile::TempDir;
use turgus::config::Config;
use turgus::db::Db;

pub struct TestShop {
    pub base: String,
    /// A shopper's browser: keeps cookies, does not follow redirects (tests look at them).
    pub client: Client,
    /// A second connection to the shop's database, to arrange and inspect state.
    pub db: Db,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
    pub dir: TempDir,
    /// Where `/metrics` is served, when the test asked for it.
    pub metrics: Option<std::net::SocketAddr>,
    pub page_cache: std::sync::Arc<turgus::page_cache::PageCache>,
}

/// The shop owner's account in tests that log into the admin.
pub const OWNER: &str = "owner@example.lt";
pub const PASSWORD: &str = "correct horse battery staple";

/// The PostgreSQL server the suite runs against, if any (an admin URL: databases are made on it).
pub fn postgres_server() -> Option<String> {
    std::env::var("TURGUS_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Whether this run is against PostgreSQL (tests of SQLite's own files skip themselves then).
pub fn on_postgres() -> bool {
    postgres_server().is_some()
}

/// The test folder's database: its SQLite file, or its own database on the PostgreSQL server
/// (made on first use, and remembered in the folder).
pub fn database_url(dir: &std::path::Path) -> String {
    let Some(server) = postgres_server() else {
        return format!("sqlite://{}", dir.join("shop.db").display());
    };
    let remembered = dir.join("postgres-url");
    if let Ok(url) = std::fs::read_to_string(&remembered) {
        return url;
    }
    let name = format!("t_{}", turgus::tokens::random_hex(8));
    // Made on a thread of its own: this may run inside a test's runtime, or outside any.
    let made = {
        let (server, name) = (server.clone(), name.clone());
        std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                use sqlx::Connection;
                let mut admin = sqlx::PgConnection::connect(&server).await?;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await
            })
        })
        .join()
        .unwrap()
    };
    made.expect("the test PostgreSQL server makes a database");
    let url = with_database(&server, &name);
    std::fs::write(&remembered, &url).unwrap();
    url
}

/// `server` (a postgres:// URL) with its database replaced by `name`.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').unwrap_or((server, ""));
    let scheme = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[scheme..].find('/').map_or(base.len(), |i| i + scheme);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{}/{name}{query}", &base[..authority_end])
}

pub fn config_for(dir: &std::path::Path) -> Config {
    let database = database_url(dir);
    let data = dir.to_path_buf();
    Config::from_lookup(|name| match name {
        "TURGUS_DATABASE_URL" => Some(database.clone()),
        "TURGUS_ADDR" => Some("127.0.0.1:0".into()),
        "TURGUS_DATA_DIR" => Some(data.display().to_string()),
        "TURGUS_SANDBOX" => Some("1".into()),
        // Nothing listens there: a test shop never downloads a carrier's list from the internet,
        // and shows the bundled Omniva sample.
        "TURGUS_OMNIVA_POINTS_URL" => Some("http://127.0.0.1:9/locations.json".into()),
        _ => None,
    })
    .expect("test configuration is valid")
}

/// Waits (up to 10 s) until the shop process at `base` answers `/readyz`; whether it did.
pub async fn until_ready(base: &str) -> bool {
    for _ in 0..200 {
        if let Ok(response) = reqwest::get(format!("{base}/readyz")).await {
            if response.status() == StatusCode::OK {
                return true;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

pub fn shopper() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .unwrap()
}

impl TestShop {
    pub async fn spawn() -> TestShop {
        let dir = tempfile::tempdir().unwrap();
        TestShop::spawn_in(dir, shopper()).await
    }

    /// Starts a shop whose configuration `adjust` changes first.
    pub async fn spawn_configured(adjust: impl FnOnce(&mut Config, &std::path::Path)) -> TestShop {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config_for(dir.path());
        adjust(&mut config, dir.path());
        TestShop::start(dir, shopper(), config).await
    }

    /// Starts a shop on an existing data folder (to test restarts) with an existing browser.
    pub async fn spawn_in(dir: TempDir, client: Client) -> TestShop {
        let config = config_for(dir.path());
        TestShop::start(dir, client, config).await
    }

    pub async fn start(dir: TempDir, client: Client, config: Config) -> TestShop {
        let database = config.database_url.expose().to_owned();
        let running = turgus::server::start(config).await.expect("shop starts");
        let db = turgus::db::connect(&database).await.unwrap();
        TestShop {
            base: format!("http://{}", running.addr),
            client,
            db,
            task: running.task,
            dir,
            metrics: running.metrics_addr,
            page_cache: running.page_cache,
        }
    }

    /// Stops the shop and waits until it has let go of its database (and the database's lock).
    pub async fn stop(self) -> (TempDir, Client) {
        self.task.abort();
        let _ = self.task.await;
        self.db.close().await;
        (self.dir, self.client)
    }

    /// Runs the `turgus` command on this shop's data while it serves, `stdin` typed in; its exit
    /// code and what it printed (stdout then stderr). Run off the test's thread: the shop's tasks
    /// share that thread, and one blocked mid-transaction would hold the database's write lock
    /// against the command.
    pub async fn command(&self, args: &[&str], stdin: &str) -> (Option<i32>, String) {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_turgus"));
        command
            .args(args)
            .env("TURGUS_DATABASE_URL", database_url(self.dir.path()))
            .env("TURGUS_DATA_DIR", self.dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let stdin = stdin.to_owned();
        let output = tokio::task::spawn_blocking(move || {
            let mut child = command.spawn().unwrap();
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(stdin.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap();
        let printed = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        (output.status.code(), printed)
    }

    /// Creates the owner's account and logs this browser in as the owner.
    pub async fn log_in_admin(&self) {
        turgus::admin::auth::create_admin(&self.db, OWNER, PASSWORD, turgus::locale::Locale::en)
            .await
            .unwrap();
        let response = self
            .call(
                "admin/login",
                &[("email", OWNER), ("password", PASSWORD), ("next", "/admin")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    /// The checkout form's one-time key, as the checkout page gives it to this browser.
    pub async fn checkout_key(&self) -> String {
        let view: serde_json::Value = self
            .call("checkout", &[("country", "LT")])
            .await
            .json()
            .await
            .unwrap();
        view["checkout_key"].as_str().unwrap().to_owned()
    }

    /// Places the session's cart as [`shopper::SHOPPER_FIELDS`] fills the checkout form in.
    pub async fn place_cart(&self) -> Response {
        let key = self.checkout_key().await;
        let form: Vec<(&str, &str)> = shopper::SHOPPER_FIELDS
            .into_iter()
            .chain([("checkout_key", key.as_str())])
            .collect();
        self.call("checkout/place", &form).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("shop.db")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        (response.status(), response.text().await.unwrap())
    }

    /// Calls a server function the way the hydrated app does (form-encoded in, JSON out).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Calls a server function as an island on the page at `from` does (the browser sends the
    /// page as its `Referer`, which says the language).
    pub async fn call_from(&self, endpoint: &str, form: &[(&str, &str)], from: &str) -> Response {
        self.client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(ACCEPT, "application/json")
            .header(REFERER, self.url(from))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form the way a browser without JavaScript does, from the page at `from`.
    pub async fn post_form(&self, endpoint: &str, form: &[(&str, &str)], from: &str) -> Response {
        self.client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .header(REFERER, self.url(from))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// One value from the shop's database.
    pub async fn scalar<T>(&self, sql: &str) -> T
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
        T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
        T: Send + Unpin,
    {
        turgus::on_db!(&self.db, conn => sqlx::query_scalar(sql).fetch_one(conn).await).unwrap()
    }

    /// Runs one statement on the shop's database (to arrange a test's state).
    pub async fn execute(&self, sql: &str) -> u64 {
        let done = turgus::on_db!(&self.db, conn => sqlx::query(sql)
            .execute(conn)
            .await
            .map(|done| done.rows_affected()))
        .unwrap();
        self.seen_by_shop().await;
        done
    }

    /// A change a test made in the database, as the shop sees another instance's: its page cache
    /// looks for changes now rather than within the second its watch takes.
    pub async fn seen_by_shop(&self) {
        self.page_cache.catch_up(std::time::Instant::now()).await;
    }

    pub async fn stock(&self, slug: &str) -> i64 {
        turgus::on_db!(&self.db, conn => sqlx::query_scalar(
            "SELECT CAST(SUM(v.stock) AS BIGINT) FROM product_variants v
             JOIN products p ON p.id = v.product_id WHERE p.slug = $1",
        )
        .bind(slug)
        .fetch_one(conn)
        .await)
        .unwrap()
    }

    /// Sets the stock of the product at `slug` (of its one variant).
    pub async fn set_stock(&self, slug: &str, stock: i64) {
        turgus::on_db!(&self.db, conn => sqlx::query(
            "UPDATE product_variants SET stock = $2
             WHERE product_id = (SELECT id FROM products WHERE slug = $1)",
        )
        .bind(slug)
        .bind(stock)
        .execute(conn)
        .await
        .map(|done| done.rows_affected()))
        .unwrap();
        self.seen_by_shop().await;
    }

    /// The one variant of the product at `slug`: what an order line names.
    pub async fn variant_id(&self, slug: &str) -> i64 {
        variant_id(&self.db, slug).await
    }

    /// A product's id, as its page's add-to-cart form sends it.
    pub async fn product_id(&self, slug: &str) -> i64 {
        turgus::on_db!(&self.db, conn => sqlx::query_scalar("SELECT id FROM products WHERE slug = $1")
            .bind(slug)
            .fetch_one(conn)
            .await)
            .unwrap()
    }
}

/// The first variant of the product at `slug` in `db` (a demo product has one).
pub async fn variant_id(db: &turgus::db::Db, slug: &str) -> i64 {
    turgus::on_db!(db, conn => sqlx::query_scalar(
        "SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id
         WHERE p.slug = $1 ORDER BY v.position, v.id LIMIT 1",
    )
    .bind(slug)
    .fetch_one(conn)
    .await)
    .unwrap()
}
