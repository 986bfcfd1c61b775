//! Unpaid orders ending: expired by the background task after their time, or cancelled when the
//! shopper comes back from Paysera's cancel link. Each is one transaction in which the order
//! moves (`domain::orders`, a conditional update) and its units go back on sale
//! (`domain::inventory`).

use crate::domain::inventory;
use crate::domain::orders::events::OrderEvent;
use crate::domain::orders::lifecycle::cancel_unpaid;
use crate::domain::orders::OrderStatus;
use crate::error::AppError;
use crate::quantity::Quantity;

/// Expires orders left unpaid for longer than `ttl_minutes` and gives their stock back. Each order
/// in its own transaction, with a conditional update: a callback paying it at the same moment wins
/// or loses cleanly, never both. Each order is claimed first (`FOR UPDATE SKIP LOCKED` on
/// PostgreSQL), so instances sweeping at the same time share the work instead of queueing on it.
pub async fn expire_overdue(
    pool: &crate::db::Db,
    ttl_minutes: u32,
    now: std::time::SystemTime,
) -> Result<usize, AppError> {
    let ttl = std::time::Duration::from_secs(60 * u64::from(ttl_minutes));
    let cutoff = crate::clock::timestamp(now - ttl);
    let expired_event = OrderEvent::Expired {
        after_minutes: ttl_minutes,
    };
    let mut expired = 0;
    // Bounded: a sweep never runs for ever, whatever piles up; the next round goes on.
    for _ in 0..1000 {
        let mut tx = pool.begin().await?;
        let claim = format!(
            "SELECT id FROM orders WHERE status = 'pending_payment' AND created_at < $1
             ORDER BY id LIMIT 1{}",
            tx.skip_locked()
        );
        let Some(id) = crate::on_tx!(&mut tx, conn => sqlx::query_scalar::<_, i64>(&claim)
            .bind(&cutoff)
            .fetch_optional(&mut *conn)
            .await)?
        else {
            break;
        };
        if cancel_unpaid(&mut tx, id, OrderStatus::Expired, &expired_event).await? {
            expired += 1;
        }
        tx.commit().await?;
    }
    Ok(expired)
}

/// Cancels a pending order (the shopper came back from Paysera's cancel link) and releases its
/// stock. Returns the order's lines to put back into the cart, or `None` if it was not pending.
/// Run again if PostgreSQL gives the transaction up for another's sake (a deadlock).
pub async fn cancel_pending(
    pool: &crate::db::Db,
    order_id: i64,
) -> Result<Option<Vec<(i64, Quantity)>>, AppError> {
    crate::db::retrying(|| cancel_pending_once(pool, order_id)).await
}

async fn cancel_pending_once(
    pool: &crate::db::Db,
    order_id: i64,
) -> Result<Option<Vec<(i64, Quantity)>>, AppError> {
    let mut tx = pool.begin().await?;
    let event = OrderEvent::CancelledAtPaysera;
    if !cancel_unpaid(&mut tx, order_id, OrderStatus::Cancelled, &event).await? {
        return Ok(None);
    }
    let lines = inventory::stocked_lines(&mut tx, order_id).await?;
    tx.commit().await?;
    Ok(Some(
        lines
            .into_iter()
            .filter_map(|(id, q)| Some((id, Quantity::try_from(u64::try_from(q).ok()?).ok()?)))
            .collect(),
    ))
}
