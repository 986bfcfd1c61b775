//! `GET|POST /paysera/callback`: Paysera reporting a payment, server to server.
//!
//! No session, no cache. The answer is the contract with Paysera: `OK` (after the commit) when the
//! callback is authentic, whatever it said; 400 with the reason when it is not; 500 when we failed,
//! so that Paysera tries again.

use crate::orders::payment;
use crate::paysera::callback::{parse_received, verify};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use axum::Router;

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/paysera/callback", get(receive).post(receive))
        .route("/api/orders/{token}", get(order_state))
        .with_state(state)
}

/// `GET /api/orders/{token}`: the order's live state, for the accept page and for scripts.
async fn order_state(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match crate::orders::ssr::state_by_token(&state.pool, &token).await {
        Ok(order) => ([(header::CACHE_CONTROL, "no-store")], Json(order)).into_response(),
        Err(error) => error.into_response(),
    }
}

/// The longest callback accepted, in the query string or the body. Paysera's are a few KiB (the
/// official library expects up to 16 KiB). Bodies are held to it by `limits::limit_body` before
/// this handler runs; the query string is checked here.
pub const MAX_CALLBACK_BYTES: usize = crate::limits::FORM_BODY_LIMIT;

async fn receive(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    // Paysera sends the parameters in the query string, or as a form body.
    let received: Bytes = match query.filter(|q| !q.is_empty()) {
        Some(query) => Bytes::from(query),
        None => body,
    };
    if received.len() > MAX_CALLBACK_BYTES {
        return crate::limits::too_large(MAX_CALLBACK_BYTES, crate::locale::Locale::default());
    }
    let raw = String::from_utf8_lossy(&received);
    let answer = |status: StatusCode, text: String| {
        (
            status,
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            ],
            text,
        )
            .into_response()
    };
    match verify(&parse_received(&raw), &state.payments.verifier) {
        Err(reason) => {
            tracing::warn!(%reason, "refused a Paysera callback");
            match payment::record_rejected(&state.writer, &received, &reason).await {
                Ok(()) => {
                    crate::metrics::callback("rejected");
                    answer(StatusCode::BAD_REQUEST, format!("Refused: {reason}"))
                }
                Err(_) => {
                    crate::metrics::callback("error");
                    answer(StatusCode::INTERNAL_SERVER_ERROR, "Error".into())
                }
            }
        }
        Ok(callback) => {
            match payment::apply(&state.writer, &state.mail_context(), &raw, &callback).await {
                Ok(verdict) => {
                    crate::metrics::callback(verdict.as_str());
                    state.mailer.wakeup.notify_one();
                    tracing::info!(order = ?callback.order_id, verdict = verdict.as_str(), "Paysera callback");
                    answer(StatusCode::OK, "OK".into())
                }
                Err(_) => {
                    crate::metrics::callback("error");
                    answer(StatusCode::INTERNAL_SERVER_ERROR, "Error".into())
                }
            }
        }
    }
}
