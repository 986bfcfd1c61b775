//! Paysera's side of the tests: a shop configured for a live project, orders placed as checkout
//! would, and callbacks signed with the reference vectors' throw-away key pair, as Paysera would.

use super::TestShop;
use reqwest::StatusCode;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use turgus::domain::flows::place_order::place;
use turgus::domain::orders::place::{Customer, NewOrder, PlacedOrder};
use turgus::domain::settings::ShippingMethod;
use turgus::money::Currency;
use turgus::paysera::encoding::{encode_base64, http_build_query, php_urlencode};
use turgus::quantity::Quantity;

pub const PROJECT: u64 = 310840;

pub fn vectors() -> serde_json::Value {
    let path = format!(
        "{}/tests/data/paysera/vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn password() -> String {
    vectors()["password"].as_str().unwrap().to_owned()
}

/// The parameters of a signed pay URL (`…?data=…&sign=…`), after checking its signature.
pub fn pay_params(pay_url: &str) -> std::collections::BTreeMap<String, String> {
    let data = pay_url
        .split("data=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let sign = pay_url.split("sign=").nth(1).unwrap();
    assert_eq!(
        sign,
        turgus::paysera::request::md5_hex(&[data.as_bytes(), password().as_bytes()])
    );
    let query = String::from_utf8(turgus::paysera::encoding::decode_base64(data).unwrap()).unwrap();
    turgus::paysera::encoding::parse_str(&query)
}

/// A shop configured for project 310840, checking ss3/ss2 with the test certificate.
pub async fn live_shop() -> TestShop {
    live_shop_with(|_| {}).await
}

/// [`live_shop`], with more configuration changed by `adjust`.
pub async fn live_shop_with(adjust: impl FnOnce(&mut turgus::config::Config)) -> TestShop {
    TestShop::spawn_configured(|config, dir| {
        let key = dir.join("paysera.pem");
        std::fs::write(&key, include_str!("../data/paysera-test-certificate.pem")).unwrap();
        config.paysera.project = Some((PROJECT, turgus::config::Secret::new(password())));
        config.paysera.public_key_file = Some(key);
        adjust(config);
    })
    .await
}

/// The demo's courier, as the shop's first migration of shipping methods made it.
pub fn courier() -> ShippingMethod {
    ShippingMethod {
        id: 1,
        code: "courier".into(),
        name: "Courier to your door".into(),
        description: String::new(),
        price_minor: 390,
        countries: "LT,LV,EE,PL,FI,DE".into(),
        free_above_minor: None,
        active: true,
        position: 1,
        tax_class: "standard".into(),
        carrier: None,
    }
}

/// An order of `quantity` × one product, shipped by courier (3,90 €), as checkout would place it.
pub fn new_order(variant_id: i64, quantity: &str) -> NewOrder {
    NewOrder {
        lines: vec![(variant_id, Quantity::parse(quantity).unwrap())],
        customer: Customer {
            email: turgus::email::Email::parse("pirkejas@example.com").unwrap(),
            first_name: "Ona".into(),
            last_name: "Onaitė".into(),
            street: "Gedimino pr. 1".into(),
            city: "Vilnius".into(),
            postcode: "01103".into(),
            country: "LT".into(),
            phone: String::new(),
            pickup_point: String::new(),
        },
        shipping: courier(),
        payment_method: None,
        checkout_key: None,
        holder: None,
        sandbox: false,
        locale: turgus::locale::Locale::en,
        company: None,
        discount_code: None,
        pickup: None,
    }
}

pub async fn order(shop: &TestShop, slug: &str, quantity: &str) -> PlacedOrder {
    let id = shop.variant_id(slug).await;
    place(&shop.db, &new_order(id, quantity), Currency::Eur)
        .await
        .unwrap()
}

/// Paysera's callback for `order`: the usual fields, overridden by `changes`.
pub fn fields(order: &PlacedOrder, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = super::shopper::paid_fields(
        &PROJECT.to_string(),
        &order.number.to_string(),
        &order.total.minor.to_string(),
        "EUR",
        "9001",
    );
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*key).to_owned(), (*value).to_owned())),
        }
    }
    fields
}

pub fn data_of(fields: &[(String, String)]) -> String {
    encode_base64(http_build_query(fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))).as_bytes())
}

pub fn private_key() -> RsaPrivateKey {
    RsaPrivateKey::from_pkcs8_pem(vectors()["private_key_pem"].as_str().unwrap()).unwrap()
}

pub fn rsa_sign<D: rsa::sha2::digest::Digest + rsa::pkcs8::AssociatedOid>(
    key: &RsaPrivateKey,
    data: &str,
) -> String {
    let signature = rsa::pkcs1v15::SigningKey::<D>::new(key.clone()).sign(data.as_bytes());
    encode_base64(&signature.to_bytes())
}

/// The query string Paysera would send: data, ss1, ss2 and ss3.
pub fn signed(fields: &[(String, String)]) -> String {
    let data = data_of(fields);
    let key = private_key();
    let ss1 = md5_hex(&format!("{data}{}", password()));
    format!(
        "data={}&ss1={ss1}&ss2={}&ss3={}",
        php_urlencode(&data),
        php_urlencode(&rsa_sign::<sha1::Sha1>(&key, &data)),
        php_urlencode(&rsa_sign::<sha2::Sha256>(&key, &data))
    )
}

pub fn md5_hex(text: &str) -> String {
    use md5::Digest;
    md5::Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub async fn send(shop: &TestShop, query: &str) -> (StatusCode, String) {
    let response = shop
        .client
        .get(shop.url(&format!("/paysera/callback?{query}")))
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The query string of an encrypted callback: `fields` sealed with AES-256-GCM under `password`,
/// as a project with callback encryption gets them (and as anyone holding the password could).
pub fn encrypted(fields: &[(String, String)], password: &str) -> String {
    use aes_gcm::aead::Aead;
    use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
    let query = http_build_query(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let mut key = [0u8; 32];
    key[..password.len()].copy_from_slice(password.as_bytes());
    let iv = [3u8; 12];
    let sealed = Aes256Gcm::new(&key.into())
        .encrypt(Nonce::from_slice(&iv), query.as_bytes())
        .unwrap();
    let data = encode_base64(&[iv.as_slice(), &sealed].concat());
    format!("data={}", php_urlencode(&data))
}

/// Paysera's signed callback for `order` (with `changes`), sent; the shop's answer's status.
pub async fn callback(
    shop: &TestShop,
    order: &PlacedOrder,
    changes: &[(&str, &str)],
) -> StatusCode {
    send(shop, &signed(&fields(order, changes))).await.0
}
