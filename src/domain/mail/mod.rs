//! Order e-mails, sent through a transactional outbox.
//!
//! An order change that should tell someone (paid, shipped, cancelled by the merchant, a payment
//! flagged for review) writes the e-mail into `email_outbox` in its own transaction
//! ([`outbox::enqueue`]), under a key unique to the event: the e-mail exists exactly when the
//! change does, and a duplicate callback finds the key taken. A worker ([`delivery`]) sends the
//! rows outside any transaction, over SMTP (lettre), retrying temporary failures with backoff and
//! giving up on permanent ones; a lease on each row keeps several workers from sending it twice.
//! Without an SMTP server the rows stay unsent, shown in admin → E-mails (and in sandbox mode
//! written as `.eml` files to the data folder): never lost.

#[cfg(feature = "ssr")]
pub mod compose;
#[cfg(feature = "ssr")]
pub mod delivery;
#[cfg(feature = "ssr")]
pub mod outbox;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// To the shopper: the order is paid.
    OrderConfirmation,
    /// To the merchant: a paid order to send.
    NewOrder,
    /// To the shopper: the order is on its way.
    OrderShipped,
    /// To the merchant: an order was cancelled in the admin.
    OrderCancelled,
    /// To the merchant: a payment needs a person's eyes.
    PaymentReview,
}

impl MailKind {
    pub const ALL: [MailKind; 5] = [
        MailKind::OrderConfirmation,
        MailKind::NewOrder,
        MailKind::OrderShipped,
        MailKind::OrderCancelled,
        MailKind::PaymentReview,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::OrderConfirmation => "order_confirmation",
            MailKind::NewOrder => "new_order",
            MailKind::OrderShipped => "order_shipped",
            MailKind::OrderCancelled => "order_cancelled",
            MailKind::PaymentReview => "payment_review",
        }
    }

    pub fn parse(text: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// What kind of e-mail it is, as the admin's list says it in `locale`.
    pub fn label(self, locale: crate::locale::Locale) -> &'static str {
        use leptos_i18n::td_string;
        match self {
            MailKind::OrderConfirmation => td_string!(locale, admin.mail_kind.order_confirmation),
            MailKind::NewOrder => td_string!(locale, admin.mail_kind.new_order),
            MailKind::OrderShipped => td_string!(locale, admin.mail_kind.order_shipped),
            MailKind::OrderCancelled => td_string!(locale, admin.mail_kind.order_cancelled),
            MailKind::PaymentReview => td_string!(locale, admin.mail_kind.payment_review),
        }
    }
}

/// Where an e-mail stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailState {
    Sent {
        at: String,
    },
    /// Given up: a permanent refusal, or too many tries.
    Failed {
        at: String,
    },
    /// Waiting for its next try (after a temporary failure) or its first.
    Queued {
        attempts: i64,
        next_attempt_at: String,
    },
    /// A worker is sending it right now.
    Sending,
    /// No SMTP server is configured: kept until there is one.
    NotSent,
}

/// One e-mail as the admin lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSummary {
    pub id: i64,
    pub kind: MailKind,
    pub order_number: Option<i64>,
    pub to: String,
    pub subject: String,
    pub created_at: String,
    pub state: MailState,
    pub last_error: Option<String>,
    /// Written to the data folder (sandbox mode): downloadable from the admin.
    pub has_file: bool,
}

/// What an e-mail needs from outside the order: where the shop is reached (for links).
pub struct MailContext<'a> {
    pub public_url: &'a str,
    /// The sender configured (`TURGUS_MAIL_FROM`): merchant notices go there when the settings
    /// name no contact e-mail.
    pub fallback_to: Option<&'a str>,
    /// What merchant notices are written in: the shop's default language.
    pub merchant_language: crate::locale::Locale,
}

/// The error kept on an e-mail that has nobody to go to (the admin shows it in its own words).
pub const NO_RECIPIENT: &str = "No address to send to: set the contact e-mail in admin → Settings.";

/// A payment verdict (see `domain::payments::callbacks::Verdict`) as the merchant's notice explains it.
pub fn verdict_in_words(verdict: &str, language: crate::locale::Locale) -> &'static str {
    use leptos_i18n::td_string;
    match verdict {
        "paid_late" => td_string!(language, mail.merchant.why_paid_late),
        "paid_without_stock" => td_string!(language, mail.merchant.why_paid_without_stock),
        "paid_twice" => td_string!(language, mail.merchant.why_paid_twice),
        "test_payment" => td_string!(language, mail.merchant.why_test_payment),
        "amount_mismatch" => td_string!(language, mail.merchant.why_amount_mismatch),
        "currency_mismatch" => td_string!(language, mail.merchant.why_currency_mismatch),
        _ => td_string!(language, mail.merchant.why_other),
    }
}
