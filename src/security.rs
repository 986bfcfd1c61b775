//! Refusing cross-site requests that change state (CSRF).
//!
//! Browsers label every request with `Sec-Fetch-Site`, and cross-origin POSTs with `Origin`; a form
//! on another site that posts to the shop is refused before any handler runs. The session cookie's
//! `SameSite=Lax` is the second line. Paysera's callback is the one exemption: it comes from
//! Paysera's servers, and its signature is its proof.

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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
    let cross_site = match text("sec-fetch-site") {
        Some(site) => site == "cross-site",
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
    use super::is_own_origin;

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
