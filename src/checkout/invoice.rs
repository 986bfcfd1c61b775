//! The shopper's invoice and credit note: `GET /orders/{token}/invoice.pdf` and
//! `/orders/{token}/credit-note.pdf` (`document::shopper_path`), behind the order's own unguessable token (the link in the
//! confirmation e-mail and on the accept page), `Cache-Control: private`.

use crate::domain::invoices::document::{Document, Kind};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

pub fn routes(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/orders/{token}/{file}", axum::routing::get(download))
        .with_state(state)
}

async fn download(
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
    language: Option<axum::Extension<crate::locale::middleware::RequestLocale>>,
) -> Result<Response, AppError> {
    let locale = language.map(|found| found.locale).unwrap_or_default();
    let not_found = || AppError::NotFound(leptos_i18n::td_string!(locale, order.no_invoice).into());
    let kind = match file.as_str() {
        "invoice.pdf" => Kind::Invoice,
        "credit-note.pdf" => Kind::CreditNote,
        _ => return Err(not_found()),
    };
    // Tokens are made by the shop, 32 characters or more; anything else is not looked up.
    if token.len() > 100
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(not_found());
    }
    let document = crate::domain::invoices::store::by_order_token(&state.pool, &token, kind)
        .await?
        .ok_or_else(not_found)?;
    pdf_response(&document, "private, no-store")
}

/// `document` as a PDF download named after its number.
pub fn pdf_response(document: &Document, cache: &str) -> Result<Response, AppError> {
    let pdf = crate::domain::invoices::pdf::render(document)?;
    let filename = format!("inline; filename=\"{}.pdf\"", document.number);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, filename),
            (header::CACHE_CONTROL, cache.to_owned()),
        ],
        pdf,
    )
        .into_response())
}
