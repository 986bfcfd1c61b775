//! The merchant's orders: a filtered list, each order's detail with its payment log, the
//! actions taken after a payment (ship, cancel, refund, review) and the CSV export.

#[cfg(feature = "ssr")]
pub mod export;
mod pages;
#[cfg(feature = "ssr")]
pub mod queries;

pub use pages::{AdminOrderPage, AdminOrdersPage};

use crate::domain::orders::OrderAction;
pub use crate::domain::orders::OrderStage;
use crate::error::AppError;
use crate::money::Money;
use crate::tr;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const ORDERS_PER_PAGE: u32 = 25;

/// The order list's filters, as they appear in its URL (and the CSV export's): every field is
/// optional and an empty one filters nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderFilter {
    /// One of [`OrderStage`]'s keys.
    pub state: String,
    /// `1`: only orders needing review.
    pub review: String,
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    pub to: String,
    /// An order number or (part of) an e-mail address.
    pub q: String,
    pub page: u32,
}

impl OrderFilter {
    pub fn from_query(query: &leptos_router::params::ParamsMap) -> OrderFilter {
        let text = |key| query.get(key).unwrap_or_default();
        OrderFilter {
            state: text("state"),
            review: text("review"),
            from: text("from"),
            to: text("to"),
            q: text("q"),
            page: crate::ui::page_param(query),
        }
    }

    /// The filter as a query string, on another page of the list.
    pub fn query_string(&self, page: u32) -> String {
        crate::ui::listing_query(
            &[
                ("state", &self.state),
                ("review", &self.review),
                ("from", &self.from),
                ("to", &self.to),
                ("q", &self.q),
            ],
            page,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderRow {
    pub number: i64,
    pub created_at: String,
    pub customer: String,
    pub email: String,
    pub total: Money,
    pub state: OrderStage,
    pub needs_review: bool,
    /// Placed against the built-in sandbox: no real money.
    pub sandbox: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderList {
    pub orders: Vec<OrderRow>,
    pub page: u32,
    pub pages: u32,
    pub total: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    pub name: String,
    /// As the order froze it (empty for lines older than variants that had none).
    pub sku: String,
    pub product_id: Option<i64>,
    pub unit_price: Money,
    pub quantity: i64,
    pub line_total: Money,
    /// Its share of the order's discount code (zero without one): charged `line_total - discount`.
    pub discount: Money,
    /// The VAT rate it was sold at (none before VAT was kept).
    pub vat_rate: Option<crate::domain::vat::Rate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    pub from_status: Option<String>,
    pub to_status: String,
    /// What happened, written out from the recorded event (`orders::events`).
    pub text: String,
}

/// One callback in the order's payment log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoggedCallback {
    pub received_at: String,
    pub verdict: String,
    pub verified_by: Option<String>,
    pub paysera_status: Option<String>,
    pub test: Option<bool>,
    pub amount: Option<String>,
    /// Every decoded field, in Paysera's order.
    pub fields: Vec<(String, String)>,
    pub raw: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub number: i64,
    pub state: OrderStage,
    pub needs_review: bool,
    /// Placed against the built-in sandbox: no real money.
    pub sandbox: bool,
    pub created_at: String,
    pub paid_at: Option<String>,
    pub shipped_at: Option<String>,
    pub refunded_at: Option<String>,
    pub email: String,
    pub name: String,
    pub address: Vec<String>,
    /// Not shipped yet, to a pick-up point its carrier no longer lists: the merchant should ask
    /// the shopper for another.
    pub point_gone: bool,
    pub shipping_method: String,
    pub payment_method: Option<String>,
    /// The language the shopper placed it in, and is e-mailed in (named in itself: `Lietuvių`).
    pub language: String,
    pub lines: Vec<OrderLine>,
    /// The goods before a discount code, and the code with what it took off them.
    pub subtotal: Money,
    pub discount: Option<(String, Money)>,
    pub shipping: Money,
    pub total: Money,
    /// The VAT per rate (empty for an order placed before VAT was kept).
    pub vat: Vec<crate::domain::vat::RateTotal>,
    pub history: Vec<HistoryEntry>,
    pub payment_log: Vec<LoggedCallback>,
    /// The e-mails the order caused.
    pub emails: Vec<crate::domain::mail::MailSummary>,
    /// Its invoice and credit note, once issued.
    pub documents: Vec<crate::admin::invoices::InvoiceRow>,
    /// The company the shopper bought for, line by line (empty: a consumer).
    pub company: Vec<String>,
}

impl OrderDetail {
    /// The actions that make sense for the order now; the server checks again when one is taken.
    pub fn actions(&self) -> Vec<OrderAction> {
        let mut actions = vec![];
        match self.state {
            OrderStage::ToShip => actions.extend([OrderAction::Ship, OrderAction::Refund]),
            OrderStage::Shipped => actions.push(OrderAction::Refund),
            OrderStage::AwaitingPayment => actions.push(OrderAction::Cancel),
            _ => {}
        }
        if self.needs_review {
            actions.push(OrderAction::ClearReview);
        }
        actions
    }
}

/// How the admin's pages name a merchant's action (`domain::orders::OrderAction`).
pub trait ActionWords {
    fn button(self) -> &'static str;
    /// What the confirmation box says.
    fn confirmation(self) -> &'static str;
}

impl ActionWords for OrderAction {
    fn button(self) -> &'static str {
        match self {
            OrderAction::Ship => tr!(admin.action.ship),
            OrderAction::Cancel => tr!(admin.action.cancel),
            OrderAction::Refund => tr!(admin.action.refund),
            OrderAction::ClearReview => tr!(admin.action.clear_review),
        }
    }

    fn confirmation(self) -> &'static str {
        match self {
            OrderAction::Ship => tr!(admin.action.ship_confirm),
            OrderAction::Cancel => tr!(admin.action.cancel_confirm),
            OrderAction::Refund => tr!(admin.action.refund_confirm),
            OrderAction::ClearReview => tr!(admin.action.clear_review_confirm),
        }
    }
}

/// An order status as stored (`paid`), in the admin's words.
pub fn status_label(status: &str) -> String {
    match status {
        "pending_payment" => tr!(admin.status.pending_payment).into(),
        "paid" => tr!(admin.status.paid).into(),
        "cancelled" => tr!(admin.status.cancelled).into(),
        "expired" => tr!(admin.status.expired).into(),
        other => other.replace('_', " "),
    }
}

/// A payment verdict as stored (`amount_mismatch`), in the admin's words.
pub fn verdict_label(verdict: &str) -> String {
    let known = match verdict {
        "paid" => tr!(admin.verdict.paid),
        "paid_late" => tr!(admin.verdict.paid_late),
        "paid_without_stock" => tr!(admin.verdict.paid_without_stock),
        "already_paid" => tr!(admin.verdict.already_paid),
        "paid_twice" => tr!(admin.verdict.paid_twice),
        "test_payment" => tr!(admin.verdict.test_payment),
        "amount_mismatch" => tr!(admin.verdict.amount_mismatch),
        "currency_mismatch" => tr!(admin.verdict.currency_mismatch),
        "unknown_order" => tr!(admin.verdict.unknown_order),
        "accepted_awaiting_bank" => tr!(admin.verdict.accepted_awaiting_bank),
        "not_a_payment" => tr!(admin.verdict.not_a_payment),
        "rejected" => tr!(admin.verdict.rejected),
        other => return other.replace('_', " "),
    };
    known.into()
}

#[server(endpoint = "admin/orders")]
pub async fn admin_orders(#[server(default)] filter: OrderFilter) -> Result<OrderList, AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    queries::list(
        &state.pool,
        &queries::ValidFilter::parse(&filter, crate::locale::current())?,
        filter.page,
    )
    .await
}

#[server(endpoint = "admin/order")]
pub async fn admin_order(number: i64) -> Result<OrderDetail, AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    queries::detail(&state.pool, number, state.mailer.has_smtp()).await
}

/// Takes an action on an order. `confirm` is the confirmation box: without it, nothing happens.
#[server(endpoint = "admin/order/action")]
pub async fn act_on_order(
    number: i64,
    action: String,
    #[server(default)] note: String,
    #[server(default)] confirm: String,
) -> Result<(), AppError> {
    let (state, admin_id) = crate::admin::auth::admin_only().await?;
    let action = OrderAction::parse(&action)
        .ok_or_else(|| AppError::BadRequest(tr!(admin.order.unknown_action).into()))?;
    if confirm != "yes" {
        return Err(AppError::BadRequest(tr!(admin.order.tick).into()));
    }
    use crate::domain::flows::order_actions::{act, Actor};
    let email = queries::admin_email(&state.pool, admin_id).await?;
    let actor = Actor {
        email: &email,
        note: note.trim(),
        language: crate::locale::current(),
    };
    act(&state.writer, &state.mail_context(), number, action, &actor).await?;
    // The e-mails the action wrote go out now.
    state.mailer.wakeup.notify_one();
    if crate::state::is_plain_form_post() {
        leptos_axum::redirect(&format!("/admin/orders/{number}"));
    }
    Ok(())
}
