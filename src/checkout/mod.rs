//! Checkout and payment: the Paysera set-up (live project or built-in sandbox) and the callback
//! endpoint through which Paysera reports payments.

#[cfg(feature = "ssr")]
pub mod callback;
#[cfg(feature = "ssr")]
pub mod ssr;
