//! The site's built files (the islands' WASM and JS glue, the stylesheet, the favicon, the demo
//! pictures): named by their content, compressed once at build time, served from memory.
//!
//! Why: every shopper's phone downloads them, so they should arrive compressed and be cached for
//! good. A name that changes whenever the content does (`turgus.3f9c….js`) lets browsers keep a
//! file for a year (`immutable`) and still never use a stale one after an upgrade. Compressing at
//! build time lets the build use the slowest, smallest settings (brotli 11, gzip 9) and costs no
//! CPU per request; holding the few hundred kilobytes in memory avoids the disk on every request.
//!
//! `turgus assets DIR` (run by the build, `scripts/lib.sh`) renames the client's files after
//! their content, writes `.br` and `.gz` beside every compressible file, and records the names in
//! `DIR/pkg/assets.json`. The server reads that folder once at start-up ([`Assets::load`]).

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Where the build records the content-hashed names, relative to the site folder.
const MANIFEST: &str = "pkg/assets.json";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Files whose names do not change with their content (the favicon, demo pictures).
const SHORT_LIVED: &str = "public, max-age=3600";

/// The names pages refer to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetNames {
    /// The client's output name: `pkg/<client>.js` and `pkg/<client>_bg.wasm`.
    pub client: String,
    /// The stylesheet's path, e.g. `/pkg/turgus.1a2b….css`.
    pub stylesheet: String,
}

impl Default for AssetNames {
    /// An unhashed build (or none at all, as in the Rust tests).
    fn default() -> Self {
        AssetNames {
            client: "turgus".into(),
            stylesheet: "/pkg/turgus.css".into(),
        }
    }
}

struct Asset {
    content_type: &'static str,
    cache_control: &'static str,
    identity: Bytes,
    gzip: Option<Bytes>,
    brotli: Option<Bytes>,
}

/// Every file of the site folder, by URL path.
pub struct Assets {
    files: HashMap<String, Asset>,
    pub names: AssetNames,
}

/// The names the build recorded in `site`, or `None` for a site it did not finish.
fn recorded_names(site: &Path) -> std::io::Result<Option<AssetNames>> {
    match std::fs::read(site.join(MANIFEST)) {
        Ok(json) => serde_json::from_slice(&json)
            .map(Some)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

impl Assets {
    /// Reads the site folder. A missing folder is an empty site (pages still render).
    pub fn load(site: &Path) -> std::io::Result<Arc<Assets>> {
        let names = recorded_names(site)?.unwrap_or_default();
        let files = if site.is_dir() {
            collect(site, &names)?
        } else {
            HashMap::new()
        };
        Ok(Arc::new(Assets { files, names }))
    }

    /// URL paths of every file, for the router.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The file at `path` in the best encoding the request accepts.
    pub fn respond(&self, path: &str, request: &HeaderMap) -> Response {
        let Some(asset) = self.files.get(path) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let accepted = accepted_encodings(request);
        let (body, encoding) = match (&asset.brotli, &asset.gzip) {
            (Some(br), _) if accepted.brotli => (br.clone(), Some("br")),
            (_, Some(gz)) if accepted.gzip => (gz.clone(), Some("gzip")),
            _ => (asset.identity.clone(), None),
        };
        let mut response = body.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        );
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(asset.cache_control),
        );
        if asset.gzip.is_some() || asset.brotli.is_some() {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        if let Some(encoding) = encoding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        response
    }
}

/// Every file below `dir`, however deep.
fn files_under(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(files_under(&path)?);
        } else {
            files.push(path);
        }
    }
    Ok(files)
}

fn collect(site: &Path, names: &AssetNames) -> std::io::Result<HashMap<String, Asset>> {
    let mut files = HashMap::new();
    for path in files_under(site)? {
        let is_variant = matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz"));
        let Some(relative) = path.strip_prefix(site).ok().and_then(Path::to_str) else {
            continue;
        };
        if is_variant || relative == MANIFEST {
            continue;
        }
        let url = format!("/{}", relative.replace('\\', "/"));
        let variant = |suffix| {
            std::fs::read(crate::db::sibling(&path, suffix))
                .ok()
                .map(Bytes::from)
        };
        let asset = Asset {
            content_type: content_type(&url),
            cache_control: if is_hashed(&url, names) {
                IMMUTABLE
            } else {
                SHORT_LIVED
            },
            identity: Bytes::from(std::fs::read(&path)?),
            gzip: variant(".gz"),
            brotli: variant(".br"),
        };
        files.insert(url, asset);
    }
    Ok(files)
}

fn is_hashed(url: &str, names: &AssetNames) -> bool {
    names.client != AssetNames::default().client
        && (url.starts_with(&format!("/pkg/{}", names.client)) || url == names.stylesheet)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "wasm" => "application/wasm",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[derive(Clone, Copy, Default)]
pub struct Accepted {
    pub brotli: bool,
    pub gzip: bool,
}

/// Which of our two encodings `Accept-Encoding` allows (`q=0` refuses one).
pub fn accepted_encodings(headers: &HeaderMap) -> Accepted {
    let mut accepted = Accepted::default();
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        for item in value.to_str().unwrap_or_default().split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
            });
            match coding {
                "br" => accepted.brotli = !refused,
                "gzip" => accepted.gzip = !refused,
                _ => {}
            }
        }
    }
    accepted
}

/// Worth compressing: text and WASM (pictures are compressed already).
fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("wasm" | "js" | "css" | "svg" | "json" | "txt")
    )
}

/// What a storefront page may make a phone download (issue 10): the islands' WASM and its JS
/// glue, gzipped at level 9, as built (after `wasm-opt`).
pub const WASM_BUDGET_GZIP: u64 = 100_000;
pub const JS_BUDGET_GZIP: u64 = 20_000;

/// One built file's sizes: raw, gzip, brotli.
#[derive(Debug, Serialize)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// The client's sizes, as `turgus assets --check` reports them.
#[derive(Debug, Serialize)]
pub struct Download {
    pub wasm: Sizes,
    pub js: Sizes,
}

/// `turgus assets --check DIR`: the finished site's client against the budget. Refused (with its
/// sizes) when the WASM or the JS is over; the sizes are those of the `.gz` files the build wrote.
pub fn check_budget(site: &Path) -> Result<Download, String> {
    let names = recorded_names(site)
        .map_err(|e| format!("{}: {e}", site.join(MANIFEST).display()))?
        .ok_or_else(|| {
            format!(
                "{}: not a finished site (run `turgus assets` first)",
                site.display()
            )
        })?;
    let sizes = |name: String| -> Result<Sizes, String> {
        let size = |suffix: &str| {
            let path = site.join("pkg").join(format!("{name}{suffix}"));
            std::fs::metadata(&path)
                .map(|m| m.len())
                .map_err(|e| format!("{}: {e}", path.display()))
        };
        Ok(Sizes {
            raw: size("")?,
            gzip: size(".gz")?,
            brotli: size(".br")?,
        })
    };
    let download = Download {
        wasm: sizes(format!("{}_bg.wasm", names.client))?,
        js: sizes(format!("{}.js", names.client))?,
    };
    if download.wasm.gzip > WASM_BUDGET_GZIP || download.js.gzip > JS_BUDGET_GZIP {
        return Err(format!(
            "over the shopper's budget: WASM {} B gzipped (at most {WASM_BUDGET_GZIP}), JS {} B \
             gzipped (at most {JS_BUDGET_GZIP})",
            download.wasm.gzip, download.js.gzip
        ));
    }
    Ok(download)
}

/// `turgus assets DIR`: the build's last step (see the module docs).
pub fn build(site: &Path) -> Result<AssetNames, String> {
    let pkg = site.join("pkg");
    let read = |name: &str| {
        std::fs::read(pkg.join(name)).map_err(|e| format!("{}: {e}", pkg.join(name).display()))
    };
    let (js, wasm, css) = (
        read("turgus.js")?,
        read("turgus_bg.wasm")?,
        read("turgus.css")?,
    );
    // One name for the glue and its WASM: they only work as a pair.
    let client = format!("turgus.{}", content_hash(&[&js, &wasm]));
    let stylesheet = format!("turgus.{}.css", content_hash(&[&css]));
    let rename = |from: &str, to: &str| {
        std::fs::rename(pkg.join(from), pkg.join(to)).map_err(|e| format!("{from}: {e}"))
    };
    rename("turgus.js", &format!("{client}.js"))?;
    rename("turgus_bg.wasm", &format!("{client}_bg.wasm"))?;
    rename("turgus.css", &stylesheet)?;
    precompress_all(site)?;
    let names = AssetNames {
        client,
        stylesheet: format!("/pkg/{stylesheet}"),
    };
    let json = serde_json::to_vec_pretty(&names).map_err(|e| e.to_string())?;
    std::fs::write(site.join(MANIFEST), json).map_err(|e| format!("{MANIFEST}: {e}"))?;
    Ok(names)
}

fn content_hash(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    crate::tokens::hex(&hasher.finalize()[..8])
}

fn precompress_all(site: &Path) -> Result<(), String> {
    let files = files_under(site).map_err(|e| format!("{}: {e}", site.display()))?;
    for path in files.into_iter().filter(|path| compressible(path)) {
        let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (suffix, bytes) in [
            (".gz", gzip(&data, BEST_GZIP)),
            (".br", brotli(&data, BEST_BROTLI)),
        ] {
            std::fs::write(crate::db::sibling(&path, suffix), bytes)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Gzip's and brotli's slowest, smallest settings: for built files, compressed once per build
/// (what the budget check measures too).
pub const BEST_GZIP: u32 = 9;
pub const BEST_BROTLI: u32 = 11;

/// Gzip at `level` (0–9).
pub fn gzip(data: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// Brotli at `quality` (0–11) with a 4 MiB window.
pub fn brotli(data: &[u8], quality: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, 22);
        let _ = encoder.write_all(data);
    }
    out
}

/// The built files, from memory, each precompressed, each at its own route.
pub fn routes(assets: std::sync::Arc<Assets>) -> axum::Router {
    let mut router = axum::Router::new();
    for path in assets.paths() {
        let (assets, path_owned) = (assets.clone(), path.to_owned());
        router = router.route(
            path,
            axum::routing::get(move |headers: axum::http::HeaderMap| async move {
                assets.respond(&path_owned, &headers)
            }),
        );
    }
    router
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    /// A finished site whose WASM is `wasm`.
    fn site_with_wasm(wasm: &[u8]) -> tempfile::TempDir {
        let site = tempfile::tempdir().unwrap();
        let pkg = site.path().join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("turgus.js"), "export function hydrate() {}\n").unwrap();
        std::fs::write(pkg.join("turgus.css"), "body { margin: 0 }\n").unwrap();
        std::fs::write(pkg.join("turgus_bg.wasm"), wasm).unwrap();
        build(site.path()).unwrap();
        site
    }

    #[test]
    fn the_budget_refuses_a_client_that_grew_too_big() {
        // Incompressible bytes: gzipped, they are as many as before.
        let mut state = 0x2545_f491_u32;
        let noise: Vec<u8> = (0..WASM_BUDGET_GZIP + 1000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect();
        let within = check_budget(site_with_wasm(&noise[..50_000]).path()).unwrap();
        assert!(within.wasm.gzip > 49_000 && within.wasm.gzip <= WASM_BUDGET_GZIP);
        let refused = check_budget(site_with_wasm(&noise).path()).unwrap_err();
        assert!(refused.contains("over the shopper's budget"), "{refused}");
    }

    #[test]
    fn picks_what_the_browser_accepts() {
        let both = accepted_encodings(&accepting("gzip, deflate, br, zstd"));
        assert!(both.brotli && both.gzip);
        let gzip_only = accepted_encodings(&accepting("gzip;q=1.0, br;q=0"));
        assert!(gzip_only.gzip && !gzip_only.brotli);
        let none = accepted_encodings(&HeaderMap::new());
        assert!(!none.gzip && !none.brotli);
    }

    #[test]
    fn build_names_files_by_content_and_serves_them_compressed() {
        let site = tempfile::tempdir().unwrap();
        let pkg = site.path().join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(
            pkg.join("turgus.js"),
            "export function hydrate() {}\n".repeat(50),
        )
        .unwrap();
        std::fs::write(pkg.join("turgus_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        std::fs::write(pkg.join("turgus.css"), "body { margin: 0 }\n".repeat(50)).unwrap();
        let names = build(site.path()).unwrap();
        assert!(names.client.starts_with("turgus.") && names.client.len() == 23);

        let assets = Assets::load(site.path()).unwrap();
        assert_eq!(assets.names, names);
        let js = format!("/pkg/{}.js", names.client);
        let response = assets.respond(&js, &accepting("gzip, br"));
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(response.headers()[header::CACHE_CONTROL], IMMUTABLE);
        assert_eq!(response.headers()[header::VARY], "accept-encoding");
        let plain = assets.respond(&names.stylesheet, &HeaderMap::new());
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(
            plain.headers()[header::CONTENT_TYPE],
            "text/css; charset=utf-8"
        );
        assert_eq!(
            assets.respond("/pkg/turgus.js", &HeaderMap::new()).status(),
            404
        );
    }
}
