//! The cart as the shop prices it: which variants and how many (what a shopper's session keeps,
//! [`StoredLine`]), priced from the database every time it is shown ([`price`]). Nothing the
//! browser sends sets a price.

use crate::domain::catalog::Image;
use crate::domain::inventory::Shortfall;
use crate::money::Money;
use crate::quantity::Quantity;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    crate::domain::catalog::store::stored_money,
    crate::domain::inventory::{shortfall, ON_SALE},
    crate::error::AppError,
    crate::money::Currency,
};

/// A cart line as the session keeps it: a variant and how many, never a price. A cart kept before
/// variants named products (`product_id`); each product's first variant took the product's id, so
/// such a cart still names the same thing.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredLine {
    #[serde(alias = "product_id")]
    pub variant_id: i64,
    pub quantity: Quantity,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CartLine {
    pub variant_id: i64,
    /// Its product: a discount code may apply to some products only.
    pub product_id: i64,
    pub slug: String,
    pub name: String,
    pub image: Option<Image>,
    pub unit_price: Money,
    pub quantity: Quantity,
    pub line_total: Money,
    /// Its product's class for VAT: the checkout shows the VAT the total holds.
    pub tax_class: crate::domain::vat::TaxClass,
    /// Why the line cannot be bought as it stands, if it cannot.
    pub problem: Option<Shortfall>,
}

/// The cart as shown: every price and total read from the database just now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CartView {
    pub lines: Vec<CartLine>,
    /// Units across all lines, for the header's badge.
    pub item_count: u32,
    /// Sum of the lines that can be bought; flagged lines are left out until fixed.
    pub subtotal: Money,
    pub total: Money,
}

impl CartView {
    pub fn empty(currency: crate::money::Currency) -> CartView {
        CartView {
            lines: vec![],
            item_count: 0,
            subtotal: Money::zero(currency),
            total: Money::zero(currency),
        }
    }

    pub fn has_problems(&self) -> bool {
        self.lines.iter().any(|line| line.problem.is_some())
    }
}

#[cfg(feature = "ssr")]
#[derive(sqlx::FromRow)]
struct PricedRow {
    variant_id: i64,
    slug: String,
    name: String,
    price_minor: i64,
    currency: String,
    stock: i64,
    active: bool,
    option1: Option<String>,
    option2: Option<String>,
    option3: Option<String>,
    image_path: Option<String>,
    image_alt: Option<String>,
    tax_class: String,
    product_id: i64,
}

/// Today's name, price in force, stock and photo (its own, else its product's first) of the
/// variants the lines name.
#[cfg(feature = "ssr")]
async fn priced_rows(
    pool: &crate::db::Db,
    stored_lines: &[StoredLine],
) -> Result<Vec<PricedRow>, AppError> {
    // A cart's lines are bounded (the session's `MAX_LINES`), so one bound parameter per line.
    // The price in force now: the moment is the statement's first parameter, in `shown.at`.
    Ok(crate::on_db!(pool, conn => {
        let mut query = sqlx::QueryBuilder::new(format!(
            "SELECT v.id AS variant_id, p.slug, p.name, {} AS price_minor,
                p.currency, v.stock, {ON_SALE} AS active,
                v.option1, v.option2, v.option3, p.tax_class, p.id AS product_id,
                COALESCE(vi.path, (SELECT i.path FROM product_images i WHERE i.product_id = p.id ORDER BY i.position, i.id LIMIT 1)) AS image_path,
                COALESCE(vi.alt, (SELECT i.alt FROM product_images i WHERE i.product_id = p.id ORDER BY i.position, i.id LIMIT 1)) AS image_alt
             FROM product_variants v JOIN products p ON p.id = v.product_id
             LEFT JOIN product_images vi ON vi.id = v.image_id
             CROSS JOIN (SELECT ",
            crate::domain::catalog::price_in_force("shown.at")
        ));
        query.push_bind(crate::clock::now());
        query.push(" AS at) shown WHERE v.id IN (");
        let mut ids = query.separated(", ");
        for line in stored_lines {
            ids.push_bind(line.variant_id);
        }
        query.push(")");
        query.build_query_as().fetch_all(conn).await
    })?)
}

/// Prices `stored` lines from the database. Lines whose product was deleted outright are dropped;
/// inactive, sold-out and short lines are kept and flagged so the shopper sees why.
#[cfg(feature = "ssr")]
pub async fn price(
    pool: &crate::db::Db,
    stored_lines: &[StoredLine],
    currency: Currency,
) -> Result<CartView, AppError> {
    if stored_lines.is_empty() {
        // Most visitors: nothing to price, so no query.
        return Ok(CartView::empty(currency));
    }
    let rows = priced_rows(pool, stored_lines).await?;
    let overflow = || {
        tracing::error!("cart total overflowed");
        AppError::Internal
    };
    let mut lines = Vec::with_capacity(stored_lines.len());
    let mut subtotal = Money::zero(currency);
    let mut item_count = 0;
    for stored in stored_lines {
        let Some(row) = rows.iter().find(|r| r.variant_id == stored.variant_id) else {
            continue;
        };
        let unit_price = stored_money(row.price_minor, &row.currency)?;
        let line_total = unit_price
            .checked_mul(stored.quantity.get())
            .ok_or_else(overflow)?;
        let problem = shortfall(row.active, row.stock, stored.quantity);
        if problem.is_none() {
            subtotal = subtotal.checked_add(line_total).ok_or_else(overflow)?;
        }
        item_count += stored.quantity.get();
        lines.push(CartLine {
            variant_id: row.variant_id,
            product_id: row.product_id,
            slug: row.slug.clone(),
            name: crate::domain::catalog::line_name(
                &row.name,
                &[
                    row.option1.clone(),
                    row.option2.clone(),
                    row.option3.clone(),
                ],
            ),
            image: row.image_path.clone().map(|path| Image {
                path,
                alt: row.image_alt.clone().unwrap_or_default(),
            }),
            unit_price,
            quantity: stored.quantity,
            line_total,
            tax_class: crate::domain::vat::TaxClass::from_key(&row.tax_class).unwrap_or_default(),
            problem,
        });
    }
    Ok(CartView {
        lines,
        item_count,
        subtotal,
        total: subtotal,
    })
}
