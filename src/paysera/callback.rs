//! Callbacks: Paysera telling the shop, server to server, what happened to a payment.
//!
//! [`verify`] authenticates the raw `data` **before** decoding a single byte of it, then decodes it
//! like PHP's `parse_str` and checks `projectid`. Each way of failing is its own
//! [`CallbackError`], because the shop treats them differently in its logs and answers.

use super::encoding::{decode_base64, parse_str};
use super::request::md5_hex;
use aes_gcm::aead::Aead;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::RsaPublicKey;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use x509_cert::der::{DecodePem, Encode};

/// The one callback form the shop accepts, as the merchant configured it. Exactly one: were an
/// unsigned callback tried as an encrypted one under `Rsa`, anyone holding the project password
/// could get past the RSA check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SignaturePolicy {
    /// `ss3` (RSA/SHA-256) when present, else `ss2` (RSA/SHA-1), with Paysera's public key.
    Rsa,
    /// `ss1`, `md5(data ‖ password)`: anyone who knows the password can make one. Opt-in only.
    Ss1,
    /// AES-256-GCM under the project password, for projects that turned on callback encryption
    /// in Paysera: decrypting authenticates. Signed callbacks are refused.
    Encrypted,
}

/// How a callback proved it came from Paysera.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Verification {
    Ss1,
    Ss2,
    Ss3,
    /// AES-256-GCM under the project password: decrypting it authenticates it.
    Encrypted,
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verification::Ss1 => "ss1",
            Verification::Ss2 => "ss2",
            Verification::Ss3 => "ss3",
            Verification::Encrypted => "encrypted",
        })
    }
}

/// Why a callback was refused. None of these changes anything in the shop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum CallbackError {
    /// No `data` parameter.
    MissingData,
    /// A signature was sent, but not one the policy checks (e.g. only `ss1` under [`SignaturePolicy::Rsa`]).
    MissingSignature(SignaturePolicy),
    /// The signature does not match `data`.
    BadSignature(Verification),
    /// Encrypted `data` that does not decrypt under our password (wrong key, or tampered).
    DecryptionFailed,
    /// Authentic, but `data` is not base64 of a query string.
    Undecodable,
    /// Authentic, but carries no `projectid`.
    NoProjectId,
    /// Authentic, but for another project: never ours to act on.
    WrongProject { got: String, expected: u64 },
}

impl CallbackError {
    /// The library's exception code: 2 (`E_INVALID`) for project problems, 0 for the rest.
    pub fn library_code(&self) -> u8 {
        match self {
            CallbackError::NoProjectId | CallbackError::WrongProject { .. } => 2,
            _ => 0,
        }
    }
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackError::MissingData => f.write_str("the \"data\" parameter is missing"),
            CallbackError::MissingSignature(SignaturePolicy::Rsa) => {
                f.write_str("no ss2 or ss3 signature (only those are accepted)")
            }
            CallbackError::MissingSignature(SignaturePolicy::Ss1) => {
                f.write_str("no ss1 signature")
            }
            CallbackError::MissingSignature(SignaturePolicy::Encrypted) => {
                f.write_str("not an encrypted callback (only those are accepted)")
            }
            CallbackError::BadSignature(kind) => write!(f, "bad {kind} signature"),
            CallbackError::DecryptionFailed => {
                f.write_str("encrypted data does not decrypt with the project password")
            }
            CallbackError::Undecodable => f.write_str("data is not an encoded parameter list"),
            CallbackError::NoProjectId => f.write_str("no projectid in the callback"),
            CallbackError::WrongProject { got, expected } => {
                write!(
                    f,
                    "callback for project {got}, this shop is project {expected}"
                )
            }
        }
    }
}

impl std::error::Error for CallbackError {}

/// Paysera's RSA public key, for `ss2` and `ss3`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayseraPublicKey(RsaPublicKey);

#[derive(Debug, PartialEq, Eq)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

impl PayseraPublicKey {
    /// Reads a PEM public key (`PUBLIC KEY` or `RSA PUBLIC KEY`) or an X.509 certificate
    /// (`CERTIFICATE`, which is what Paysera publishes).
    pub fn from_pem(pem: &str) -> Result<PayseraPublicKey, KeyError> {
        let pem = pem.trim();
        let key = if pem.contains("BEGIN CERTIFICATE") {
            let certificate = x509_cert::Certificate::from_pem(pem)
                .map_err(|e| KeyError(format!("not a readable X.509 certificate: {e}")))?;
            let spki = certificate
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .map_err(|e| KeyError(format!("unreadable key in the certificate: {e}")))?;
            RsaPublicKey::from_public_key_der(&spki)
                .map_err(|e| KeyError(format!("the certificate's key is not an RSA key: {e}")))?
        } else if pem.contains("BEGIN RSA PUBLIC KEY") {
            RsaPublicKey::from_pkcs1_pem(pem)
                .map_err(|e| KeyError(format!("not a readable RSA public key: {e}")))?
        } else {
            RsaPublicKey::from_public_key_pem(pem)
                .map_err(|e| KeyError(format!("not a readable public key: {e}")))?
        };
        Ok(PayseraPublicKey(key))
    }

    fn verifies<D>(&self, data: &str, signature_b64: &str) -> bool
    where
        D: rsa::sha2::digest::Digest + rsa::pkcs8::AssociatedOid,
    {
        let Some(bytes) = decode_base64(signature_b64) else {
            return false;
        };
        let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
            return false;
        };
        VerifyingKey::<D>::new(self.0.clone())
            .verify(data.as_bytes(), &signature)
            .is_ok()
    }
}

/// What the shop knows to check a callback with. Its `Debug` hides the password.
#[derive(Clone)]
pub struct CallbackVerifier {
    pub project_id: u64,
    pub password: String,
    pub policy: SignaturePolicy,
    /// Needed for [`SignaturePolicy::Rsa`]; without it every signed callback is refused.
    pub public_key: Option<PayseraPublicKey>,
}

impl fmt::Debug for CallbackVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackVerifier")
            .field("project_id", &self.project_id)
            .field("password", &"***")
            .field("policy", &self.policy)
            .field("public_key", &self.public_key.is_some())
            .finish()
    }
}

/// Payment states, as Paysera numbers them. Unknown numbers are kept, never a panic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum PaymentStatus {
    /// 0: the payment was not made.
    NotExecuted,
    /// 1: paid.
    Paid,
    /// 2: accepted, the bank has not executed it yet.
    AcceptedNotExecuted,
    /// 3: additional information about a payment.
    AdditionalInformation,
    /// 4: executed, without the bank's confirmation.
    ExecutedWithoutConfirmation,
    Unknown(String),
}

impl PaymentStatus {
    pub fn from_code(code: &str) -> PaymentStatus {
        match code {
            "0" => PaymentStatus::NotExecuted,
            "1" => PaymentStatus::Paid,
            "2" => PaymentStatus::AcceptedNotExecuted,
            "3" => PaymentStatus::AdditionalInformation,
            "4" => PaymentStatus::ExecutedWithoutConfirmation,
            other => PaymentStatus::Unknown(other.to_owned()),
        }
    }
}

/// An authentic callback for our project, decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Callback {
    pub verified_by: Verification,
    pub order_id: Option<String>,
    pub status: PaymentStatus,
    /// `test=1`: no money moved.
    pub test: bool,
    /// What the shop asked for, in minor units (`None` if absent or not a number).
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    /// What the payer paid, possibly converted.
    pub pay_amount_minor: Option<i64>,
    pub pay_currency: Option<String>,
    /// The method key used, e.g. `hanza` or `smsbank`.
    pub payment: Option<String>,
    pub payer_name: Option<String>,
    pub payer_surname: Option<String>,
    pub payer_email: Option<String>,
    pub payer_country: Option<String>,
    pub request_id: Option<String>,
    /// Every decoded parameter, for storage.
    pub params: BTreeMap<String, String>,
}

impl Callback {
    fn from_params(params: BTreeMap<String, String>, verified_by: Verification) -> Callback {
        let text = |key: &str| params.get(key).filter(|v| !v.is_empty()).cloned();
        // Only the canonical spelling is a number: `01880` is not 1880, so it cannot pay an order
        // of 1880 (the amount must equal the order's total as text).
        let minor = |key: &str| {
            params
                .get(key)
                .filter(|v| is_canonical_number(v))
                .and_then(|v| v.parse::<i64>().ok())
        };
        Callback {
            verified_by,
            order_id: text("orderid"),
            status: PaymentStatus::from_code(
                params.get("status").map(String::as_str).unwrap_or(""),
            ),
            test: params.get("test").map(String::as_str) == Some("1"),
            amount_minor: minor("amount"),
            currency: text("currency"),
            pay_amount_minor: minor("payamount"),
            pay_currency: text("paycurrency"),
            payment: text("payment"),
            payer_name: text("name"),
            payer_surname: text("surename"),
            payer_email: text("p_email"),
            payer_country: text("payer_country"),
            request_id: text("requestid"),
            params,
        }
    }
}

/// Digits only, and no leading zero unless the number is 0.
fn is_canonical_number(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// AES-256-GCM key: the password's bytes, zero-padded or cut to 32 (as OpenSSL does).
fn encryption_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let bytes = password.as_bytes();
    let n = bytes.len().min(32);
    key[..n].copy_from_slice(&bytes[..n]);
    key
}

/// Decrypts `iv(12) ‖ ciphertext ‖ tag(16)`.
fn decrypt(data: &str, password: &str) -> Result<Vec<u8>, CallbackError> {
    let bytes = decode_base64(data).ok_or(CallbackError::DecryptionFailed)?;
    if bytes.len() < 12 + 16 {
        return Err(CallbackError::DecryptionFailed);
    }
    let (iv, sealed) = bytes.split_at(12);
    Aes256Gcm::new(&encryption_key(password).into())
        .decrypt(Nonce::from_slice(iv), sealed)
        .map_err(|_| CallbackError::DecryptionFailed)
}

/// Checks `data`'s signature under the `Rsa` or `Ss1` policy.
fn check_signature(
    received: &BTreeMap<String, String>,
    data: &str,
    verifier: &CallbackVerifier,
    policy: SignaturePolicy,
) -> Result<Verification, CallbackError> {
    let signature = |key: &str| received.get(key).map(String::as_str);
    if policy == SignaturePolicy::Ss1 {
        let ss1 = signature("ss1").ok_or(CallbackError::MissingSignature(policy))?;
        let expected = md5_hex(&[data.as_bytes(), verifier.password.as_bytes()]);
        if !constant_time_eq(expected.as_bytes(), ss1.as_bytes()) {
            return Err(CallbackError::BadSignature(Verification::Ss1));
        }
        return Ok(Verification::Ss1);
    }
    let (kind, ok) = match (signature("ss3"), signature("ss2"), &verifier.public_key) {
        (Some(ss3), _, Some(key)) => (Verification::Ss3, key.verifies::<sha2::Sha256>(data, ss3)),
        (None, Some(ss2), Some(key)) => (Verification::Ss2, key.verifies::<sha1::Sha1>(data, ss2)),
        (Some(_), _, None) => (Verification::Ss3, false),
        (None, Some(_), None) => (Verification::Ss2, false),
        (None, None, _) => return Err(CallbackError::MissingSignature(SignaturePolicy::Rsa)),
    };
    if !ok {
        return Err(CallbackError::BadSignature(kind));
    }
    Ok(kind)
}

/// Verifies, decrypts if needed, decodes and checks the project of a callback's parameters
/// (query string or form body, as received).
pub fn verify(
    received: &BTreeMap<String, String>,
    verifier: &CallbackVerifier,
) -> Result<Callback, CallbackError> {
    let data = received.get("data").ok_or(CallbackError::MissingData)?;
    let signed = ["ss1", "ss2", "ss3"]
        .iter()
        .any(|k| received.contains_key(*k));
    let (plain, verified_by) = match (verifier.policy, signed) {
        (SignaturePolicy::Encrypted, false) => {
            (decrypt(data, &verifier.password)?, Verification::Encrypted)
        }
        (SignaturePolicy::Encrypted, true) => {
            return Err(CallbackError::MissingSignature(SignaturePolicy::Encrypted))
        }
        (policy, _) => {
            let verified_by = check_signature(received, data, verifier, policy)?;
            (
                decode_base64(data).ok_or(CallbackError::Undecodable)?,
                verified_by,
            )
        }
    };

    let query = std::str::from_utf8(&plain).map_err(|_| CallbackError::Undecodable)?;
    let mut params = parse_str(query);
    let project = params.get("projectid").ok_or(CallbackError::NoProjectId)?;
    if project != &verifier.project_id.to_string() {
        return Err(CallbackError::WrongProject {
            got: project.clone(),
            expected: verifier.project_id,
        });
    }
    // As the library does: a callback without a valid `type` is "macro" (a bank or card
    // payment) unless it carries the SMS fields of a "micro" payment.
    if !matches!(
        params.get("type").map(String::as_str),
        Some("macro" | "micro")
    ) {
        let micro = ["to", "from", "sms"]
            .iter()
            .all(|k| params.contains_key(*k));
        params.insert("type".into(), if micro { "micro" } else { "macro" }.into());
    }
    Ok(Callback::from_params(params, verified_by))
}

/// Splits a query string as received (`data=…&ss1=…`) into its parameters.
pub fn parse_received(query: &str) -> BTreeMap<String, String> {
    parse_str(query.trim_start_matches('?'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let verifier = CallbackVerifier {
            project_id: 1,
            password: "s3cret".into(),
            policy: SignaturePolicy::Ss1,
            public_key: None,
        };
        assert!(!format!("{verifier:?}").contains("s3cret"));
    }

    #[test]
    fn unknown_statuses_are_kept() {
        assert_eq!(PaymentStatus::from_code("1"), PaymentStatus::Paid);
        assert_eq!(
            PaymentStatus::from_code("7"),
            PaymentStatus::Unknown("7".into())
        );
        assert_eq!(
            PaymentStatus::from_code(""),
            PaymentStatus::Unknown(String::new())
        );
    }

    #[test]
    fn only_canonical_amounts_are_numbers() {
        for good in ["0", "1880", "9"] {
            assert!(is_canonical_number(good), "{good}");
        }
        for bad in ["01880", "00", "", "+1880", "18.80", " 1880", "1880 "] {
            assert!(!is_canonical_number(bad), "{bad:?}");
        }
    }

    #[test]
    fn encryption_key_is_padded_or_cut_to_32_bytes() {
        assert_eq!(&encryption_key("ab")[..3], b"ab\0");
        assert_eq!(encryption_key(&"x".repeat(40)), [b'x'; 32]);
    }

    #[test]
    fn constant_time_comparison_is_still_a_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
