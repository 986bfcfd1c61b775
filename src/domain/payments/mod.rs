//! Payments through Paysera: the gateway the shop was started with (a live project, or the
//! built-in sandbox) and the callbacks that report payments.

#[cfg(feature = "ssr")]
pub mod callbacks;
#[cfg(feature = "ssr")]
pub mod gateway;
#[cfg(feature = "ssr")]
pub mod request;
