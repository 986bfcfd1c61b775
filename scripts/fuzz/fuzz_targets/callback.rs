//! Callback verification and decoding on arbitrary query strings: any input must end in a
//! verdict, never a panic, under both signature policies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use turgus::paysera::callback::{parse_received, verify, CallbackVerifier, PayseraPublicKey, SignaturePolicy};

const TEST_KEY: &str = include_str!("../../../tests/data/paysera-test-certificate.pem");

static VERIFIERS: LazyLock<[CallbackVerifier; 2]> = LazyLock::new(|| {
    let key = PayseraPublicKey::from_pem(TEST_KEY).expect("test key");
    [SignaturePolicy::Rsa, SignaturePolicy::Ss1].map(|policy| CallbackVerifier {
        project_id: 310840,
        password: "03415721188b854168bab0934b193b4d".into(),
        policy,
        public_key: Some(key.clone()),
    })
});

fuzz_target!(|query: &str| {
    let received = parse_received(query);
    for verifier in VERIFIERS.iter() {
        let _ = verify(&received, verifier);
    }
});
