//! Where a payment is decided. An authentic Paysera callback is recorded, with its verdict, and
//! changes an order in the same transaction; the handler answers `OK` only after the commit.
//!
//! An order becomes `paid` only when the callback says status 1, is not a test payment, names an
//! existing order, and carries exactly the order's total and currency.

use super::ssr::{begin_write, re_reserve_stock, transition};
use super::OrderStatus;
use crate::error::AppError;
use crate::paysera::callback::{Callback, CallbackError, PaymentStatus};

/// What a callback did. Stored with it in the payment log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The order is now paid.
    Paid,
    /// A late payment revived a cancelled or expired order; its stock was reserved again.
    PaidLate,
    /// A late payment, but the stock is gone: paid, and flagged for a person to sort out.
    PaidWithoutStock,
    /// The order was already paid: a repeat, changing nothing.
    AlreadyPaid,
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
            Verdict::TestPayment => "test_payment",
            Verdict::AmountMismatch => "amount_mismatch",
            Verdict::CurrencyMismatch => "currency_mismatch",
            Verdict::UnknownOrder => "unknown_order",
            Verdict::AcceptedAwaitingBank => "accepted_awaiting_bank",
            Verdict::NotAPayment => "not_a_payment",
            Verdict::Rejected => "rejected",
        }
    }

    /// Verdicts a person should look at: the money does not match what was ordered.
    fn needs_review(self) -> bool {
        matches!(
            self,
            Verdict::PaidWithoutStock
                | Verdict::TestPayment
                | Verdict::AmountMismatch
                | Verdict::CurrencyMismatch
        )
    }
}

struct OrderRow {
    id: i64,
    status: OrderStatus,
    total_minor: i64,
    currency: String,
}

/// Records an authentic callback and applies it to its order, in one transaction.
pub async fn apply(
    pool: &sqlx::SqlitePool,
    raw: &str,
    callback: &Callback,
) -> Result<Verdict, AppError> {
    let mut tx = begin_write(pool).await?;
    let order = match callback
        .order_id
        .as_deref()
        .and_then(|n| n.parse::<i64>().ok())
    {
        Some(number) => {
            let row: Option<(i64, String, i64, String)> = sqlx::query_as(
                "SELECT id, status, total_minor, currency FROM orders WHERE number = $1",
            )
            .bind(number)
            .fetch_optional(&mut *tx)
            .await?;
            row.map(|(id, status, total_minor, currency)| OrderRow {
                id,
                status: OrderStatus::parse(&status).unwrap_or(OrderStatus::PendingPayment),
                total_minor,
                currency,
            })
        }
        None => None,
    };

    let verdict = match &order {
        None => Verdict::UnknownOrder,
        Some(order) => decide(&mut tx, order, callback).await?,
    };
    if let (Some(order), true) = (&order, verdict.needs_review()) {
        sqlx::query("UPDATE orders SET needs_review = 1 WHERE id = $1")
            .bind(order.id)
            .execute(&mut *tx)
            .await?;
    }

    let params_json = serde_json::to_string(&callback.params).map_err(|_| AppError::Internal)?;
    sqlx::query(
        "INSERT INTO payment_callbacks (raw, authentic, verified_by, order_number, order_id, paysera_status,
                                        test, amount_minor, currency, params_json, verdict)
         VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(raw)
    .bind(callback.verified_by.to_string())
    .bind(&callback.order_id)
    .bind(order.as_ref().map(|o| o.id))
    .bind(callback.params.get("status"))
    .bind(callback.test)
    .bind(callback.amount_minor)
    .bind(&callback.currency)
    .bind(params_json)
    .bind(verdict.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(verdict)
}

async fn decide(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
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
    let note = format!("Paysera callback: paid ({})", callback.verified_by);
    Ok(match order.status {
        OrderStatus::Paid => Verdict::AlreadyPaid,
        OrderStatus::PendingPayment => {
            if transition(
                tx,
                order.id,
                OrderStatus::PendingPayment,
                OrderStatus::Paid,
                &note,
            )
            .await?
            {
                Verdict::Paid
            } else {
                Verdict::AlreadyPaid
            }
        }
        late @ (OrderStatus::Cancelled | OrderStatus::Expired) => {
            let restocked = re_reserve_stock(tx, order.id).await?;
            transition(tx, order.id, late, OrderStatus::Paid, &note).await?;
            if restocked {
                Verdict::PaidLate
            } else {
                Verdict::PaidWithoutStock
            }
        }
    })
}

/// Logs a callback that failed verification. It was never decoded and changes nothing else.
pub async fn record_rejected(
    pool: &sqlx::SqlitePool,
    raw: &str,
    error: &CallbackError,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO payment_callbacks (raw, authentic, verdict, detail) VALUES ($1, 0, $2, $3)",
    )
    .bind(raw)
    .bind(Verdict::Rejected.as_str())
    .bind(error.to_string())
    .execute(pool)
    .await?;
    Ok(())
}
