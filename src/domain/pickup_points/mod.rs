//! Parcel lockers and pick-up points of the Baltic carriers (Omniva, DPD, Venipak, LP Express):
//! the lists the shop keeps of them, and how a shopper finds one.
//!
//! Each carrier publishes its points as JSON in a shape of its own; [`feeds`] reads every shape
//! into one [`Point`], [`store`] keeps the last good list per carrier (replaced whole, in one
//! transaction, only by a list that passed its checks), and [`refresh`] downloads each list the
//! shop uses, daily, once across instances. A shipping method with a carrier asks the shopper for
//! one of its points in their country; the order freezes the point as it was.
//!
//! Search is for shoppers typing on a phone: case and accents do not matter (`siauliai` finds
//! Šiauliai), and a word of five letters or more also matches without its last two (`kaunas`
//! finds `Kauno`, `vilnius` finds `Vilniaus`): Baltic place names change their ending with the
//! grammatical case, and an address names the city in the genitive.

#[cfg(feature = "ssr")]
pub mod feeds;
#[cfg(feature = "ssr")]
pub mod refresh;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// A carrier whose points the shop can list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Carrier {
    Omniva,
    Dpd,
    Venipak,
    LpExpress,
}

impl Carrier {
    pub const ALL: [Carrier; 4] = [
        Carrier::Omniva,
        Carrier::Dpd,
        Carrier::Venipak,
        Carrier::LpExpress,
    ];

    /// How the database and forms name it.
    pub fn code(self) -> &'static str {
        match self {
            Carrier::Omniva => "omniva",
            Carrier::Dpd => "dpd",
            Carrier::Venipak => "venipak",
            Carrier::LpExpress => "lpexpress",
        }
    }

    pub fn parse(code: &str) -> Option<Carrier> {
        Carrier::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Its name as shoppers know it (the same in every language).
    pub fn name(self) -> &'static str {
        match self {
            Carrier::Omniva => "Omniva",
            Carrier::Dpd => "DPD",
            Carrier::Venipak => "Venipak",
            Carrier::LpExpress => "LP Express",
        }
    }
}

/// A point's id in its carrier's list (what goes on the shipment).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PointId(pub String);

/// Where a point stands, in degrees (WGS 84).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

/// A parcel locker or a staffed pick-up point, the same whatever the carrier's format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub id: PointId,
    /// ISO 3166 alpha-2.
    pub country: String,
    pub name: String,
    pub city: String,
    /// Street and number.
    pub address: String,
    /// Without a country prefix; empty where the carrier gives none (Omniva).
    pub postcode: String,
    /// None where the carrier does not know (Venipak's `0.0000000`).
    pub coordinates: Option<Coordinates>,
    /// A locker (open around the clock) rather than a staffed point.
    pub locker: bool,
}

impl Point {
    /// One line for the order, the e-mails and the invoice: `Akropolis paštomatas, Ozo g. 25, Vilnius`.
    pub fn one_line(&self) -> String {
        let place = [
            self.address.as_str(),
            self.postcode.as_str(),
            self.city.as_str(),
        ]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
        format!("{}, {place}", self.name)
    }

    /// The text a search looks in: name, city, address and postcode, folded.
    pub fn haystack(&self) -> String {
        fold(&format!(
            "{} {} {} {}",
            self.name, self.city, self.address, self.postcode
        ))
    }
}

/// Lower case without accents: `Šiaulių` is `siauliu`. The Baltic languages' letters (and
/// Western Europe's common ones) are mapped by hand, others kept as they are: Unicode's case
/// tables would weigh more in the shopper's WASM (the search island folds too) than the whole
/// search.
pub fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'ą' | 'ā' | 'ä' | 'á' | 'à' | 'â' | 'å' | 'Ą' | 'Ā' | 'Ä' | 'Á' | 'À' | 'Â' | 'Å' => {
                'a'
            }
            'č' | 'ć' | 'ç' | 'Č' | 'Ć' | 'Ç' => 'c',
            'ę' | 'ė' | 'ē' | 'é' | 'è' | 'ê' | 'ë' | 'Ę' | 'Ė' | 'Ē' | 'É' | 'È' | 'Ê' | 'Ë' => {
                'e'
            }
            'ģ' | 'Ģ' => 'g',
            'į' | 'ī' | 'í' | 'ì' | 'î' | 'ï' | 'Į' | 'Ī' | 'Í' | 'Ì' | 'Î' | 'Ï' => {
                'i'
            }
            'ķ' | 'Ķ' => 'k',
            'ļ' | 'ł' | 'Ļ' | 'Ł' => 'l',
            'ņ' | 'ń' | 'ñ' | 'Ņ' | 'Ń' | 'Ñ' => 'n',
            'õ' | 'ö' | 'ō' | 'ó' | 'ò' | 'ô' | 'Õ' | 'Ö' | 'Ō' | 'Ó' | 'Ò' | 'Ô' => {
                'o'
            }
            'ŗ' | 'Ŗ' => 'r',
            'š' | 'ś' | 'Š' | 'Ś' => 's',
            'ų' | 'ū' | 'ü' | 'ú' | 'ù' | 'û' | 'Ų' | 'Ū' | 'Ü' | 'Ú' | 'Ù' | 'Û' => {
                'u'
            }
            'ž' | 'ź' | 'ż' | 'Ž' | 'Ź' | 'Ż' => 'z',
            other => other,
        })
        .collect()
}

/// What a shopper typed to narrow the list, as folded words.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Search(Vec<String>);

impl Search {
    /// At most five words of at most 40 letters are looked for; spaces and punctuation separate
    /// words.
    pub fn parse(typed: &str) -> Search {
        Search(
            fold(typed)
                .split(|c: char| {
                    c.is_ascii_whitespace() || c.is_ascii_punctuation() || c == '\u{a0}'
                })
                .filter(|word| !word.is_empty())
                .take(5)
                .map(|word| word.chars().take(40).collect())
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every word is in `haystack` (a [`Point::haystack`]), whole or without the
    /// ending of a word of five letters or more.
    pub fn matches(&self, haystack: &str) -> bool {
        self.0.iter().all(|word| {
            if haystack.contains(word.as_str()) {
                return true;
            }
            let letters: Vec<char> = word.chars().collect();
            letters.len() >= 5 && {
                let stem: String = letters[..letters.len() - 2].iter().collect();
                haystack.contains(&stem)
            }
        })
    }
}

/// The phone number a pick-up point's carrier texts the shopper: digits with an optional `+`,
/// spaces, dashes and brackets dropped; a number typed locally gets the country's code
/// (`8 612 34567` or `612 34567` in Lithuania is `+37061234567`). None if it cannot be a number.
pub fn normalise_phone(typed: &str, country: &str) -> Option<String> {
    let kept: String = typed
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let (international, digits) = match kept.strip_prefix('+') {
        Some(rest) => (true, rest.to_owned()),
        None => match kept.strip_prefix("00") {
            Some(rest) => (true, rest.to_owned()),
            None => (false, kept),
        },
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let full = if international {
        digits
    } else {
        let (code, local) = match country {
            "LT" => ("370", digits.strip_prefix('8').unwrap_or(&digits)),
            "LV" => ("371", digits.as_str()),
            "EE" => ("372", digits.as_str()),
            _ => return None,
        };
        let local = local.strip_prefix(code).unwrap_or(local);
        format!("{code}{local}")
    };
    (8..=15).contains(&full.len()).then(|| format!("+{full}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(name: &str, city: &str, address: &str) -> Point {
        Point {
            id: PointId("1".into()),
            country: "LT".into(),
            name: name.into(),
            city: city.into(),
            address: address.into(),
            postcode: "76352".into(),
            coordinates: None,
            locker: true,
        }
    }

    #[test]
    fn a_search_ignores_case_accents_and_the_ending_of_a_place_name() {
        let saule = point("Šiaulių Saulės paštomatas", "Šiaulių m.", "Tilžės g. 109").haystack();
        assert!(Search::parse("siauliai").matches(&saule));
        assert!(Search::parse("ŠIAULIŲ tilžės").matches(&saule));
        assert!(Search::parse("tilzes 109").matches(&saule));
        assert!(Search::parse("76352").matches(&saule));
        assert!(!Search::parse("siauliai kaunas").matches(&saule));
        let kaunas = point(
            "Kauno Akropolio paštomatas",
            "Kauno m.",
            "Karaliaus Mindaugo pr. 49",
        );
        assert!(Search::parse("Kaunas").matches(&kaunas.haystack()));
        assert!(!Search::parse("kaun vilnius").matches(&kaunas.haystack()));
        // Short words must match whole: "ab" does not become "" and match everything.
        assert!(!Search::parse("xy").matches(&kaunas.haystack()));
        assert!(Search::parse(" , ").is_empty());
    }

    #[test]
    fn a_phone_typed_locally_gets_its_countrys_code() {
        assert_eq!(
            normalise_phone("8 612 34567", "LT").as_deref(),
            Some("+37061234567")
        );
        assert_eq!(
            normalise_phone("612-34567", "LT").as_deref(),
            Some("+37061234567")
        );
        assert_eq!(
            normalise_phone("+370 612 34567", "LV").as_deref(),
            Some("+37061234567")
        );
        assert_eq!(
            normalise_phone("0037061234567", "EE").as_deref(),
            Some("+37061234567")
        );
        assert_eq!(
            normalise_phone("2123 4567", "LV").as_deref(),
            Some("+37121234567")
        );
        assert_eq!(
            normalise_phone("5123 4567", "EE").as_deref(),
            Some("+37251234567")
        );
        assert_eq!(
            normalise_phone("37061234567", "LT").as_deref(),
            Some("+37061234567")
        );
        assert_eq!(normalise_phone("call me", "LT"), None);
        assert_eq!(normalise_phone("123", "LT"), None);
        assert_eq!(normalise_phone("612 34567", "FI"), None);
    }

    #[test]
    fn a_point_reads_as_one_line() {
        let p = point("Akropolis paštomatas", "Vilnius", "Ozo g. 25");
        assert_eq!(
            p.one_line(),
            "Akropolis paštomatas, Ozo g. 25, 76352, Vilnius"
        );
    }
}
