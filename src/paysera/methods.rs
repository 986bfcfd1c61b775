//! The payment-methods list: which banks, cards and other methods (SMS bank among them) a project
//! offers, per country, with titles and logos per language and amount limits in cents.
//!
//! ```xml
//! <payment_types_document project_id="123" currency="EUR">
//!   <country code="lt">
//!     <title language="en">Lithuania</title>
//!     <payment_group key="e-banking">
//!       <title language="en">E-banking</title>
//!       <payment_type key="hanza">
//!         <title language="en">Swedbank</title>
//!         <logo_url language="en">https://…/hanza.png</logo_url>
//!         <min amount="1" currency="EUR"/> <max amount="1500000" currency="EUR"/>
//!         <is_iban>0</is_iban> <base_currency>EUR</base_currency>
//!       </payment_type> …
//! ```
//!
//! Texts come padded (in CDATA) and are trimmed. A title missing in the asked language falls back
//! to the default language (`lt`, as in the library), then to the key; a logo to the default
//! language, then to none.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde::Serialize;
use std::fmt;

/// The library's default language for titles and logos.
pub const DEFAULT_LANGUAGE: &str = "lt";

/// Texts by language code, in document order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Translations(Vec<(String, String)>);

impl Translations {
    fn insert(&mut self, language: String, text: String) {
        self.0.retain(|(l, _)| *l != language);
        self.0.push((language, text));
    }

    /// The text in `language`, else in `default_language`.
    pub fn get(&self, language: &str, default_language: &str) -> Option<&str> {
        let find = |wanted: &str| {
            self.0
                .iter()
                .find(|(l, _)| l == wanted)
                .map(|(_, t)| t.as_str())
        };
        find(language).or_else(|| find(default_language))
    }
}

/// An amount limit, in minor units of a currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Limit {
    pub amount_minor: i64,
    pub currency: String,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_minor, self.currency)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PaymentMethod {
    /// What the request's `payment` parameter takes, e.g. `hanza` or `smsbank`.
    pub key: String,
    pub titles: Translations,
    pub logos: Translations,
    pub min: Option<Limit>,
    pub max: Option<Limit>,
    pub is_iban: bool,
    pub base_currency: Option<String>,
}

impl PaymentMethod {
    pub fn title(&self, language: &str, default_language: &str) -> String {
        self.titles
            .get(language, default_language)
            .unwrap_or(&self.key)
            .to_owned()
    }

    pub fn logo_url(&self, language: &str, default_language: &str) -> Option<String> {
        self.logos
            .get(language, default_language)
            .map(str::to_owned)
    }

    /// Whether an order of `amount_minor` in `currency` can be paid this way. Limits are
    /// inclusive; a method with neither limit takes any amount (the PHP library throws there).
    pub fn is_available_for(&self, amount_minor: i64, currency: &str) -> bool {
        let same_currency = |limit: &Limit| limit.currency == currency;
        self.base_currency
            .as_deref()
            .is_none_or(|base| base == currency)
            && self
                .min
                .as_ref()
                .is_none_or(|min| same_currency(min) && amount_minor >= min.amount_minor)
            && self
                .max
                .as_ref()
                .is_none_or(|max| same_currency(max) && amount_minor <= max.amount_minor)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Group {
    pub key: String,
    pub titles: Translations,
    pub methods: Vec<PaymentMethod>,
}

impl Group {
    pub fn title(&self, language: &str, default_language: &str) -> String {
        self.titles
            .get(language, default_language)
            .unwrap_or(&self.key)
            .to_owned()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Country {
    pub code: String,
    pub titles: Translations,
    pub groups: Vec<Group>,
}

impl Country {
    pub fn title(&self, language: &str, default_language: &str) -> String {
        self.titles
            .get(language, default_language)
            .unwrap_or(&self.code)
            .to_owned()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MethodsList {
    pub project_id: Option<String>,
    pub currency: Option<String>,
    pub countries: Vec<Country>,
}

impl MethodsList {
    /// Every (country, group, method), in document order; with `amount`, only the methods an
    /// order of that many minor units in that currency can use.
    pub fn methods<'a>(
        &'a self,
        amount: Option<(i64, &'a str)>,
    ) -> impl Iterator<Item = (&'a Country, &'a Group, &'a PaymentMethod)> + 'a {
        self.countries.iter().flat_map(move |country| {
            country.groups.iter().flat_map(move |group| {
                group
                    .methods
                    .iter()
                    .filter(move |m| {
                        amount.is_none_or(|(minor, currency)| m.is_available_for(minor, currency))
                    })
                    .map(move |method| (country, group, method))
            })
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct MethodsError(pub String);

impl fmt::Display for MethodsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "payment methods list: {}", self.0)
    }
}

impl std::error::Error for MethodsError {}

fn attribute(element: &BytesStart, name: &str) -> Result<Option<String>, MethodsError> {
    element
        .try_get_attribute(name)
        .map_err(|e| MethodsError(e.to_string()))?
        .map(|a| {
            a.unescape_value()
                .map(|v| v.trim().to_owned())
                .map_err(|e| MethodsError(e.to_string()))
        })
        .transpose()
}

fn limit(element: &BytesStart) -> Result<Option<Limit>, MethodsError> {
    let amount = attribute(element, "amount")?.and_then(|a| a.parse::<i64>().ok());
    let currency = attribute(element, "currency")?.unwrap_or_default();
    Ok(amount.map(|amount_minor| Limit {
        amount_minor,
        currency,
    }))
}

/// Parses the XML. Unknown elements are ignored, so additions on Paysera's side do not break us.
pub fn parse(xml: &str) -> Result<MethodsList, MethodsError> {
    let mut reader = Reader::from_str(xml);
    let mut list = MethodsList::default();
    // Where we are: the open elements' names, and the text and `language` of the innermost.
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut language = String::new();

    loop {
        let event = reader
            .read_event()
            .map_err(|e| MethodsError(e.to_string()))?;
        match event {
            Event::Start(ref element) | Event::Empty(ref element) => {
                let name = String::from_utf8_lossy(element.local_name().as_ref()).into_owned();
                let is_empty = matches!(event, Event::Empty(_));
                open_element(&mut list, &name, element)?;
                language = attribute(element, "language")?.unwrap_or_default();
                text.clear();
                if !is_empty {
                    path.push(name);
                }
            }
            Event::Text(t) => {
                text.push_str(&t.unescape().map_err(|e| MethodsError(e.to_string()))?)
            }
            Event::CData(c) => text.push_str(&String::from_utf8_lossy(&c.into_inner())),
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str).unwrap_or("");
                let value = text.trim().to_owned();
                store_text(
                    &mut list,
                    &name,
                    parent,
                    std::mem::take(&mut language),
                    value,
                );
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(MethodsError("the document ends inside an element".into()));
    }
    Ok(list)
}

/// What an opening element adds to the list: the document's project, a country, a group, a
/// method or a method's limit.
fn open_element(
    list: &mut MethodsList,
    name: &str,
    element: &quick_xml::events::BytesStart,
) -> Result<(), MethodsError> {
    match name {
        "payment_types_document" => {
            list.project_id = attribute(element, "project_id")?;
            list.currency = attribute(element, "currency")?;
        }
        "country" => list.countries.push(Country {
            code: attribute(element, "code")?.unwrap_or_default(),
            ..Country::default()
        }),
        "payment_group" => {
            if let Some(country) = list.countries.last_mut() {
                country.groups.push(Group {
                    key: attribute(element, "key")?.unwrap_or_default(),
                    ..Group::default()
                });
            }
        }
        "payment_type" => {
            if let Some(group) = list.countries.last_mut().and_then(|c| c.groups.last_mut()) {
                group.methods.push(PaymentMethod {
                    key: attribute(element, "key")?.unwrap_or_default(),
                    ..PaymentMethod::default()
                });
            }
        }
        "min" | "max" => {
            let value = limit(element)?;
            if let Some(method) = current_method(list) {
                if name == "min" {
                    method.min = value
                } else {
                    method.max = value
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn current_method(list: &mut MethodsList) -> Option<&mut PaymentMethod> {
    list.countries
        .last_mut()?
        .groups
        .last_mut()?
        .methods
        .last_mut()
}

/// Puts the text of a closed element where it belongs, judging by the element and its parent.
fn store_text(list: &mut MethodsList, name: &str, parent: &str, language: String, value: String) {
    match (name, parent) {
        ("title", "country") => {
            if let Some(country) = list.countries.last_mut() {
                country.titles.insert(language, value);
            }
        }
        ("title", "payment_group") => {
            if let Some(group) = list.countries.last_mut().and_then(|c| c.groups.last_mut()) {
                group.titles.insert(language, value);
            }
        }
        ("title" | "logo_url" | "is_iban" | "base_currency", "payment_type") => {
            if let Some(method) = current_method(list) {
                match name {
                    "title" => method.titles.insert(language, value),
                    "logo_url" if !value.is_empty() => method.logos.insert(language, value),
                    "is_iban" => method.is_iban = value == "1",
                    "base_currency" => method.base_currency = Some(value).filter(|v| !v.is_empty()),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_method_without_limits_takes_any_amount() {
        let method = PaymentMethod {
            key: "smsbank".into(),
            ..PaymentMethod::default()
        };
        assert!(method.is_available_for(0, "EUR"));
        assert!(method.is_available_for(i64::MAX, "EUR"));
    }

    #[test]
    fn limits_are_inclusive_and_in_their_currency() {
        let eur = |amount_minor| {
            Some(Limit {
                amount_minor,
                currency: "EUR".into(),
            })
        };
        let method = PaymentMethod {
            key: "card".into(),
            min: eur(100),
            max: eur(500),
            ..PaymentMethod::default()
        };
        assert!(!method.is_available_for(99, "EUR"));
        assert!(method.is_available_for(100, "EUR"));
        assert!(method.is_available_for(500, "EUR"));
        assert!(!method.is_available_for(501, "EUR"));
        assert!(!method.is_available_for(200, "USD"));
    }

    #[test]
    fn broken_xml_is_an_error_not_a_panic() {
        assert!(parse("<payment_types_document><country code=\"lt\">").is_err());
        assert!(parse("<a></b>").is_err());
        assert_eq!(parse("").unwrap(), MethodsList::default());
    }
}
