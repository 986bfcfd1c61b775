//! The photos a file names, had before the import's transaction: URLs fetched (http and https
//! only, [`MAX_BYTES`] and [`TIMEOUT`] each, at most [`AT_ONCE`] at a time, each once), file names
//! read from the folder given, and every one checked as an image by its content, whatever its
//! name says, through the shop's photo pipeline (`crate::photos`). A photo that cannot be had is
//! a reason on its row, never a failed import. Photos the shop already has (by their source, or
//! the shop's own addresses as its export writes them) are not fetched again.

use super::plan::PlannedProduct;
use crate::error::AppError;
use crate::photos::{StoredPhoto, MAX_BYTES};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
pub const AT_ONCE: usize = 4;

/// Each source's photo, or why it could not be had; and the shop's own address, whose photos
/// are found by their path.
#[derive(Default)]
pub struct Fetched {
    origin: String,
    got: HashMap<String, Result<StoredPhoto, String>>,
}

impl Fetched {
    pub fn get(&self, source: &str) -> Option<&Result<StoredPhoto, String>> {
        self.got.get(source)
    }

    /// `https://shop.example.lt/media/products/x.jpg` → `/media/products/x.jpg` when the source
    /// is one of this shop's own photos.
    pub fn own_path(&self, source: &str) -> Option<String> {
        let path = source.strip_prefix(&self.origin)?;
        path.starts_with('/').then(|| path.to_owned())
    }

    /// The stored files of photos that were not used (the import failed or was dry): removed.
    pub async fn discard(self, data_dir: &Path) {
        for stored in self.got.into_values().flatten() {
            for path in [stored.path, stored.thumb_path] {
                if let Some(relative) = path.strip_prefix("/media/") {
                    let _ = tokio::fs::remove_file(data_dir.join("media").join(relative)).await;
                }
            }
        }
    }
}

/// Where photos come from and go to.
pub struct Sources<'a> {
    /// The shop's public URL: its own photos are not fetched.
    pub origin: &'a str,
    /// Where file names (not URLs) are read from.
    pub folder: Option<&'a Path>,
    pub data_dir: &'a Path,
}

/// The sources the products name that the shop does not have yet (by source, or as its own).
pub async fn needed(
    pool: &crate::db::Db,
    products: &[PlannedProduct],
    origin: &str,
) -> Result<Vec<String>, AppError> {
    let had: Vec<String> = crate::on_db!(pool, conn => sqlx::query_scalar(
        "SELECT source FROM product_images WHERE source IS NOT NULL",
    )
    .fetch_all(conn)
    .await)?;
    let had: HashSet<String> = had.into_iter().collect();
    let mut wanted = vec![];
    let mut seen = HashSet::new();
    for product in products {
        let named = product
            .images
            .iter()
            .chain(product.variants.iter().filter_map(|v| v.image.as_ref()));
        for source in named {
            if !had.contains(source) && !source.starts_with(origin) && seen.insert(source.clone()) {
                wanted.push(source.clone());
            }
        }
    }
    Ok(wanted)
}

/// Has every source, [`AT_ONCE`] at a time.
pub async fn fetch(sources: Vec<String>, from: &Sources<'_>) -> Fetched {
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap_or_default();
    let gate = Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
    let mut tasks = tokio::task::JoinSet::new();
    for source in sources {
        let (client, gate) = (client.clone(), gate.clone());
        let folder = from.folder.map(Path::to_path_buf);
        let data_dir = from.data_dir.to_path_buf();
        tasks.spawn(async move {
            let _turn = gate.acquire_owned().await;
            let got = have(&client, &source, folder, &data_dir).await;
            (source, got)
        });
    }
    let mut got = HashMap::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok((source, result)) = done {
            got.insert(source, result);
        }
    }
    Fetched {
        origin: from.origin.to_owned(),
        got,
    }
}

/// One photo: its bytes from the web or the folder, through the pipeline.
async fn have(
    client: &reqwest::Client,
    source: &str,
    folder: Option<PathBuf>,
    data_dir: &Path,
) -> Result<StoredPhoto, String> {
    let bytes = if source.contains("://") {
        crate::download::download(client, source, MAX_BYTES).await?
    } else {
        read_file(source, folder.as_deref()).await?
    };
    crate::photos::store(data_dir, bytes)
        .await
        .map_err(|not| match not {
            crate::photos::NotStored::Refused(refusal) => {
                format!("not a usable photo ({})", refusal.code())
            }
            crate::photos::NotStored::Failed(_) => "could not be stored".to_owned(),
        })
}

/// A file named in the CSV, from `folder` (its name only: a path in the file cannot leave it).
async fn read_file(name: &str, folder: Option<&Path>) -> Result<Vec<u8>, String> {
    let folder =
        folder.ok_or_else(|| "a file name, but no folder of photos was given".to_owned())?;
    let file = Path::new(name)
        .file_name()
        .ok_or_else(|| "not a file name".to_owned())?;
    let path = folder.join(file);
    let size = tokio::fs::metadata(&path)
        .await
        .map_err(|_| format!("no such file in {}", folder.display()))?
        .len();
    if size > MAX_BYTES as u64 {
        return Err(format!("larger than {} MB", MAX_BYTES / 1024 / 1024));
    }
    tokio::fs::read(&path)
        .await
        .map_err(|error| format!("cannot be read ({error})"))
}
