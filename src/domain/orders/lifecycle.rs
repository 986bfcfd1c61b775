//! An order's lifecycle after it is placed: cancelling, expiring, shipping, refunding and
//! clearing a review (paying is `domain::payments::callbacks`', placing `place`'s; the stock they move is
//! `domain::inventory`'s). Each change is one conditional
//! update inside the caller's transaction (or its own), so a concurrent change (another callback,
//! the expiry task on another instance, a second admin) makes it a no-op, never a double move, and
//! each records a typed [`OrderEvent`]. The admin calls these; it never updates an order itself.

use super::events::OrderEvent;
use super::OrderStatus;
use crate::error::AppError;

/// Records `event` in the order's history, beside the status it left the order in.
pub async fn record(
    tx: &mut crate::db::Tx,
    order_id: i64,
    from: Option<OrderStatus>,
    to: OrderStatus,
    event: &OrderEvent,
) -> Result<(), AppError> {
    crate::on_tx!(tx, conn => sqlx::query(
        "INSERT INTO order_events (order_id, from_status, to_status, kind, data, note)
         VALUES ($1, $2, $3, $4, $5, '')",
    )
    .bind(order_id)
    .bind(from.map(OrderStatus::as_str))
    .bind(to.as_str())
    .bind(event.kind())
    .bind(event.data())
    .execute(&mut *conn)
    .await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Moves an order from `from` to `to` if it is still in `from`. Returns whether it moved: a
/// concurrent change (another callback, the expiry task) makes this a no-op, never a double move.
pub async fn transition(
    tx: &mut crate::db::Tx,
    order_id: i64,
    from: OrderStatus,
    to: OrderStatus,
    event: &OrderEvent,
) -> Result<bool, AppError> {
    debug_assert!(from.can_become(to));
    let moved = crate::on_tx!(tx, conn => sqlx::query(
        "UPDATE orders SET status = $1, paid_at = CASE WHEN $1 = 'paid' THEN $4 ELSE paid_at END
         WHERE id = $2 AND status = $3",
    )
    .bind(to.as_str())
    .bind(order_id)
    .bind(from.as_str())
    .bind(crate::clock::now())
    .execute(&mut *conn)
    .await.map(|done| done.rows_affected()))?
        == 1;
    if moved {
        record(tx, order_id, Some(from), to, event).await?;
    }
    Ok(moved)
}

/// Cancels (`to`: cancelled) or expires (`to`: expired) an unpaid order and gives its stock
/// back, and its discount code's use. Returns whether it did (false: it was not unpaid any more).
pub async fn cancel_unpaid(
    tx: &mut crate::db::Tx,
    order_id: i64,
    to: OrderStatus,
    event: &OrderEvent,
) -> Result<bool, AppError> {
    let moved = transition(tx, order_id, OrderStatus::PendingPayment, to, event).await?;
    if moved {
        crate::domain::inventory::release(tx, order_id).await?;
        crate::domain::discounts::uses::give_back(tx, order_id).await?;
    }
    Ok(moved)
}

/// What the merchant records about a paid order, beside its payment state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fulfilment {
    Shipped,
    Refunded,
    ReviewCleared,
}

/// Records `fulfilment` on order `order_id` (`status`: the status it is in, which does not
/// change), by the admin `by` with `note`. Returns whether it applied: shipping needs a paid order
/// not shipped or refunded yet, refunding a paid order not refunded yet, clearing a review a
/// flagged order.
pub async fn fulfil(
    tx: &mut crate::db::Tx,
    order_id: i64,
    status: OrderStatus,
    fulfilment: Fulfilment,
    by: &str,
    note: &str,
) -> Result<bool, AppError> {
    let (by, note) = (by.to_owned(), note.to_owned());
    let (update, event) = match fulfilment {
        Fulfilment::Shipped => (
            "UPDATE orders SET shipped_at = $2
             WHERE id = $1 AND status = 'paid' AND shipped_at IS NULL AND refunded_at IS NULL",
            OrderEvent::Shipped { by, note },
        ),
        Fulfilment::Refunded => (
            "UPDATE orders SET refunded_at = $2
             WHERE id = $1 AND status = 'paid' AND refunded_at IS NULL",
            OrderEvent::Refunded { by, note },
        ),
        Fulfilment::ReviewCleared => (
            "UPDATE orders SET needs_review = FALSE WHERE id = $1 AND needs_review = TRUE",
            OrderEvent::ReviewCleared { by, note },
        ),
    };
    // Shipping and refunding stamp the time ($2); PostgreSQL refuses a parameter left unused.
    let stamped = fulfilment != Fulfilment::ReviewCleared;
    let moved = crate::on_tx!(tx, conn => {
        let query = sqlx::query(update).bind(order_id);
        let query = if stamped { query.bind(crate::clock::now()) } else { query };
        query.execute(&mut *conn).await.map(|done| done.rows_affected())
    })? == 1;
    if moved {
        record(tx, order_id, Some(status), status, &event).await?;
    }
    Ok(moved)
}
