//! Fetching Paysera's public key and methods list: download once, cache on disk, survive outages.

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use turgus::paysera::callback::{verify, CallbackVerifier, SignaturePolicy};
use turgus::paysera::PayseraPublicKey;
use turgus::paysera_sources::{public_key, KeySource, MethodsSource};

fn test_data(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A stand-in for Paysera's web site, on port 0, that can be taken down.
struct FakePaysera {
    base: String,
    up: Arc<AtomicBool>,
    hits: Arc<AtomicUsize>,
}

async fn fake_paysera() -> FakePaysera {
    let up = Arc::new(AtomicBool::new(true));
    let hits = Arc::new(AtomicUsize::new(0));
    let answer = |body: String, up: Arc<AtomicBool>, hits: Arc<AtomicUsize>| {
        move || {
            let (body, up, hits) = (body.clone(), up.clone(), hits.clone());
            async move {
                hits.fetch_add(1, Ordering::SeqCst);
                if up.load(Ordering::SeqCst) {
                    (StatusCode::OK, body)
                } else {
                    (StatusCode::SERVICE_UNAVAILABLE, String::new())
                }
            }
        }
    };
    let app = Router::new()
        .route(
            "/public.key",
            get(answer(
                test_data("paysera-test-certificate.pem"),
                up.clone(),
                hits.clone(),
            )),
        )
        .route(
            "/methods",
            get(answer(
                test_data("paysera/payment-methods.xml"),
                up.clone(),
                hits.clone(),
            )),
        )
        .route("/garbage", get(|| async { "not a key" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    FakePaysera { base, up, hits }
}

#[test]
fn a_certificate_like_paysera_publishes_verifies_callbacks() {
    let key = PayseraPublicKey::from_pem(&test_data("paysera-test-certificate.pem")).unwrap();
    let vectors: serde_json::Value =
        serde_json::from_str(&test_data("paysera/vectors.json")).unwrap();
    let case = vectors["callbacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "paid/ss2_only")
        .unwrap();
    let received: BTreeMap<String, String> = case["query"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let verifier = CallbackVerifier {
        project_id: 310840,
        password: String::new(),
        policy: SignaturePolicy::Rsa,
        public_key: Some(key),
    };
    assert!(verify(&received, &verifier).is_ok());
}

#[tokio::test]
async fn the_public_key_is_downloaded_once_then_read_from_the_cache() {
    let paysera = fake_paysera().await;
    let data_dir = tempfile::tempdir().unwrap();
    let url = format!("{}/public.key", paysera.base);

    let (_, source) = public_key(None, &url, data_dir.path()).await.unwrap();
    assert_eq!(source, KeySource::Downloaded(url.clone()));
    assert!(data_dir.path().join("paysera-public.key").is_file());

    paysera.up.store(false, Ordering::SeqCst);
    let (_, source) = public_key(None, &url, data_dir.path()).await.unwrap();
    assert!(matches!(source, KeySource::Cache(_)), "{source:?}");
    assert_eq!(paysera.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_missing_or_corrupt_key_is_a_clear_error() {
    let paysera = fake_paysera().await;
    let data_dir = tempfile::tempdir().unwrap();

    paysera.up.store(false, Ordering::SeqCst);
    let error = public_key(
        None,
        &format!("{}/public.key", paysera.base),
        data_dir.path(),
    )
    .await
    .unwrap_err();
    assert!(error.contains("503"), "{error}");

    let error = public_key(None, &format!("{}/garbage", paysera.base), data_dir.path())
        .await
        .unwrap_err();
    assert!(error.contains("public key"), "{error}");
    assert!(
        !data_dir.path().join("paysera-public.key").exists(),
        "garbage is not cached"
    );

    std::fs::write(data_dir.path().join("paysera-public.key"), "corrupt").unwrap();
    let error = public_key(None, "http://127.0.0.1:9/never", data_dir.path())
        .await
        .unwrap_err();
    assert!(error.contains("delete it"), "{error}");

    let missing = data_dir.path().join("no-such.pem");
    let error = public_key(Some(&missing), "http://127.0.0.1:9/never", data_dir.path())
        .await
        .unwrap_err();
    assert!(
        error.starts_with("TURGUS_PAYSERA_PUBLIC_KEY_FILE"),
        "{error}"
    );
}

#[tokio::test]
async fn a_configured_key_file_wins() {
    let data_dir = tempfile::tempdir().unwrap();
    let file = data_dir.path().join("paysera.pem");
    std::fs::write(&file, test_data("paysera-test-certificate.pem")).unwrap();
    let (_, source) = public_key(Some(&file), "http://127.0.0.1:9/never", data_dir.path())
        .await
        .unwrap();
    assert_eq!(source, KeySource::File(file));
}

#[tokio::test]
async fn the_methods_list_is_cached_and_survives_an_outage_and_a_restart() {
    let paysera = fake_paysera().await;
    let data_dir = tempfile::tempdir().unwrap();
    let disk_copy = data_dir.path().join("methods.xml");
    let url = format!("{}/methods", paysera.base);

    let source = MethodsSource::new(url.clone(), disk_copy.clone(), Duration::from_secs(3600));
    let list = source.get().await.unwrap();
    assert_eq!(list.countries.len(), 3);
    source.get().await.unwrap();
    assert_eq!(
        paysera.hits.load(Ordering::SeqCst),
        1,
        "fresh copies are not fetched again"
    );

    // Paysera is down and the shop restarts: the copy on disk keeps checkout going.
    paysera.up.store(false, Ordering::SeqCst);
    let restarted = MethodsSource::new(url.clone(), disk_copy.clone(), Duration::ZERO);
    assert_eq!(restarted.get().await.unwrap().countries.len(), 3);

    // With nothing kept, there is nothing to offer; and the checkouts that follow are told so at
    // once instead of each asking Paysera again in turn.
    let empty = MethodsSource::new(url, data_dir.path().join("none.xml"), Duration::ZERO);
    let before = paysera.hits.load(Ordering::SeqCst);
    assert!(empty.get().await.is_err());
    for _ in 0..20 {
        assert!(empty.get().await.is_err());
    }
    assert_eq!(paysera.hits.load(Ordering::SeqCst), before + 1);
}
