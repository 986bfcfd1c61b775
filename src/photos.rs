//! Product photos as the shop keeps them, whoever brings them (the admin's upload, a catalog
//! import): a JPEG, PNG or WebP of at most [`MAX_BYTES`], decoded (bounded, so a small file
//! cannot expand into gigabytes), turned upright, and stored as two re-encoded JPEGs under
//! `{data_dir}/media/products/`: a large one for the product page and a thumbnail for listings.
//! Re-encoding also drops whatever else the file carried (EXIF location, scripts hidden in
//! metadata). Files are named randomly and never change, so `/media/...` is served with a
//! year-long cache.

use crate::error::AppError;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

pub const MAX_BYTES: usize = 10 * 1024 * 1024;
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

/// A photo stored: where its large and its thumbnail JPEG are served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPhoto {
    pub path: String,
    pub thumb_path: String,
}

/// Why a photo was not stored: refused as a photo, or the files could not be written.
#[derive(Debug)]
pub enum NotStored {
    Refused(ImageRefusal),
    Failed(AppError),
}

/// Processes `bytes` (on a blocking thread) and writes its two JPEGs under `data_dir`.
pub async fn store(data_dir: &std::path::Path, bytes: Vec<u8>) -> Result<StoredPhoto, NotStored> {
    let (display, thumb) = tokio::task::spawn_blocking(move || process(&bytes))
        .await
        .map_err(|_| NotStored::Failed(AppError::Internal))?
        .map_err(NotStored::Refused)?;
    let directory = data_dir.join("media").join("products");
    let name = crate::tokens::random_hex(12);
    let display_name = format!("{name}-{DISPLAY_SIZE}.jpg");
    let thumb_name = format!("{name}-{THUMB_SIZE}.jpg");
    for (file, content) in [(&display_name, display), (&thumb_name, thumb)] {
        write_file(&directory, file, &content)
            .await
            .map_err(NotStored::Failed)?;
    }
    Ok(StoredPhoto {
        path: format!("/media/products/{display_name}"),
        thumb_path: format!("/media/products/{thumb_name}"),
    })
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
