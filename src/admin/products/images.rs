//! Product photos in the admin: `POST /admin/products/{id}/images` takes a photo of at most 10 MB
//! and stores it through the shop's photo pipeline (`crate::photos`: decoded with bounds,
//! re-encoded, a large JPEG and a thumbnail); `/media/...` serves them with a year-long cache.

use crate::error::AppError;
use crate::locale::middleware::RequestLocale;
use crate::locale::Locale;
use crate::photos::{ImageRefusal, NotStored, MAX_BYTES as MAX_UPLOAD_BYTES};
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use leptos_i18n::td_string;
use tower_sessions::Session;

pub fn routes(state: AppState) -> axum::Router {
    axum::Router::new()
        .route(
            "/admin/products/{id}/images",
            axum::routing::post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .with_state(state)
}

/// `/media/...`: uploaded photos, public, cached for a year (their names never change).
pub fn media_routes(data_dir: &std::path::Path) -> axum::Router {
    axum::Router::new().nest_service(
        "/media",
        tower::ServiceBuilder::new()
            .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("public, max-age=31536000, immutable"),
            ))
            .service(tower_http::services::ServeDir::new(data_dir.join("media"))),
    )
}

/// The upload form's target. Browsers are sent back to the product's page (with the outcome in
/// its URL, so a reload does not upload twice); other clients get a status and the message.
async fn upload(
    State(state): State<AppState>,
    Extension(found): Extension<RequestLocale>,
    session: Session,
    Path(product_id): Path<i64>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    if let Err(error) = crate::admin::auth::require_admin(&state.pool, &session).await {
        return error.into_response();
    }
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let locale = found.locale;
    let outcome = store_upload(&state, product_id, multipart, locale).await;
    let back = |code: &str| Redirect::to(&format!("/admin/products/{product_id}?image={code}"));
    match outcome {
        Ok(()) if browser => back("uploaded").into_response(),
        Ok(()) => StatusCode::CREATED.into_response(),
        Err(Upload::Refused(refusal)) if browser => back(refusal.code()).into_response(),
        Err(Upload::Refused(refusal)) => (
            status(refusal),
            super::photo_refusal_message(refusal.code(), locale),
        )
            .into_response(),
        Err(Upload::Failed(error)) => error.into_response(),
    }
}

fn status(refusal: ImageRefusal) -> StatusCode {
    match refusal {
        ImageRefusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ImageRefusal::NotAnImage => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        _ => StatusCode::BAD_REQUEST,
    }
}

enum Upload {
    Refused(ImageRefusal),
    Failed(AppError),
}

impl From<AppError> for Upload {
    fn from(error: AppError) -> Upload {
        Upload::Failed(error)
    }
}

/// The upload form's photo (at most [`MAX_UPLOAD_BYTES`], read in pieces) and its description.
async fn read_form(multipart: &mut Multipart, locale: Locale) -> Result<(Vec<u8>, String), Upload> {
    let mut bytes = Vec::new();
    let mut alt = String::new();
    let read_failed = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Upload::Refused(ImageRefusal::TooLarge)
        } else {
            Upload::Failed(AppError::BadRequest(
                td_string!(locale, admin.products.upload_unreadable).into(),
            ))
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(read_failed)? {
        match field.name() {
            Some("image") => {
                while let Some(chunk) = field.chunk().await.map_err(read_failed)? {
                    if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                        return Err(Upload::Refused(ImageRefusal::TooLarge));
                    }
                    bytes.extend_from_slice(&chunk);
                }
            }
            Some("alt") => {
                alt = field
                    .text()
                    .await
                    .map_err(read_failed)?
                    .trim()
                    .chars()
                    .take(300)
                    .collect();
            }
            _ => {}
        }
    }
    Ok((bytes, alt))
}

async fn store_upload(
    state: &AppState,
    product_id: i64,
    mut multipart: Multipart,
    locale: Locale,
) -> Result<(), Upload> {
    let product: Option<String> = crate::on_db!(&state.pool, conn => sqlx::query_scalar("SELECT name FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(conn)
        .await)
        .map_err(AppError::from)?;
    let product = product.ok_or_else(|| {
        AppError::NotFound(td_string!(locale, admin.products.no_such_product).into())
    })?;
    let (bytes, alt) = read_form(&mut multipart, locale).await?;
    if bytes.is_empty() {
        return Err(Upload::Refused(ImageRefusal::Missing));
    }
    let stored = crate::photos::store(&state.config.data_dir, bytes)
        .await
        .map_err(|not| match not {
            NotStored::Refused(refusal) => Upload::Refused(refusal),
            NotStored::Failed(error) => Upload::Failed(error),
        })?;
    let alt = if alt.is_empty() { product } else { alt };
    crate::on_db!(&state.writer, conn => sqlx::query(
        "INSERT INTO product_images (product_id, path, thumb_path, alt, position)
         VALUES ($1, $2, $3, $4,
                 (SELECT COALESCE(MAX(position), -1) + 1 FROM product_images WHERE product_id = $1))",
    )
    .bind(product_id)
    .bind(stored.path)
    .bind(stored.thumb_path)
    .bind(alt)
    .execute(conn)
    .await.map(|done| done.rows_affected()))
    .map_err(AppError::from)?;
    crate::domain::catalog::store::touch(&state.writer, product_id).await?;
    Ok(())
}

/// Removes a photo and its files. Returns its product's id.
pub async fn delete(
    writer: &crate::db::Db,
    data_dir: &std::path::Path,
    image_id: i64,
) -> Result<i64, AppError> {
    let row: Option<(i64, String, Option<String>)> = crate::on_db!(writer, conn => sqlx::query_as(
        "DELETE FROM product_images WHERE id = $1 RETURNING product_id, path, thumb_path",
    )
    .bind(image_id)
    .fetch_optional(conn)
    .await)?;
    let (product_id, path, thumb) =
        row.ok_or_else(|| AppError::NotFound(crate::tr!(admin.products.no_such_photo).into()))?;
    crate::domain::catalog::store::touch(writer, product_id).await?;
    let media = data_dir.join("media");
    for path in std::iter::once(path).chain(thumb) {
        // Only uploaded photos have files of their own; the demo drawings ship with the shop.
        if let Some(relative) = path.strip_prefix("/media/") {
            if let Err(error) = tokio::fs::remove_file(media.join(relative)).await {
                tracing::warn!(%error, path, "could not remove a photo's file");
            }
        }
    }
    Ok(product_id)
}
