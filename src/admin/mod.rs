//! The merchant's side of the shop, at `/admin`: logging in, and the overview of orders and
//! payments. Every page and server function here checks for a logged-in admin first.

pub mod orders;
mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use orders::{AdminOrderPage, AdminOrdersPage};
pub use pages::{AdminHomePage, AdminLoginPage, AdminSetupPage};

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The caller's address, for throttling.
#[cfg(feature = "ssr")]
async fn client_address() -> String {
    leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .map(|info| info.0.ip().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

/// The admin acting on a request.
#[cfg(feature = "ssr")]
pub struct Admin {
    pub id: i64,
    pub email: String,
}

/// The shop and the logged-in admin, or 401. Every admin server function starts here: the pages
/// are not the guard, the functions behind them are.
#[cfg(feature = "ssr")]
pub async fn admin_only() -> Result<(crate::state::AppState, Admin), AppError> {
    let (session, state) = crate::cart::ssr::session_and_state().await?;
    let id = ssr::require_admin(&session).await?;
    let email = sqlx::query_scalar("SELECT email FROM admins WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.pool)
        .await?
        .ok_or_else(|| AppError::Unauthorized("Please log in as the shop's admin.".into()))?;
    Ok((state, Admin { id, email }))
}

#[server(endpoint = "admin/login")]
pub async fn admin_login(email: String, password: String, next: String) -> Result<(), AppError> {
    let (session, state) = crate::cart::ssr::session_and_state().await?;
    ssr::login(
        &state.pool,
        &session,
        &client_address().await,
        &email,
        &password,
    )
    .await?;
    leptos_axum::redirect(&ssr::safe_next(&next));
    Ok(())
}

/// Creates the owner's account through the one-time setup link printed at start-up.
#[server(endpoint = "admin/setup")]
pub async fn admin_setup(token: String, email: String, password: String) -> Result<(), AppError> {
    let (session, state) = crate::cart::ssr::session_and_state().await?;
    ssr::set_up_owner(
        &state.pool,
        &session,
        &client_address().await,
        &token,
        &email,
        &password,
    )
    .await?;
    leptos_axum::redirect("/admin");
    Ok(())
}

#[server(endpoint = "admin/logout")]
pub async fn admin_logout() -> Result<(), AppError> {
    let (session, _) = crate::cart::ssr::session_and_state().await?;
    ssr::logout(&session).await?;
    leptos_axum::redirect("/admin/login");
    Ok(())
}

/// The overview: what needs attention and whether Paysera is talking to the shop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminHome {
    pub orders_by_status: Vec<(String, i64)>,
    pub needs_review: i64,
    pub paysera_mode: String,
    pub project_id: u64,
    pub key_source: String,
    pub last_authentic_callback: Option<String>,
    pub last_rejected_callback: Option<String>,
}

#[server(endpoint = "admin/home")]
pub async fn get_admin_home() -> Result<AdminHome, AppError> {
    let (session, state) = crate::cart::ssr::session_and_state().await?;
    ssr::require_admin(&session).await?;
    let pool = &state.pool;
    let orders_by_status: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY status")
            .fetch_all(pool)
            .await?;
    let (needs_review,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM orders WHERE needs_review = 1")
            .fetch_one(pool)
            .await?;
    let last = |authentic: bool| {
        sqlx::query_scalar::<_, String>(
            "SELECT MAX(received_at) FROM payment_callbacks WHERE authentic = $1",
        )
        .bind(authentic)
        .fetch_optional(pool)
    };
    let payments = &state.payments;
    Ok(AdminHome {
        orders_by_status,
        needs_review,
        paysera_mode: format!("{:?}", payments.mode).to_lowercase(),
        project_id: payments.verifier.project_id,
        key_source: payments.key_source.clone(),
        last_authentic_callback: last(true).await.ok().flatten(),
        last_rejected_callback: last(false).await.ok().flatten(),
    })
}
