//! Every reference vector made by the official PHP library (lib-webtopay 3.1.5), in
//! `tests/data/paysera/`, against `turgus::paysera`. Each mismatch is reported by vector name.

use serde_json::Value;
use std::collections::BTreeMap;
use turgus::paysera::callback::{verify, CallbackVerifier, PayseraPublicKey, SignaturePolicy};
use turgus::paysera::{methods, request};

fn data(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/data/paysera/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn vectors() -> Value {
    serde_json::from_str(&data("vectors.json")).unwrap()
}

fn string_map(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

/// Fails once, listing every vector that disagreed.
fn report(kind: &str, total: usize, failures: Vec<String>) {
    assert!(total > 0, "no {kind} vectors read");
    assert!(
        failures.is_empty(),
        "{} of {total} {kind} vectors disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn requests_encode_and_sign_byte_for_byte() {
    let v = vectors();
    let cases = v["requests"].as_array().unwrap();
    let mut failures = vec![];
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let params: Vec<(String, String)> = case["params"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().unwrap().to_owned(),
                    pair[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let signed = request::sign_params(&params, case["password"].as_str().unwrap());
        for (field, got, want) in [
            ("query", &signed.query, &case["query"]),
            ("data", &signed.data, &case["data"]),
            ("sign", &signed.sign, &case["sign"]),
        ] {
            if got != want.as_str().unwrap() {
                failures.push(format!("{name}: {field} is {got}, the library made {want}"));
            }
        }
        if let Err(e) = request::validate(&params) {
            failures.push(format!("{name}: refused a request the library signed: {e}"));
        }
    }
    report("request", cases.len(), failures);
}

#[test]
fn request_validation_accepts_and_refuses_what_the_library_does() {
    let v = vectors();
    let cases = v["request_validation"].as_array().unwrap();
    let mut failures = vec![];
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let params: Vec<(String, String)> = string_map(&case["params"]).into_iter().collect();
        let expect = &case["expect"];
        match (request::validate(&params), expect["ok"].as_bool().unwrap()) {
            (Ok(()), true) => {}
            (Ok(()), false) => failures.push(format!(
                "{name}: accepted, the library refused: {}",
                expect["message"]
            )),
            (Err(e), true) => failures.push(format!("{name}: refused ({e}), the library accepted")),
            (Err(e), false) => {
                let want = (
                    expect["field"].as_str().unwrap(),
                    expect["code"].as_u64().unwrap(),
                    expect["message"].as_str().unwrap(),
                );
                let got = (e.field.as_str(), e.problem as u64, e.message.as_str());
                if got != want {
                    failures.push(format!("{name}: got {got:?}, the library said {want:?}"));
                }
            }
        }
    }
    report("request validation", cases.len(), failures);
}

fn check_verdict(
    name: &str,
    result: Result<BTreeMap<String, String>, (u8, String)>,
    expect: &Value,
    failures: &mut Vec<String>,
) {
    match (result, expect["ok"].as_bool().unwrap()) {
        (Ok(params), true) => {
            let want = string_map(&expect["params"]);
            if params != want {
                failures.push(format!(
                    "{name}: decoded {params:?}, the library decoded {want:?}"
                ));
            }
        }
        (Ok(_), false) => failures.push(format!(
            "{name}: accepted, the library refused: {}",
            expect["message"]
        )),
        (Err((_, reason)), true) => {
            failures.push(format!("{name}: refused ({reason}), the library accepted"))
        }
        (Err((code, reason)), false) => {
            if u64::from(code) != expect["code"].as_u64().unwrap() {
                failures.push(format!(
                    "{name}: refused ({reason}) with code {code}, the library with {}",
                    expect["code"]
                ));
            }
        }
    }
}

fn verifier(v: &Value, policy: SignaturePolicy, password: &str) -> CallbackVerifier {
    CallbackVerifier {
        project_id: v["project_id"]
            .as_u64()
            .or_else(|| v["project_id"].as_str()?.parse().ok())
            .unwrap(),
        password: password.to_owned(),
        policy,
        public_key: Some(
            PayseraPublicKey::from_pem(v["public_key_pem"].as_str().unwrap()).unwrap(),
        ),
    }
}

#[test]
fn callbacks_get_the_librarys_verdict_under_both_policies() {
    let v = vectors();
    let password = v["password"].as_str().unwrap();
    let cases = v["callbacks"].as_array().unwrap();
    let mut failures = vec![];
    for (policy, expect_key) in [
        (SignaturePolicy::Rsa, "expect_rsa"),
        (SignaturePolicy::Ss1, "expect_ss1"),
    ] {
        let verifier = verifier(&v, policy, password);
        for case in cases {
            let name = format!("{} ({policy:?})", case["name"].as_str().unwrap());
            let result = verify(&string_map(&case["query"]), &verifier)
                .map(|callback| callback.params)
                .map_err(|e| (e.library_code(), e.to_string()));
            check_verdict(&name, result, &case[expect_key], &mut failures);
        }
    }
    report("callback", cases.len(), failures);
}

#[test]
fn encrypted_callbacks_get_the_librarys_verdict() {
    let v = vectors();
    let cases = v["encrypted_callbacks"].as_array().unwrap();
    let mut failures = vec![];
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let password = case["password"].as_str().unwrap();
        let verifier = verifier(&v, SignaturePolicy::Encrypted, password);
        let result = verify(&string_map(&case["query"]), &verifier)
            .map(|callback| callback.params)
            .map_err(|e| (e.library_code(), e.to_string()));
        check_verdict(name, result, &case["expect"], &mut failures);
        // The merchant chose one form: under the others an encrypted callback is refused, even a
        // valid one (holding the password must not get past an RSA check).
        for other in [SignaturePolicy::Rsa, SignaturePolicy::Ss1] {
            let refused = verify(
                &string_map(&case["query"]),
                &crate::verifier(&v, other, password),
            );
            if refused.is_ok() {
                failures.push(format!("{name}: accepted under {other:?}"));
            }
        }
    }
    report("encrypted callback", cases.len(), failures);
}

#[test]
fn payment_methods_parse_and_filter_as_the_library_does() {
    let list = methods::parse(&data("payment-methods.xml")).unwrap();
    let expected: Value = serde_json::from_str(&data("payment-methods.expected.json")).unwrap();
    let cases = expected["cases"].as_array().unwrap();
    let mut failures = vec![];
    for case in cases {
        let currency = case["currency"].as_str().unwrap();
        let language = case["language"].as_str().unwrap();
        let default_language = case["default_language"].as_str().unwrap();
        let amount = case["amount_cents"].as_i64().map(|cents| (cents, currency));
        let name = format!(
            "amount {:?} {currency}, language {language}",
            case["amount_cents"]
        );
        let got: Vec<Value> = list
            .methods(amount)
            .map(|(country, group, method)| {
                serde_json::json!({
                    "country": country.code,
                    "country_title": country.title(language, default_language),
                    "group": group.key,
                    "group_title": group.title(language, default_language),
                    "key": method.key,
                    "title": method.title(language, default_language),
                    "logo_url": method.logo_url(language, default_language),
                    "min": method.min.as_ref().map(ToString::to_string).unwrap_or_default(),
                    "max": method.max.as_ref().map(ToString::to_string).unwrap_or_default(),
                    "is_iban": method.is_iban,
                    "base_currency": method.base_currency,
                })
            })
            .collect();
        let want = case["methods"].as_array().unwrap();
        if got.len() != want.len() {
            failures.push(format!(
                "{name}: {} methods, the library listed {}",
                got.len(),
                want.len()
            ));
        }
        for (g, w) in got.iter().zip(want) {
            if g != w {
                failures.push(format!(
                    "{name}: method {}: got {g}, the library gave {w}",
                    w["key"]
                ));
            }
        }
    }
    report("payment-methods", cases.len(), failures);
    assert_eq!(list.project_id.as_deref(), Some("123456"));
}
