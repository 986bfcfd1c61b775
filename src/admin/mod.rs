//! The merchant's side of the shop, at `/admin`: logging in, the overview, orders with their
//! payment log, products and categories, the shop's settings and its e-mails. Every server
//! function here checks for a logged-in admin first ([`admin_only`]); the pages only follow.

#[cfg(feature = "ssr")]
pub mod auth;
mod dashboard;
pub mod discounts;
pub mod emails;
pub mod invoices;
pub mod orders;
mod pages;
#[cfg(feature = "ssr")]
pub mod passwords;
pub mod products;
pub mod settings;
#[cfg(feature = "ssr")]
pub mod setup_link;
pub mod shipping;

#[cfg(feature = "ssr")]
pub mod throttle;

pub use dashboard::{get_admin_home, AdminHome};
pub use discounts::{AdminDiscountPage, AdminDiscountsPage};
pub use emails::AdminEmailsPage;
pub use invoices::AdminInvoicesPage;
pub use orders::{AdminOrderPage, AdminOrdersPage};
pub use pages::{AdminHomePage, AdminLoginPage, AdminProfilePage, AdminSetupPage};
pub use products::{AdminCategoriesPage, AdminProductPage, AdminProductsPage};
pub use settings::{AdminLegalPage, AdminSettingsPage};
pub use shipping::AdminShippingPage;

use crate::error::AppError;
use leptos::prelude::*;

/// An address of the admin's: its pages and server functions (English only, no WASM).
pub fn is_admin_path(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/") || path.starts_with("/api/admin/")
}

/// The admin's plain HTTP routes (besides pages and server functions): the CSV export, the
/// sandbox's e-mail files, photo uploads, invoices' PDFs and the i.SAF register, carriers' lists
/// loaded from a file. They sit inside the session layer and check for an admin themselves.
#[cfg(feature = "ssr")]
pub fn routes(state: crate::state::AppState) -> axum::Router {
    axum::Router::new()
        .route(
            "/admin/export/orders.csv",
            axum::routing::get(orders::export::orders_csv),
        )
        .route("/admin/emails/{file}", axum::routing::get(emails::eml_file))
        .with_state(state.clone())
        .merge(products::images::media_routes(&state.config.data_dir))
        .merge(products::transfer::routes(state.clone()))
        .merge(invoices::routes(state.clone()))
        .merge(shipping::routes(state.clone()))
        .merge(products::images::routes(state))
}

/// A CSV file the admin downloads: `{name}-YYYY-MM-DD.csv`, never kept by a cache.
#[cfg(feature = "ssr")]
pub fn csv_download(name: &str, csv: Vec<u8>) -> impl axum::response::IntoResponse {
    use axum::http::header;
    let filename = format!(
        "attachment; filename=\"{name}-{}.csv\"",
        &crate::clock::now()[..10]
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, filename),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv,
    )
}

#[server(endpoint = "admin/login")]
pub async fn admin_login(email: String, password: String, next: String) -> Result<(), AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    auth::login(
        &state.writer,
        &session,
        crate::state::client_ip().await?,
        &email,
        &password,
    )
    .await?;
    leptos_axum::redirect(&auth::safe_next(&next));
    Ok(())
}

/// Creates the owner's account through the one-time setup link printed at start-up.
#[server(endpoint = "admin/setup")]
pub async fn admin_setup(
    token: String,
    email: String,
    password: String,
    language: String,
) -> Result<(), AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    setup_link::set_up_owner(
        &state.writer,
        &session,
        crate::state::client_ip().await?,
        &token,
        (&email, &password, language_named(&language)?),
    )
    .await?;
    leptos_axum::redirect("/admin");
    Ok(())
}

/// Who is logged in, and the language their admin pages speak.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProfileView {
    pub email: String,
    /// A code from `locales/`.
    pub language: String,
}

#[server(endpoint = "admin/profile")]
pub async fn get_admin_profile() -> Result<ProfileView, AppError> {
    let (state, admin_id) = auth::admin_only().await?;
    Ok(ProfileView {
        email: orders::queries::admin_email(&state.pool, admin_id).await?,
        language: crate::locale::code(crate::locale::current()).to_owned(),
    })
}

/// The logged-in admin chooses the language of their admin pages (the profile page).
#[server(endpoint = "admin/language")]
pub async fn set_admin_language(language: String) -> Result<(), AppError> {
    let (state, admin_id) = auth::admin_only().await?;
    let (session, _) = crate::state::session_and_state().await?;
    auth::set_language(
        &state.writer,
        &session,
        admin_id,
        language_named(&language)?,
    )
    .await?;
    leptos_axum::redirect("/admin/profile");
    Ok(())
}

/// A language the admin speaks, from its code in a form.
#[cfg(feature = "ssr")]
fn language_named(code: &str) -> Result<crate::locale::Locale, AppError> {
    crate::locale::parse(code)
        .ok_or_else(|| AppError::BadRequest(crate::tr!(admin.profile.no_such_language).into()))
}

#[server(endpoint = "admin/logout")]
pub async fn admin_logout() -> Result<(), AppError> {
    let (session, _) = crate::state::session_and_state().await?;
    auth::logout(&session).await?;
    leptos_axum::redirect("/admin/login");
    Ok(())
}
