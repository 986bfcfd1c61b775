//! Applying an authentic Paysera callback: the one transaction in which the callback is recorded
//! with its verdict (`domain::payments::callbacks`), its order changes (`domain::orders`), a paid
//! order gets its invoice (`domain::invoices`) and the e-mails it causes are written
//! (`domain::mail`). The handler answers `OK` only after it commits.

use crate::domain::invoices::issue::issue_invoice;
use crate::domain::mail::compose::MailEvent;
use crate::domain::mail::outbox::enqueue;
use crate::domain::mail::MailContext;
use crate::domain::payments::callbacks::{self, Verdict, PAYING_VERDICTS};
use crate::error::AppError;
use crate::paysera::callback::Callback;

/// Records an authentic callback and applies it to its order, in one transaction, with the
/// e-mails it causes: a payment writes the shopper's confirmation and the merchant's notice, a
/// payment to review the merchant's notice of it (see `mail`).
/// Run again if PostgreSQL gives the transaction up for another's sake (a deadlock).
pub async fn apply(
    pool: &crate::db::Db,
    mail: &MailContext<'_>,
    raw: &str,
    callback: &Callback,
) -> Result<Verdict, AppError> {
    crate::db::retrying(|| apply_once(pool, mail, raw, callback)).await
}

async fn apply_once(
    pool: &crate::db::Db,
    mail: &MailContext<'_>,
    raw: &str,
    callback: &Callback,
) -> Result<Verdict, AppError> {
    let mut tx = pool.begin().await?;
    let order = callbacks::lock_order(&mut tx, callback).await?;
    let verdict = match &order {
        None => Verdict::UnknownOrder,
        Some(order) => callbacks::decide(&mut tx, order, callback).await?,
    };
    if let Some(order) = &order {
        if PAYING_VERDICTS.contains(&verdict) {
            issue_invoice(&mut tx, order.id).await?;
        }
        if verdict.needs_review() {
            callbacks::flag_for_review(&mut tx, order.id).await?;
        }
        tell(&mut tx, mail, order.id, verdict, callback).await?;
    }
    callbacks::record(&mut tx, raw, callback, order.map(|o| o.id), verdict).await?;
    tx.commit().await?;
    Ok(verdict)
}

/// Writes the e-mails a verdict causes into the outbox, in the callback's transaction.
async fn tell(
    tx: &mut crate::db::Tx,
    mail: &MailContext<'_>,
    order_id: i64,
    verdict: Verdict,
    callback: &Callback,
) -> Result<(), AppError> {
    let mut events = vec![];
    if PAYING_VERDICTS.contains(&verdict) {
        events.extend([MailEvent::Confirmation, MailEvent::NewOrder]);
    }
    if verdict.needs_review() {
        events.push(MailEvent::Review {
            verdict: verdict.as_str().to_owned(),
            request_id: callback.request_id.clone().unwrap_or_default(),
        });
    }
    enqueue(tx, mail, order_id, events).await
}
