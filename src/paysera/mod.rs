//! Paysera's WebToPay protocol ("checkout classic", specification 1.6), in plain Rust: no web
//! framework, no database, no network. The shop's checkout and callback handler call it.
//!
//! # The protocol in brief
//!
//! **Paying.** The shop sends the shopper's browser to Paysera's pay URL
//! (`https://bank.paysera.com/pay/`) with two query parameters ([`request`]):
//!
//! - `data`: the payment's parameters (`orderid`, `amount` in cents, `currency`, `accepturl`,
//!   `cancelurl`, `callbackurl`, optionally `payment` — a method key such as `smsbank` — and
//!   payer details), encoded as a PHP `http_build_query` string, in the shop's order followed by
//!   `version` and `projectid`, then URL-safe base64 **with** `=` padding;
//! - `sign`: `md5(data ‖ project password)`, lower-case hex.
//!
//! **Being told.** When a payment's state changes, Paysera calls the shop's `callbackurl`, server
//! to server, with `data` (the same encoding, now carrying `status`, `amount`, `currency`,
//! `payamount`, `test`, …) and signatures over the raw `data` string ([`callback`]):
//!
//! - `ss3`: RSA PKCS#1 v1.5 with SHA-256, by Paysera's private key (preferred when present);
//! - `ss2`: the same with SHA-1;
//! - `ss1`: `md5(data ‖ password)`: anyone with the password can forge it, so accepting it is a
//!   separate, explicit policy.
//!
//! Projects with callback encryption send only `data`: URL-safe base64 of
//! `iv(12) ‖ AES-256-GCM ciphertext ‖ tag(16)`, keyed by the password's bytes, zero-padded or
//! cut to 32. Authenticated encryption is its own signature.
//!
//! The order of checks matters: **verify first, then decode**, then check that `projectid` is
//! ours. The shop answers `OK` (HTTP 200, body exactly `OK`) once it has durably recorded the
//! callback; anything else makes Paysera retry (immediately, then after 1 h, 3 h and 24 h), so
//! callbacks must be handled idempotently. Statuses: 0 not executed, 1 paid, 2 accepted but not
//! yet executed, 3 additional information, 4 executed without bank confirmation. Only status 1 with
//! `test` ≠ 1 and the order's own `amount` and `currency` pays an order (`payamount` and
//! `paycurrency` are what the payer paid after conversion).
//!
//! **Choosing a method.** Paysera publishes each project's payment methods as XML
//! (`https://www.paysera.com/payment-methods/{projectid}/currency:{CUR}`): countries, groups,
//! methods, with titles and logos per language and amount limits in cents ([`methods`]).
//!
//! Every function here agrees with the official PHP library (lib-webtopay 3.1.5) on the reference
//! vectors in `tests/data/paysera/`.

pub mod callback;
pub mod encoding;
pub mod methods;
pub mod request;

pub use callback::{Callback, CallbackError, PaymentStatus, PayseraPublicKey, SignaturePolicy};
pub use methods::{MethodsList, PaymentMethod};
pub use request::{PaymentRequest, RequestError, SignedRequest};

/// The protocol version Turgus speaks.
pub const VERSION: &str = "1.6";
/// Where shoppers pay.
pub const PAY_URL: &str = "https://bank.paysera.com/pay/";
/// Where Paysera publishes the public key for `ss2`/`ss3` (an X.509 certificate).
pub const PUBLIC_KEY_URL: &str = "https://www.paysera.com/download/public.key";

/// The methods list URL for a project and currency.
pub fn methods_url(base: &str, project_id: u64, currency: &str) -> String {
    format!(
        "{}/{project_id}/currency:{currency}",
        base.trim_end_matches('/')
    )
}

/// Default base of [`methods_url`].
pub const METHODS_BASE_URL: &str = "https://www.paysera.com/payment-methods";
