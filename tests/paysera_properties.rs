//! Properties of the Paysera module over arbitrary input: encodings round-trip, callback
//! verification never panics, and no single changed byte of signed `data` gets through.

use proptest::prelude::*;
use std::collections::BTreeMap;
use turgus::paysera::callback::{verify, CallbackVerifier, PayseraPublicKey, SignaturePolicy};
use turgus::paysera::encoding::{decode_base64, encode_base64, http_build_query, parse_str};

fn vectors() -> serde_json::Value {
    let path = format!(
        "{}/tests/data/paysera/vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn verifier(policy: SignaturePolicy) -> CallbackVerifier {
    let v = vectors();
    CallbackVerifier {
        project_id: 310840,
        password: v["password"].as_str().unwrap().to_owned(),
        policy,
        public_key: Some(
            PayseraPublicKey::from_pem(v["public_key_pem"].as_str().unwrap()).unwrap(),
        ),
    }
}

/// The vectors' fully signed paid callback (data, ss1, ss2, ss3).
fn signed_callback() -> BTreeMap<String, String> {
    let v = vectors();
    let case = v["callbacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "paid/all")
        .unwrap()
        .clone();
    case["query"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn build_query_then_parse_str_round_trips(map in prop::collection::btree_map("[a-z][a-z0-9_]{0,11}", any::<String>(), 0..12)) {
        let query = http_build_query(map.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        prop_assert_eq!(parse_str(&query), map);
    }

    #[test]
    fn base64_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = encode_base64(&bytes);
        prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_=".contains(&b)));
        prop_assert_eq!(decode_base64(&text), Some(bytes));
    }

    #[test]
    fn verification_never_panics(
        data in proptest::option::of(".{0,300}"),
        ss1 in proptest::option::of(".{0,40}"),
        ss2 in proptest::option::of("[A-Za-z0-9_=-]{0,400}"),
        ss3 in proptest::option::of(".{0,400}"),
        rsa in any::<bool>(),
    ) {
        let mut received = BTreeMap::new();
        for (key, value) in [("data", data), ("ss1", ss1), ("ss2", ss2), ("ss3", ss3)] {
            if let Some(value) = value {
                received.insert(key.to_owned(), value);
            }
        }
        let policy = if rsa { SignaturePolicy::Rsa } else { SignaturePolicy::Ss1 };
        let _ = verify(&received, &verifier(policy));
    }

    #[test]
    fn encrypted_looking_garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let received = BTreeMap::from([("data".to_owned(), encode_base64(&bytes))]);
        for policy in [SignaturePolicy::Encrypted, SignaturePolicy::Rsa] {
            prop_assert!(verify(&received, &verifier(policy)).is_err());
        }
    }

    #[test]
    fn one_changed_byte_of_signed_data_is_always_refused(position in any::<prop::sample::Index>(), replacement in any::<u8>()) {
        let mut received = signed_callback();
        let mut data = received["data"].clone().into_bytes();
        let i = position.index(data.len());
        let replacement = if replacement == data[i] { replacement.wrapping_add(1) } else { replacement };
        data[i] = replacement;
        received.insert("data".into(), String::from_utf8_lossy(&data).into_owned());
        for policy in [SignaturePolicy::Rsa, SignaturePolicy::Ss1] {
            prop_assert!(verify(&received, &verifier(policy)).is_err(), "{:?} accepted a changed byte at {}", policy, i);
        }
    }
}

#[test]
fn the_unchanged_signed_callback_is_accepted() {
    for policy in [SignaturePolicy::Rsa, SignaturePolicy::Ss1] {
        assert!(
            verify(&signed_callback(), &verifier(policy)).is_ok(),
            "{policy:?}"
        );
    }
}
