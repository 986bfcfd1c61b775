//! A merchant's action on an order (ship, cancel, refund, clear a review): one transaction with a
//! conditional update, in which the order changes (`domain::orders`), its stock goes back on sale
//! when it is cancelled (`domain::inventory`), a refund issues the credit note of its invoice
//! (`domain::invoices`) and the e-mails it causes are written (`domain::mail`). An order that changed meanwhile (a callback paid it, another admin shipped
//! it) refuses instead of being overwritten.

use crate::domain::invoices::issue::issue_credit_note;
use crate::domain::mail::compose::MailEvent;
use crate::domain::mail::outbox::enqueue;
use crate::domain::mail::MailContext;
use crate::domain::orders::events::OrderEvent;
use crate::domain::orders::lifecycle::{cancel_unpaid, fulfil, Fulfilment};
use crate::domain::orders::{OrderAction, OrderStatus};
use crate::error::AppError;
use crate::locale::Locale;
use leptos_i18n::td_string;

/// The admin taking an action, and what they wrote (it stays in the order's history).
pub struct Actor<'a> {
    pub email: &'a str,
    pub note: &'a str,
    /// The admin's language, which a refusal is written in.
    pub language: Locale,
}

/// Takes `action` on order `number`. Run again if PostgreSQL gives the transaction up for
/// another's sake (a callback releasing stock).
pub async fn act(
    writer: &crate::db::Db,
    mail: &MailContext<'_>,
    number: i64,
    action: OrderAction,
    actor: &Actor<'_>,
) -> Result<(), AppError> {
    if action.note_required() && actor.note.is_empty() {
        return Err(AppError::BadRequest(
            td_string!(actor.language, admin.order.note_needed).into(),
        ));
    }
    if actor.note.chars().count() > 1000 {
        return Err(AppError::BadRequest(
            td_string!(actor.language, admin.order.note_too_long).into(),
        ));
    }
    crate::db::retrying(|| act_once(writer, mail, number, action, actor)).await
}

/// The action's transaction.
async fn act_once(
    writer: &crate::db::Db,
    mail: &MailContext<'_>,
    number: i64,
    action: OrderAction,
    actor: &Actor<'_>,
) -> Result<(), AppError> {
    let mut tx = writer.begin().await?;
    let select = format!(
        "SELECT id, status FROM orders WHERE number = $1{}",
        tx.for_update()
    );
    let order: Option<(i64, String)> = crate::on_tx!(&mut tx, conn => sqlx::query_as(&select)
            .bind(number)
            .fetch_optional(&mut *conn)
            .await)?;
    let (id, status) = order.ok_or_else(|| {
        AppError::NotFound(td_string!(
            actor.language,
            admin.orders.no_such_order,
            number
        ))
    })?;
    let status = OrderStatus::parse(&status).ok_or(AppError::Internal)?;
    let changed = match action {
        OrderAction::Cancel => cancel(&mut tx, mail, id, actor).await?,
        OrderAction::Ship | OrderAction::Refund | OrderAction::ClearReview => {
            mark(&mut tx, mail, id, status, action, actor).await?
        }
    };
    if !changed {
        return Err(AppError::Conflict(td_string!(
            actor.language,
            admin.order.cannot_change,
            number
        )));
    }
    tx.commit().await?;
    Ok(())
}

/// Cancels an unpaid order (its stock goes back on sale) and e-mails the merchant.
async fn cancel(
    tx: &mut crate::db::Tx,
    mail: &MailContext<'_>,
    id: i64,
    actor: &Actor<'_>,
) -> Result<bool, AppError> {
    let event = OrderEvent::CancelledByMerchant {
        by: actor.email.to_owned(),
        note: actor.note.to_owned(),
    };
    let cancelled = cancel_unpaid(tx, id, OrderStatus::Cancelled, &event).await?;
    if cancelled {
        let event = MailEvent::Cancelled {
            by: actor.email.to_owned(),
            note: actor.note.to_owned(),
        };
        enqueue(tx, mail, id, [event]).await?;
    }
    Ok(cancelled)
}

/// Marks a paid order shipped (e-mailing the shopper, with the note) or refunded, or clears its
/// review flag; the order's payment state stays as it is.
async fn mark(
    tx: &mut crate::db::Tx,
    mail: &MailContext<'_>,
    id: i64,
    status: OrderStatus,
    action: OrderAction,
    actor: &Actor<'_>,
) -> Result<bool, AppError> {
    let fulfilment = match action {
        OrderAction::Ship => Fulfilment::Shipped,
        OrderAction::Refund => Fulfilment::Refunded,
        // Clearing the review (cancelling is `cancel`'s).
        OrderAction::ClearReview | OrderAction::Cancel => Fulfilment::ReviewCleared,
    };
    let moved = fulfil(tx, id, status, fulfilment, actor.email, actor.note).await?;
    if moved && fulfilment == Fulfilment::Refunded {
        issue_credit_note(tx, id).await?;
    }
    if moved && fulfilment == Fulfilment::Shipped {
        let note = actor.note.to_owned();
        enqueue(tx, mail, id, [MailEvent::Shipped { note }]).await?;
    }
    Ok(moved)
}
