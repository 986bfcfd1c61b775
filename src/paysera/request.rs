//! Payment requests: what the shop sends (through the shopper's browser) to Paysera's pay page.

use super::encoding::{encode_base64, http_build_query};
use crate::clock::{civil_from_days, vilnius};
use md5::{Digest, Md5};
use serde::Serialize;
use std::fmt;

/// A payment request as the shop builds it. Amounts are minor units (cents).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentRequest {
    pub order_id: String,
    pub accept_url: String,
    pub cancel_url: String,
    pub callback_url: String,
    pub amount_minor: Option<u64>,
    /// ISO 4217, e.g. `EUR`.
    pub currency: Option<String>,
    /// A method key from the methods list, e.g. `hanza` or `smsbank`; `None` lets the shopper
    /// choose at Paysera.
    pub payment: Option<String>,
    /// Two letters; preselects the country of payment methods shown.
    pub country: Option<String>,
    /// ISO 639-2/B, three letters: `ENG`, `LIT`, `RUS`, …
    pub lang: Option<String>,
    /// Payment purpose; Paysera fills `[order_nr]` and `[site_name]`.
    pub paytext: Option<String>,
    pub payer: Payer,
    pub only_payments: Option<String>,
    pub disallow_payments: Option<String>,
    /// Asks for a test payment (no money moves).
    pub test: bool,
    /// `YYYY-MM-DD HH:MM:SS`: after it the payment can no longer be made.
    pub time_limit: Option<String>,
    pub personcode: Option<String>,
    pub developerid: Option<String>,
    /// Defaults to [`super::VERSION`].
    pub version: Option<String>,
}

/// Payer details Paysera pre-fills.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Payer {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub country_code: Option<String>,
}

impl PaymentRequest {
    /// The parameters in the order a shop sends them, then `version` and `projectid`.
    pub fn to_params(&self, project_id: u64) -> Vec<(String, String)> {
        let optional = [
            ("amount", self.amount_minor.map(|a| a.to_string())),
            ("currency", self.currency.clone()),
            ("payment", self.payment.clone()),
            ("country", self.country.clone()),
            ("lang", self.lang.clone()),
            ("paytext", self.paytext.clone()),
            ("p_firstname", self.payer.first_name.clone()),
            ("p_lastname", self.payer.last_name.clone()),
            ("p_email", self.payer.email.clone()),
            ("p_street", self.payer.street.clone()),
            ("p_city", self.payer.city.clone()),
            ("p_state", self.payer.state.clone()),
            ("p_zip", self.payer.zip.clone()),
            ("p_countrycode", self.payer.country_code.clone()),
            ("only_payments", self.only_payments.clone()),
            ("disallow_payments", self.disallow_payments.clone()),
            ("test", self.test.then(|| "1".to_owned())),
            ("time_limit", self.time_limit.clone()),
            ("personcode", self.personcode.clone()),
            ("developerid", self.developerid.clone()),
        ];
        let mut params: Vec<(String, String)> = [
            ("orderid", &self.order_id),
            ("accepturl", &self.accept_url),
            ("cancelurl", &self.cancel_url),
            ("callbackurl", &self.callback_url),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
        params.extend(
            optional
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v))),
        );
        params.push((
            "version".into(),
            self.version
                .clone()
                .unwrap_or_else(|| super::VERSION.into()),
        ));
        params.push(("projectid".into(), project_id.to_string()));
        params
    }

    /// Validates and signs: what the pay URL needs.
    pub fn sign(&self, project_id: u64, password: &str) -> Result<SignedRequest, RequestError> {
        let params = self.to_params(project_id);
        validate(&params)?;
        Ok(sign_params(&params, password))
    }
}

/// `data` and `sign`, ready for the pay URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignedRequest {
    /// The `http_build_query` string inside `data` (for logs and debugging).
    pub query: String,
    pub data: String,
    pub sign: String,
}

impl SignedRequest {
    /// `{pay_url}?data=…&sign=…` (both values are URL-safe already).
    pub fn pay_url(&self, pay_url: &str) -> String {
        format!("{pay_url}?data={}&sign={}", self.data, self.sign)
    }
}

/// Encodes and signs parameters exactly as given, in their order.
pub fn sign_params(params: &[(String, String)], password: &str) -> SignedRequest {
    let query = http_build_query(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let data = encode_base64(query.as_bytes());
    let sign = md5_hex(&[data.as_bytes(), password.as_bytes()]);
    SignedRequest { query, data, sign }
}

pub fn md5_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Md5::new();
    for part in parts {
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The library's codes: 1 missing, 3 too long, 4 invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Problem {
    Missing = 1,
    TooLong = 3,
    Invalid = 4,
}

/// A parameter Paysera would refuse, named, with the library's own message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequestError {
    pub field: String,
    pub problem: Problem,
    pub message: String,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequestError {}

#[derive(Clone, Copy)]
enum Format {
    Any,
    /// Three ASCII letters, any case (`lang`, `currency`).
    Letters3,
    /// Two ASCII letters or `_` (`country`).
    Country,
    /// Two ASCII letters (`p_countrycode`).
    Letters2,
    Digits,
    /// `0` or `1`.
    Bit,
    /// `YYYY-MM-DD HH:MM:SS`.
    DateTime,
}

impl Format {
    fn accepts(self, value: &str) -> bool {
        let b = value.as_bytes();
        let all = |f: fn(&u8) -> bool| !b.is_empty() && b.iter().all(f);
        match self {
            Format::Any => true,
            Format::Letters3 => b.len() == 3 && all(u8::is_ascii_alphabetic),
            Format::Letters2 => b.len() == 2 && all(u8::is_ascii_alphabetic),
            Format::Country => b.len() == 2 && all(|c| c.is_ascii_alphabetic() || *c == b'_'),
            Format::Digits => all(u8::is_ascii_digit),
            Format::Bit => value == "0" || value == "1",
            Format::DateTime => {
                b.len() == 19
                    && b.iter().enumerate().all(|(i, c)| match i {
                        4 | 7 => *c == b'-',
                        10 => *c == b' ',
                        13 | 16 => *c == b':',
                        _ => c.is_ascii_digit(),
                    })
            }
        }
    }
}

/// The library's request specification: name, maximum length in bytes, required, format.
/// Checked in this order; the first problem is reported.
const SPEC: &[(&str, usize, bool, Format)] = &[
    ("orderid", 40, true, Format::Any),
    ("accepturl", 255, true, Format::Any),
    ("cancelurl", 255, true, Format::Any),
    ("callbackurl", 255, true, Format::Any),
    ("lang", 3, false, Format::Letters3),
    ("amount", 11, false, Format::Digits),
    ("currency", 3, false, Format::Letters3),
    ("payment", 20, false, Format::Any),
    ("country", 2, false, Format::Country),
    ("paytext", 255, false, Format::Any),
    ("p_firstname", 255, false, Format::Any),
    ("p_lastname", 255, false, Format::Any),
    ("p_email", 255, false, Format::Any),
    ("p_street", 255, false, Format::Any),
    ("p_city", 255, false, Format::Any),
    ("p_state", 20, false, Format::Any),
    ("p_zip", 20, false, Format::Any),
    ("p_countrycode", 2, false, Format::Letters2),
    ("test", 1, false, Format::Bit),
    ("time_limit", 19, false, Format::DateTime),
    ("personcode", 255, false, Format::Any),
    ("developerid", 255, false, Format::Digits),
];

/// PHP's `empty()` on a string: `""` and `"0"` count as absent. (So `orderid=0` is "missing",
/// exactly as the library says.)
fn php_empty(value: Option<&str>) -> bool {
    matches!(value, None | Some("") | Some("0"))
}

/// Checks parameters as the library does before signing. Lengths are in bytes.
pub fn validate(params: &[(String, String)]) -> Result<(), RequestError> {
    // PHP arrays keep the last value of a repeated key.
    let value_of = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    for &(name, max_len, required, format) in SPEC {
        let value = value_of(name);
        let error = |problem, message| {
            Err(RequestError {
                field: name.to_owned(),
                problem,
                message,
            })
        };
        if php_empty(value) {
            if required {
                return error(
                    Problem::Missing,
                    format!("'{name}' is required but missing."),
                );
            }
            continue;
        }
        let value = value.unwrap_or_default();
        if value.len() > max_len {
            return error(
                Problem::TooLong,
                format!(
                    "'{name}' value is too long ({}), {max_len} characters allowed.",
                    value.len()
                ),
            );
        }
        if !format.accepts(value) {
            return error(
                Problem::Invalid,
                format!("'{name}' value '{value}' is invalid."),
            );
        }
    }
    Ok(())
}

/// The shortest and longest payment window Paysera accepts in `time_limit`.
pub const TIME_LIMIT_MIN_SECONDS: i64 = 15 * 60;
pub const TIME_LIMIT_MAX_SECONDS: i64 = 3 * 24 * 3600;

/// `time_limit` for a payment that should stop being possible at `expires` (Unix seconds), seen
/// from `now`: kept within Paysera's 15 minutes to 3 days, written as `YYYY-MM-DD HH:MM:SS` in
/// Lithuanian time (Europe/Vilnius, where Paysera runs; EU summer time rules). Written in UTC, a
/// limit read as Vilnius time would end two or three hours early; this way round, a reader in UTC
/// would only give the shopper longer.
pub fn time_limit(now: i64, expires: i64) -> String {
    let at = expires.clamp(now + TIME_LIMIT_MIN_SECONDS, now + TIME_LIMIT_MAX_SECONDS);
    let local = at + vilnius::offset_seconds(at);
    let (days, seconds) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::time_limit;

    #[test]
    fn time_limits_are_vilnius_time_within_paysera_bounds() {
        // 2026-11-23 12:00:00 UTC: winter, UTC+2.
        let noon = 1_795_435_200;
        assert_eq!(time_limit(noon, noon + 3600), "2026-11-23 15:00:00");
        // Too soon is stretched to 15 minutes, too late cut to 3 days.
        assert_eq!(time_limit(noon, noon + 60), "2026-11-23 14:15:00");
        assert_eq!(time_limit(noon, noon + 30 * 86_400), "2026-11-26 14:00:00");
        // 2026-07-01 00:30:00 UTC: summer, UTC+3, across midnight and a month end.
        assert_eq!(
            time_limit(1_782_865_800, 1_782_865_800 + 3600),
            "2026-07-01 04:30:00"
        );
        // Summer time starts at 01:00 UTC on the last Sunday of March (2026-03-29).
        let before = 1_774_745_940; // 00:59:00 UTC
        assert_eq!(time_limit(before - 900, before), "2026-03-29 02:59:00");
        assert_eq!(time_limit(before - 840, before + 60), "2026-03-29 04:00:00");
    }

    use super::*;

    fn request() -> PaymentRequest {
        PaymentRequest {
            order_id: "17".into(),
            accept_url: "https://shop.example/a".into(),
            cancel_url: "https://shop.example/c".into(),
            callback_url: "https://shop.example/cb".into(),
            amount_minor: Some(1250),
            currency: Some("EUR".into()),
            payment: Some("smsbank".into()),
            lang: Some("ENG".into()),
            ..PaymentRequest::default()
        }
    }

    #[test]
    fn parameters_come_in_the_shops_order_then_version_and_project() {
        let keys: Vec<String> = request()
            .to_params(42)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            keys,
            [
                "orderid",
                "accepturl",
                "cancelurl",
                "callbackurl",
                "amount",
                "currency",
                "payment",
                "lang",
                "version",
                "projectid"
            ]
        );
    }

    #[test]
    fn test_flag_is_sent_only_when_asked() {
        let mut r = request();
        assert!(!r.to_params(1).iter().any(|(k, _)| k == "test"));
        r.test = true;
        assert!(r.to_params(1).contains(&("test".into(), "1".into())));
    }

    #[test]
    fn signing_refuses_invalid_requests_naming_the_field() {
        let mut r = request();
        r.lang = Some("lt".into());
        let error = r.sign(1, "pw").unwrap_err();
        assert_eq!(
            (error.field.as_str(), error.problem),
            ("lang", Problem::Invalid)
        );
    }

    #[test]
    fn pay_url_carries_data_and_sign() {
        let signed = request().sign(1, "pw").unwrap();
        let url = signed.pay_url(crate::paysera::PAY_URL);
        assert!(url.starts_with("https://bank.paysera.com/pay/?data="));
        assert!(url.ends_with(&format!("&sign={}", signed.sign)));
    }
}
