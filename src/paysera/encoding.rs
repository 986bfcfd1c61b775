//! The byte-level encodings WebToPay inherits from PHP: `urlencode`/`http_build_query`,
//! `parse_str`, and URL-safe base64.
//!
//! Rust's usual form encoders differ from PHP on `*` and `~` (PHP encodes both), and a single
//! differing byte changes `sign`, so these are written out here.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};
use std::collections::BTreeMap;

/// URL-safe alphabet; encodes with `=` padding (as Paysera expects), decodes with or without it.
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// PHP `urlencode`: letters, digits and `-_.` stay; space becomes `+`; every other byte `%XX`.
pub fn php_urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for &byte in value.as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(byte as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// PHP `http_build_query` for a flat list of string pairs, in the given order.
pub fn http_build_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(key, value)| format!("{}={}", php_urlencode(key), php_urlencode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// PHP `urldecode`: `+` is a space, `%XX` a byte; a `%` not followed by two hex digits stays.
/// Returns bytes: the decoded text need not be UTF-8.
pub fn php_urldecode(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len()
                && hex(bytes[i + 1]).is_some()
                && hex(bytes[i + 2]).is_some() =>
            {
                out.push(hex(bytes[i + 1]).unwrap_or(0) * 16 + hex(bytes[i + 2]).unwrap_or(0));
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    out
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

/// PHP `parse_str` for the flat maps WebToPay sends: pairs split on `&`, keys and values
/// url-decoded, the **last** duplicate key wins. As PHP does, spaces and dots in keys become `_`
/// and pairs with an empty key are dropped. Bytes that are not UTF-8 are replaced (U+FFFD).
pub fn parse_str(query: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for pair in query.split('&') {
        if pair.is_empty() {
            continue;
        }
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = String::from_utf8_lossy(&php_urldecode(raw_key))
            .trim_start_matches(' ')
            .replace([' ', '.'], "_");
        if key.is_empty() {
            continue;
        }
        let value = String::from_utf8_lossy(&php_urldecode(raw_value)).into_owned();
        map.insert(key, value);
    }
    map
}

/// URL-safe base64 with `=` padding, as in `data`.
pub fn encode_base64(bytes: &[u8]) -> String {
    URL_SAFE.encode(bytes)
}

/// Decodes URL-safe base64 (padding optional). `None` for anything that is not base64.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE.decode(text.trim_end_matches('=')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencode_matches_php_on_the_characters_rust_encoders_get_wrong() {
        assert_eq!(php_urlencode("*~ "), "%2A%7E+");
        assert_eq!(php_urlencode("a-b_c.d"), "a-b_c.d");
        assert_eq!(php_urlencode("ä/"), "%C3%A4%2F");
    }

    #[test]
    fn urldecode_keeps_broken_escapes() {
        assert_eq!(php_urldecode("a+b%20c%2"), b"a b c%2");
        assert_eq!(php_urldecode("%zz%4"), b"%zz%4");
        assert_eq!(php_urldecode("%C5%BE"), "ž".as_bytes());
    }

    #[test]
    fn parse_str_keeps_the_last_duplicate_and_renames_like_php() {
        let map = parse_str("status=0&status=1&a.b=1&c+d=2&=x&&e");
        assert_eq!(map["status"], "1");
        assert_eq!(map["a_b"], "1");
        assert_eq!(map["c_d"], "2");
        assert_eq!(map["e"], "");
        assert_eq!(map.len(), 4);
    }

    #[test]
    fn base64_is_url_safe_and_padded() {
        assert_eq!(encode_base64(&[0xfb, 0xff]), "-_8=");
        assert_eq!(decode_base64("-_8=").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode_base64("-_8").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(
            decode_base64("+/8="),
            None,
            "standard alphabet is not URL-safe base64"
        );
    }
}
