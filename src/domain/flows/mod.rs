//! Flows: the only code that opens a transaction spanning several domain modules. Each is one
//! business step done all or nothing: placing an order, applying a payment callback, a merchant's action
//! on an order.

#[cfg(feature = "ssr")]
pub mod order_actions;
#[cfg(feature = "ssr")]
pub mod payment_callback;
#[cfg(feature = "ssr")]
pub mod place_order;
