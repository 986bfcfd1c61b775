//! Boots the real shop on port 0 with a fresh SQLite file, and talks to it over HTTP.

#![allow(dead_code)] // each test file uses its own part of this

pub mod paysera;
pub mod shopper;
pub mod smtp;

use reqwest::header::{ACCEPT, REFERER};
use reqwest::{Client, Response, StatusCode};
use sqlx::SqlitePool;
use std::path::PathBuf;
use tempfile::TempDir;
use turgus::config::Config;

pub struct TestShop {
    pub base: String,
    /// A shopper's browser: keeps cookies, does not follow redirects (tests look at them).
    pub client: Client,
    /// A second connection to the shop's database, to arrange and inspect state.
    pub db: SqlitePool,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
    pub dir: TempDir,
}

/// The shop owner's account in tests that log into the admin.
pub const OWNER: &str = "owner@example.lt";
pub const PASSWORD: &str = "correct horse battery staple";

pub fn config_for(dir: &std::path::Path) -> Config {
    let database = dir.join("shop.db");
    let data = dir.to_path_buf();
    Config::from_lookup(|name| match name {
        "TURGUS_DATABASE_URL" => Some(format!("sqlite://{}", database.display())),
        "TURGUS_ADDR" => Some("127.0.0.1:0".into()),
        "TURGUS_DATA_DIR" => Some(data.display().to_string()),
        "TURGUS_SANDBOX" => Some("1".into()),
        _ => None,
    })
    .expect("test configuration is valid")
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
        let running = turgus::server::start(config).await.expect("shop starts");
        let db = SqlitePool::connect(&format!(
            "sqlite://{}",
            dir.path().join("shop.db").display()
        ))
        .await
        .unwrap();
        TestShop {
            base: format!("http://{}", running.addr),
            client,
            db,
            task: running.task,
            dir,
        }
    }

    /// Stops the shop and waits until it has let go of its database (and the database's lock).
    pub async fn stop(self) -> (TempDir, Client) {
        self.task.abort();
        let _ = self.task.await;
        self.db.close().await;
        (self.dir, self.client)
    }

    /// Creates the owner's account and logs this browser in as the owner.
    pub async fn log_in_admin(&self) {
        turgus::admin::ssr::create_admin(&self.db, OWNER, PASSWORD)
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
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + Unpin,
    {
        sqlx::query_scalar(sql).fetch_one(&self.db).await.unwrap()
    }

    pub async fn stock(&self, slug: &str) -> i64 {
        sqlx::query_scalar("SELECT stock FROM products WHERE slug = $1")
            .bind(slug)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    pub async fn product_id(&self, slug: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM products WHERE slug = $1")
            .bind(slug)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}
