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
    max_uses_per_email: Option<i64>,
    scope: String,
}

/// A usable code (on, not archived) by its stored form.
const TERMS: &str =
    "SELECT id, code, kind, value, currency, min_goods_minor, valid_from, valid_until,
                            max_uses, uses, max_uses_per_email, scope
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
        per_email: row.max_uses_per_email,
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
    let products: Vec<i64> = if row.scope == "all" {
        vec![]
    } else {
        crate::on_db!(pool, conn => sqlx::query_scalar(SCOPE_PRODUCTS)
            .bind(row.id)
            .fetch_all(conn)
            .await)?
    };
    Ok(terms_of(row, products))
}

/// Takes a use of `code` and reads its terms, in one statement of the placing transaction:
/// refused when it has no use left (or no usable code has that name). Whether the terms then
/// apply is the caller's to check; a refusal rolls the transaction, and so the use, back.
pub async fn take_terms(
    tx: &mut crate::db::Tx,
    code: &str,
) -> Result<Result<Terms, Refusal>, AppError> {
    let row: Option<TermsRow> = crate::on_tx!(tx, conn => sqlx::query_as(
        "UPDATE discount_codes SET uses = uses + 1
         WHERE code = $1 AND active = TRUE AND archived = FALSE
           AND (max_uses IS NULL OR uses < max_uses)
         RETURNING id, code, kind, value, currency, min_goods_minor, valid_from, valid_until,
                   max_uses, uses, max_uses_per_email, scope",
    )
    .bind(code)
    .fetch_optional(&mut *conn)
    .await)?;
    let Some(row) = row else {
        let usable: bool = crate::on_tx!(tx, conn => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM discount_codes
                            WHERE code = $1 AND active = TRUE AND archived = FALSE)",
        )
        .bind(code)
        .fetch_one(&mut *conn)
        .await)?;
        return Ok(Err(if usable {
            Refusal::UsedUp
        } else {
            Refusal::Unknown
        }));
    };
    let products: Vec<i64> = if row.scope == "all" {
        vec![]
    } else {
        crate::on_tx!(tx, conn => sqlx::query_scalar(SCOPE_PRODUCTS)
            .bind(row.id)
            .fetch_all(&mut *conn)
            .await)?
    };
    terms_of(row, products).map(Ok).ok_or(AppError::Internal)
}

/// Records order `order_id`'s use of code `code_id` (taken by [`take_terms`]) under `email`:
/// refused when this e-mail has had the `per_email` uses it may.
pub async fn record(
    tx: &mut crate::db::Tx,
    (code_id, per_email): (i64, Option<i64>),
    order_id: i64,
    email: &str,
) -> Result<Result<(), Refusal>, AppError> {
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
    let held: Option<(String, String)> = crate::on_tx!(tx, conn => sqlx::query_as(
        "SELECT discount_code, email FROM orders WHERE id = $1 AND discount_code <> ''",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await)?;
    let Some((code, email)) = held else {
        return Ok(true);
    };
    let Ok(terms) = take_terms(tx, &code).await? else {
        return Ok(false);
    };
    let recorded = record(tx, (terms.id, terms.per_email), order_id, &email).await?;
    if recorded.is_err() {
        // The use taken above is not this order's after all.
        crate::on_tx!(tx, conn => sqlx::query("UPDATE discount_codes SET uses = uses - 1 WHERE id = $1")
            .bind(terms.id)
            .execute(&mut *conn)
            .await.map(|done| done.rows_affected()))?;
    }
    Ok(recorded.is_ok())
}
