//! Orders: what a shopper bought, for how much, and where its payment stands.
//!
//! An order's state is a small, explicit machine ([`OrderStatus`]); only a Paysera callback moves
//! it to `paid` (`domain::flows::payment_callback`), never a page the shopper's browser opens.
//! What the merchant did since (shipped, refunded) is recorded beside it, and the two together
//! are the order's [`OrderStage`], defined here once for the admin's list, filters and dashboard;
//! what the merchant can do by hand is an [`OrderAction`].
//!
//! Placing (`place`), cancelling, expiring, shipping, refunding and clearing a review
//! (`lifecycle`) each record what happened as a typed event (`events::OrderEvent`), inside the
//! transaction a flow (`domain::flows`) opened; the admin calls them and never writes an order
//! itself.

#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod lifecycle;
#[cfg(feature = "ssr")]
pub mod place;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, stock reserved, waiting for Paysera's callback.
    PendingPayment,
    Paid,
    /// The shopper cancelled; stock released.
    Cancelled,
    /// Unpaid for too long; stock released.
    Expired,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<OrderStatus> {
        [
            OrderStatus::PendingPayment,
            OrderStatus::Paid,
            OrderStatus::Cancelled,
            OrderStatus::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// The transitions the shop makes. A late payment may revive a cancelled or expired order;
    /// nothing leaves `paid`.
    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (PendingPayment, Paid | Cancelled | Expired) | (Cancelled | Expired, Paid)
        )
    }
}

/// Where an order stands, as the merchant sees it: its payment state and what was done since.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStage {
    AwaitingPayment,
    /// Paid, not shipped yet: the merchant's to-do list.
    ToShip,
    Shipped,
    Refunded,
    Cancelled,
    Expired,
}

impl OrderStage {
    pub const ALL: [OrderStage; 6] = [
        OrderStage::AwaitingPayment,
        OrderStage::ToShip,
        OrderStage::Shipped,
        OrderStage::Refunded,
        OrderStage::Cancelled,
        OrderStage::Expired,
    ];

    /// The SQL condition on the orders table (as `table`) that selects this stage: the same
    /// definition as [`OrderStage::of`], for filters.
    pub fn condition(self, table: &str) -> String {
        let t = table;
        match self {
            OrderStage::AwaitingPayment => format!("{t}.status = 'pending_payment'"),
            OrderStage::ToShip => format!(
                "{t}.status = 'paid' AND {t}.shipped_at IS NULL AND {t}.refunded_at IS NULL"
            ),
            OrderStage::Shipped => format!(
                "{t}.status = 'paid' AND {t}.shipped_at IS NOT NULL AND {t}.refunded_at IS NULL"
            ),
            OrderStage::Refunded => format!("{t}.status = 'paid' AND {t}.refunded_at IS NOT NULL"),
            OrderStage::Cancelled => format!("{t}.status = 'cancelled'"),
            OrderStage::Expired => format!("{t}.status = 'expired'"),
        }
    }

    pub fn of(status: OrderStatus, shipped: bool, refunded: bool) -> OrderStage {
        match status {
            OrderStatus::PendingPayment => OrderStage::AwaitingPayment,
            OrderStatus::Cancelled => OrderStage::Cancelled,
            OrderStatus::Expired => OrderStage::Expired,
            OrderStatus::Paid if refunded => OrderStage::Refunded,
            OrderStatus::Paid if shipped => OrderStage::Shipped,
            OrderStatus::Paid => OrderStage::ToShip,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            OrderStage::AwaitingPayment => "awaiting_payment",
            OrderStage::ToShip => "to_ship",
            OrderStage::Shipped => "shipped",
            OrderStage::Refunded => "refunded",
            OrderStage::Cancelled => "cancelled",
            OrderStage::Expired => "expired",
        }
    }

    /// The stage as the admin names it, in `locale`.
    pub fn label(self, locale: crate::locale::Locale) -> &'static str {
        use leptos_i18n::td_string;
        match self {
            OrderStage::AwaitingPayment => td_string!(locale, admin.stage.awaiting_payment),
            OrderStage::ToShip => td_string!(locale, admin.stage.to_ship),
            OrderStage::Shipped => td_string!(locale, admin.stage.shipped),
            OrderStage::Refunded => td_string!(locale, admin.stage.refunded),
            OrderStage::Cancelled => td_string!(locale, admin.stage.cancelled),
            OrderStage::Expired => td_string!(locale, admin.stage.expired),
        }
    }

    pub fn parse(key: &str) -> Option<OrderStage> {
        OrderStage::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// An order's state as the shopper's status page and `GET /api/orders/{token}` show it. Nothing
/// about the merchant's review of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderState {
    pub number: i64,
    pub status: OrderStatus,
    pub total_minor: i64,
    pub currency: String,
}

/// What a merchant can do to an order by hand. Each is recorded in the order's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    Ship,
    /// Only unpaid orders; their stock goes back on sale.
    Cancel,
    /// The money was returned in Paysera's panel; the shop records it.
    Refund,
    ClearReview,
}

impl OrderAction {
    pub fn key(self) -> &'static str {
        match self {
            OrderAction::Ship => "ship",
            OrderAction::Cancel => "cancel",
            OrderAction::Refund => "refund",
            OrderAction::ClearReview => "clear_review",
        }
    }

    pub fn parse(key: &str) -> Option<OrderAction> {
        [
            OrderAction::Ship,
            OrderAction::Cancel,
            OrderAction::Refund,
            OrderAction::ClearReview,
        ]
        .into_iter()
        .find(|a| a.key() == key)
    }

    /// Refunds and cleared reviews must say why; a shipment may carry a tracking number.
    pub fn note_required(self) -> bool {
        matches!(self, OrderAction::Refund | OrderAction::ClearReview)
    }
}

#[cfg(test)]
mod tests {
    use super::OrderStatus::*;

    #[test]
    fn only_the_allowed_transitions_are_allowed() {
        assert!(PendingPayment.can_become(Paid));
        assert!(Expired.can_become(Paid));
        assert!(Cancelled.can_become(Paid));
        assert!(!Paid.can_become(Cancelled));
        assert!(!Paid.can_become(PendingPayment));
        assert!(!Expired.can_become(Cancelled));
        for s in [PendingPayment, Paid, Cancelled, Expired] {
            assert_eq!(super::OrderStatus::parse(s.as_str()), Some(s));
        }
    }
}
