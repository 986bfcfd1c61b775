//! `turgus paysera …` as a merchant runs it.

use std::process::Command;

fn vectors() -> serde_json::Value {
    let path = format!(
        "{}/tests/data/paysera/vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn turgus(args: &[&str]) -> (i32, serde_json::Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_turgus"))
        .arg("paysera")
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    (output.status.code().unwrap(), json)
}

fn query_of(case: &serde_json::Value) -> String {
    case["query"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn verify_callback_prints_the_params_or_the_reason() {
    let v = vectors();
    let key = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(key.path(), v["public_key_pem"].as_str().unwrap()).unwrap();
    let key = key.path().to_str().unwrap();
    let password = v["password"].as_str().unwrap();
    let case = |name: &str| {
        v["callbacks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };

    // Checks a callback as the project this key and password belong to, under `policy`.
    let check = |project: &str, policy: &str, query: &str| {
        turgus(&[
            "verify-callback",
            "--project-id",
            project,
            "--password",
            password,
            "--public-key",
            key,
            "--policy",
            policy,
            query,
        ])
    };

    let paid = query_of(&case("paid/all"));
    let (code, out) = check("310840", "rsa", &paid);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["ok"], true);
    assert_eq!(out["params"]["status"], "1");

    let (code, out) = check("310840", "ss1", &paid);
    assert_eq!((code, out["ok"].clone()), (0, true.into()));

    let (code, out) = check("310840", "rsa", &query_of(&case("paid/tampered_data")));
    assert_eq!(code, 1);
    assert_eq!(out["reason"], "bad ss3 signature");

    let (code, out) = check("1", "rsa", &paid);
    assert_eq!(code, 1);
    assert!(out["reason"].as_str().unwrap().contains("project 310840"));
}

#[test]
fn sign_request_matches_the_library_or_names_the_field() {
    let v = vectors();
    let case = &v["requests"][2];
    let params = case["params"].to_string();
    let (code, out) = turgus(&[
        "sign-request",
        "--password",
        case["password"].as_str().unwrap(),
        &params,
    ]);
    assert_eq!(code, 0);
    assert_eq!(out["data"], case["data"]);
    assert_eq!(out["sign"], case["sign"]);

    let (code, out) = turgus(&[
        "sign-request",
        "--password",
        "p",
        r#"[["orderid","1"],["accepturl","a"],["cancelurl","c"],["callbackurl","b"],["lang","lt"]]"#,
    ]);
    assert_eq!(code, 1);
    assert_eq!(out["field"], "lang");
}

#[test]
fn wrong_usage_exits_2() {
    assert_eq!(
        turgus(&["sign-request", "not json", "--password", "p"]).0,
        2
    );
    assert_eq!(turgus(&["frobnicate"]).0, 2);
    assert_eq!(
        turgus(&[
            "verify-callback",
            "--project-id",
            "x",
            "--password",
            "p",
            "data=1"
        ])
        .0,
        2
    );
}
