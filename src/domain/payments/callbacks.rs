//! Where a payment is decided. An authentic Paysera callback is recorded, with its verdict, and
//! changes an order in the same transaction (`domain::flows::payment_callback`); the handler
//! answers `OK` only after the commit.
//!
//! An order becomes `paid` only when the callback says status 1, is not a test payment, names an
//! existing order, and carries exactly the order's total (as canonical text) and currency.
//! Payments a person should look at are still recorded, and flag the order for review: a late
//! payment for an expired or cancelled order, and a second payment for an order already paid.
//!
//! Refused callbacks change nothing and were never decoded; only a bounded prefix of them is kept
//! (see [`record_rejected`]), so strangers cannot fill the disk.

use crate::domain::inventory;
use crate::domain::orders::events::OrderEvent;
use crate::domain::orders::lifecycle::transition;
use crate::domain::orders::OrderStatus;
use crate::error::AppError;
use crate::paysera::callback::{Callback, CallbackError, PaymentStatus};

/// What a callback did. Stored with it in the payment log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The order is now paid.
    Paid,
    /// A late payment revived a cancelled or expired order; its stock was reserved again. Flagged:
    /// the shopper may have bought elsewhere meanwhile.
    PaidLate,
    /// A late payment, but the stock is gone (or the product is no longer for sale): paid, and
    /// flagged for a person to sort out.
    PaidWithoutStock,
    /// The order was already paid: a repeat of the same payment, changing nothing.
    AlreadyPaid,
    /// The order was already paid by another payment (another `requestid`): flagged, so the
    /// merchant can refund one.
    PaidTwice,
    /// `test=1`: no money moved. Never pays an order.
    TestPayment,
    AmountMismatch,
    CurrencyMismatch,
    UnknownOrder,
    /// Status 2: the bank accepted the payment but has not executed it yet.
    AcceptedAwaitingBank,
    /// Status 0, 3, 4 or unknown: nothing to do.
    NotAPayment,
    /// Failed verification: never decoded, nothing changed.
    Rejected,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Paid => "paid",
            Verdict::PaidLate => "paid_late",
            Verdict::PaidWithoutStock => "paid_without_stock",
            Verdict::AlreadyPaid => "already_paid",
            Verdict::PaidTwice => "paid_twice",
            Verdict::TestPayment => "test_payment",
            Verdict::AmountMismatch => "amount_mismatch",
            Verdict::CurrencyMismatch => "currency_mismatch",
            Verdict::UnknownOrder => "unknown_order",
            Verdict::AcceptedAwaitingBank => "accepted_awaiting_bank",
            Verdict::NotAPayment => "not_a_payment",
            Verdict::Rejected => "rejected",
        }
    }

    /// Verdicts a person should look at: the money does not match what was ordered, or came when
    /// the order was no longer waiting for it.
    pub fn needs_review(self) -> bool {
        matches!(
            self,
            Verdict::PaidLate
                | Verdict::PaidWithoutStock
                | Verdict::PaidTwice
                | Verdict::TestPayment
                | Verdict::AmountMismatch
                | Verdict::CurrencyMismatch
        )
    }
}

#[derive(sqlx::FromRow)]
pub struct OrderRow {
    pub id: i64,
    status: String,
    total_minor: i64,
    currency: String,
}

/// The verdicts that moved an order to `paid`.
pub const PAYING_VERDICTS: [Verdict; 3] =
    [Verdict::Paid, Verdict::PaidLate, Verdict::PaidWithoutStock];

/// The order a callback names, locked: two callbacks for one order, at two instances, decide one
/// after the other. `None` when it names no order of this shop.
pub async fn lock_order(
    tx: &mut crate::db::Tx,
    callback: &Callback,
) -> Result<Option<OrderRow>, AppError> {
    let Some(number) = callback
        .order_id
        .as_deref()
        .and_then(|n| n.parse::<i64>().ok())
    else {
        return Ok(None);
    };
    let select = format!(
        "SELECT id, status, total_minor, currency FROM orders WHERE number = $1{}",
        tx.for_update()
    );
    Ok(
        crate::on_tx!(tx, conn => sqlx::query_as::<_, OrderRow>(&select)
        .bind(number)
        .fetch_optional(&mut *conn)
        .await)?,
    )
}

/// Flags an order for a person to look at (a late or second payment).
pub async fn flag_for_review(tx: &mut crate::db::Tx, order_id: i64) -> Result<(), AppError> {
    crate::on_tx!(tx, conn => sqlx::query("UPDATE orders SET needs_review = TRUE WHERE id = $1")
        .bind(order_id)
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(())
}

/// Appends the authentic callback, raw, with its verdict to the payment log (append-only).
pub async fn record(
    tx: &mut crate::db::Tx,
    raw: &str,
    callback: &Callback,
    order_id: Option<i64>,
    verdict: Verdict,
) -> Result<(), AppError> {
    let params_json = serde_json::to_string(&callback.params).map_err(|_| AppError::Internal)?;
    crate::on_tx!(tx, conn => sqlx::query(
        "INSERT INTO payment_callbacks (raw, raw_bytes, authentic, verified_by, order_number, order_id,
                                        paysera_status, test, amount_minor, currency, params_json,
                                        verdict, request_id)
         VALUES ($1, $2, TRUE, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(raw)
    .bind(i64::try_from(raw.len()).unwrap_or(i64::MAX))
    .bind(callback.verified_by.to_string())
    .bind(&callback.order_id)
    .bind(order_id)
    .bind(callback.params.get("status"))
    .bind(callback.test)
    .bind(callback.amount_minor)
    .bind(&callback.currency)
    .bind(params_json)
    .bind(verdict.as_str())
    .bind(&callback.request_id)
    .execute(&mut *conn)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
}

/// What an authentic callback does to its order: pays it, or is recorded as what it is.
pub async fn decide(
    tx: &mut crate::db::Tx,
    order: &OrderRow,
    callback: &Callback,
) -> Result<Verdict, AppError> {
    match callback.status {
        PaymentStatus::Paid => {}
        PaymentStatus::AcceptedNotExecuted => return Ok(Verdict::AcceptedAwaitingBank),
        _ => return Ok(Verdict::NotAPayment),
    }
    if callback.test {
        return Ok(Verdict::TestPayment);
    }
    if callback.currency.as_deref() != Some(order.currency.as_str()) {
        return Ok(Verdict::CurrencyMismatch);
    }
    if callback.amount_minor != Some(order.total_minor) {
        return Ok(Verdict::AmountMismatch);
    }
    let status = OrderStatus::parse(&order.status).ok_or_else(|| {
        tracing::error!(
            status = order.status,
            "unknown order status in the database"
        );
        AppError::Internal
    })?;
    let paid = OrderEvent::Paid {
        verified_by: callback.verified_by.to_string(),
    };
    Ok(match status {
        OrderStatus::Paid => paid_again(tx, order.id, callback).await?,
        OrderStatus::PendingPayment => {
            if transition(
                tx,
                order.id,
                OrderStatus::PendingPayment,
                OrderStatus::Paid,
                &paid,
            )
            .await?
            {
                Verdict::Paid
            } else {
                Verdict::AlreadyPaid
            }
        }
        late @ (OrderStatus::Cancelled | OrderStatus::Expired) => {
            let restocked = inventory::re_reserve(tx, order.id).await?;
            // Flagged for review as a late payment either way; a code used up meanwhile keeps
            // its limit.
            crate::domain::discounts::uses::take_again(tx, order.id).await?;
            transition(tx, order.id, late, OrderStatus::Paid, &paid).await?;
            if restocked {
                Verdict::PaidLate
            } else {
                Verdict::PaidWithoutStock
            }
        }
    })
}

/// A status-1 callback for an order that is already paid: the same payment again, or another one.
/// Without both request ids the two cannot be told apart, and a repeat is the likely case.
async fn paid_again(
    tx: &mut crate::db::Tx,
    order_id: i64,
    callback: &Callback,
) -> Result<Verdict, AppError> {
    let first: Option<Option<String>> = crate::on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT request_id FROM payment_callbacks
         WHERE order_id = $1 AND authentic = TRUE AND verdict IN ($2, $3, $4) ORDER BY id LIMIT 1",
    )
    .bind(order_id)
    .bind(PAYING_VERDICTS[0].as_str())
    .bind(PAYING_VERDICTS[1].as_str())
    .bind(PAYING_VERDICTS[2].as_str())
    .fetch_optional(&mut *conn)
    .await)?;
    Ok(match (first.flatten(), &callback.request_id) {
        (Some(paid_by), Some(this)) if paid_by != *this => Verdict::PaidTwice,
        _ => Verdict::AlreadyPaid,
    })
}

/// How much of a refused callback is kept: enough to see what was sent, not enough to fill a disk.
pub const REFUSED_RAW_KEPT: usize = 2048;

/// Logs a callback that failed verification. It was never decoded and changes nothing else. Only
/// its first [`REFUSED_RAW_KEPT`] bytes are stored, with the length and SHA-256 of the whole.
pub async fn record_rejected(
    pool: &crate::db::Db,
    raw: &[u8],
    error: &CallbackError,
) -> Result<(), AppError> {
    use sha2::Digest;
    // As text: bytes that are not UTF-8 become U+FFFD (three bytes each), so cut again to stay
    // within the limit.
    let lossy = String::from_utf8_lossy(&raw[..raw.len().min(REFUSED_RAW_KEPT)]);
    let mut end = lossy.len().min(REFUSED_RAW_KEPT);
    while !lossy.is_char_boundary(end) {
        end -= 1;
    }
    let kept = &lossy[..end];
    let digest = crate::tokens::hex(&sha2::Sha256::digest(raw));
    crate::on_db!(pool, conn => sqlx::query(
        "INSERT INTO payment_callbacks (raw, raw_bytes, raw_sha256, authentic, verdict, detail)
         VALUES ($1, $2, $3, FALSE, $4, $5)",
    )
    .bind(kept)
    .bind(i64::try_from(raw.len()).unwrap_or(i64::MAX))
    .bind(digest)
    .bind(Verdict::Rejected.as_str())
    .bind(error.to_string())
    .execute(conn)
    .await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Deletes refused callbacks older than `days` (authentic ones are never deleted: the table's
/// trigger refuses). Returns how many went.
pub async fn prune_rejected(pool: &crate::db::Db, days: u32) -> Result<u64, AppError> {
    Ok(crate::on_db!(pool, conn => sqlx::query(
        "DELETE FROM payment_callbacks WHERE authentic = FALSE AND received_at < $1",
    )
    .bind(crate::clock::now_plus(-86_400 * i64::from(days)))
    .execute(conn)
    .await.map(|done| done.rows_affected()))?)
}
