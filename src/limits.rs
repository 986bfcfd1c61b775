//! Request body limits per route family, checked before any handler reads a byte.
//!
//! Everything a stranger can send is bounded before it is stored: forms and server functions (the
//! largest is the admin's product form) and Paysera's callback fit in 64 KiB; a legal page's text
//! gets 1 MiB, and the admin's uploads have their own, larger limits, set on their routes: photos
//! (`admin::products::images`), a catalog's CSV (`admin::products::transfer`) and a carrier's list
//! of pick-up points (`admin::shipping`). A body over its limit is answered 413 with a message a
//! person can act on, whether it announced its length or not.

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Forms, server functions and the Paysera callback.
pub const FORM_BODY_LIMIT: usize = 64 * 1024;

/// A legal page's Markdown (at most `domain::settings::store::LEGAL_MAX_CHARS` characters), form-encoded:
/// a character can take up to 12 bytes that way (`ą` is `%C4%85`, and a 4-byte one twice that).
pub const LEGAL_BODY_LIMIT: usize = 1024 * 1024;

/// The 413 answer: what was too large and what the limit is, in `language` (the request's).
pub fn too_large(limit: usize, language: crate::locale::Locale) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        leptos_i18n::td_string!(language, errors.too_large, kib = limit / 1024),
    )
        .into_response()
}

/// The body limit for a request: the admin's uploads keep theirs (enforced by their routes);
/// everything else gets [`FORM_BODY_LIMIT`].
fn limit_for(request: &Request) -> Option<usize> {
    let path = request.uri().path();
    let photo = path.starts_with("/admin/products/") && path.ends_with("/images");
    let file = path == "/admin/products/import" || path == "/admin/shipping/points-file";
    match path {
        _ if photo || file => None,
        "/api/admin/legal/save" => Some(LEGAL_BODY_LIMIT),
        _ => Some(FORM_BODY_LIMIT),
    }
}

pub async fn limit_body(request: Request, next: Next) -> Response {
    let Some(limit) = limit_for(&request) else {
        return next.run(request).await;
    };
    let language = request
        .extensions()
        .get::<crate::locale::middleware::RequestLocale>()
        .map(|found| found.locale)
        .unwrap_or_default();
    // A body whose size is known (a declared length, or none at all as on most GETs) is judged
    // by it and passed on untouched.
    match request.body().size_hint().upper() {
        Some(length) if length > limit as u64 => too_large(limit, language),
        Some(_) => next.run(request).await,
        // Size unknown (chunked): read at most the limit, then hand the bytes on.
        None => {
            let (parts, body) = request.into_parts();
            match axum::body::to_bytes(body, limit).await {
                Ok(bytes) => {
                    next.run(Request::from_parts(parts, Body::from(bytes)))
                        .await
                }
                Err(_) => too_large(limit, language),
            }
        }
    }
}
