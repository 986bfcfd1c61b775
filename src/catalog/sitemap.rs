//! `GET /sitemap.xml` and `GET /robots.txt`: what search engines read before the pages. The
//! sitemap lists every catalog page (`domain::catalog::sitemap`) in each language, with its
//! `hreflang` alternates and `lastmod`; past [`MAX_URLS`] addresses it becomes an index of
//! `/sitemap-N.xml` files, as the protocol requires. Built once per catalog version (one cheap
//! statement per request tells whether anything changed, on this instance or another) and kept in
//! memory; every address is absolute under `TURGUS_PUBLIC_URL`.

use crate::domain::catalog::sitemap::{self, Page, Version};
use crate::locale::{self, Locale};
use crate::text::escape_html as escape;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::{Arc, Mutex};

/// The protocol's limit of addresses per file.
pub const MAX_URLS: usize = 50_000;

/// The files last built, and the catalog version they were built from.
type Built = Option<(Version, Arc<Vec<String>>)>;

#[derive(Clone)]
struct Sitemaps {
    pool: crate::db::Db,
    origin: String,
    default_locale: Locale,
    built: Arc<Mutex<Built>>,
}

pub fn routes(pool: crate::db::Db, origin: String, default_locale: Locale) -> Router {
    let sitemaps = Sitemaps {
        pool,
        origin,
        default_locale,
        built: Arc::default(),
    };
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(|state| file(state, 0)))
        .route(
            "/sitemap-{part}",
            get(|state, Path(part): Path<String>| async move {
                let number = part
                    .strip_suffix(".xml")
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|n| *n >= 1);
                match number {
                    Some(number) => file(state, number).await,
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }),
        )
        .with_state(sitemaps)
}

fn xml(body: String) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
        (header::CACHE_CONTROL, "public, max-age=300"),
    ];
    (headers, body).into_response()
}

/// File `number` of the sitemap: 0 is `/sitemap.xml` (the list itself, or the index).
async fn file(State(sitemaps): State<Sitemaps>, number: usize) -> Response {
    match sitemaps.files().await {
        Ok(files) => match files.get(number) {
            Some(body) => xml(body.clone()),
            None => StatusCode::NOT_FOUND.into_response(),
        },
        Err(error) => error.into_response(),
    }
}

impl Sitemaps {
    /// The files for the catalog as it is now: the ones built before if nothing changed since.
    async fn files(&self) -> Result<Arc<Vec<String>>, crate::error::AppError> {
        let version = sitemap::version(&self.pool).await?;
        if let Ok(built) = self.built.lock() {
            if let Some((_, files)) = built.as_ref().filter(|(v, _)| *v == version) {
                return Ok(files.clone());
            }
        }
        let pages = sitemap::pages(&self.pool).await?;
        let files = Arc::new(build(&pages, &self.origin, self.default_locale));
        if let Ok(mut built) = self.built.lock() {
            *built = Some((version, files.clone()));
        }
        Ok(files)
    }
}

/// One `<url>` per page and language, each naming all the languages' addresses and the default
/// one as `x-default`.
fn url_entries(pages: &[Page], origin: &str, default_locale: Locale) -> Vec<String> {
    let address = |locale: Locale, path: &str| {
        escape(&format!("{origin}{}", locale::localized(locale, path)))
    };
    let mut entries = Vec::with_capacity(pages.len() * locale::all().len());
    for page in pages {
        let mut alternates: String = locale::all()
            .iter()
            .map(|l| {
                let (code, href) = (locale::code(*l), address(*l, &page.path));
                format!(r#"<xhtml:link rel="alternate" hreflang="{code}" href="{href}"/>"#)
            })
            .collect();
        let default = address(default_locale, &page.path);
        alternates.push_str(&format!(
            r#"<xhtml:link rel="alternate" hreflang="x-default" href="{default}"/>"#
        ));
        let lastmod = page
            .lastmod
            .as_ref()
            .map(|at| format!("<lastmod>{}</lastmod>", escape(at)))
            .unwrap_or_default();
        for locale in locale::all() {
            let loc = address(*locale, &page.path);
            entries.push(format!(
                "<url><loc>{loc}</loc>{lastmod}{alternates}</url>\n"
            ));
        }
    }
    entries
}

/// The sitemap's files: one list, or past [`MAX_URLS`] an index followed by its parts.
fn build(pages: &[Page], origin: &str, default_locale: Locale) -> Vec<String> {
    let entries = url_entries(pages, origin, default_locale);
    let list = |entries: &[String]| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
             xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n{}</urlset>\n",
            entries.concat()
        )
    };
    if entries.len() <= MAX_URLS {
        return vec![list(&entries)];
    }
    let parts: Vec<String> = entries.chunks(MAX_URLS).map(list).collect();
    let index: String = (1..=parts.len())
        .map(|n| {
            format!(
                "<sitemap><loc>{}/sitemap-{n}.xml</loc></sitemap>\n",
                escape(origin)
            )
        })
        .collect();
    let index = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{index}</sitemapindex>\n"
    );
    std::iter::once(index).chain(parts).collect()
}

/// Keeps crawlers out of what is not the catalog (the admin, the cart and checkout in every
/// language, the shop's API, the sandbox and Paysera's callback) and names the sitemap.
async fn robots(State(sitemaps): State<Sitemaps>) -> Response {
    let mut text = String::from("User-agent: *\n");
    for path in [
        "/admin",
        "/api/",
        "/sandbox/",
        "/paysera/",
        "/cart",
        "/checkout",
    ] {
        text.push_str(&format!("Disallow: {path}\n"));
    }
    for locale in locale::all() {
        for path in ["/cart", "/checkout", "/search"] {
            text.push_str(&format!("Disallow: {}\n", locale::localized(*locale, path)));
        }
    }
    text.push_str(&format!("\nSitemap: {}/sitemap.xml\n", sitemaps.origin));
    let headers = [
        (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
        (header::CACHE_CONTROL, "public, max-age=3600"),
    ];
    (headers, text).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_limit_the_sitemap_is_an_index_of_parts() {
        let page = |n: usize| Page {
            path: format!("/p/p{n}"),
            lastmod: None,
        };
        let languages = locale::all().len();
        let small: Vec<Page> = (0..10).map(page).collect();
        let files = build(&small, "https://shop.lt", Locale::lt);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].matches("<url>").count(), 10 * languages);
        let big: Vec<Page> = (0..MAX_URLS / languages + 1).map(page).collect();
        let files = build(&big, "https://shop.lt", Locale::lt);
        assert!(files[0].contains("<sitemapindex"));
        assert_eq!(files.len(), 3, "an index and two parts");
        assert_eq!(files[1].matches("<url>").count(), MAX_URLS);
    }
}
