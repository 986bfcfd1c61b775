//! Flows: the only code that opens a transaction spanning several domain modules. Each is one
//! business step done all or nothing: placing an order, applying a payment callback, a merchant's action
//! on an order, an unpaid order expiring or cancelled.

#[cfg(feature = "ssr")]
pub mod order_actions;
#[cfg(feature = "ssr")]
pub mod payment_callback;
#[cfg(feature = "ssr")]
pub mod place_order;
#[cfg(feature = "ssr")]
pub mod unpaid_orders;
