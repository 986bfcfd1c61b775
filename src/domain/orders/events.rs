//! What happened to an order, as its history records it: one typed event per change, stored as
//! its kind and its data (`order_events.kind`, `order_events.data`, JSON), and written out in words
//! only when the admin shows the history. Queries can ask for a kind ("when was it shipped, by
//! whom?") without parsing sentences, and the wording can change without rewriting the history.

use crate::locale::Locale;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// One change to an order. The JSON is `{"kind": "shipped", "data": {…}}`; `kind` is also a
/// column of its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum OrderEvent {
    /// Checkout placed it and reserved its stock.
    Placed,
    /// An authentic Paysera callback paid it; `verified_by` names the signature checked.
    Paid {
        verified_by: String,
    },
    /// The shopper came back through Paysera's cancel link.
    CancelledAtPaysera,
    /// The merchant cancelled it (unpaid), saying why.
    CancelledByMerchant {
        by: String,
        note: String,
    },
    /// Unpaid for longer than the shop waits.
    Expired {
        after_minutes: u32,
    },
    Shipped {
        by: String,
        note: String,
    },
    /// Refunded in Paysera's panel, recorded here.
    Refunded {
        by: String,
        note: String,
    },
    /// The merchant looked at a payment the shop flagged.
    ReviewCleared {
        by: String,
        note: String,
    },
}

impl OrderEvent {
    /// The `kind` column: the tag of the JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            OrderEvent::Placed => "placed",
            OrderEvent::Paid { .. } => "paid",
            OrderEvent::CancelledAtPaysera => "cancelled_at_paysera",
            OrderEvent::CancelledByMerchant { .. } => "cancelled_by_merchant",
            OrderEvent::Expired { .. } => "expired",
            OrderEvent::Shipped { .. } => "shipped",
            OrderEvent::Refunded { .. } => "refunded",
            OrderEvent::ReviewCleared { .. } => "review_cleared",
        }
    }

    /// The `data` column.
    pub fn data(&self) -> String {
        let mut tagged = serde_json::to_value(self).unwrap_or_default();
        tagged
            .get_mut("data")
            .map(serde_json::Value::take)
            .unwrap_or_else(|| serde_json::json!({}))
            .to_string()
    }

    /// The event stored as `kind` and `data`; `None` for a row written before events were typed
    /// (its `note` says what happened) or one this version does not know.
    pub fn from_row(kind: &str, data: &str) -> Option<OrderEvent> {
        let data: serde_json::Value = serde_json::from_str(data).ok()?;
        let tagged = match data {
            serde_json::Value::Object(map) if map.is_empty() => serde_json::json!({ "kind": kind }),
            data => serde_json::json!({ "kind": kind, "data": data }),
        };
        serde_json::from_value(tagged).ok()
    }

    /// In words, for the admin's history, in the admin's language.
    pub fn describe(&self, locale: Locale) -> String {
        let by = |who: &str, note: &str| {
            if note.is_empty() {
                td_string!(locale, admin.event.by, who)
            } else {
                td_string!(locale, admin.event.by_with_note, who, note)
            }
        };
        match self {
            OrderEvent::Placed => td_string!(locale, admin.event.placed).into(),
            OrderEvent::Paid { verified_by } => td_string!(locale, admin.event.paid, verified_by),
            OrderEvent::CancelledAtPaysera => {
                td_string!(locale, admin.event.cancelled_at_paysera).into()
            }
            OrderEvent::CancelledByMerchant { by: who, note } => {
                td_string!(locale, admin.event.cancelled, by = by(who, note))
            }
            OrderEvent::Expired { after_minutes } => {
                td_string!(locale, admin.event.expired, count = *after_minutes)
            }
            OrderEvent::Shipped { by: who, note } => {
                td_string!(locale, admin.event.shipped, by = by(who, note))
            }
            OrderEvent::Refunded { by: who, note } => {
                td_string!(locale, admin.event.refunded, by = by(who, note))
            }
            OrderEvent::ReviewCleared { by: who, note } => {
                td_string!(locale, admin.event.review_cleared, by = by(who, note))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OrderEvent;
    use crate::locale::Locale;

    #[test]
    fn events_are_stored_as_kind_and_data_and_read_back() {
        let events = [
            OrderEvent::Placed,
            OrderEvent::Paid {
                verified_by: "ss3".into(),
            },
            OrderEvent::CancelledAtPaysera,
            OrderEvent::Expired { after_minutes: 60 },
            OrderEvent::Shipped {
                by: "owner@example.lt".into(),
                note: "DPD 123".into(),
            },
        ];
        for event in events {
            let (kind, data) = (event.kind(), event.data());
            assert_eq!(
                OrderEvent::from_row(kind, &data),
                Some(event.clone()),
                "{data}"
            );
        }
        assert_eq!(OrderEvent::Placed.data(), "{}");
        assert_eq!(
            OrderEvent::Expired { after_minutes: 60 }.data(),
            r#"{"after_minutes":60}"#
        );
        // Rows from before events were typed, and kinds from a later version, are not guessed at.
        assert_eq!(OrderEvent::from_row("note", "{}"), None);
        assert_eq!(OrderEvent::from_row("teleported", "{}"), None);
    }

    #[test]
    fn events_read_as_the_history_always_did_and_in_the_admins_language() {
        let shipped = OrderEvent::Shipped {
            by: "owner@example.lt".into(),
            note: String::new(),
        };
        assert_eq!(
            shipped.describe(Locale::en),
            "marked shipped by owner@example.lt"
        );
        let cancelled = OrderEvent::CancelledByMerchant {
            by: "owner@example.lt".into(),
            note: "asked by phone".into(),
        };
        assert_eq!(
            cancelled.describe(Locale::en),
            "cancelled by owner@example.lt: asked by phone"
        );
        assert_eq!(
            cancelled.describe(Locale::lt),
            "atšaukta — owner@example.lt: asked by phone"
        );
        let expired = OrderEvent::Expired { after_minutes: 21 };
        assert_eq!(expired.describe(Locale::lt), "neapmokėta per 21 minutę");
    }
}
