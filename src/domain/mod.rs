//! The domain core: what the shop knows and decides, apart from how it is asked (the web layer).
//!
//! Modules take what they use: the database (`&Db`) or a transaction, the time, the slice of the
//! configuration they need, and a `Locale` where they write text. They never see the web layer
//! (`AppState`, axum, sessions, Leptos context); `tests/architecture.rs` keeps it so. Each module
//! may use only those listed before it.

pub mod cart;
pub mod catalog;
pub mod discounts;
pub mod flows;
pub mod inventory;
#[cfg(feature = "ssr")]
pub mod invoices;
pub mod mail;
pub mod orders;
#[cfg(feature = "ssr")]
pub mod page_changes;
pub mod payments;
pub mod pickup_points;
pub mod settings;
pub mod vat;
