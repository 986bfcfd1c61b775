//! A code's terms as the checkout and placement read them, and its uses: taken in the placing
//! transaction, given back in the one that cancels or expires the unpaid order.
//!
//! Taking a use is a conditional update (`uses < max_uses`): on PostgreSQL the second of two
//! orders racing for the last use waits on the code's row and then finds no use left; on SQLite
//! the write lock queues them. The limit per shopper is a row per (code, e-mail, slot) under a
//! unique index, the slots numbered 1 to the limit: two orders racing for a shopper's last slot
//! cannot both insert it.

use super::{Refusal, Terms};
use crate::error::AppError;

#[derive(sqlx::FromRow)]
struct TermsRow {
    id: i64,
    code: String,
    kind: String,
    value: i64,
    currency: String,
    min_goods_minor: i64,
    valid_from: Option<String>,
    valid_until: Option<String>,
    max_uses: Option<i64>,
    uses: i64,
    scope: String,
}

/// A usable code (on, not archived) by its stored form.
const TERMS: &str =
    "SELECT id, code, kind, value, currency, min_goods_minor, valid_from, valid_until,
                            max_uses, uses, scope
                     FROM discount_codes WHERE code = $1 AND active = TRUE AND archived = FALSE";

/// The products a code's scope names, directly or by their category.
const SCOPE_PRODUCTS: &str = "SELECT s.product_id FROM discount_scope s
                              WHERE s.code_id = $1 AND s.product_id IS NOT NULL
                              UNION
                              SELECT p.id FROM discount_scope s JOIN products p ON p.category_id = s.category_id
                              WHERE s.code_id = $1 AND s.category_id IS NOT NULL";

fn terms_of(row: TermsRow, products: Vec<i64>) -> Option<Terms> {
    let scope = super::Scope::from_key(&row.scope)?;
    Some(Terms {
        id: row.id,
        code: row.code,
        kind: super::Kind::from_key(&row.kind)?,
        value: row.value,
        min_goods: row.min_goods_minor,
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        max_uses: row.max_uses,
        uses: row.uses,
        currency: crate::money::Currency::from_code(&row.currency)?,
        products: (scope != super::Scope::All).then_some(products),
    })
}

/// The terms of `code` (as stored: see [`super::normalise`]) for the checkout's figures.
pub async fn find(pool: &crate::db::Db, code: &str) -> Result<Option<Terms>, AppError> {
    let row: Option<TermsRow> = crate::on_db!(pool, conn => sqlx::query_as(TERMS)
        .bind(code)
        .fetch_optional(conn)
        .await)?;
    let Some(row) = row else { return Ok(None) };
    let products: Vec<i64> = crate::on_db!(pool, conn => sqlx::query_scalar(SCOPE_PRODUCTS)
        .bind(row.id)
        .fetch_all(conn)
        .await)?;
    Ok(terms_of(row, products))
}

/// The terms of `code`, read in the placing transaction.
pub async fn find_in(tx: &mut crate::db::Tx, code: &str) -> Result<Option<Terms>, AppError> {
    let row: Option<TermsRow> = crate::on_tx!(tx, conn => sqlx::query_as(TERMS)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await)?;
    let Some(row) = row else { return Ok(None) };
    let products: Vec<i64> = crate::on_tx!(tx, conn => sqlx::query_scalar(SCOPE_PRODUCTS)
        .bind(row.id)
        .fetch_all(&mut *conn)
        .await)?;
    Ok(terms_of(row, products))
}

/// Takes a use of code `code_id` for order `order_id`, placed by `email`: refused when the code
/// has no use left or this e-mail has had its uses. Inside the placing transaction, so a refusal
/// rolls the whole order back.
pub async fn take(
    tx: &mut crate::db::Tx,
    code_id: i64,
    order_id: i64,
    email: &str,
) -> Result<Result<(), Refusal>, AppError> {
    let taken: Option<Option<i64>> = crate::on_tx!(tx, conn => sqlx::query_scalar(
        "UPDATE discount_codes SET uses = uses + 1
         WHERE id = $1 AND active = TRUE AND archived = FALSE
           AND (max_uses IS NULL OR uses < max_uses)
         RETURNING max_uses_per_email",
    )
    .bind(code_id)
    .fetch_optional(&mut *conn)
    .await)?;
    let Some(per_email) = taken else {
        return Ok(Err(Refusal::UsedUp));
    };
    let email = email.to_lowercase();
    // Without a limit per shopper the order's own id is a slot no one else holds.
    let slots: Vec<i64> = match per_email {
        Some(limit) => (1..=limit).collect(),
        None => vec![order_id],
    };
    for slot in slots {
        let inserted = crate::on_tx!(tx, conn => sqlx::query(
            "INSERT INTO discount_uses (order_id, code_id, email, slot) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(order_id)
        .bind(code_id)
        .bind(&email)
        .bind(slot)
        .execute(&mut *conn)
        .await.map(|done| done.rows_affected()))?;
        if inserted == 1 {
            return Ok(Ok(()));
        }
    }
    Ok(Err(Refusal::UsedByYou))
}

/// Gives back the use order `order_id` held, if any: its unpaid order was cancelled or expired.
/// Run once per order: the use's row goes with it.
pub async fn give_back(tx: &mut crate::db::Tx, order_id: i64) -> Result<(), AppError> {
    let code_id: Option<i64> = crate::on_tx!(tx, conn => sqlx::query_scalar(
        "DELETE FROM discount_uses WHERE order_id = $1 RETURNING code_id",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await)?;
    if let Some(code_id) = code_id {
        crate::on_tx!(tx, conn => sqlx::query(
            "UPDATE discount_codes SET uses = uses - 1 WHERE id = $1 AND uses > 0",
        )
        .bind(code_id)
        .execute(&mut *conn)
        .await.map(|done| done.rows_affected()))?;
    }
    Ok(())
}

/// Takes again the use a cancelled or expired order gave back, now that it is paid after all
/// (a late payment, which a person looks at anyway). `false` when the code has no use left for
/// it: the limit still holds, and the merchant decides.
pub async fn take_again(tx: &mut crate::db::Tx, order_id: i64) -> Result<bool, AppError> {
    let held: Option<(i64, String)> = crate::on_tx!(tx, conn => sqlx::query_as(
        "SELECT c.id, o.email FROM orders o JOIN discount_codes c ON c.code = o.discount_code
         WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await)?;
    match held {
        Some((code_id, email)) => Ok(take(tx, code_id, order_id, &email).await?.is_ok()),
        None => Ok(true),
    }
}
