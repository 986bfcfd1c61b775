//! Starting the shop: bad configuration stops it with a message naming the variable.

mod support;

use std::process::Command;

/// The binary in a fresh folder, with its own database on port 0 and nothing else set.
fn turgus_in(dir: &tempfile::TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_turgus"));
    command
        .current_dir(dir.path())
        .env(
            "TURGUS_DATABASE_URL",
            format!("sqlite://{}/shop.db", dir.path().display()),
        )
        .env("TURGUS_ADDR", "127.0.0.1:0")
        .env_remove("TURGUS_SANDBOX")
        .env_remove("TURGUS_PAYSERA_PROJECT_ID");
    command
}

fn start_with(variable: &str, value: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let output = turgus_in(&dir)
        .env("TURGUS_SANDBOX", "1")
        .env(variable, value)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_bad_value_stops_start_up_naming_the_variable() {
    for (variable, value) in [
        ("TURGUS_CURRENCY", "XYZ"),
        ("TURGUS_ADDR", "not-an-address"),
        ("TURGUS_PUBLIC_URL", "ftp://shop"),
        ("TURGUS_DATABASE_URL", "postgres://shop:secret@db/shop"),
    ] {
        let (code, stderr) = start_with(variable, value);
        assert_eq!(code, 1, "{variable}={value}: {stderr}");
        assert!(stderr.contains(variable), "{variable}: {stderr}");
        assert!(
            !stderr.contains("secret"),
            "no password in errors: {stderr}"
        );
    }
}

#[test]
fn without_a_project_or_an_explicit_sandbox_the_shop_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let output = turgus_in(&dir)
        .env("TURGUS_PUBLIC_URL", "https://shop.example")
        .env("TURGUS_PAYSERA_PASSWORD", "set-but-no-project")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TURGUS_PAYSERA_PROJECT_ID"), "{stderr}");
    assert!(!stderr.contains("set-but-no-project"), "{stderr}");
}

#[tokio::test]
async fn a_catalog_in_another_currency_stops_start_up() {
    let shop = support::TestShop::spawn().await;
    let (dir, _) = shop.stop().await;
    let mut config = support::config_for(dir.path());
    config.currency = turgus::money::Currency::Usd;
    let error = turgus::server::start(config).await.err().expect("refused");
    assert!(error.to_string().contains("TURGUS_CURRENCY"), "{error}");
}

#[tokio::test]
async fn an_https_shop_marks_its_session_cookie_secure_and_sends_hsts() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = support::config_for(dir.path());
    config.public_url = "https://shop.example".into();
    let running = turgus::server::start(config).await.unwrap();
    let response = support::shopper()
        .post(format!("http://{}/api/cart/add", running.addr))
        .form(&[("product_id", "1"), ("quantity", "1")])
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
}
