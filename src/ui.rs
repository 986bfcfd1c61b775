//! Small pieces of interface shared by the storefront and the admin.

use leptos::prelude::*;
use leptos_router::components::A;

/// Links to the pages of a listing: previous, next, the first and last page and the ones around
/// the current one (a long order list does not get a thousand links).
#[component]
pub fn Pagination(
    listing_page: u32,
    pages: u32,
    href: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    (pages > 1).then(|| {
        let mut shown_last = 0;
        let links = (1..=pages)
            .filter(|&p| p == 1 || p == pages || p.abs_diff(listing_page) <= 2)
            .map(|p| {
                let gap = (p > shown_last + 1).then(|| view! { <span class="page-gap">"…"</span> });
                shown_last = p;
                let link = if p == listing_page {
                    view! { <span class="page-current" aria-current="page">{p}</span> }.into_any()
                } else {
                    view! { <A href=href(p)>{p}</A> }.into_any()
                };
                view! { {gap}{link} }
            })
            .collect_view();
        let prev = (listing_page > 1)
            .then(|| view! { <A href=href(listing_page - 1) attr:rel="prev">{crate::tr!(chrome.previous)}</A> });
        let next = (listing_page < pages)
            .then(|| view! { <A href=href(listing_page + 1) attr:rel="next">{crate::tr!(chrome.next)}</A> });
        view! { <nav class="pagination" aria-label=crate::tr!(chrome.pages)>{prev}{links}{next}</nav> }
    })
}

/// A stored timestamp for people, in UTC: `2026-11-23T10:15:42.123Z` → `2026-11-23 10:15`.
pub fn short_time(timestamp: &str) -> String {
    timestamp.get(..16).unwrap_or(timestamp).replace('T', " ")
}

/// A failed action's message, announced to screen readers.
#[component]
pub fn ErrorNotice(error: crate::error::AppError) -> impl IntoView {
    view! { <div class="notice notice-error" role="alert">{error.message().into_owned()}</div> }
}

/// Percent-encodes a query value for a link (letters, digits and `-._~` stay as they are).
pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A listing's query string: its non-empty filters, and the page unless it is the first.
pub fn listing_query(filters: &[(&str, &str)], page: u32) -> String {
    let mut query: Vec<String> = filters
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{key}={}", urlencode(value)))
        .collect();
    if page > 1 {
        query.push(format!("page={page}"));
    }
    query.join("&")
}

/// A listing's `page` parameter: the first page when it is missing or not a number.
pub fn page_param(query: &leptos_router::params::ParamsMap) -> u32 {
    query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1)
}

/// Merchant text for the two places Leptos writes unescaped on the server: the `<title>`
/// (leptos_meta) and a `<textarea>`'s text (which tachys treats like a script's). A name containing
/// `</title>` or a description containing `</textarea>` would otherwise end the element and inject
/// markup. Escaped on the server only: the browser decodes it back to the same text, and in the
/// browser Leptos sets both as plain text.
pub fn escape_on_server(text: String) -> String {
    #[cfg(feature = "ssr")]
    let text = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_encode_query_values() {
        assert_eq!(urlencode("linen & wool"), "linen%20%26%20wool");
        assert_eq!(urlencode("ąžuolas"), "%C4%85%C5%BEuolas");
        assert_eq!(
            listing_query(&[("q", "a&b"), ("state", ""), ("review", "1")], 3),
            "q=a%26b&review=1&page=3"
        );
        assert_eq!(listing_query(&[("q", "")], 1), "");
    }
}
