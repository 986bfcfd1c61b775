//! Which language a request is in, worked out once at the edge (before routing) and kept in the
//! request's extensions, where pages, server functions and handlers read it.

use super::{all, code, localized, Locale};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, Uri};
use axum::middleware::Next;
use axum::response::Response;

/// The cookie that remembers the language the shopper chose with the switcher. Only an explicit
/// choice sets it: browsing sets no cookie (a visitor who never chose needs none).
pub const COOKIE: &str = "turgus_lang";

/// The language of a request, and whether its address said so (a page without a prefix is sent
/// on to one with).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLocale {
    pub locale: Locale,
    pub in_address: bool,
}

/// Puts the request's language into the Leptos context of its page or server function, where
/// every translated string reads it (a copy, not the request's headers each time).
pub fn provide() {
    use leptos::prelude::{provide_context, with_context};
    if let Some(Some(found)) = with_context(|parts: &axum::http::request::Parts| {
        parts.extensions.get::<RequestLocale>().copied()
    }) {
        provide_context(found);
    }
}

/// The current request's language, from inside a page or a server function.
pub fn of_request() -> Option<Locale> {
    leptos::prelude::use_context::<RequestLocale>().map(|found| found.locale)
}

/// What the language edge is told by the shop that sets it up.
#[derive(Clone, Copy)]
pub struct Edge {
    /// The language of a first visit whose browser asks for none the shop speaks.
    pub default: Locale,
    /// Addresses without a language prefix whose language is not the shopper's (the admin's): they
    /// follow the browser here, and the admin's own choice further in, once logged in.
    pub unprefixed: fn(&str) -> bool,
}

/// Middleware around the whole router: takes the language off the front of the address (so
/// `/lt/cart` is routed as `/cart`), or works it out for an address without one.
pub async fn strip_prefix(
    State(Edge {
        default,
        unprefixed: admins,
    }): State<Edge>,
    mut request: Request,
    next: Next,
) -> Response {
    let remembered = cookie(request.headers()).and_then(super::parse);
    let found = match split(request.uri()) {
        Some((locale, rest)) => {
            *request.uri_mut() = rest;
            RequestLocale {
                locale,
                in_address: true,
            }
        }
        None if admins(request.uri().path()) => RequestLocale {
            locale: browser_choice(request.headers()).unwrap_or(default),
            in_address: false,
        },
        None => RequestLocale {
            locale: unprefixed(&request, remembered).unwrap_or(default),
            in_address: false,
        },
    };
    request.extensions_mut().insert(found);
    next.run(request).await
}

/// `GET /language/{code}?next=/cart`: the switcher. Remembers the choice and goes on to the same
/// page in that language. `secure` marks the cookie `Secure` (a shop served over HTTPS).
pub fn routes(secure: bool) -> axum::Router {
    axum::Router::new().route(
        "/language/{code}",
        axum::routing::get(
            move |axum::extract::Path(code): axum::extract::Path<String>,
                  axum::extract::Query(query): axum::extract::Query<
                std::collections::HashMap<String, String>,
            >| async move { choose(&code, query.get("next").map(String::as_str), secure) },
        ),
    )
}

fn choose(chosen: &str, next: Option<&str>, secure: bool) -> Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let Some(locale) = super::parse(chosen) else {
        return (StatusCode::NOT_FOUND, "No such language.").into_response();
    };
    // Only a path on this shop: never a way to send someone elsewhere (`//evil.example`).
    let next = next
        .filter(|path| path.starts_with('/') && !path.starts_with("//") && !path.contains('\\'))
        .unwrap_or("/");
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
        code(locale)
    );
    match (
        HeaderValue::from_str(&localized(locale, next)),
        HeaderValue::from_str(&cookie),
    ) {
        (Ok(location), Ok(cookie)) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, location),
                (header::SET_COOKIE, cookie),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        _ => (StatusCode::BAD_REQUEST, "That address cannot be followed.").into_response(),
    }
}

/// `/lt/cart?x=1` → (`lt`, `/cart?x=1`); `/lt` → (`lt`, `/`). `None` when the first segment is
/// not a language the shop speaks.
fn split(uri: &Uri) -> Option<(Locale, Uri)> {
    let path = uri.path().strip_prefix('/')?;
    let (first, rest) = match path.find('/') {
        Some(slash) => (&path[..slash], &path[slash..]),
        None => (path, "/"),
    };
    let locale = all().iter().copied().find(|l| code(*l) == first)?;
    let rest = match uri.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_owned(),
    };
    Some((locale, rest.parse().ok()?))
}

/// The language for a request without one in its address. A form post or a script's call goes
/// with the page it came from (its `Referer`, always the shop's own page for a post the
/// same-site check lets through); otherwise the shopper's last language, else their browser's.
fn unprefixed(request: &Request, remembered: Option<Locale>) -> Option<Locale> {
    let from_page = (request.method() != Method::GET)
        .then(|| referring_page(request.headers()))
        .flatten();
    from_page
        .or(remembered)
        .or_else(|| browser_choice(request.headers()))
}

fn referring_page(headers: &HeaderMap) -> Option<Locale> {
    let referer: Uri = headers.get(header::REFERER)?.to_str().ok()?.parse().ok()?;
    split(&referer).map(|(locale, _)| locale)
}

fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

/// The first language in `Accept-Language` (by preference) that the shop speaks: `lt-LT,lt;q=0.9,
/// en;q=0.8` → `lt`. Only the first 32 entries are read; `q=0` means "not this one".
fn browser_choice(headers: &HeaderMap) -> Option<Locale> {
    let accepted = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut wanted: Vec<(u16, Locale)> = accepted
        .split(',')
        .take(32)
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
            let locale = all().iter().copied().find(|l| code(*l) == primary)?;
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), quality)?;
            (quality > 0).then_some((quality, locale))
        })
        .collect();
    // Stable: among equal preferences, the browser's order stands.
    wanted.sort_by_key(|(quality, _)| std::cmp::Reverse(*quality));
    wanted.first().map(|(_, locale)| *locale)
}

/// `0.8` → 800 (thousandths, as the header allows three decimals). Anything but `0`–`1` with
/// up to three decimals is no quality at all; nothing a client sends can overflow it.
fn quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = fraction.chars().chain("000".chars()).take(3).collect();
    let value = whole + digits.parse::<u16>().ok()?;
    (value <= 1000).then_some(value)
}

/// The address being served, without its language: `/p/mug?page=2`.
pub fn here() -> String {
    leptos::prelude::with_context(|parts: &axum::http::request::Parts| {
        parts.uri.path_and_query().map(|p| p.as_str().to_owned())
    })
    .flatten()
    .unwrap_or_else(|| "/".into())
}

/// Where a shopper page asked for without its language goes: the same page in the language
/// worked out for the request (`/p/mug?x` → `/lt/p/mug?x`). `None` when the address had one.
pub fn address_with_language() -> Option<String> {
    let found = leptos::prelude::use_context::<RequestLocale>()?;
    let here = here();
    (!found.in_address && !is_file(&here)).then(|| localized(found.locale, &here))
}

/// A missing file (`/pkg/old.js`, `/robots.txt`) is not found, in no language.
fn is_file(path_and_query: &str) -> bool {
    let path = path_and_query.split('?').next().unwrap_or_default();
    path.starts_with("/pkg/")
        || path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, value.parse().unwrap());
        headers
    }

    #[test]
    fn the_prefix_comes_off_before_routing() {
        let (locale, rest) = split(&"/lt/p/mug?page=2".parse().unwrap()).unwrap();
        assert_eq!(
            (locale, rest.to_string().as_str()),
            (Locale::lt, "/p/mug?page=2")
        );
        let (locale, rest) = split(&"/en".parse().unwrap()).unwrap();
        assert_eq!((locale, rest.path()), (Locale::en, "/"));
        assert!(split(&"/cart".parse().unwrap()).is_none());
        assert!(split(&"/ltx/cart".parse().unwrap()).is_none());
        assert!(split(&"/".parse().unwrap()).is_none());
    }

    #[test]
    fn the_browser_preference_is_followed() {
        assert_eq!(
            browser_choice(&accept("lt-LT,lt;q=0.9,en;q=0.8")),
            Some(Locale::lt)
        );
        assert_eq!(
            browser_choice(&accept("de-DE, en;q=0.5, lt;q=0.7")),
            Some(Locale::lt)
        );
        assert_eq!(browser_choice(&accept("en-GB,lt;q=0.9")), Some(Locale::en));
        assert_eq!(
            browser_choice(&accept("lt;q=0, en;q=0.1")),
            Some(Locale::en)
        );
        assert_eq!(browser_choice(&accept("fr, de")), None);
        assert_eq!(browser_choice(&accept("lt;q=banana")), None);
        // Out of range, never wrapped around (66 × 1000 overflowed a u16).
        assert_eq!(
            browser_choice(&accept("lt;q=66, en;q=0.5")),
            Some(Locale::en)
        );
        assert_eq!(
            browser_choice(&accept("lt;q=1.5, en;q=0.5")),
            Some(Locale::en)
        );
        assert_eq!(
            browser_choice(&accept("lt;q=0.12345, en")),
            Some(Locale::en)
        );
        assert_eq!(quality("0.8"), Some(800));
        assert_eq!(quality("1"), Some(1000));
        assert_eq!(quality("1.000"), Some(1000));
        assert_eq!(quality("0"), Some(0));
        assert_eq!(quality("65.536"), None);
        assert_eq!(browser_choice(&accept(&"x,".repeat(5000))), None);
    }

    #[test]
    fn missing_files_are_not_sent_on_to_a_language() {
        assert!(is_file("/pkg/turgus.js"));
        assert!(is_file("/robots.txt?x=1"));
        assert!(!is_file("/p/enamel-mug?x=a.b"));
        assert!(!is_file("/"));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "id=abc; turgus_lang=lt; x=y".parse().unwrap(),
        );
        assert_eq!(cookie(&headers), Some("lt"));
    }
}
