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
            .then(|| view! { <A href=href(listing_page - 1) attr:rel="prev">"← Previous"</A> });
        let next = (listing_page < pages)
            .then(|| view! { <A href=href(listing_page + 1) attr:rel="next">"Next →"</A> });
        view! { <nav class="pagination" aria-label="Pages">{prev}{links}{next}</nav> }
    })
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

/// Text to put inside a `<textarea>`. Leptos writes a textarea's children unescaped on the server
/// (it treats them like a script's), so a description containing `</textarea>` would end the field
/// and inject markup. Escaped here, on the server only: the browser decodes it back to the same
/// text, and in the browser Leptos sets it as plain text anyway.
pub fn textarea_text(text: String) -> String {
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
    }
}
