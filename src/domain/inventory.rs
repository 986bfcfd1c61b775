//! Stock: the one home of the shop's stock rules. Stock is counted per variant (a product with no
//! options has one), and never goes below zero, however many shoppers buy at once: units are taken by one conditional update each ([`take`]), which fails
//! rather than go below zero, inside the caller's transaction; an order that ends unpaid gives its
//! units back ([`release`]); a late payment takes them again, all or none ([`re_reserve`]). What a
//! shopper may put in the cart is judged by the same rule the cart shows ([`shortfall`]).

use crate::error::AppError;
use crate::locale::Locale;
use crate::quantity::Quantity;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// Why a product cannot be had in the quantity asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shortfall {
    /// The merchant took the product off sale.
    Unavailable,
    SoldOut,
    /// Fewer left than asked for.
    OnlyLeft(u32),
}

/// What stands between `wanted` units and a product that is `active` with `stock` left.
pub fn shortfall(active: bool, stock: i64, wanted: Quantity) -> Option<Shortfall> {
    let stock = u32::try_from(stock).unwrap_or(0);
    if !active {
        Some(Shortfall::Unavailable)
    } else if stock == 0 {
        Some(Shortfall::SoldOut)
    } else if wanted.get() > stock {
        Some(Shortfall::OnlyLeft(stock))
    } else {
        None
    }
}

impl Shortfall {
    /// A refusal naming the product, in `locale`, with what the shopper can do about it.
    pub fn refusal(self, name: &str, locale: Locale) -> AppError {
        AppError::Conflict(match self {
            Shortfall::Unavailable => td_string!(locale, cart.no_longer_for_sale, name),
            Shortfall::SoldOut => td_string!(locale, cart.product_sold_out, name),
            Shortfall::OnlyLeft(count) => {
                td_string!(locale, cart.only_left, count = count, name)
            }
        })
    }
}

/// A variant as the stock rules see it: on sale only while both it and its product are.
#[cfg(feature = "ssr")]
#[derive(sqlx::FromRow)]
pub struct Stocked {
    /// As a line names it: `Linen Shirt — M, Navy`.
    pub name: String,
    pub stock: i64,
    pub active: bool,
}

#[cfg(feature = "ssr")]
#[derive(sqlx::FromRow)]
struct StockedRow {
    name: String,
    stock: i64,
    active: bool,
    option1: Option<String>,
    option2: Option<String>,
    option3: Option<String>,
}

/// A variant that is on sale: its own switch and its product's (`v` and `p` in the query).
#[cfg(feature = "ssr")]
pub const ON_SALE: &str = "(v.active = TRUE AND p.active = TRUE)";

#[cfg(feature = "ssr")]
impl Stocked {
    /// Refuses `wanted` units the shop cannot deliver, with the reason a shopper can act on (in
    /// `locale`): the rule the cart page shows.
    pub fn check(&self, wanted: Quantity, locale: Locale) -> Result<(), AppError> {
        match shortfall(self.active, self.stock, wanted) {
            Some(short) => Err(short.refusal(&self.name, locale)),
            None => Ok(()),
        }
    }
}

/// A variant's name (its product's), stock and whether it is on sale, or `None` if there is no
/// such variant.
#[cfg(feature = "ssr")]
pub async fn stock_of(pool: &crate::db::Db, variant_id: i64) -> Result<Option<Stocked>, AppError> {
    let select = format!(
        "SELECT p.name, v.stock, {ON_SALE} AS active, v.option1, v.option2, v.option3
         FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1"
    );
    let row: Option<StockedRow> = crate::on_db!(pool, conn => sqlx::query_as(&select)
        .bind(variant_id)
        .fetch_optional(conn)
        .await)?;
    Ok(row.map(|row| Stocked {
        name: crate::domain::catalog::line_name(
            &row.name,
            &[row.option1, row.option2, row.option3],
        ),
        stock: row.stock,
        active: row.active,
    }))
}

/// Takes `quantity` units of a variant, if it has them: whether it did.
#[cfg(feature = "ssr")]
pub async fn take(
    tx: &mut crate::db::Tx,
    variant_id: i64,
    quantity: Quantity,
) -> Result<bool, AppError> {
    let taken = crate::on_tx!(tx, conn => sqlx::query("UPDATE product_variants SET stock = stock - $1 WHERE id = $2 AND stock >= $1")
        .bind(i64::from(quantity.get()))
        .bind(variant_id)
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(taken == 1)
}

/// Gives an order's units back to stock (it was cancelled or expired).
#[cfg(feature = "ssr")]
pub async fn release(tx: &mut crate::db::Tx, order_id: i64) -> Result<(), AppError> {
    crate::on_tx!(tx, conn => sqlx::query(
        "UPDATE product_variants SET stock = stock + (
             SELECT CAST(SUM(l.quantity) AS BIGINT) FROM order_lines l
             WHERE l.order_id = $1 AND l.variant_id = product_variants.id)
         WHERE id IN (SELECT variant_id FROM order_lines WHERE order_id = $1)",
    )
    .bind(order_id)
    .execute(&mut *conn)
    .await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// An order's lines whose variant still exists, as (variant id, quantity).
#[cfg(feature = "ssr")]
pub async fn stocked_lines(
    tx: &mut crate::db::Tx,
    order_id: i64,
) -> Result<Vec<(i64, i64)>, AppError> {
    Ok(crate::on_tx!(tx, conn => sqlx::query_as(
        "SELECT variant_id, quantity FROM order_lines WHERE order_id = $1 AND variant_id IS NOT NULL",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await)?)
}

/// Takes an order's units from stock again (a late payment for a released order). All lines or
/// none: returns false, changing nothing, if any variant no longer has enough or is no longer for
/// sale (the merchant took it off sale: its stock is not the shop's to hand out again).
#[cfg(feature = "ssr")]
pub async fn re_reserve(tx: &mut crate::db::Tx, order_id: i64) -> Result<bool, AppError> {
    let lines = stocked_lines(tx, order_id).await?;
    crate::on_tx!(tx, conn => sqlx::query("SAVEPOINT re_reserve")
        .execute(&mut *conn)
        .await.map(|done| done.rows_affected()))?;
    for (variant_id, quantity) in lines {
        let reserved = crate::on_tx!(tx, conn => sqlx::query(
            "UPDATE product_variants SET stock = stock - $1
             WHERE id = $2 AND stock >= $1 AND active = TRUE
               AND (SELECT p.active FROM products p WHERE p.id = product_variants.product_id) = TRUE",
        )
        .bind(quantity)
        .bind(variant_id)
        .execute(&mut *conn)
        .await.map(|done| done.rows_affected()))?;
        if reserved == 0 {
            crate::on_tx!(tx, conn => sqlx::query("ROLLBACK TO re_reserve")
                .execute(&mut *conn)
                .await.map(|done| done.rows_affected()))?;
            crate::on_tx!(tx, conn => sqlx::query("RELEASE re_reserve").execute(&mut *conn).await.map(|done| done.rows_affected()))?;
            return Ok(false);
        }
    }
    crate::on_tx!(tx, conn => sqlx::query("RELEASE re_reserve").execute(&mut *conn).await.map(|done| done.rows_affected()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortfall_is_judged_off_sale_first_then_sold_out_then_short() {
        let two = Quantity::parse("2").unwrap();
        assert_eq!(shortfall(false, 5, two), Some(Shortfall::Unavailable));
        assert_eq!(shortfall(true, 0, two), Some(Shortfall::SoldOut));
        assert_eq!(shortfall(true, -3, two), Some(Shortfall::SoldOut));
        assert_eq!(shortfall(true, 1, two), Some(Shortfall::OnlyLeft(1)));
        assert_eq!(shortfall(true, 2, two), None);
    }
}
