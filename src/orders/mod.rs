//! Orders: what a shopper bought, for how much, and where its payment stands.
//!
//! An order's state is a small, explicit machine ([`OrderStatus`]); only a Paysera callback moves
//! it to `paid` (see [`payment`]), never a page the shopper's browser opens.

#[cfg(feature = "ssr")]
pub mod payment;
#[cfg(feature = "ssr")]
pub mod ssr;

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

/// An order's state as the shopper's status page and `GET /api/orders/{token}` show it. Nothing
/// about the merchant's review of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderState {
    pub number: i64,
    pub status: OrderStatus,
    pub total_minor: i64,
    pub currency: String,
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
