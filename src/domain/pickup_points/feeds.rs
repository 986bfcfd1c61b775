//! Each carrier's list read into [`Point`]s. The field notes are in
//! `tests/fixtures/carriers/README.md`, beside real samples of each list; the traps: Omniva's
//! `ZIP` is the point's id and `X_COORDINATE` its longitude; DPD writes cities in capitals;
//! Venipak's type 3 is a locker, `0.0000000` an unknown coordinate, and its list holds test rows
//! without a country; LP Express answers either a list or `{"content": [...]}`, with inactive
//! terminals and Latvian postcodes written `LV-3301`.
//!
//! A record that does not read (no id, no name, no country) is skipped and counted, not fatal: a
//! carrier's list always holds a few. A list that is not JSON of the expected shape, or holds no
//! point at all, is refused whole.

use super::{Carrier, Coordinates, Point, PointId};
use serde::Deserialize;
use serde_json::Value;

/// The most points one list may bring (Omniva's whole Baltic list is under 2,000).
pub const MAX_POINTS: usize = 20_000;

/// A list read: its points, and how many records were skipped.
#[derive(Debug, Default)]
pub struct Parsed {
    pub points: Vec<Point>,
    pub skipped: usize,
}

/// Why a list was refused whole.
#[derive(Debug, PartialEq)]
pub enum FeedProblem {
    NotJson(String),
    NotAList,
    NoPoints,
    TooMany(usize),
}

impl std::fmt::Display for FeedProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeedProblem::NotJson(why) => write!(f, "not JSON ({why})"),
            FeedProblem::NotAList => write!(f, "JSON, but not a list of points"),
            FeedProblem::NoPoints => write!(f, "a list without a single usable point"),
            FeedProblem::TooMany(n) => write!(f, "{n} points, more than the {MAX_POINTS} taken"),
        }
    }
}

/// Reads `carrier`'s list.
pub fn parse(carrier: Carrier, bytes: &[u8]) -> Result<Parsed, FeedProblem> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        let mut why = e.to_string();
        why.truncate(120);
        FeedProblem::NotJson(why)
    })?;
    let records = match value {
        Value::Array(records) => records,
        // LP Express's live list wraps its terminals.
        Value::Object(mut object) => match object.remove("content") {
            Some(Value::Array(records)) => records,
            _ => return Err(FeedProblem::NotAList),
        },
        _ => return Err(FeedProblem::NotAList),
    };
    if records.len() > MAX_POINTS {
        return Err(FeedProblem::TooMany(records.len()));
    }
    let read = |record: Value| match carrier {
        Carrier::Omniva => serde_json::from_value::<Omniva>(record)
            .ok()
            .map(Omniva::point),
        Carrier::Dpd => serde_json::from_value::<Dpd>(record).ok().map(Dpd::point),
        Carrier::Venipak => serde_json::from_value::<Venipak>(record)
            .ok()
            .map(Venipak::point),
        Carrier::LpExpress => serde_json::from_value::<LpExpress>(record)
            .ok()
            .filter(|t| t.active.unwrap_or(true))
            .map(LpExpress::point),
    };
    let mut parsed = Parsed::default();
    for record in records {
        match read(record).filter(usable) {
            Some(point) => parsed.points.push(placed(point)),
            None => parsed.skipped += 1,
        }
    }
    if parsed.points.is_empty() {
        return Err(FeedProblem::NoPoints);
    }
    Ok(parsed)
}

/// A point checkout can offer and an order can freeze: an id, a name and a country, each within
/// its column's limits.
fn usable(point: &Point) -> bool {
    let within = |text: &str, max: usize| text.chars().count() <= max;
    !point.id.0.is_empty()
        && within(&point.id.0, 40)
        && !point.name.is_empty()
        && within(&point.name, 200)
        && within(&point.city, 100)
        && within(&point.address, 200)
        && within(&point.postcode, 20)
        && point.country.len() == 2
        && point.country.bytes().all(|b| b.is_ascii_uppercase())
}

/// The Baltic states lie between these latitudes and longitudes.
const BALTIC_LATITUDES: std::ops::Range<f64> = 53.5..60.0;
const BALTIC_LONGITUDES: std::ops::Range<f64> = 20.5..28.5;

/// A Baltic point's position as it should be: one given the wrong way round is turned, one that
/// is not in the Baltics at all (Venipak lists a locker at 14.7 °N) is unknown.
fn placed(mut point: Point) -> Point {
    let inside = |c: &Coordinates| {
        BALTIC_LATITUDES.contains(&c.latitude) && BALTIC_LONGITUDES.contains(&c.longitude)
    };
    if !["LT", "LV", "EE"].contains(&point.country.as_str()) {
        return point;
    }
    point.coordinates = point.coordinates.and_then(|c| {
        let turned = Coordinates {
            latitude: c.longitude,
            longitude: c.latitude,
        };
        [c, turned].into_iter().find(inside)
    });
    point
}

/// A string or a number, as text (ids and coordinates come as either).
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Text {
    String(String),
    Number(serde_json::Number),
    #[default]
    Missing,
}

impl Text {
    fn text(&self) -> String {
        match self {
            Text::String(s) => s.trim().to_owned(),
            Text::Number(n) => n.to_string(),
            Text::Missing => String::new(),
        }
    }
}

/// Degrees from text; None for a missing, unreadable, out-of-range or `0, 0` position.
fn coordinates(latitude: &Text, longitude: &Text) -> Option<Coordinates> {
    let latitude: f64 = latitude.text().parse().ok()?;
    let longitude: f64 = longitude.text().parse().ok()?;
    let real = (-90.0..=90.0).contains(&latitude)
        && (-180.0..=180.0).contains(&longitude)
        && (latitude != 0.0 || longitude != 0.0);
    real.then_some(Coordinates {
        latitude,
        longitude,
    })
}

/// Non-empty parts joined by `separator`.
fn joined(parts: &[&str], separator: &str) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(separator)
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct Omniva {
    ZIP: Text,
    NAME: String,
    #[serde(default)]
    TYPE: Text,
    A0_NAME: String,
    #[serde(default)]
    A1_NAME: String,
    #[serde(default)]
    A2_NAME: String,
    #[serde(default)]
    A3_NAME: String,
    #[serde(default)]
    A5_NAME: String,
    #[serde(default)]
    A6_NAME: String,
    #[serde(default)]
    A7_NAME: String,
    #[serde(default)]
    X_COORDINATE: Text,
    #[serde(default)]
    Y_COORDINATE: Text,
}

impl Omniva {
    fn point(self) -> Point {
        // A2 is the city (Tallinn, Aizkraukle) unless it names a municipality (Lithuania's
        // `Kauno m. sav.`, Estonia's `Rakvere vald`, Latvia's `… novads`): then the settlement is
        // A3, and where both are empty the county A1 is the city (Daugavpils).
        let municipality =
            |a2: &str| a2.contains("sav.") || a2.ends_with(" vald") || a2.ends_with(" novads");
        let city = [&self.A2_NAME, &self.A3_NAME, &self.A1_NAME]
            .into_iter()
            .find(|name| !name.trim().is_empty() && !municipality(name))
            .unwrap_or(&self.A1_NAME);
        Point {
            id: PointId(self.ZIP.text()),
            country: self.A0_NAME.trim().to_owned(),
            name: self.NAME.trim().to_owned(),
            city: city.trim().to_owned(),
            address: joined(
                &[&joined(&[&self.A5_NAME, &self.A7_NAME], " "), &self.A6_NAME],
                ", ",
            ),
            postcode: String::new(),
            coordinates: coordinates(&self.Y_COORDINATE, &self.X_COORDINATE),
            locker: self.TYPE.text() == "0",
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Dpd {
    parcel_shop_id: String,
    #[serde(default)]
    parcel_shop_type: String,
    company_name: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    house_no: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    zip_code: String,
    country_code: String,
    #[serde(default)]
    latitude: Text,
    #[serde(default)]
    longitude: Text,
}

impl Dpd {
    fn point(self) -> Point {
        let street = if self.house_no.trim().is_empty() || self.street.contains(&self.house_no) {
            self.street.trim().to_owned()
        } else {
            joined(&[&self.street, &self.house_no], " ")
        };
        Point {
            id: PointId(self.parcel_shop_id.trim().to_owned()),
            country: self.country_code.trim().to_owned(),
            name: self.company_name.trim().to_owned(),
            city: capitalised(self.city.trim()),
            address: street,
            postcode: self.zip_code.trim().to_owned(),
            coordinates: coordinates(&self.latitude, &self.longitude),
            locker: self.parcel_shop_type == "PickupStation",
        }
    }
}

/// `VILNIUS` as `Vilnius`, `KOHTLA-JÄRVE` as `Kohtla-Järve`; a name already in mixed case as it is.
fn capitalised(city: &str) -> String {
    if city.chars().any(char::is_lowercase) {
        return city.to_owned();
    }
    let mut start = true;
    city.chars()
        .flat_map(|c| {
            let out: Vec<char> = if start {
                c.to_uppercase().collect()
            } else {
                c.to_lowercase().collect()
            };
            start = !c.is_alphabetic();
            out
        })
        .collect()
}

#[derive(Deserialize)]
struct Venipak {
    id: Text,
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    zip: Text,
    country: String,
    #[serde(default)]
    lat: Text,
    #[serde(default)]
    lng: Text,
    #[serde(default)]
    r#type: Text,
}

impl Venipak {
    fn point(self) -> Point {
        let name = if self.display_name.trim().is_empty() {
            &self.name
        } else {
            &self.display_name
        };
        Point {
            id: PointId(self.id.text()),
            country: self.country.trim().to_owned(),
            name: name.trim().to_owned(),
            city: self.city.trim().to_owned(),
            address: self.address.trim().to_owned(),
            postcode: self.zip.text(),
            coordinates: coordinates(&self.lat, &self.lng),
            locker: self.r#type.text() == "3",
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LpExpress {
    id: Text,
    country_code: String,
    name: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    postal_code: Text,
    #[serde(default)]
    latitude: Text,
    #[serde(default)]
    longitude: Text,
    active: Option<bool>,
}

impl LpExpress {
    fn point(self) -> Point {
        let country = self.country_code.trim().to_owned();
        let postcode = self.postal_code.text();
        let postcode = postcode
            .strip_prefix(&format!("{country}-"))
            .map_or(postcode.clone(), str::to_owned);
        Point {
            id: PointId(self.id.text()),
            country,
            name: self.name.trim().to_owned(),
            city: self.city.trim().to_owned(),
            address: self.address.trim().to_owned(),
            postcode,
            coordinates: coordinates(&self.latitude, &self.longitude),
            locker: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_that_is_not_one_is_refused_whole() {
        let refused = |bytes: &[u8]| parse(Carrier::Omniva, bytes).unwrap_err();
        assert!(matches!(refused(b"[{\"ZIP\": "), FeedProblem::NotJson(_)));
        assert_eq!(refused(b"{\"points\": []}"), FeedProblem::NotAList);
        assert_eq!(refused(b"[]"), FeedProblem::NoPoints);
        assert_eq!(refused(b"[{\"ZIP\": \"1\"}]"), FeedProblem::NoPoints);
    }

    #[test]
    fn lp_express_answers_in_either_shape_and_inactive_terminals_are_left_out() {
        let live = br#"{"content": [
            {"id": "5101", "countryCode": "LV", "name": "Rimi Ogre", "city": "Ogre",
             "address": "Rigas iela 23", "postalCode": "LV-5001", "latitude": 56.8, "longitude": 24.6,
             "active": true},
            {"id": "5102", "countryCode": "LV", "name": "Closed", "city": "Ogre", "address": "",
             "postalCode": "LV-5001", "active": false}]}"#;
        let parsed = parse(Carrier::LpExpress, live).unwrap();
        assert_eq!(parsed.points.len(), 1);
        assert_eq!(parsed.skipped, 1);
        assert_eq!(parsed.points[0].postcode, "5001");
        assert_eq!(parsed.points[0].id, PointId("5101".into()));
    }

    #[test]
    fn capitals_become_a_name() {
        assert_eq!(capitalised("VILNIUS"), "Vilnius");
        assert_eq!(capitalised("KOHTLA-JÄRVE"), "Kohtla-Järve");
        assert_eq!(capitalised("ŠIAULIAI"), "Šiauliai");
        assert_eq!(capitalised("Rīga"), "Rīga");
    }
}
