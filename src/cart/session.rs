//! The cart in the shopper's session: which variants and how many, changed by the cart's forms
//! and priced by `domain::cart` when shown.

use crate::domain::cart::{CartView, StoredLine};
use crate::domain::catalog::variants;
use crate::domain::inventory::stock_of;
use crate::error::AppError;
use crate::locale;
use crate::money::Currency;
use crate::quantity::Quantity;
use crate::tr;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const SESSION_KEY: &str = "cart";
/// Distinct variants per cart: keeps sessions small and pages quick.
const MAX_LINES: usize = 50;

/// What the session stores: which variants, how many. Prices are looked up on every view.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct StoredCart {
    lines: Vec<StoredLine>,
}

impl StoredCart {
    fn line_mut(&mut self, variant_id: i64) -> Option<&mut StoredLine> {
        self.lines.iter_mut().find(|l| l.variant_id == variant_id)
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

/// A product's or a variant's id, as a form sends it.
fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::BadRequest(tr!(cart.not_a_product).into()))
}

fn parse_quantity(raw: &str) -> Result<Quantity, AppError> {
    Quantity::parse(raw).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// Adds `quantity` of product `product_id` in the values `chosen` for its options.
pub async fn add(
    session: &Session,
    pool: &crate::db::Db,
    (product_id, chosen): (&str, &[String; 3]),
    quantity: &str,
) -> Result<String, AppError> {
    let (product_id, quantity) = (parse_id(product_id)?, parse_quantity(quantity)?);
    let not_for_sale = || AppError::NotFound(tr!(cart.not_for_sale).into());
    let chosen: Vec<String> = chosen
        .iter()
        .map(|v| v.trim().chars().take(40).collect())
        .collect();
    let variant_id = match variants::resolve(pool, product_id, &chosen).await? {
        Some(id) => id,
        None => return Err(no_such_variant(pool, product_id, &chosen).await?),
    };
    let product = stock_of(pool, variant_id)
        .await?
        .filter(|product| product.active)
        .ok_or_else(not_for_sale)?;

    let mut cart = load(session).await?;
    let wanted = match cart.line_mut(variant_id) {
        Some(line) => line
            .quantity
            .checked_add(quantity)
            .ok_or_else(|| AppError::BadRequest(tr!(cart.line_full, count = Quantity::MAX)))?,
        None => quantity,
    };
    product.check(wanted, locale::current())?;
    let is_full = cart.lines.len() >= MAX_LINES;
    match cart.line_mut(variant_id) {
        Some(line) => line.quantity = wanted,
        None if is_full => return Err(AppError::Conflict(tr!(cart.full, count = MAX_LINES))),
        None => cart.lines.push(StoredLine {
            variant_id,
            quantity,
        }),
    }
    save(session, &cart).await?;
    Ok(tr!(cart.added, name = &product.name, quantity))
}

pub async fn update(
    session: &Session,
    pool: &crate::db::Db,
    variant_id: &str,
    quantity: &str,
) -> Result<String, AppError> {
    let (variant_id, quantity) = (parse_id(variant_id)?, parse_quantity(quantity)?);
    let mut cart = load(session).await?;
    let line = cart.line_mut(variant_id).ok_or_else(not_in_cart)?;
    let product = stock_of(pool, variant_id).await?.ok_or_else(not_in_cart)?;
    product.check(quantity, locale::current())?;
    line.quantity = quantity;
    save(session, &cart).await?;
    Ok(tr!(cart.updated, name = &product.name, quantity))
}

pub async fn remove(
    session: &Session,
    pool: &crate::db::Db,
    variant_id: &str,
) -> Result<String, AppError> {
    let variant_id = parse_id(variant_id)?;
    let mut cart = load(session).await?;
    let before = cart.lines.len();
    cart.lines.retain(|l| l.variant_id != variant_id);
    if cart.lines.len() == before {
        return Err(not_in_cart());
    }
    save(session, &cart).await?;
    Ok(match stock_of(pool, variant_id).await? {
        Some(product) => tr!(cart.removed, name = &product.name),
        None => tr!(cart.removed_unnamed).into(),
    })
}

pub async fn empty(session: &Session) -> Result<String, AppError> {
    session.remove::<StoredCart>(SESSION_KEY).await?;
    Ok(tr!(cart.emptied).into())
}

/// Why no variant has the values chosen: none were chosen for a product with options, or that
/// combination is not offered.
async fn no_such_variant(
    pool: &crate::db::Db,
    product_id: i64,
    chosen: &[String],
) -> Result<AppError, AppError> {
    let options = variants::options_of(pool, product_id).await?;
    let name: Option<String> = crate::on_db!(pool, conn => sqlx::query_scalar(
        "SELECT name FROM products WHERE id = $1 AND active = TRUE",
    )
    .bind(product_id)
    .fetch_optional(conn)
    .await)?;
    let Some(name) = name else {
        return Ok(AppError::NotFound(tr!(cart.not_for_sale).into()));
    };
    let values: Vec<&str> = chosen
        .iter()
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .collect();
    Ok(if values.len() < options.len() {
        let options = options
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        AppError::BadRequest(tr!(cart.choose_options, options))
    } else {
        AppError::NotFound(tr!(
            cart.no_such_combination,
            name,
            values = values.join(", ")
        ))
    })
}

fn not_in_cart() -> AppError {
    AppError::NotFound(tr!(cart.not_in_cart).into())
}

/// The session's cart, priced from the database now.
pub async fn view(
    session: &Session,
    pool: &crate::db::Db,
    currency: Currency,
) -> Result<CartView, AppError> {
    crate::domain::cart::price(pool, &load(session).await?.lines, currency).await
}

/// How many items the cart holds, from the session alone: the header's count on every page, which
/// needs no prices (a line's variant is never deleted, only taken off sale, so this is the count
/// the priced cart shows).
pub async fn item_count(session: &Session) -> Result<u32, AppError> {
    Ok(load(session)
        .await?
        .lines
        .iter()
        .fold(0u32, |sum, line| sum.saturating_add(line.quantity.get())))
}

/// Puts an order's lines back into the cart (the shopper cancelled at Paysera).
pub async fn restore(session: &Session, lines: &[(i64, Quantity)]) -> Result<(), AppError> {
    let mut cart = load(session).await?;
    for &(variant_id, quantity) in lines {
        match cart.line_mut(variant_id) {
            Some(line) => {
                line.quantity = line.quantity.checked_add(quantity).unwrap_or(line.quantity)
            }
            None => cart.lines.push(StoredLine {
                variant_id,
                quantity,
            }),
        }
    }
    save(session, &cart).await
}
