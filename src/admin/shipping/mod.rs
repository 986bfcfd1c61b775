//! Admin → Shipping: the carriers' lists of pick-up points (`domain::pickup_points`), each with
//! how many points it holds, where it came from, when it was last good and the last refusal;
//! "refresh now", and "load from file" for a shop without outbound network (a plain multipart
//! form, `POST /admin/shipping/points-file`). The shipping methods themselves are edited in
//! Settings.

mod pages;

pub use pages::AdminShippingPage;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A carrier's list as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierList {
    pub code: String,
    pub name: String,
    pub points: i64,
    /// Where the list came from, in words (empty: none yet).
    pub source: String,
    pub refreshed_at: Option<String>,
    pub error: String,
    pub error_at: Option<String>,
    /// An active shipping method delivers to its points (only those are refreshed daily).
    pub used: bool,
}

#[server(endpoint = "admin/shipping/points")]
pub async fn carrier_lists() -> Result<Vec<CarrierList>, AppError> {
    use crate::domain::pickup_points::store::{self, Source};
    let (state, _) = crate::admin::auth::admin_only().await?;
    let used = crate::domain::settings::store::carriers_in_use(&state.pool).await?;
    let lists = store::feeds(&state.pool).await?;
    Ok(lists
        .into_iter()
        .map(|list| CarrierList {
            code: list.carrier.code().into(),
            name: list.carrier.name().into(),
            points: list.points,
            source: match list.source {
                Some(Source::Feed) => crate::tr!(admin.shipping.from_feed).into(),
                Some(Source::File) => crate::tr!(admin.shipping.from_file).into(),
                Some(Source::Sample) => crate::tr!(admin.shipping.from_sample).into(),
                None => String::new(),
            },
            refreshed_at: list.refreshed_at,
            error: list.error,
            error_at: list.error_at,
            used: used.iter().any(|code| code == list.carrier.code()),
        })
        .collect())
}

/// Downloads `carrier`'s list now, whether or not it is due.
#[server(endpoint = "admin/shipping/refresh")]
pub async fn refresh_points(carrier: String) -> Result<(), AppError> {
    use crate::domain::pickup_points::{refresh, Carrier};
    let (state, _) = crate::admin::auth::admin_only().await?;
    let carrier = Carrier::parse(&carrier)
        .ok_or_else(|| AppError::BadRequest(crate::tr!(admin.shipping.no_such_carrier).into()))?;
    let feeds = &state.config.point_feeds;
    refresh::refresh(
        &state.writer,
        feeds,
        carrier,
        std::time::SystemTime::now(),
        true,
    )
    .await?;
    if crate::state::is_plain_form_post() {
        leptos_axum::redirect("/admin/shipping");
    }
    Ok(())
}

#[cfg(feature = "ssr")]
pub use upload::routes;

#[cfg(feature = "ssr")]
mod upload {
    use crate::domain::pickup_points::refresh::{self, Outcome, MAX_BYTES};
    use crate::domain::pickup_points::Carrier;
    use crate::error::AppError;
    use crate::state::AppState;
    use axum::extract::{DefaultBodyLimit, Multipart, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use tower_sessions::Session;

    pub fn routes(state: AppState) -> axum::Router {
        axum::Router::new()
            .route(
                "/admin/shipping/points-file",
                axum::routing::post(upload).layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024)),
            )
            .with_state(state)
    }

    /// Loads a carrier's list from the uploaded file; the page then shows the outcome in the
    /// carrier's row (its point count, or why the file was refused).
    async fn upload(State(state): State<AppState>, session: Session, form: Multipart) -> Response {
        if let Err(error) = crate::admin::auth::require_admin(&state.pool, &session).await {
            return error.into_response();
        }
        match loaded(&state, form).await {
            Ok(_) => Redirect::to("/admin/shipping").into_response(),
            Err(error) => error.into_response(),
        }
    }

    async fn loaded(state: &AppState, mut form: Multipart) -> Result<Outcome, AppError> {
        let unreadable = || AppError::BadRequest(crate::tr!(admin.shipping.unreadable).into());
        let (mut carrier, mut bytes) = (None, None);
        while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
            match field.name() {
                Some("carrier") => {
                    carrier = Carrier::parse(&field.text().await.map_err(|_| unreadable())?)
                }
                Some("file") => bytes = Some(field.bytes().await.map_err(|_| unreadable())?),
                _ => {}
            }
        }
        let carrier = carrier.ok_or_else(|| {
            AppError::BadRequest(crate::tr!(admin.shipping.no_such_carrier).into())
        })?;
        let bytes = bytes.filter(|b| !b.is_empty()).ok_or_else(unreadable)?;
        let now = std::time::SystemTime::now();
        refresh::load_file(&state.writer, carrier, &bytes, now).await
    }
}
