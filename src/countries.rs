//! The countries the shop knows, and their names in each language. Shipping methods choose among
//! them, checkout offers those a method serves, and e-mails and the admin write their names.

/// Countries the shop knows (ISO 3166 alpha-2). Their names are in each language's file.
pub const COUNTRIES: &[&str] = &["LT", "LV", "EE", "PL", "FI", "DE"];

/// A country's name in `locale`, or its code for one the shop does not know.
pub fn country_name(locale: crate::locale::Locale, code: &str) -> String {
    use leptos_i18n::td_string;
    match code {
        "LT" => td_string!(locale, countries.lt),
        "LV" => td_string!(locale, countries.lv),
        "EE" => td_string!(locale, countries.ee),
        "PL" => td_string!(locale, countries.pl),
        "FI" => td_string!(locale, countries.fi),
        "DE" => td_string!(locale, countries.de),
        other => other,
    }
    .to_owned()
}

/// The countries in `codes` as (code, name) in `locale`.
pub fn named_countries<'a>(
    locale: crate::locale::Locale,
    codes: impl IntoIterator<Item = &'a str>,
) -> Vec<(String, String)> {
    codes
        .into_iter()
        .map(|code| (code.to_owned(), country_name(locale, code)))
        .collect()
}
