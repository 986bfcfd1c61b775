//! How fast the Paysera module is: callbacks verified per second (ss2, ss3) and payment
//! requests built (validated, encoded, signed) per second. `cargo bench --features ssr`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::collections::BTreeMap;
use std::hint::black_box;
use turgus::paysera::callback::{verify, CallbackVerifier, PayseraPublicKey, SignaturePolicy};
use turgus::paysera::PaymentRequest;

fn vectors() -> serde_json::Value {
    let path = format!(
        "{}/tests/data/paysera/vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn callback(v: &serde_json::Value, name: &str) -> BTreeMap<String, String> {
    let case = v["callbacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap();
    case["query"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

fn callbacks(c: &mut Criterion) {
    let v = vectors();
    let verifier = CallbackVerifier {
        project_id: 310840,
        password: v["password"].as_str().unwrap().to_owned(),
        policy: SignaturePolicy::Rsa,
        public_key: Some(
            PayseraPublicKey::from_pem(v["public_key_pem"].as_str().unwrap()).unwrap(),
        ),
    };
    let mut group = c.benchmark_group("callback");
    group.throughput(Throughput::Elements(1));
    for (label, name) in [("ss2", "paid/ss2_only"), ("ss3", "paid/ss3_only")] {
        let received = callback(&v, name);
        assert!(verify(&received, &verifier).is_ok());
        group.bench_function(label, |b| {
            b.iter(|| verify(black_box(&received), &verifier).unwrap())
        });
    }
    group.finish();
}

fn requests(c: &mut Criterion) {
    let request = PaymentRequest {
        order_id: "1000042".into(),
        accept_url: "https://shop.example/checkout/accept?order=Zx8kq2".into(),
        cancel_url: "https://shop.example/checkout/cancel?order=Zx8kq2".into(),
        callback_url: "https://shop.example/paysera/callback".into(),
        amount_minor: Some(12_950),
        currency: Some("EUR".into()),
        payment: Some("smsbank".into()),
        lang: Some("LIT".into()),
        paytext: Some("Užsakymas nr. [order_nr] ([site_name])".into()),
        ..PaymentRequest::default()
    };
    let mut group = c.benchmark_group("request");
    group.throughput(Throughput::Elements(1));
    group.bench_function("build_and_sign", |b| {
        b.iter(|| black_box(&request).sign(310840, "password").unwrap())
    });
    group.finish();
}

criterion_group!(benches, callbacks, requests);
criterion_main!(benches);
