//! The shopping cart's web side: its server functions, pages and islands. The cart is kept in the
//! shopper's session (`session`), which holds only variant ids and quantities, never a price;
//! it is priced from the database every time it is shown (`domain::cart`).

mod islands;
mod pages;
#[cfg(feature = "ssr")]
pub mod session;

pub use pages::{AddToCartForm, CartLink, CartNotice, CartPage};

use crate::domain::cart::CartView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "cart")]
pub async fn get_cart() -> Result<CartView, AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    session::view(&session, &state.pool, state.config.currency).await
}

/// Adds `quantity` of a product, in the values chosen for its options (`option1`…`option3`; none
/// for a product without options). Fields are strings so that any bad value gets our own message.
#[server(endpoint = "cart/add")]
pub async fn add_to_cart(
    product_id: String,
    quantity: String,
    #[server(default)] option1: String,
    #[server(default)] option2: String,
    #[server(default)] option3: String,
) -> Result<String, AppError> {
    let result = async {
        let (session, state) = crate::state::session_and_state().await?;
        let chosen = [option1, option2, option3];
        session::add(&session, &state.pool, (&product_id, &chosen), &quantity).await
    }
    .await;
    // Without JavaScript the shopper lands on the cart, where the new line shows the result.
    if result.is_ok() && crate::state::is_plain_form_post() {
        leptos_axum::redirect(&crate::locale::href("/cart"));
    }
    result
}

#[server(endpoint = "cart/update")]
pub async fn update_cart_line(variant_id: String, quantity: String) -> Result<String, AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    session::update(&session, &state.pool, &variant_id, &quantity).await
}

#[server(endpoint = "cart/remove")]
pub async fn remove_cart_line(variant_id: String) -> Result<String, AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    session::remove(&session, &state.pool, &variant_id).await
}

#[server(endpoint = "cart/empty")]
pub async fn empty_cart() -> Result<String, AppError> {
    let (session, _) = crate::state::session_and_state().await?;
    session::empty(&session).await
}
