//! The shopping cart: kept server-side in the shopper's session, priced from the database every
//! time it is shown. The session holds only product ids and quantities, never a price.

mod islands;
mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use pages::{provide_cart, use_cart, AddToCartForm, CartLink, CartNotice, CartPage};

use crate::domain::catalog::Image;
use crate::error::AppError;
use crate::money::Money;
use crate::quantity::Quantity;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Why a line cannot be bought as it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineProblem {
    /// The merchant took the product off sale.
    Unavailable,
    SoldOut,
    /// Fewer left than the line asks for.
    OnlyLeft(u32),
}

impl LineProblem {
    pub fn describe(self) -> String {
        match self {
            LineProblem::Unavailable => crate::tr!(cart.problem.unavailable).into(),
            LineProblem::SoldOut => crate::tr!(cart.problem.sold_out).into(),
            LineProblem::OnlyLeft(n) => crate::tr!(cart.problem.only_left, count = n),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CartLine {
    pub product_id: i64,
    pub slug: String,
    pub name: String,
    pub image: Option<Image>,
    pub unit_price: Money,
    pub quantity: Quantity,
    pub line_total: Money,
    pub problem: Option<LineProblem>,
}

/// The cart as shown: every price and total read from the database just now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CartView {
    pub lines: Vec<CartLine>,
    /// Units across all lines, for the header's badge.
    pub item_count: u32,
    /// Sum of the lines that can be bought; flagged lines are left out until fixed.
    pub subtotal: Money,
    pub total: Money,
}

impl CartView {
    pub fn empty(currency: crate::money::Currency) -> CartView {
        CartView {
            lines: vec![],
            item_count: 0,
            subtotal: Money::zero(currency),
            total: Money::zero(currency),
        }
    }

    pub fn has_problems(&self) -> bool {
        self.lines.iter().any(|line| line.problem.is_some())
    }
}

#[server(endpoint = "cart")]
pub async fn get_cart() -> Result<CartView, AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    ssr::view(&session, &state).await
}

/// Adds `quantity` of a product. Fields are strings so that any bad value gets our own message.
#[server(endpoint = "cart/add")]
pub async fn add_to_cart(product_id: String, quantity: String) -> Result<String, AppError> {
    let result = async {
        let (session, state) = crate::state::session_and_state().await?;
        ssr::add(&session, &state.pool, &product_id, &quantity).await
    }
    .await;
    // Without JavaScript the shopper lands on the cart, where the new line shows the result.
    if result.is_ok() && crate::state::is_plain_form_post() {
        leptos_axum::redirect(&crate::locale::href("/cart"));
    }
    result
}

#[server(endpoint = "cart/update")]
pub async fn update_cart_line(product_id: String, quantity: String) -> Result<String, AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    ssr::update(&session, &state.pool, &product_id, &quantity).await
}

#[server(endpoint = "cart/remove")]
pub async fn remove_cart_line(product_id: String) -> Result<String, AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    ssr::remove(&session, &state.pool, &product_id).await
}

#[server(endpoint = "cart/empty")]
pub async fn empty_cart() -> Result<String, AppError> {
    let (session, _) = crate::state::session_and_state().await?;
    ssr::empty(&session).await
}
