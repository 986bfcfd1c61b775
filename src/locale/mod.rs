//! The shopper's language. Every shopper page's address starts with it (`/lt/cart`, `/en/p/…`), so
//! a page is the same page for everyone who opens the link, and search engines index each
//! language (with `hreflang` alternates). The server strips the prefix before routing
//! (`middleware::strip_prefix`), so the route table and the features know nothing of it; they ask
//! [`current`] for the language and [`href`] for their links.
//!
//! An address without a prefix (a typed `shop.lt/`, an old link) is sent on to the shopper's
//! language: the one they chose with the switcher (a cookie, set by that choice only), else the
//! first their browser asks for that the shop has (`Accept-Language`), else the shop's default
//! (`TURGUS_DEFAULT_LOCALE`). Form posts and the islands' calls go with the page they came from.
//! The admin is in English.
//!
//! The words are in `locales/<code>.json`, one file per language, compiled into `crate::i18n` by
//! leptos_i18n (keys checked at compile time). Each file also names its language for the
//! switcher, the code Paysera knows it by, and its month names.

#[cfg(feature = "ssr")]
pub mod middleware;
mod pages;

pub use pages::{Alternates, LanguageSwitch};

pub use crate::i18n::Locale;
use leptos_i18n::Locale as _;

/// A translated string in the current page's language: `tr!(cart.title)`,
/// `tr!(cart.items, count = n)`. Wraps leptos_i18n's `td_string!`, which checks the key and its
/// arguments at compile time.
#[macro_export]
macro_rules! tr {
    ($($key:tt)*) => {
        leptos_i18n::td_string!($crate::locale::current(), $($key)*)
    };
}

/// The language of the request being served (on the server), or of the page (in the browser:
/// `<html lang>`, which the server wrote).
pub fn current() -> Locale {
    #[cfg(feature = "ssr")]
    return middleware::of_request().unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    return web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|lang| lang.parse().ok())
        .unwrap_or_default();
}

/// Every language the shop speaks, the build's default (English) first.
pub fn all() -> &'static [Locale] {
    Locale::get_all()
}

/// The language's code, as in its addresses and `<html lang>`: `lt`.
pub fn code(locale: Locale) -> &'static str {
    locale.as_str()
}

/// The language a stored code names (an order's), if the shop still speaks it.
pub fn parse(code: &str) -> Option<Locale> {
    code.parse().ok()
}

/// `path` in `locale`: `/cart` → `/lt/cart`, `/` → `/lt/`.
pub fn localized(locale: Locale, path: &str) -> String {
    format!(
        "/{}{}",
        code(locale),
        if path.is_empty() { "/" } else { path }
    )
}

/// A link to `path` in the current page's language.
pub fn href(path: &str) -> String {
    localized(current(), path)
}

/// What Paysera calls the language (ISO 639-2/B: `LIT`, `ENG`), for its payment page's language.
pub fn paysera_lang(locale: Locale) -> &'static str {
    leptos_i18n::td_string!(locale, language.paysera)
}

/// The language Paysera's code names (`LIT`), if the shop speaks it.
pub fn from_paysera(lang: &str) -> Option<Locale> {
    all()
        .iter()
        .copied()
        .find(|l| paysera_lang(*l).eq_ignore_ascii_case(lang))
}

/// The language's name in itself, for the switcher: `Lietuvių`.
pub fn name(locale: Locale) -> &'static str {
    leptos_i18n::td_string!(locale, language.name)
}

/// A stored UTC timestamp (`2026-11-23T10:15:42Z`) as a date in `locale`: `23 November 2026`,
/// `2026 m. lapkričio 23 d.`. The month names and the order of the parts come from the locale's
/// file.
pub fn date(locale: Locale, timestamp: &str) -> String {
    let mut parts = timestamp.get(..10).unwrap_or_default().split('-');
    let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return timestamp.to_owned();
    };
    let Some(month) = month.parse::<usize>().ok().and_then(|m| m.checked_sub(1)) else {
        return timestamp.to_owned();
    };
    let months = leptos_i18n::td_string!(locale, language.months);
    let Some(month) = months.split(',').nth(month) else {
        return timestamp.to_owned();
    };
    let day = day.trim_start_matches('0');
    leptos_i18n::td_string!(locale, language.date, year, month, day).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_carry_the_language() {
        assert_eq!(localized(Locale::lt, "/cart"), "/lt/cart");
        assert_eq!(localized(Locale::en, "/"), "/en/");
        assert_eq!(localized(Locale::en, ""), "/en/");
    }

    #[test]
    fn dates_are_written_in_the_language() {
        assert_eq!(date(Locale::en, "2026-11-03T10:15:42Z"), "3 November 2026");
        assert_eq!(
            date(Locale::lt, "2026-11-23T10:15:42Z"),
            "2026 m. lapkričio 23 d."
        );
        assert_eq!(date(Locale::lt, "garbage"), "garbage");
    }

    #[test]
    fn lithuanian_counts_have_their_three_forms() {
        let items = |n: u32| leptos_i18n::td_string!(Locale::lt, cart.items, count = n);
        for (n, expected) in [
            (1, "1 prekė"),
            (2, "2 prekės"),
            (9, "9 prekės"),
            (10, "10 prekių"),
            (11, "11 prekių"),
            (12, "12 prekių"),
            (21, "21 prekė"),
            (22, "22 prekės"),
            (0, "0 prekių"),
            (111, "111 prekių"),
        ] {
            assert_eq!(items(n), expected);
        }
        let english = |n: u32| leptos_i18n::td_string!(Locale::en, cart.items, count = n);
        assert_eq!(
            (english(1), english(21)),
            ("1 item".into(), "21 items".into())
        );
    }

    #[test]
    fn paysera_is_told_the_language_by_its_own_code() {
        assert_eq!(paysera_lang(Locale::lt), "LIT");
        assert_eq!(paysera_lang(Locale::en), "ENG");
    }
}
