//! Placing an order: one transaction in which the order is numbered and its lines frozen at
//! today's prices (`domain::orders`) and their units taken from stock (`domain::inventory`); then
//! the signed request that sends the shopper to Paysera for exactly that total
//! (`domain::payments`).

use crate::domain::orders::place::{place_in, NewOrder, PlacedOrder};
use crate::domain::payments::gateway::Payments;
use crate::domain::payments::request::{self, Shop};
use crate::error::AppError;
use crate::money::Currency;

/// Places an order: all or nothing; the last unit goes to exactly one buyer. Run again if
/// PostgreSQL gives the transaction up for another's sake (a deadlock).
pub async fn place(
    writer: &crate::db::Db,
    order: &NewOrder,
    currency: Currency,
) -> Result<PlacedOrder, AppError> {
    crate::db::retrying(|| async {
        let mut tx = writer.begin().await?;
        let placed = place_in(&mut tx, order, currency).await?;
        tx.commit().await?;
        Ok(placed)
    })
    .await
}

/// Places the order and signs Paysera's request for it; the order and the address of Paysera's
/// pay page to send the shopper to.
pub async fn place_and_sign(
    writer: &crate::db::Db,
    payments: &Payments,
    shop: &Shop<'_>,
    order: &NewOrder,
    currency: Currency,
) -> Result<(PlacedOrder, String), AppError> {
    let placed = place(writer, order, currency).await?;
    let now = i64::try_from(crate::clock::unix_seconds()).unwrap_or(i64::MAX);
    let signed = request::for_order(shop, order, &placed, now)
        .sign(payments.verifier.project_id, &payments.verifier.password)
        .map_err(|e| {
            tracing::error!(field = %e.field, "payment request refused by validation");
            AppError::Internal
        })?;
    Ok((placed, signed.pay_url(&payments.pay_url)))
}
