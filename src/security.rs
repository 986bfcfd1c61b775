//! Security headers for every response, refusing cross-site requests that change state (CSRF),
//! and refusing addresses whose path is not plain.
//!
//! Browsers label every request with `Sec-Fetch-Site`, and cross-origin POSTs with `Origin`; a form
//! on another site that posts to the shop is refused before any handler runs. The session cookie's
//! `SameSite=Lax` is the second line. Paysera's callback is the one exemption: it comes from
//! Paysera's servers, and its signature is its proof.

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// What the security headers need to know about the shop.
#[derive(Clone)]
pub struct Policy {
    /// `https://bank.paysera.com` (or the sandbox's own origin): where checkout forms may post.
    pub pay_origin: String,
    pub https: bool,
}

impl Policy {
    pub fn new(pay_url: &str, public_url: &str) -> Policy {
        let origin = |url: &str| match url.split_once("://") {
            Some((scheme, rest)) => {
                format!("{scheme}://{}", rest.split('/').next().unwrap_or_default())
            }
            None => String::new(),
        };
        Policy {
            pay_origin: origin(pay_url),
            https: public_url.starts_with("https://"),
        }
    }

    /// The Content-Security-Policy. A page names the SHA-256 of each inline script it runs
    /// (Leptos' island loader and its resource stubs: `inline_script_hashes`); `'wasm-unsafe-eval'`
    /// lets the WASM compile; nothing lets any other script run.
    pub fn content_security_policy(&self, script_hashes: &[String]) -> String {
        let mut scripts = String::from("'self'");
        for hash in script_hashes {
            scripts.push_str(" 'sha256-");
            scripts.push_str(hash);
            scripts.push('\'');
        }
        format!(
            "default-src 'self'; script-src {scripts} 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: https:; \
             connect-src 'self'; frame-ancestors 'none'; form-action 'self' {}; base-uri 'self'; object-src 'none'",
            self.pay_origin
        )
    }
}

/// Adds the security headers every response gets. Pages come with their own CSP
/// (`page_script_policy`); everything else gets the policy that allows no inline script.
pub async fn security_headers(
    State(policy): State<std::sync::Arc<Policy>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let html = is_html(response.headers());
    let cache = cache_policy(&path, html);
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(value) = header::HeaderValue::from_str(value) {
            headers.entry(name).or_insert(value);
        }
    };
    set(
        header::CONTENT_SECURITY_POLICY,
        &policy.content_security_policy(&[]),
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // For browsers that predate CSP's frame-ancestors.
    set(header::X_FRAME_OPTIONS, "DENY");
    if let Some(cache) = cache {
        set(header::CACHE_CONTROL, cache);
    }
    set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    if policy.https {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

/// The largest page the shop renders is a checkout listing a country's parcel lockers (about
/// 120 KB); anything near this is a fault, answered as one.
const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

/// Gives each HTML page the CSP that lets exactly its own inline scripts run, by their SHA-256.
///
/// Hashes rather than a per-response nonce: the same page is the same bytes for every visitor,
/// so a page kept by `page_cache` can be served again (and kept compressed) without a nonce
/// being reused or its bytes rewritten. Leptos writes the nonce it is given into its script
/// tags; the shop gives it an empty one (`server::router`), which no policy allows.
pub async fn page_script_policy(
    State(policy): State<std::sync::Arc<Policy>>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    if !is_html(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(html) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        return crate::error::AppError::Internal.into_response();
    };
    let csp = policy.content_security_policy(&inline_script_hashes(&html));
    if let Ok(value) = header::HeaderValue::from_str(&csp) {
        parts.headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    Response::from_parts(parts, axum::body::Body::from(html))
}

/// The answer is an HTML page.
pub fn is_html(headers: &header::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
}

/// The SHA-256 (base64) of each inline script in `html` a browser would run: no `src`, and no
/// `type` or a JavaScript one. Data blocks (`application/ld+json`) are never run, so need none.
/// The text between the tags is hashed as written: a browser does not decode a script's text.
pub fn inline_script_hashes(html: &[u8]) -> Vec<String> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut hashes: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = find(rest, b"<script") {
        rest = &rest[start + b"<script".len()..];
        let Some(tag_end) = find(rest, b">") else {
            break;
        };
        let attributes = &rest[..tag_end];
        rest = &rest[tag_end + 1..];
        let Some(text_end) = find(rest, b"</script") else {
            break;
        };
        let (text, after) = rest.split_at(text_end);
        rest = after;
        if runs_inline(attributes) {
            let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text));
            if !hashes.contains(&hash) {
                hashes.push(hash);
            }
        }
    }
    hashes
}

/// A script tag's attributes say it runs inline: no `src`, a JavaScript type or none.
fn runs_inline(attributes: &[u8]) -> bool {
    let attributes = String::from_utf8_lossy(attributes).to_ascii_lowercase();
    if attributes.contains(" src=") {
        return false;
    }
    match attributes.split_once("type=\"") {
        None => true,
        Some((_, rest)) => {
            let kind = rest.split('"').next().unwrap_or_default();
            matches!(
                kind,
                "" | "module" | "text/javascript" | "application/javascript"
            )
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The `Cache-Control` of an answer that did not set its own. Admin pages carry order and
/// customer data: never kept by a browser's or a proxy's cache (nor shown again by the back
/// button after logging out). The cart, checkout, accept and cancel pages are one shopper's: never
/// stored by a shared cache, nor replayed from the browser's (a stale checkout form would carry a
/// used one-time key). Any other HTML is `no-store` too: a page without the header would be
/// cached by heuristics, a 404 too. Catalog pages opt in to the browser's cache themselves
/// (`page::cache_in_browser`), which this does not replace.
fn cache_policy(path: &str, html: bool) -> Option<&'static str> {
    if path.starts_with("/admin") || path.starts_with("/api/admin") {
        Some("no-store")
    } else if path == "/cart" || path.starts_with("/checkout") || path.starts_with("/cart/") {
        Some("private, no-store")
    } else {
        html.then_some("no-store")
    }
}

/// Refuses, with 400 and before anything else sees it, an address whose path is not plain: a dot
/// segment (`.`, `..`, also percent-encoded), an empty segment (`//`; a trailing `/` is allowed)
/// or a backslash (also encoded). The router decodes `%2e%2e` to `..` while the shop's own checks
/// (the admin's prefix, the cache policy, the language) read the path as sent, so such a path
/// could be one page to the checks and another to the router.
pub async fn plain_paths_only(request: Request, next: Next) -> Response {
    if is_plain_path(request.uri().path()) {
        return next.run(request).await;
    }
    (
        StatusCode::BAD_REQUEST,
        [(header::CACHE_CONTROL, "no-store")],
        "This address is not one of the shop's.",
    )
        .into_response()
}

fn is_plain_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    // Every request passes here: read the segments in place, allocating nothing.
    let is_dot = |s: &str| s == "." || s.eq_ignore_ascii_case("%2e");
    let is_dots = |s: &str| {
        (1..s.len()).any(|cut| s.is_char_boundary(cut) && is_dot(&s[..cut]) && is_dot(&s[cut..]))
    };
    let has_backslash = |s: &str| {
        s.contains('\\')
            || s.as_bytes()
                .windows(3)
                .any(|w| w.eq_ignore_ascii_case(b"%5c"))
    };
    let mut segments = rest.split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        if (segment.is_empty() && !last)
            || is_dot(segment)
            || is_dots(segment)
            || has_backslash(segment)
        {
            return false;
        }
    }
    true
}

/// The paths that other sites may post to.
const EXEMPT: &[&str] = &["/paysera/callback"];

/// The shop's own origins: the public URL's, and whatever host the request was sent to (behind
/// no proxy, the same; in tests, a random port).
fn is_own_origin(origin: &str, public_url: &str, host: Option<&str>) -> bool {
    let origin = origin.trim_end_matches('/');
    origin == public_url.trim_end_matches('/')
        || host.is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest == host)
        })
}

pub async fn same_site_only(
    State(public_url): State<String>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || EXEMPT.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    // Only the shop's own pages (`same-origin`) or the person typing an address (`none`): a
    // sibling subdomain (`same-site`) may be someone else's site.
    let cross_site = match text("sec-fetch-site") {
        Some(site) => !matches!(site, "same-origin" | "none"),
        None => text(header::ORIGIN.as_str())
            .is_some_and(|origin| !is_own_origin(origin, &public_url, text(header::HOST.as_str()))),
    };
    if cross_site {
        tracing::warn!(path = request.uri().path(), "refused a cross-site request");
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::{cache_policy, inline_script_hashes, is_own_origin, is_plain_path, Policy};

    #[test]
    fn shopper_and_admin_pages_are_never_cached_and_the_catalog_may_be() {
        for path in [
            "/cart",
            "/checkout",
            "/checkout/accept",
            "/checkout/cancelled",
        ] {
            assert_eq!(
                cache_policy(path, true),
                Some("private, no-store"),
                "{path}"
            );
        }
        assert_eq!(cache_policy("/admin/orders", true), Some("no-store"));
        assert_eq!(cache_policy("/api/admin/home", false), Some("no-store"));
        // Catalog pages set their own (`page::cache_in_browser`).
        assert_eq!(cache_policy("/p/linen-apron", true), Some("no-store"));
        assert_eq!(cache_policy("/cartography", true), Some("no-store"));
        assert_eq!(cache_policy("/nowhere", true), Some("no-store"));
        assert_eq!(cache_policy("/pkg/turgus.css", false), None);
    }

    #[test]
    fn only_plain_paths_reach_the_router() {
        for plain in [
            "/",
            "/p/linen-apron",
            "/en/",
            "/en/c/kitchen",
            "/media/products/1.jpg",
        ] {
            assert!(is_plain_path(plain), "{plain}");
        }
        for odd in [
            "/en/../admin",
            "/en/%2e%2e/admin/orders",
            "/en/%2E%2e/checkout",
            "/en/.%2e/checkout",
            "/en/./checkout",
            "/en/%2e/checkout",
            "/en//checkout",
            "//admin",
            "/en/p/a\\b",
            "/en/p/a%5cb",
            "/en/p/a%5Cb",
            "",
        ] {
            assert!(!is_plain_path(odd), "{odd}");
        }
    }

    #[test]
    fn the_policy_allows_paysera_forms_and_the_pages_own_scripts_only() {
        let policy = Policy::new("https://bank.paysera.com/pay/", "https://shop.example");
        assert_eq!(policy.pay_origin, "https://bank.paysera.com");
        assert!(policy.https);
        let csp = policy.content_security_policy(&["abc=".into()]);
        assert!(csp.contains("script-src 'self' 'sha256-abc=' 'wasm-unsafe-eval';"));
        assert!(!csp.contains("nonce"));
        assert!(csp.contains("form-action 'self' https://bank.paysera.com;"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn only_scripts_a_browser_runs_are_hashed_each_once() {
        let html = br#"<head><script type="module" nonce="">go()</script>
            <script type="application/ld+json">{"a":1}</script>
            <script src="/pkg/x.js"></script><script>go()</script><script>stop()</script></head>"#;
        // `echo -n 'go()' | openssl dgst -sha256 -binary | base64`
        assert_eq!(
            inline_script_hashes(html),
            [
                "5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw=",
                "+cxkFLprM1p+UYdsltwfzLJhu4c0AWgWWM2wCE77y2Q="
            ]
        );
        assert!(inline_script_hashes(b"<p>no scripts</p><script>cut off").is_empty());
    }

    #[test]
    fn own_origins_are_the_public_url_and_the_requested_host() {
        assert!(is_own_origin(
            "https://shop.example",
            "https://shop.example",
            Some("127.0.0.1:3000")
        ));
        assert!(is_own_origin(
            "http://127.0.0.1:41234",
            "https://shop.example",
            Some("127.0.0.1:41234")
        ));
        assert!(!is_own_origin(
            "https://evil.example",
            "https://shop.example",
            Some("shop.example")
        ));
        assert!(!is_own_origin(
            "https://shop.example.evil.example",
            "https://shop.example",
            Some("shop.example")
        ));
        assert!(!is_own_origin(
            "null",
            "https://shop.example",
            Some("shop.example")
        ));
    }
}
