// `place_order` takes one argument per form field (a plain HTML form posts them); the server
// function macro expands it in places an item-level `allow` does not reach.
#![allow(clippy::too_many_arguments)]

//! Checkout and payment: the checkout form, the redirect to Paysera, the pages shoppers come back
//! to, and (server side) the Paysera set-up, the callback endpoint and the built-in sandbox.

#[cfg(feature = "ssr")]
pub mod callback;
pub mod discount;
#[cfg(feature = "ssr")]
pub mod form;
#[cfg(feature = "ssr")]
pub mod invoice;
mod islands;
mod pages;
#[cfg(feature = "ssr")]
pub mod pickup;
#[cfg(feature = "ssr")]
pub mod sandbox;

/// Checkout's routes besides its pages and server functions: Paysera's callback and the order
/// API (`callback`), the order's invoice and credit note (`invoice`), the cancel link Paysera sends shoppers back through, and the built-in
/// sandbox when it plays Paysera.
#[cfg(feature = "ssr")]
pub fn routes(state: crate::state::AppState) -> axum::Router {
    let cancel_state = state.clone();
    let mut router = callback::routes(state.clone())
        .merge(invoice::routes(state.clone()))
        .route(
            "/checkout/cancel",
            axum::routing::get(move |session, language, query| {
                form::cancel_link(cancel_state.clone(), session, language, query)
            }),
        );
    if state.payments.sandbox.is_some() {
        router = router.merge(sandbox::routes(state));
    }
    router
}

pub use pages::{AcceptPage, CancelPage, CheckoutPage};

use crate::domain::cart::CartView;
use crate::domain::orders::OrderStatus;
use crate::error::AppError;
use crate::money::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A way to ship as the checkout offers it: the price is what it costs for this cart (nothing
/// above the method's free limit).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShippingChoice {
    pub code: String,
    pub name: String,
    pub description: String,
    pub price: Money,
    /// Free from this much of goods, if the method has such a limit.
    pub free_above: Option<Money>,
    /// The VAT per rate the order's total would hold, shipped this way (empty without VAT).
    pub vat: Vec<crate::domain::vat::RateTotal>,
}

/// The checkout form as typed, kept across a failed submission.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutForm {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub street: String,
    pub city: String,
    pub postcode: String,
    pub country: String,
    /// Buying for a company: its name, code, VAT code and address (all optional, the name
    /// required once any is given).
    pub company: String,
    pub company_code: String,
    pub vat_code: String,
    pub company_address: String,
    pub shipping: String,
    pub payment: String,
    pub terms: bool,
    /// For delivery to a pick-up point: the phone the carrier texts, the point picked
    /// (`omniva:12345`), and what the shopper typed to narrow the list.
    pub phone: String,
    pub point: String,
    pub point_search: String,
}

impl CheckoutForm {
    /// The fields a shopper types, with the most each may hold in characters (a postal address
    /// fits; a flood does not), in the order the page lists them and reports their problems.
    /// `terms` is a checkbox and has no length.
    pub const TYPED: [(&'static str, usize); 16] = [
        ("email", 254),
        ("first_name", 100),
        ("last_name", 100),
        ("street", 200),
        ("city", 100),
        ("postcode", 20),
        ("country", 2),
        ("company", 200),
        ("company_code", 40),
        ("vat_code", 20),
        ("company_address", 400),
        ("shipping", 40),
        ("payment", 40),
        ("phone", 30),
        ("point", 60),
        ("point_search", 100),
    ];

    /// The typed fields' values, in the order of [`CheckoutForm::TYPED`].
    pub fn typed_mut(&mut self) -> [&mut String; 16] {
        [
            &mut self.email,
            &mut self.first_name,
            &mut self.last_name,
            &mut self.street,
            &mut self.city,
            &mut self.postcode,
            &mut self.country,
            &mut self.company,
            &mut self.company_code,
            &mut self.vat_code,
            &mut self.company_address,
            &mut self.shipping,
            &mut self.payment,
            &mut self.phone,
            &mut self.point,
            &mut self.point_search,
        ]
    }

    /// The most `field` may hold, in characters.
    pub fn limit(field: &str) -> usize {
        Self::TYPED
            .iter()
            .find(|(name, _)| *name == field)
            .map_or(0, |(_, max)| *max)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodChoice {
    pub key: String,
    pub title: String,
    pub logo_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodGroup {
    pub title: String,
    pub methods: Vec<MethodChoice>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub cart: CartView,
    /// The ways to ship to [`CheckoutView::ship_to`].
    pub shipping: Vec<ShippingChoice>,
    pub ship_to: String,
    /// The countries the shop ships to, as (code, name).
    pub shipping_countries: Vec<(String, String)>,
    /// Whose payment methods are shown, and which other countries can be picked.
    pub methods_country: String,
    pub countries_with_methods: Vec<(String, String)>,
    pub method_groups: Vec<MethodGroup>,
    /// Set when Paysera's list could not be had: shoppers choose at Paysera.
    pub methods_unavailable: bool,
    pub smsbank: bool,
    pub form: CheckoutForm,
    pub errors: Vec<FieldError>,
    /// The discount code applied to the cart, and why the last one was refused (shown once).
    pub discount: Option<discount::DiscountView>,
    pub discount_error: Option<String>,
    /// The form's one-time key, tied to this session: submitting it twice places one order.
    pub checkout_key: String,
    /// The points of the carriers whose methods serve the country, if any do.
    pub points: Option<PointPicker>,
}

/// The pick-up points checkout lists: grouped by city, narrowed by the shopper's search, each as
/// little as the list and its search need (the page stays small with a thousand of them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointPicker {
    pub groups: Vec<PointGroup>,
    /// How many points the country has before the search narrowed them.
    pub total: usize,
    /// The shipping methods that deliver to a point (the picker is for them).
    pub methods: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointGroup {
    pub city: String,
    /// (`carrier:id`, what the list shows: name, address, and whether it is a locker).
    pub points: Vec<(String, String)>,
}

impl CheckoutView {
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }
}

/// The checkout page's data. `country` picks whose payment methods are listed; `ship_to`, where
/// the order goes (the shipping methods offered), when the shopper changed it before sending.
#[server(endpoint = "checkout")]
pub async fn get_checkout(
    country: String,
    #[server(default)] ship_to: String,
) -> Result<CheckoutView, AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    form::view(&session, &state, &country, &ship_to).await
}

/// Places the order and answers with the Paysera URL to send the shopper to. Without JavaScript
/// the answer is a 303 redirect there; the hydrated page navigates itself (a full page load, as
/// Paysera is another site).
#[server(endpoint = "checkout/place")]
pub async fn place_order(
    email: String,
    first_name: String,
    last_name: String,
    street: String,
    city: String,
    postcode: String,
    country: String,
    #[server(default)] company: String,
    #[server(default)] company_code: String,
    #[server(default)] vat_code: String,
    #[server(default)] company_address: String,
    shipping: String,
    payment: Option<String>,
    terms: Option<String>,
    checkout_key: String,
    #[server(default)] phone: String,
    #[server(default)] point: String,
    #[server(default)] point_search: String,
    #[server(default)] find_points: Option<String>,
) -> Result<String, AppError> {
    let (session, state) = crate::state::session_and_state().await?;
    let form = CheckoutForm {
        email,
        first_name,
        last_name,
        street,
        city,
        postcode,
        country,
        company,
        company_code,
        vat_code,
        company_address,
        shipping,
        payment: payment.unwrap_or_default(),
        terms: terms.is_some(),
        phone,
        point,
        point_search,
    };
    // The list's search button (a page without JavaScript narrows the list on the server): the
    // form is kept as typed and checkout shown again, narrowed; nothing is placed.
    let pay_url = if find_points.is_some() {
        form::keep_draft(&session, form).await?
    } else {
        let client_ip = crate::state::client_ip().await?;
        form::place(&session, &state, form, &checkout_key, client_ip).await?
    };
    if crate::state::is_plain_form_post() {
        leptos_axum::redirect(&pay_url);
        expect_context::<leptos_axum::ResponseOptions>()
            .set_status(axum::http::StatusCode::SEE_OTHER);
    }
    Ok(pay_url)
}

/// An order as its status page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderPage {
    pub number: i64,
    pub status: OrderStatus,
    /// Paysera said "accepted, the bank has not executed it yet" (status 2).
    pub awaiting_bank: bool,
    pub lines: Vec<(String, u32, Money)>,
    /// Its discount code and what it took off the goods.
    pub discount: Option<discount::DiscountView>,
    pub shipping: Money,
    pub total: Money,
    /// The VAT per rate the total includes.
    pub vat: Vec<crate::domain::vat::RateTotal>,
    /// Its invoice and credit note, once issued: their numbers and the shopper's links to them.
    pub documents: Vec<OrderDocument>,
    /// The pick-up point it goes to, in one line; empty for delivery to the address.
    pub pickup_point: String,
}

/// An invoice or credit note as the shopper's order page links it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDocument {
    pub number: String,
    pub credit_note: bool,
    pub href: String,
}

#[server(endpoint = "checkout/order")]
pub async fn get_order_page(token: String) -> Result<OrderPage, AppError> {
    form::order_page(&crate::state::pool()?, &token).await
}

/// What happened when the shopper came back through Paysera's cancel link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CancelOutcome {
    /// The order was cancelled and its items are back in the cart.
    Cancelled,
    AlreadyPaid,
    /// Already cancelled or expired before.
    AlreadyClosed,
}

impl CancelOutcome {
    pub fn key(self) -> &'static str {
        match self {
            CancelOutcome::Cancelled => "cancelled",
            CancelOutcome::AlreadyPaid => "paid",
            CancelOutcome::AlreadyClosed => "closed",
        }
    }

    pub fn from_key(key: &str) -> Option<CancelOutcome> {
        [
            CancelOutcome::Cancelled,
            CancelOutcome::AlreadyPaid,
            CancelOutcome::AlreadyClosed,
        ]
        .into_iter()
        .find(|o| o.key() == key)
    }
}
