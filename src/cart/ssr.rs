//! The cart's server side: the session record and the queries that price it.

use super::{CartLine, CartView, LineProblem};
use crate::domain::catalog::store::stored_money;
use crate::domain::catalog::Image;
use crate::error::AppError;
use crate::money::Money;
use crate::quantity::Quantity;
use crate::state::AppState;
use crate::tr;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const SESSION_KEY: &str = "cart";
/// Distinct products per cart: keeps sessions small and pages quick.
const MAX_LINES: usize = 50;

/// What the session stores: which products, how many. Prices are looked up on every view.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct StoredCart {
    lines: Vec<StoredLine>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredLine {
    product_id: i64,
    quantity: Quantity,
}

impl StoredCart {
    fn line_mut(&mut self, product_id: i64) -> Option<&mut StoredLine> {
        self.lines.iter_mut().find(|l| l.product_id == product_id)
    }
}

async fn load(session: &Session) -> Result<StoredCart, AppError> {
    Ok(session
        .get::<StoredCart>(SESSION_KEY)
        .await?
        .unwrap_or_default())
}

async fn save(session: &Session, cart: &StoredCart) -> Result<(), AppError> {
    session.insert(SESSION_KEY, cart).await?;
    Ok(())
}

fn parse_product_id(raw: &str) -> Result<i64, AppError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::BadRequest(tr!(cart.not_a_product).into()))
}

fn parse_quantity(raw: &str) -> Result<Quantity, AppError> {
    Quantity::parse(raw).map_err(|e| AppError::BadRequest(e.to_string()))
}

struct StockInfo {
    name: String,
    stock: u32,
    active: bool,
}

async fn stock_info(pool: &crate::db::Db, product_id: i64) -> Result<Option<StockInfo>, AppError> {
    let row: Option<(String, i64, bool)> = crate::on_db!(pool, conn => sqlx::query_as("SELECT name, stock, active FROM products WHERE id = $1")
            .bind(product_id)
            .fetch_optional(conn)
            .await)?;
    Ok(row.map(|(name, stock, active)| StockInfo {
        name,
        stock: u32::try_from(stock).unwrap_or(0),
        active,
    }))
}

/// Refuses a quantity the shop cannot deliver, with the reason a shopper can act on.
fn check_stock(info: &StockInfo, wanted: Quantity) -> Result<(), AppError> {
    if !info.active {
        return Err(AppError::Conflict(tr!(
            cart.no_longer_for_sale,
            name = &info.name
        )));
    }
    if info.stock == 0 {
        return Err(AppError::Conflict(tr!(
            cart.product_sold_out,
            name = &info.name
        )));
    }
    if wanted.get() > info.stock {
        return Err(AppError::Conflict(tr!(
            cart.only_left,
            count = info.stock,
            name = &info.name
        )));
    }
    Ok(())
}

pub async fn add(
    session: &Session,
    pool: &crate::db::Db,
    product_id: &str,
    quantity: &str,
) -> Result<String, AppError> {
    let product_id = parse_product_id(product_id)?;
    let quantity = parse_quantity(quantity)?;
    let info = stock_info(pool, product_id)
        .await?
        .filter(|info| info.active)
        .ok_or_else(|| AppError::NotFound(tr!(cart.not_for_sale).into()))?;

    let mut cart = load(session).await?;
    let wanted = match cart.line_mut(product_id) {
        Some(line) => line
            .quantity
            .checked_add(quantity)
            .ok_or_else(|| AppError::BadRequest(tr!(cart.line_full, count = Quantity::MAX)))?,
        None => quantity,
    };
    check_stock(&info, wanted)?;
    let is_full = cart.lines.len() >= MAX_LINES;
    match cart.line_mut(product_id) {
        Some(line) => line.quantity = wanted,
        None if is_full => return Err(AppError::Conflict(tr!(cart.full, count = MAX_LINES))),
        None => cart.lines.push(StoredLine {
            product_id,
            quantity,
        }),
    }
    save(session, &cart).await?;
    Ok(tr!(cart.added, name = &info.name, quantity))
}

pub async fn update(
    session: &Session,
    pool: &crate::db::Db,
    product_id: &str,
    quantity: &str,
) -> Result<String, AppError> {
    let product_id = parse_product_id(product_id)?;
    let quantity = parse_quantity(quantity)?;
    let mut cart = load(session).await?;
    let line = cart.line_mut(product_id).ok_or_else(not_in_cart)?;
    let info = stock_info(pool, product_id)
        .await?
        .ok_or_else(not_in_cart)?;
    check_stock(&info, quantity)?;
    line.quantity = quantity;
    save(session, &cart).await?;
    Ok(tr!(cart.updated, name = &info.name, quantity))
}

pub async fn remove(
    session: &Session,
    pool: &crate::db::Db,
    product_id: &str,
) -> Result<String, AppError> {
    let product_id = parse_product_id(product_id)?;
    let mut cart = load(session).await?;
    let before = cart.lines.len();
    cart.lines.retain(|l| l.product_id != product_id);
    if cart.lines.len() == before {
        return Err(not_in_cart());
    }
    save(session, &cart).await?;
    Ok(match stock_info(pool, product_id).await? {
        Some(info) => tr!(cart.removed, name = &info.name),
        None => tr!(cart.removed_unnamed).into(),
    })
}

pub async fn empty(session: &Session) -> Result<String, AppError> {
    session.remove::<StoredCart>(SESSION_KEY).await?;
    Ok(tr!(cart.emptied).into())
}

fn not_in_cart() -> AppError {
    AppError::NotFound(tr!(cart.not_in_cart).into())
}

#[derive(sqlx::FromRow)]
struct PricedRow {
    id: i64,
    slug: String,
    name: String,
    price_minor: i64,
    currency: String,
    stock: i64,
    active: bool,
    image_path: Option<String>,
    image_alt: Option<String>,
}

/// Prices the session's cart from the database. Lines whose product was deleted outright are
/// dropped; inactive, sold-out and short lines are kept and flagged so the shopper sees why.
pub async fn view(session: &Session, state: &AppState) -> Result<CartView, AppError> {
    let cart = load(session).await?;
    let currency = state.config.currency;
    if cart.lines.is_empty() {
        // Most visitors: nothing to price, so no query.
        return Ok(CartView::empty(currency));
    }
    // The cart's lines are bounded ([`MAX_LINES`]), so one bound parameter per line.
    let rows: Vec<PricedRow> = crate::on_db!(&state.pool, conn => {
        let mut query = sqlx::QueryBuilder::new(
            "SELECT p.id, p.slug, p.name, p.price_minor, p.currency, p.stock, p.active,
                (SELECT i.path FROM product_images i WHERE i.product_id = p.id ORDER BY i.position, i.id LIMIT 1) AS image_path,
                (SELECT i.alt FROM product_images i WHERE i.product_id = p.id ORDER BY i.position, i.id LIMIT 1) AS image_alt
             FROM products p WHERE p.id IN (",
        );
        let mut ids = query.separated(", ");
        for line in &cart.lines {
            ids.push_bind(line.product_id);
        }
        query.push(")");
        query.build_query_as().fetch_all(conn).await
    })?;

    let overflow = || {
        tracing::error!("cart total overflowed");
        AppError::Internal
    };
    let mut lines = Vec::with_capacity(cart.lines.len());
    let mut subtotal = Money::zero(currency);
    let mut item_count = 0;
    for stored in &cart.lines {
        let Some(row) = rows.iter().find(|r| r.id == stored.product_id) else {
            continue;
        };
        let unit_price = stored_money(row.price_minor, &row.currency)?;
        let line_total = unit_price
            .checked_mul(stored.quantity.get())
            .ok_or_else(overflow)?;
        let stock = u32::try_from(row.stock).unwrap_or(0);
        let problem = if !row.active {
            Some(LineProblem::Unavailable)
        } else if stock == 0 {
            Some(LineProblem::SoldOut)
        } else if stored.quantity.get() > stock {
            Some(LineProblem::OnlyLeft(stock))
        } else {
            None
        };
        if problem.is_none() {
            subtotal = subtotal.checked_add(line_total).ok_or_else(overflow)?;
        }
        item_count += stored.quantity.get();
        lines.push(CartLine {
            product_id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            image: row.image_path.clone().map(|path| Image {
                path,
                alt: row.image_alt.clone().unwrap_or_default(),
            }),
            unit_price,
            quantity: stored.quantity,
            line_total,
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

/// Puts an order's lines back into the cart (the shopper cancelled at Paysera).
pub async fn restore(session: &Session, lines: &[(i64, Quantity)]) -> Result<(), AppError> {
    let mut cart = load(session).await?;
    for &(product_id, quantity) in lines {
        match cart.line_mut(product_id) {
            Some(line) => {
                line.quantity = line.quantity.checked_add(quantity).unwrap_or(line.quantity)
            }
            None => cart.lines.push(StoredLine {
                product_id,
                quantity,
            }),
        }
    }
    save(session, &cart).await
}
