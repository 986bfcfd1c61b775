//! Where the shop gets what Paysera publishes: its public key (for `ss2`/`ss3`) and each
//! project's payment-methods list. Files, a cache in the data directory, and the network; the
//! protocol itself stays in [`crate::paysera`], which does no I/O.

use crate::paysera::methods::{self, MethodsList};
use crate::paysera::PayseraPublicKey;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const TIMEOUT: Duration = Duration::from_secs(10);

fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| format!("cannot create an HTTP client: {e}"))
}

async fn download(url: &str) -> Result<String, String> {
    let response = client()?
        .get(url)
        .send()
        .await
        .map_err(|e| format!("cannot download {url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("cannot download {url}: HTTP {}", response.status()));
    }
    response
        .text()
        .await
        .map_err(|e| format!("cannot download {url}: {e}"))
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file behind.
async fn write_atomically(path: &Path, contents: &str) -> Result<(), String> {
    let temporary = path.with_extension("tmp");
    tokio::fs::write(&temporary, contents)
        .await
        .map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
    tokio::fs::rename(&temporary, path)
        .await
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Where the public key in use came from (shown to the merchant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    File(PathBuf),
    Cache(PathBuf),
    Downloaded(String),
}

/// Paysera's public key: from `file` when configured (`TURGUS_PAYSERA_PUBLIC_KEY_FILE`), else from
/// the cache in `data_dir`, else downloaded from `url` once and cached. A missing or corrupt key
/// is an error for start-up to report: there is no silent fallback to md5 signatures.
pub async fn public_key(
    file: Option<&Path>,
    url: &str,
    data_dir: &Path,
) -> Result<(PayseraPublicKey, KeySource), String> {
    if let Some(file) = file {
        let pem = tokio::fs::read_to_string(file).await.map_err(|e| {
            format!(
                "TURGUS_PAYSERA_PUBLIC_KEY_FILE: cannot read {}: {e}",
                file.display()
            )
        })?;
        let key = PayseraPublicKey::from_pem(&pem)
            .map_err(|e| format!("TURGUS_PAYSERA_PUBLIC_KEY_FILE: {}: {e}", file.display()))?;
        return Ok((key, KeySource::File(file.to_owned())));
    }
    let cached = data_dir.join("paysera-public.key");
    if let Ok(pem) = tokio::fs::read_to_string(&cached).await {
        let key = PayseraPublicKey::from_pem(&pem).map_err(|e| {
            format!("the cached Paysera public key {} is unreadable ({e}); delete it to download it again", cached.display())
        })?;
        return Ok((key, KeySource::Cache(cached)));
    }
    let pem = download(url)
        .await
        .map_err(|e| format!("Paysera public key: {e} (or set TURGUS_PAYSERA_PUBLIC_KEY_FILE)"))?;
    let key = PayseraPublicKey::from_pem(&pem)
        .map_err(|e| format!("Paysera public key from {url}: {e}"))?;
    crate::files::create_private_dir(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    write_atomically(&cached, &pem).await?;
    Ok((key, KeySource::Downloaded(url.to_owned())))
}

/// A project's payment-methods list, fetched at most once per `refresh` interval. The last good
/// copy is kept on disk, so checkout keeps offering methods when Paysera's list is unreachable,
/// even right after a restart.
pub struct MethodsSource {
    url: String,
    disk_copy: PathBuf,
    refresh: Duration,
    current: Mutex<Fetched>,
}

/// What the last fetch left: the list (and when it was fetched), or when it last failed with no
/// list to fall back on.
#[derive(Default)]
struct Fetched {
    list: Option<(Instant, Arc<MethodsList>)>,
    failed_at: Option<Instant>,
}

/// With no list at all, how long a failed fetch is remembered: checkouts in between are told at
/// once that there is none, instead of each waiting for Paysera in turn.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(30);

impl MethodsSource {
    pub fn new(url: String, disk_copy: PathBuf, refresh: Duration) -> MethodsSource {
        MethodsSource {
            url,
            disk_copy,
            refresh,
            current: Mutex::new(Fetched::default()),
        }
    }

    /// The list, refreshed when older than the interval. Errors only when neither Paysera nor
    /// any earlier copy can provide one.
    pub async fn get(&self) -> Result<Arc<MethodsList>, String> {
        // One refresh at a time: concurrent checkouts wait for it instead of all fetching.
        let mut current = self.current.lock().await;
        if let Some((fetched, list)) = current.list.as_ref() {
            if fetched.elapsed() < self.refresh {
                return Ok(list.clone());
            }
        }
        if current
            .failed_at
            .is_some_and(|at| at.elapsed() < RETRY_AFTER_FAILURE)
        {
            return Err("Paysera's payment methods list is unavailable (tried moments ago)".into());
        }
        match self.fetch().await {
            Ok(list) => {
                let list = Arc::new(list);
                *current = Fetched {
                    list: Some((Instant::now(), list.clone())),
                    failed_at: None,
                };
                Ok(list)
            }
            Err(problem) => {
                tracing::warn!(%problem, "payment methods list unavailable; using the last good copy");
                if let Some((_, list)) = current.list.as_ref() {
                    return Ok(list.clone());
                }
                let kept = match tokio::fs::read_to_string(&self.disk_copy).await {
                    Ok(xml) => {
                        methods::parse(&xml).map_err(|e| format!("{problem}; the kept copy: {e}"))
                    }
                    Err(_) => Err(format!("{problem}, and no earlier copy is kept")),
                };
                match kept {
                    Ok(list) => {
                        // Try Paysera again after the interval, not on every checkout.
                        let list = Arc::new(list);
                        current.list = Some((Instant::now(), list.clone()));
                        Ok(list)
                    }
                    Err(problem) => {
                        current.failed_at = Some(Instant::now());
                        Err(problem)
                    }
                }
            }
        }
    }

    async fn fetch(&self) -> Result<MethodsList, String> {
        let xml = download(&self.url).await?;
        let list = methods::parse(&xml).map_err(|e| e.to_string())?;
        if let Some(folder) = self.disk_copy.parent() {
            let _ = crate::files::create_private_dir(folder);
        }
        if let Err(problem) = write_atomically(&self.disk_copy, &xml).await {
            tracing::warn!(%problem, "cannot keep a copy of the payment methods list");
        }
        Ok(list)
    }
}
