//! The language parts of every shopper page: the links to the same page in the other languages
//! (for people: the switcher; for search engines: `hreflang` alternates).

use super::{all, code, current, localized, name};
use leptos::prelude::*;

/// The address being served, without its language (`/p/mug?page=2`).
fn here() -> String {
    #[cfg(feature = "ssr")]
    return super::middleware::here();
    #[cfg(not(feature = "ssr"))]
    return "/".into();
}

/// Links to this page in the shop's other languages (shown by their codes, `LT`, to fit a phone's
/// header; named in full for screen readers and on hover), through `/language/{code}`, which remembers
/// the choice. The cart is in the session, not the address, so it comes along.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let here = here();
    let this = current();
    let links = all()
        .iter()
        .map(|&locale| {
            let label = name(locale);
            if locale == this {
                view! {
                    <span aria-current="true" lang=code(locale) title=label>
                        <span aria-hidden="true">{code(locale).to_uppercase()}</span>
                        <span class="visually-hidden">{label}</span>
                    </span>
                }
                .into_any()
            } else {
                view! {
                    <a href=format!("/language/{}?next={}", code(locale), crate::ui::urlencode(&here))
                        hreflang=code(locale) lang=code(locale) title=label aria-label=label
                        data-testid=format!("language-{}", code(locale))>{code(locale).to_uppercase()}</a>
                }
                .into_any()
            }
        })
        .collect_view();
    view! { <nav class="language-switch" aria-label=crate::tr!(chrome.language)>{links}</nav> }
}

/// `<link rel="alternate" hreflang>` for each language, and `x-default` for the address without
/// one (which sends each visitor on to theirs).
#[component]
pub fn Alternates(public_url: String) -> impl IntoView {
    let here = here();
    let links = all()
        .iter()
        .map(|&locale| {
            view! { <link rel="alternate" hreflang=code(locale) href=format!("{public_url}{}", localized(locale, &here)) /> }
        })
        .collect_view();
    view! {
        {links}
        <link rel="alternate" hreflang="x-default" href=format!("{public_url}{here}") />
    }
}
