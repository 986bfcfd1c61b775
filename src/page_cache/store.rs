//! The page cache's memory: pages by language and address, each kept as sent and compressed both
//! ways, within a byte budget. When a page would not fit, the least recently served go first.
//!
//! A page is kept only if nothing was emptied while it rendered (`generation`): a page rendered
//! from data read before a change must not outlive the change.

use crate::locale::Locale;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// A page's address as the visitor asked for it (path and query, the language prefix taken off)
/// and its language.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub locale: Locale,
    pub address: String,
}

/// Compression for a page compressed once and served many times: well past the on-the-fly
/// compressor's fastest setting, well short of the build's slowest.
const GZIP_LEVEL: u32 = 6;
const BROTLI_QUALITY: u32 = 6;

/// What a kept page costs beyond its bytes: the map's entry, the page's fields and its headers'
/// names (the values are counted).
const OVERHEAD: usize = 512;

/// A rendered page: its headers (without framing, encoding and cookies), its body in the three
/// encodings a browser may ask for, and the tag a browser holding it names it by.
pub struct Page {
    pub headers: HeaderMap,
    /// `W/"…"`: the first 16 bytes of the body's SHA-256, in hex. Weak, as the three encodings
    /// share it; the same bytes rendered again after an emptying keep the same tag, so a browser's
    /// copy stays good across a change to another page.
    pub etag: HeaderValue,
    pub identity: Bytes,
    pub gzip: Bytes,
    pub brotli: Bytes,
    last_served: AtomicU64,
}

impl Page {
    pub fn new(headers: HeaderMap, identity: Bytes) -> Page {
        Page {
            etag: etag_of(&identity),
            gzip: crate::assets::gzip(&identity, GZIP_LEVEL).into(),
            brotli: crate::assets::brotli(&identity, BROTLI_QUALITY).into(),
            headers,
            identity,
            last_served: AtomicU64::new(0),
        }
    }

    /// The browser says it holds this page already: one of the tags in its `If-None-Match` is
    /// this page's (compared weakly, as a `GET` is), or it names any (`*`).
    pub fn held_by(&self, if_none_match: &[HeaderValue]) -> bool {
        let ours = weak_part(self.etag.as_bytes());
        if_none_match
            .iter()
            .flat_map(|value| value.as_bytes().split(|&b| b == b','))
            .map(<[u8]>::trim_ascii)
            .any(|tag| tag == b"*" || weak_part(tag) == ours)
    }

    /// What keeping it costs, counted against the budget.
    fn size(&self, key: &Key) -> usize {
        let headers: usize = self.headers.values().map(|v| v.len()).sum();
        self.identity.len()
            + self.gzip.len()
            + self.brotli.len()
            + key.address.len()
            + headers
            + OVERHEAD
    }
}

fn etag_of(body: &[u8]) -> HeaderValue {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("W/\"{hex}\"")).expect("hex is a header value")
}

/// A tag without its weakness mark: weak comparison ignores it.
fn weak_part(tag: &[u8]) -> &[u8] {
    tag.strip_prefix(b"W/").unwrap_or(tag)
}

#[derive(Default)]
struct Pages {
    by_key: HashMap<Key, Arc<Page>>,
    bytes: usize,
}

/// How full the cache is and how it has served: for the metrics and the tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub pages: usize,
    pub bytes: usize,
    pub hits: u64,
    pub misses: u64,
}

pub struct Store {
    budget: usize,
    pages: RwLock<Pages>,
    /// Moves on each time the cache is emptied.
    generation: AtomicU64,
    /// A counter standing for time: each page served takes the next value.
    clock: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl Store {
    /// A store holding at most `budget` bytes (0: it keeps nothing).
    pub fn new(budget: usize) -> Store {
        Store {
            budget,
            pages: RwLock::default(),
            generation: AtomicU64::new(0),
            clock: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn is_on(&self) -> bool {
        self.budget > 0
    }

    /// The page kept for `key`, marked as just served.
    pub fn get(&self, key: &Key) -> Option<Arc<Page>> {
        let page = self.pages.read().ok()?.by_key.get(key).cloned();
        match &page {
            Some(page) => {
                let now = self.clock.fetch_add(1, Ordering::Relaxed);
                page.last_served.store(now, Ordering::Relaxed);
                self.hits.fetch_add(1, Ordering::Relaxed);
            }
            None => {
                self.misses.fetch_add(1, Ordering::Relaxed);
            }
        }
        page
    }

    /// Read before rendering a page, handed back to [`Store::insert`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `page` unless the cache was emptied since `generation` was read, or the page is too
    /// big to be worth a slot (an eighth of the budget). Makes room by dropping the least recently
    /// served pages, down to nine tenths of the budget, so a full cache does not sort its pages on
    /// every insert.
    pub fn insert(&self, key: Key, page: Arc<Page>, generation: u64) {
        let size = page.size(&key);
        if size > self.budget / 8 {
            return;
        }
        let Ok(mut pages) = self.pages.write() else {
            return;
        };
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if let Some(old) = pages.by_key.remove(&key) {
            pages.bytes -= old.size(&key);
        }
        if pages.bytes + size > self.budget {
            evict(
                &mut pages,
                (self.budget - self.budget / 10).saturating_sub(size),
            );
        }
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        page.last_served.store(now, Ordering::Relaxed);
        pages.bytes += size;
        pages.by_key.insert(key, page);
    }

    /// Forgets every page, and any page rendering now.
    pub fn clear(&self) {
        if let Ok(mut pages) = self.pages.write() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            *pages = Pages::default();
        }
    }

    pub fn stats(&self) -> Stats {
        let (pages, bytes) = self
            .pages
            .read()
            .map(|p| (p.by_key.len(), p.bytes))
            .unwrap_or_default();
        Stats {
            pages,
            bytes,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

/// Drops the least recently served pages until at most `down_to` bytes are kept.
fn evict(pages: &mut Pages, down_to: usize) {
    let mut by_age: Vec<(u64, Key)> = pages
        .by_key
        .iter()
        .map(|(key, page)| (page.last_served.load(Ordering::Relaxed), key.clone()))
        .collect();
    by_age.sort_unstable_by_key(|(served, _)| *served);
    for (_, key) in by_age {
        if pages.bytes <= down_to {
            break;
        }
        if let Some(page) = pages.by_key.remove(&key) {
            pages.bytes -= page.size(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(address: &str) -> Key {
        Key {
            locale: Locale::en,
            address: address.into(),
        }
    }

    /// A page of `n` bytes that compresses poorly, so its size is about `3 × n`.
    fn page(n: usize) -> Arc<Page> {
        let mut seed = 7u32;
        let body: Vec<u8> = (0..n)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                b'a' + (seed >> 16) as u8 % 26
            })
            .collect();
        Arc::new(Page::new(HeaderMap::new(), body.into()))
    }

    #[test]
    fn keeps_pages_within_the_budget_dropping_the_least_recently_served() {
        let store = Store::new(200_000);
        for n in 0..40 {
            store.insert(key(&format!("/p/{n}")), page(5_000), store.generation());
            // The first page is asked for all the time: it stays.
            assert!(store.get(&key("/p/0")).is_some(), "after {n}");
            assert!(store.stats().bytes <= 200_000);
        }
        assert!(store.get(&key("/p/1")).is_none(), "an old page went");
        assert!(store.get(&key("/p/39")).is_some(), "the newest stayed");
        let stats = store.stats();
        assert!(stats.pages > 5 && stats.pages < 40, "{stats:?}");
    }

    #[test]
    fn a_page_rendered_before_the_cache_was_emptied_is_not_kept() {
        let store = Store::new(1_000_000);
        let before = store.generation();
        store.clear();
        store.insert(key("/"), page(100), before);
        assert!(store.get(&key("/")).is_none());
        store.insert(key("/"), page(100), store.generation());
        assert!(store.get(&key("/")).is_some());
        store.clear();
        assert_eq!(store.stats().pages, 0);
        assert_eq!(store.stats().bytes, 0);
    }

    #[test]
    fn a_page_too_big_for_its_share_and_an_empty_budget_keep_nothing() {
        let store = Store::new(10_000);
        store.insert(key("/big"), page(5_000), store.generation());
        assert!(store.get(&key("/big")).is_none());
        let off = Store::new(0);
        assert!(!off.is_on());
        off.insert(key("/"), page(10), off.generation());
        assert_eq!(off.stats().pages, 0);
    }

    #[test]
    fn a_page_kept_again_replaces_the_old_one_and_its_bytes() {
        let store = Store::new(1_000_000);
        store.insert(key("/"), page(1_000), store.generation());
        let once = store.stats().bytes;
        store.insert(key("/"), page(1_000), store.generation());
        assert_eq!(store.stats().bytes, once);
        assert_eq!(store.stats().pages, 1);
    }
}
