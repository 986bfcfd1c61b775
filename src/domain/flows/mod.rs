//! Flows: the only code that opens a transaction spanning several domain modules. Each is one
//! business step done all or nothing: placing an order, applying a payment callback, a merchant's action
//! on an order, an unpaid order expiring or cancelled, a merchant's edit of a variant (with its
//! audit line).

#[cfg(feature = "ssr")]
pub mod order_actions;
#[cfg(feature = "ssr")]
pub mod payment_callback;
#[cfg(feature = "ssr")]
pub mod place_order;
#[cfg(feature = "ssr")]
pub mod unpaid_orders;
#[cfg(feature = "ssr")]
pub mod variant_edit;
