//! Product photos: `POST /admin/products/{id}/images` takes a JPEG, PNG or WebP of at most 10 MB,
//! decodes it (bounded, so a small file cannot expand into gigabytes), turns it upright, and
//! stores two re-encoded JPEGs under `{data_dir}/media/products/`: a large one for the product page
//! and a thumbnail for listings. Re-encoding also drops whatever else the file carried (EXIF
//! location, scripts hidden in metadata). Files are named randomly and never change, so
//! `/media/...` is served with a year-long cache.

use crate::error::AppError;
use crate::locale::middleware::RequestLocale;
use crate::locale::Locale;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use leptos_i18n::td_string;
use std::io::Cursor;
use tower_sessions::Session;

pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
const DISPLAY_SIZE: u32 = 1200;
const THUMB_SIZE: u32 = 400;
/// Larger than any camera's photo; refuses "decompression bombs" before they are decoded.
const MAX_SIDE: u32 = 12_000;
const JPEG_QUALITY: u8 = 85;

/// Why a photo was refused. Each has a message for the merchant and a code for the page's URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageRefusal {
    Missing,
    NotAnImage,
    TooLarge,
    TooManyPixels,
    Unreadable,
}

impl ImageRefusal {
    pub fn code(self) -> &'static str {
        match self {
            ImageRefusal::Missing => "missing",
            ImageRefusal::NotAnImage => "type",
            ImageRefusal::TooLarge => "size",
            ImageRefusal::TooManyPixels => "pixels",
            ImageRefusal::Unreadable => "unreadable",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            ImageRefusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ImageRefusal::NotAnImage => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// Decodes and resizes a photo into the large and the thumbnail JPEG. CPU-heavy: run it on a
/// blocking thread.
pub fn process(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>), ImageRefusal> {
    let format = image::guess_format(bytes).map_err(|_| ImageRefusal::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(ImageRefusal::NotAnImage);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let refused = |error: image::ImageError| match error {
        image::ImageError::Limits(_) => ImageRefusal::TooManyPixels,
        _ => ImageRefusal::Unreadable,
    };
    let mut decoder = reader.into_decoder().map_err(refused)?;
    let orientation = decoder.orientation().map_err(refused)?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refused)?;
    picture.apply_orientation(orientation);
    Ok((jpeg(&picture, DISPLAY_SIZE)?, jpeg(&picture, THUMB_SIZE)?))
}

/// Scales down (never up) to fit a square of `size`, puts transparency on white, encodes.
fn jpeg(picture: &DynamicImage, size: u32) -> Result<Vec<u8>, ImageRefusal> {
    let scaled = if picture.width() > size || picture.height() > size {
        picture.resize(size, size, image::imageops::FilterType::Triangle)
    } else {
        picture.clone()
    };
    let mut rgb = image::RgbImage::new(scaled.width(), scaled.height());
    for (target, source) in rgb.pixels_mut().zip(scaled.to_rgba8().pixels()) {
        let [r, g, b, a] = source.0;
        let over_white =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        *target = image::Rgb([over_white(r), over_white(g), over_white(b)]);
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| ImageRefusal::Unreadable)?;
    Ok(out)
}

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
            refusal.status(),
            super::photo_refusal_message(refusal.code(), locale),
        )
            .into_response(),
        Err(Upload::Failed(error)) => error.into_response(),
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
    let (display, thumb) = tokio::task::spawn_blocking(move || process(&bytes))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(Upload::Refused)?;

    let directory = state.config.data_dir.join("media").join("products");
    let name = crate::tokens::random_hex(12);
    let display_name = format!("{name}-{DISPLAY_SIZE}.jpg");
    let thumb_name = format!("{name}-{THUMB_SIZE}.jpg");
    for (file, content) in [(&display_name, display), (&thumb_name, thumb)] {
        write_file(&directory, file, &content).await?;
    }
    let alt = if alt.is_empty() { product } else { alt };
    crate::on_db!(&state.writer, conn => sqlx::query(
        "INSERT INTO product_images (product_id, path, thumb_path, alt, position)
         VALUES ($1, $2, $3, $4,
                 (SELECT COALESCE(MAX(position), -1) + 1 FROM product_images WHERE product_id = $1))",
    )
    .bind(product_id)
    .bind(format!("/media/products/{display_name}"))
    .bind(format!("/media/products/{thumb_name}"))
    .bind(alt)
    .execute(conn)
    .await.map(|done| done.rows_affected()))
    .map_err(AppError::from)?;
    crate::domain::catalog::store::touch(&state.writer, product_id).await?;
    Ok(())
}

/// Writes through a temporary name, so a half-written file is never served.
async fn write_file(
    directory: &std::path::Path,
    name: &str,
    content: &[u8],
) -> Result<(), AppError> {
    let failed = |error: std::io::Error| {
        tracing::error!(%error, directory = %directory.display(), "could not store a photo");
        AppError::Internal
    };
    tokio::fs::create_dir_all(directory).await.map_err(failed)?;
    let temporary = directory.join(format!(".{name}.part"));
    tokio::fs::write(&temporary, content)
        .await
        .map_err(failed)?;
    tokio::fs::rename(&temporary, directory.join(name))
        .await
        .map_err(failed)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 30, 30, 128]));
        let mut out = Cursor::new(Vec::new());
        picture.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn photos_are_scaled_down_and_re_encoded_as_jpeg() {
        let (display, thumb) = process(&png(2400, 1200)).unwrap();
        let display = image::load_from_memory(&display).unwrap();
        let thumb = image::load_from_memory(&thumb).unwrap();
        assert_eq!((display.width(), display.height()), (1200, 600));
        assert_eq!((thumb.width(), thumb.height()), (400, 200));
        // Half-transparent red over white is light red, not dark.
        let pixel = display.to_rgb8().get_pixel(10, 10).0;
        assert!(pixel[0] > 200 && pixel[1] > 100, "{pixel:?}");
    }

    #[test]
    fn small_photos_are_not_enlarged() {
        let (display, _) = process(&png(300, 200)).unwrap();
        let display = image::load_from_memory(&display).unwrap();
        assert_eq!((display.width(), display.height()), (300, 200));
    }

    #[test]
    fn other_files_are_refused() {
        assert_eq!(
            process(b"<svg onload=alert(1)>"),
            Err(ImageRefusal::NotAnImage)
        );
        assert_eq!(process(b"GIF89a......"), Err(ImageRefusal::NotAnImage));
        let mut truncated = png(50, 50);
        truncated.truncate(60);
        assert_eq!(process(&truncated), Err(ImageRefusal::Unreadable));
    }
}
