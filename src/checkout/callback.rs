//! `GET|POST /paysera/callback`: Paysera reporting a payment, server to server.
//!
//! No session, no cache. The answer is the contract with Paysera: `OK` (after the commit) when the
//! callback is authentic, whatever it said; 400 with the reason when it is not; 500 when we failed,
//! so that Paysera tries again.
//!
//! A refused callback is kept (in part) for the merchant to see, each one an fsync'd write that
//! anyone can cause: past [`REFUSALS_KEPT_PER_MINUTE`] from one client address they are only
//! counted (`paysera_callbacks_total{verdict="rejected_unrecorded"}`), not stored.

use crate::domain::payments::callbacks as payment;
use crate::paysera::callback::{parse_received, verify, CallbackError};
use crate::rate_limit::{Admitted, PerClient};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use axum::Router;

/// Refused callbacks stored per client address and minute; Paysera's own servers send one at a
/// time, retrying over hours.
pub const REFUSALS_KEPT_PER_MINUTE: u32 = 30;

#[derive(Clone)]
struct CallbackState {
    app: AppState,
    refusals: std::sync::Arc<PerClient>,
}

pub fn routes(state: AppState) -> Router {
    let callbacks = CallbackState {
        app: state.clone(),
        refusals: std::sync::Arc::new(PerClient::new(
            REFUSALS_KEPT_PER_MINUTE,
            std::time::Duration::from_secs(60),
        )),
    };
    Router::new()
        .route("/api/orders/{token}", get(order_state))
        .with_state(state)
        .merge(
            Router::new()
                .route("/paysera/callback", get(receive).post(receive))
                .with_state(callbacks),
        )
}

/// `GET /api/orders/{token}`: the order's live state, for the accept page and for scripts.
async fn order_state(
    State(state): State<AppState>,
    Path(token): Path<String>,
    language: Option<axum::Extension<crate::locale::middleware::RequestLocale>>,
) -> Response {
    let locale = language.map(|found| found.locale).unwrap_or_default();
    match crate::domain::orders::place::state_by_token(&state.pool, &token, locale).await {
        Ok(order) => ([(header::CACHE_CONTROL, "no-store")], Json(order)).into_response(),
        Err(error) => error.into_response(),
    }
}

/// The longest callback accepted, in the query string or the body. Paysera's are a few KiB (the
/// official library expects up to 16 KiB). Bodies are held to it by `limits::limit_body` before
/// this handler runs; the query string is checked here.
pub const MAX_CALLBACK_BYTES: usize = crate::limits::FORM_BODY_LIMIT;

async fn receive(
    State(CallbackState {
        app: state,
        refusals,
    }): State<CallbackState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
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
            let client = crate::net::client_ip(peer, &headers, &state.config.trusted_proxies);
            match record_refusal(&state.writer, &refusals, client, &received, &reason).await {
                Ok(()) => answer(StatusCode::BAD_REQUEST, format!("Refused: {reason}")),
                Err(_) => {
                    crate::metrics::callback("error");
                    answer(StatusCode::INTERNAL_SERVER_ERROR, "Error".into())
                }
            }
        }
        Ok(callback) => {
            match crate::domain::flows::payment_callback::apply(
                &state.writer,
                &state.mail_context(),
                &raw,
                &callback,
            )
            .await
            {
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

/// Keeps a refused callback (in part), or past the client's limit only counts it.
async fn record_refusal(
    writer: &crate::db::Db,
    refusals: &PerClient,
    client: std::net::IpAddr,
    received: &[u8],
    reason: &CallbackError,
) -> Result<(), crate::error::AppError> {
    match refusals.admit(client) {
        Admitted::Yes => {
            tracing::warn!(%client, %reason, "refused a Paysera callback");
            payment::record_rejected(writer, received, reason).await?;
            crate::metrics::callback("rejected");
        }
        Admitted::No { first } => {
            if first {
                tracing::warn!(%client, "refused Paysera callbacks from this address are only counted for the rest of the minute");
            }
            crate::metrics::callback("rejected_unrecorded");
        }
    }
    Ok(())
}
