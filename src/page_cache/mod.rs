//! The page cache: the catalog's, legal and contact pages, kept rendered for visitors without a
//! session and served without rendering.
//!
//! **What is kept.** A `GET` of the home page, a category, a product, the contact or a legal page,
//! with its language in the address, from a visitor without the session cookie, and with no query
//! but the public `page`, `sort` and `variant` (an error a form brought back in the address, or a
//! search, is the visitor's own). Such a page is the same bytes for everyone in that language:
//! no cart count, no name, no one-time key, no message; it allows its scripts by hash, not by a
//! nonce (`security::page_script_policy`). Only a `200` HTML answer without `Set-Cookie` is
//! kept, with its headers, as sent and compressed with gzip and brotli, within the budget
//! (`TURGUS_PAGE_CACHE_MB`, 32 by default, 0 for none: `store`). A kept page carries a tag of its
//! bytes (`ETag`): pages say `no-cache`, so a browser asks before using its copy, and is answered
//! `304 Not Modified` while the page is the same bytes. A page rendered for a session has no tag:
//! a browser's copy of a kept page is never confirmed to a visitor with a cart.
//!
//! **When it is emptied.** Every change to what those pages show writes a row in
//! `page_changes` (database triggers: `domain::page_changes`), whoever makes it. This instance
//! reads that table's version after each request that may have written (any but `GET` and
//! `HEAD`), before answering it, so a merchant's change is on the next page; and once a second,
//! which brings another instance's changes, the command line's, an expired order's stock and the
//! `GET`s that write (Paysera's callback, the cancel link) within a second. A sale starting or
//! ending empties it at that moment. When it moved, the settings and category menu are read again
//! first (another instance may have changed them), then every page goes: a stock change
//! is as rare as an order, and a page that shows stock must not promise what is gone.
//!
//! **Pages with a session** are rendered for each visitor, never kept; but the home page's cards,
//! the same for all of them, are kept with the pages and emptied with them
//! (`domain::catalog::store::KeptHome`): as fresh as a kept page, without the two queries.

pub mod store;

use crate::db::Db;
use crate::domain::catalog::store::{CategoryMenu, KeptHome};
use crate::domain::page_changes::{self, Version};
use crate::domain::settings::store::SettingsCache;
use crate::locale::middleware::RequestLocale;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::{Key, Page, Store};

/// How often an instance looks for changes made elsewhere.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// A kept page's body is read whole before it is kept; no page the shop renders is near this.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

pub struct PageCache {
    store: Store,
    pool: Db,
    settings: Arc<SettingsCache>,
    menu: Arc<CategoryMenu>,
    home: Arc<KeptHome>,
    seen: tokio::sync::Mutex<Seen>,
}

/// What the last look at the database found.
struct Seen {
    /// When that look began: it saw every change committed before then.
    at: Instant,
    version: Option<Version>,
    /// When a sale next starts or ends.
    next_sale: Option<String>,
}

impl PageCache {
    /// A cache of `budget` bytes, what it reads again when another instance changed things, and
    /// the home page's cards, emptied with the pages; the database's version is read now, so the
    /// first page kept is not emptied by the first look.
    pub async fn new(
        budget: usize,
        pool: Db,
        settings: Arc<SettingsCache>,
        menu: Arc<CategoryMenu>,
        home: Arc<KeptHome>,
    ) -> Arc<PageCache> {
        let cache = Arc::new(PageCache {
            store: Store::new(budget),
            pool,
            settings,
            menu,
            home,
            seen: tokio::sync::Mutex::new(Seen {
                at: Instant::now(),
                version: None,
                next_sale: None,
            }),
        });
        cache.catch_up(Instant::now()).await;
        cache
    }

    pub fn stats(&self) -> store::Stats {
        self.store.stats()
    }

    /// Empties the cache if anything changed since the last look, unless a look that began after
    /// `written` (so saw what was written by then) has already been made. Requests that wrote at
    /// the same time share one look.
    pub async fn catch_up(&self, written: Instant) {
        if !self.store.is_on() {
            return;
        }
        let mut seen = self.seen.lock().await;
        if seen.version.is_some() && seen.at > written {
            return;
        }
        seen.at = Instant::now();
        if let Err(error) = self.look(&mut seen).await {
            // Whether pages are still right cannot be known: none is kept.
            tracing::warn!(%error, "could not check for changes to the pages; emptied the page cache");
            seen.version = None;
            self.empty();
        }
    }

    async fn look(&self, seen: &mut Seen) -> Result<(), crate::error::AppError> {
        let version = page_changes::version(&self.pool).await?;
        let now = crate::clock::now();
        let sale_turned = seen
            .next_sale
            .as_deref()
            .is_some_and(|at| at <= now.as_str());
        if seen.version == Some(version) && !sale_turned {
            return Ok(());
        }
        self.settings.reread().await?;
        self.menu.clear();
        seen.next_sale = page_changes::next_sale_boundary(&self.pool, &now).await?;
        self.empty();
        seen.version = Some(version);
        Ok(())
    }

    /// Forgets every kept page, and the home page's cards that pages with a session are rendered
    /// from.
    fn empty(&self) {
        self.store.clear();
        self.home.clear();
    }

    /// Looks for changes once a second until `stopped`.
    pub fn watch(
        self: Arc<Self>,
        mut stopped: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            if !self.store.is_on() {
                return;
            }
            let mut every = tokio::time::interval(WATCH_EVERY);
            loop {
                tokio::select! {
                    _ = every.tick() => {}
                    _ = stopped.wait_for(|stopped| *stopped) => return,
                }
                self.catch_up(Instant::now()).await;
            }
        })
    }

    /// The key a request's page is kept under, if it may be kept.
    fn key_for(&self, request: &Request) -> Option<Key> {
        if !self.store.is_on() || request.method() != Method::GET {
            return None;
        }
        let locale = request
            .extensions()
            .get::<RequestLocale>()
            .filter(|found| found.in_address)?
            .locale;
        let uri = request.uri();
        let keepable = !has_session(request.headers())
            && is_kept_path(uri.path())
            && is_public_query(uri.query().unwrap_or_default());
        keepable.then(|| Key {
            locale,
            address: uri
                .path_and_query()
                .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        })
    }
}

/// Around the shop's pages: serves a kept page, or renders it and keeps it; after a request that
/// may have written, looks for changes before answering.
pub async fn serve(
    State(cache): State<Arc<PageCache>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(key) = cache.key_for(&request) else {
        let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
        let response = next.run(request).await;
        if writes {
            cache.catch_up(Instant::now()).await;
        }
        return response;
    };
    let asked = Asked::of(request.headers());
    if let Some(page) = cache.store.get(&key) {
        return respond(&page, &asked);
    }
    let generation = cache.store.generation();
    // Rendered as sent; kept compressed both ways here, once.
    request.headers_mut().remove(header::ACCEPT_ENCODING);
    match keepable(next.run(request).await).await {
        Ok(page) => {
            let page = Arc::new(page);
            cache.store.insert(key, page.clone(), generation);
            respond(&page, &asked)
        }
        Err(response) => response,
    }
}

/// The page to keep from a rendered answer, or the answer itself when it is not one to keep.
async fn keepable(response: Response) -> Result<Page, Response> {
    let headers = response.headers();
    let html = crate::security::is_html(headers);
    if response.status() != StatusCode::OK || !html || headers.contains_key(header::SET_COOKIE) {
        return Err(response);
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        return Err(crate::error::AppError::Internal.into_response());
    };
    let mut headers = parts.headers;
    for framing in [
        header::CONTENT_LENGTH,
        header::TRANSFER_ENCODING,
        header::CONTENT_ENCODING,
        header::VARY,
        header::DATE,
    ] {
        headers.remove(framing);
    }
    Ok(Page::new(headers, body))
}

/// What a browser's request says of the answer it wants: the encodings it reads, and the tags of
/// the copies it holds (`If-None-Match`; pages say `no-cache`, so a browser asks before each use).
struct Asked {
    accepted: crate::assets::Accepted,
    held: Vec<HeaderValue>,
}

impl Asked {
    fn of(headers: &HeaderMap) -> Asked {
        Asked {
            accepted: crate::assets::accepted_encodings(headers),
            held: headers
                .get_all(header::IF_NONE_MATCH)
                .iter()
                .cloned()
                .collect(),
        }
    }
}

/// A kept page in the best encoding the browser accepts, with the headers it was rendered with
/// and its tag; or, when the browser holds it already, `304 Not Modified`: no body, and the same
/// headers but the body's type, so the copy is used under the same policies (its caching, its
/// scripts' hashes).
fn respond(page: &Page, asked: &Asked) -> Response {
    let accepted = asked.accepted;
    let (body, encoding) = if page.held_by(&asked.held) {
        (None, None)
    } else if accepted.brotli {
        (Some(page.brotli.clone()), Some("br"))
    } else if accepted.gzip {
        (Some(page.gzip.clone()), Some("gzip"))
    } else {
        (Some(page.identity.clone()), None)
    };
    let mut response = match body {
        Some(body) => body.into_response(),
        None => StatusCode::NOT_MODIFIED.into_response(),
    };
    let headers = response.headers_mut();
    headers.extend(page.headers.clone());
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(header::ETAG, page.etag.clone());
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    if response.status() == StatusCode::NOT_MODIFIED {
        response.headers_mut().remove(header::CONTENT_TYPE);
    }
    response
}

/// The request carries the session cookie (a visitor with a cart, a checkout or a login).
fn has_session(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .any(|cookie| {
            cookie
                .trim()
                .strip_prefix(crate::sessions::COOKIE)
                .is_some_and(|rest| rest.starts_with('='))
        })
}

/// The pages that are the same for every visitor without a session.
fn is_kept_path(path: &str) -> bool {
    let one_segment = |rest: &str| !rest.is_empty() && !rest.contains('/');
    matches!(path, "/" | "/contact" | "/terms" | "/privacy" | "/returns")
        || path.strip_prefix("/c/").is_some_and(one_segment)
        || path.strip_prefix("/p/").is_some_and(one_segment)
}

/// A query made only of the listing's page and order and the product page's variant, each a
/// short plain word: links on the shop's own pages, not something a visitor typed.
fn is_public_query(query: &str) -> bool {
    query.is_empty()
        || (query.split('&').count() <= 3
            && query.split('&').all(|pair| {
                pair.split_once('=').is_some_and(|(name, value)| {
                    matches!(name, "page" | "sort" | "variant")
                        && (1..=40).contains(&value.len())
                        && value
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
            }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_for_everyone_pages_are_kept() {
        for kept in ["/", "/p/linen-shirt", "/c/kitchen", "/contact", "/terms"] {
            assert!(is_kept_path(kept), "{kept}");
        }
        for not in [
            "/cart",
            "/checkout",
            "/search",
            "/admin",
            "/p/",
            "/p/a/b",
            "/c",
        ] {
            assert!(!is_kept_path(not), "{not}");
        }
    }

    #[test]
    fn only_public_queries_are_kept() {
        for public in ["", "page=2", "sort=price-asc&page=3", "variant=42"] {
            assert!(is_public_query(public), "{public}");
        }
        for own in [
            "q=linen",
            "__err=sold_out",
            "page=2&page=3&page=4&page=5",
            "page=",
            "page=%20",
            "variant=<script>",
        ] {
            assert!(!is_public_query(own), "{own}");
        }
    }

    #[tokio::test]
    async fn only_a_whole_html_page_without_a_cookie_is_kept() {
        let page = |status: StatusCode, kind: &str, cookie: bool| {
            let mut response = (status, "<p>hi</p>").into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(kind).unwrap());
            if cookie {
                headers.insert(header::SET_COOKIE, HeaderValue::from_static("a=b"));
            }
            response
        };
        let html = "text/html; charset=utf-8";
        let kept = keepable(page(StatusCode::OK, html, false)).await;
        assert_eq!(kept.ok().map(|p| p.identity), Some("<p>hi</p>".into()));
        assert!(keepable(page(StatusCode::OK, html, true)).await.is_err());
        assert!(keepable(page(StatusCode::NOT_FOUND, html, false))
            .await
            .is_err());
        assert!(keepable(page(StatusCode::OK, "application/json", false))
            .await
            .is_err());
    }

    #[test]
    fn the_session_cookie_marks_a_visitor_of_their_own() {
        let with = |cookie: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
            has_session(&headers)
        };
        assert!(with("turgus_session=abc"));
        assert!(with("turgus_lang=lt; turgus_session=abc"));
        assert!(!with("turgus_lang=lt"));
        assert!(!with("turgus_sessionx=1"));
        assert!(!has_session(&HeaderMap::new()));
    }
}
