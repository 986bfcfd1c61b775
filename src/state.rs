//! What every request handler and server function shares: the database (a reading pool and
//! where writes go), the configuration, and what start-up worked out once.

use crate::config::Config;
use crate::domain::payments::gateway::Payments;
use crate::error::AppError;
use leptos::prelude::use_context;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    /// Reads.
    pub pool: crate::db::Db,
    /// Where writes go: SQLite's one writer connection, PostgreSQL's pool (see `db`).
    pub writer: crate::db::Db,
    pub config: Arc<Config>,
    pub payments: Arc<Payments>,
    /// The security headers' settings, worked out once at start-up.
    pub security: Arc<crate::security::Policy>,
    /// The category menu of every page, cached (cleared when the merchant edits categories).
    pub category_menu: Arc<crate::domain::catalog::store::CategoryMenu>,
    /// The home page's cards, kept while the page cache watches for changes (emptied by it).
    pub home: Arc<crate::domain::catalog::store::KeptHome>,
    /// The merchant's settings, cached (replaced when the merchant saves them).
    pub settings: Arc<crate::domain::settings::store::SettingsCache>,
    /// Sends the order e-mails in the outbox (`mail`).
    pub mailer: Arc<crate::domain::mail::delivery::Mailer>,
    /// The built files, held in memory, and their content-hashed names.
    pub assets: Arc<crate::assets::Assets>,
    /// Wrong discount codes per client address (`checkout::discount`).
    pub wrong_codes: Arc<crate::rate_limit::PerClient>,
}

impl AppState {
    /// What e-mails written with an order change need to know about the shop.
    pub fn mail_context(&self) -> crate::domain::mail::MailContext<'_> {
        crate::domain::mail::MailContext {
            public_url: &self.config.public_url,
            fallback_to: self.config.mail.from.as_deref(),
            merchant_language: self.config.default_locale,
        }
    }
}

/// The current request's application state, as provided to the Leptos context by the router.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}

/// The current request's session (cart, checkout draft, admin login).
pub async fn session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract().await.map_err(|error| {
        tracing::error!(%error, "no session on the request");
        AppError::Internal
    })
}

pub async fn session_and_state() -> Result<(tower_sessions::Session, AppState), AppError> {
    Ok((session().await?, app_state()?))
}

/// A form posted by the browser itself (it asks for HTML, not JSON): such a post is answered with
/// a redirect; an island's `fetch` of the same form (`browser.rs`) with data.
pub fn is_plain_form_post() -> bool {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.headers.get(axum::http::header::ACCEPT).cloned())
        .and_then(|accept| accept.to_str().ok().map(|a| a.contains("text/html")))
        .unwrap_or(false)
}

/// The current request's client address (behind trusted proxies, the one they forwarded).
pub async fn client_ip() -> Result<std::net::IpAddr, AppError> {
    let peer = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .map_err(|error| {
            tracing::error!(%error, "no peer address on the request");
            AppError::Internal
        })?
        .0;
    let headers = use_context::<axum::http::request::Parts>()
        .map(|parts| parts.headers)
        .unwrap_or_default();
    Ok(crate::net::client_ip(
        peer,
        &headers,
        &app_state()?.config.trusted_proxies,
    ))
}

pub fn pool() -> Result<crate::db::Db, AppError> {
    Ok(app_state()?.pool)
}

pub fn writer() -> Result<crate::db::Db, AppError> {
    Ok(app_state()?.writer)
}
