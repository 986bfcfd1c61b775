//! Placing orders, and reading an order's state for its shopper. Placing runs in one transaction
//! with conditional updates: concurrent buyers cannot double-book anything (the rest of the
//! lifecycle is in `lifecycle` and `payment`).

use super::{OrderStage, OrderState, OrderStatus};
use crate::domain::discounts;
use crate::domain::vat::{Rate, RatesToday, Sale, TaxClass};
use crate::error::AppError;
use crate::locale::Locale;
use crate::money::{Currency, Money};
use crate::quantity::Quantity;
use leptos_i18n::td_string;

/// Who ordered, and where it goes. Already validated at the checkout's edge.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Customer {
    pub email: crate::email::Email,
    pub first_name: String,
    pub last_name: String,
    pub street: String,
    pub city: String,
    pub postcode: String,
    /// ISO 3166 alpha-2, upper case.
    pub country: String,
    /// `+370…`, given for delivery to a pick-up point (the carrier texts the code); else empty.
    pub phone: String,
    /// The pick-up point it goes to, in one line as it was when the order was placed; empty for
    /// delivery to the address (`street`, `city` and `postcode`, empty for a point).
    pub pickup_point: String,
}

impl Customer {
    /// Where the order goes, line by line, without the country: the pick-up point and the phone
    /// the carrier texts, or the street and the postcode and city.
    pub fn delivery(&self) -> Vec<String> {
        if self.pickup_point.is_empty() {
            vec![
                self.street.clone(),
                format!("{} {}", self.postcode, self.city),
            ]
        } else {
            vec![self.pickup_point.clone(), self.phone.clone()]
        }
    }
}

/// The pick-up point an order goes to, as the carrier's current list has it (checked at
/// checkout); the order freezes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Pickup {
    pub carrier: crate::domain::pickup_points::Carrier,
    pub point: crate::domain::pickup_points::Point,
}

/// Who is placing an order, and how many unpaid orders (each holding stock) they may have at once.
#[derive(Clone, Debug)]
pub struct Holder {
    /// A random key kept in the shopper's session.
    pub shopper_key: String,
    /// The client's address (behind trusted proxies, the forwarded one).
    pub client_ip: String,
    pub max_unpaid_per_shopper: u32,
    pub max_unpaid_per_client: u32,
}

#[derive(Clone, Debug)]
pub struct NewOrder {
    /// (variant id, how many).
    pub lines: Vec<(i64, Quantity)>,
    pub customer: Customer,
    /// The way to ship the shopper chose. The order keeps its code, name and what it cost for
    /// these goods (nothing above the method's free limit).
    pub shipping: crate::domain::settings::ShippingMethod,
    /// The Paysera method key picked at checkout, if any.
    pub payment_method: Option<String>,
    /// The checkout form's one-time key: a second submission returns the first order.
    pub checkout_key: Option<String>,
    /// Set for orders placed by shoppers: their unpaid orders are limited.
    pub holder: Option<Holder>,
    /// Placed against the built-in sandbox: no real money will ever pay it.
    pub sandbox: bool,
    /// The language the shopper placed it in: its e-mails and Paysera's page are in it.
    pub locale: crate::locale::Locale,
    /// The company the shopper buys for, whose invoice names it.
    pub company: Option<Company>,
    /// The discount code the shopper applied, as stored (`discounts::normalise`).
    pub discount_code: Option<String>,
    /// Where a method with a carrier delivers it (none for delivery to the address).
    pub pickup: Option<Pickup>,
}

/// A company buyer, as typed at checkout (its VAT code checked against its country's form).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Company {
    pub name: String,
    pub code: String,
    /// Empty, or an EU VAT code as VIES writes it.
    pub vat_code: String,
    /// Empty: the delivery address.
    pub address: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedOrder {
    pub id: i64,
    pub number: i64,
    pub public_token: String,
    pub total: Money,
}

/// Places an order in the caller's transaction (`domain::flows::place_order`): freezes the lines
/// at today's prices, takes their units from stock (the last unit goes to exactly one buyer),
/// numbers the order.
pub async fn place_in(
    tx: &mut crate::db::Tx,
    order: &NewOrder,
    currency: Currency,
) -> Result<PlacedOrder, AppError> {
    let locale = order.locale;
    if order.lines.is_empty() {
        return Err(AppError::BadRequest(
            td_string!(locale, cart.emptied).into(),
        ));
    }
    if let Some(key) = &order.checkout_key {
        if let Some(placed) = placed_with_key(tx, key, currency).await? {
            return Ok(placed);
        }
    }
    if let Some(holder) = &order.holder {
        check_unpaid_limits(tx, holder, locale).await?;
    }
    let rates = RatesToday::read(tx, sale_of(order)).await?;
    let (mut lines, goods) = reserve(tx, &order.lines, (currency, locale), &rates).await?;
    let mut discount = discount_of(tx, order.discount_code.as_deref(), &mut lines, locale).await?;
    let subtotal = Money::new(goods.minor - discount.goods, currency);
    let shipping = discount.charged_shipping(&order.shipping, subtotal);
    let shipping_rate = rates.rate(order.shipping.tax_class())?;
    let total = subtotal.checked_add(shipping).ok_or(AppError::Internal)?;
    let (number,): (i64,) = crate::on_tx!(tx, conn => sqlx::query_as("INSERT INTO order_numbers DEFAULT VALUES RETURNING number")
            .fetch_one(&mut *conn)
            .await)?;
    let public_token = crate::tokens::random_hex(24);
    let figures = Figures {
        number,
        public_token: &public_token,
        currency,
        subtotal,
        shipping,
        shipping_rate,
        oss_sale: rates.oss_sale(),
        discount: &discount,
        total,
    };
    let id = insert_order(tx, order, &figures).await?;
    discount.record_use(tx, id, order).await?;
    for line in lines {
        insert_line(tx, id, line).await?;
    }
    let placed = super::events::OrderEvent::Placed;
    super::lifecycle::record(tx, id, None, OrderStatus::PendingPayment, &placed).await?;
    Ok(PlacedOrder {
        id,
        number,
        public_token,
        total,
    })
}

/// Where the order goes and to whom, for VAT: whose rates it is charged at.
fn sale_of(order: &NewOrder) -> Sale<'_> {
    Sale {
        country: &order.customer.country,
        consumer: order.company.as_ref().is_none_or(|c| c.vat_code.is_empty()),
    }
}

/// The order a checkout key already placed, if any: a double click, or a resubmitted form, gets
/// the first order. Sent to two instances at once, the second waits on the key's lock and then
/// finds the first's order.
async fn placed_with_key(
    tx: &mut crate::db::Tx,
    key: &str,
    currency: Currency,
) -> Result<Option<PlacedOrder>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Existing {
        id: i64,
        number: i64,
        public_token: String,
        total_minor: i64,
    }
    tx.lock_key("checkout", key).await?;
    let existing: Option<Existing> = crate::on_tx!(tx, conn => sqlx::query_as(
        "SELECT id, number, public_token, total_minor FROM orders WHERE checkout_key = $1",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await)?;
    Ok(existing.map(|order| PlacedOrder {
        id: order.id,
        number: order.number,
        public_token: order.public_token,
        total: Money::new(order.total_minor, currency),
    }))
}

/// A line as the order freezes it: today's name, SKU and price.
struct FrozenLine {
    product_id: i64,
    variant_id: i64,
    sku: String,
    /// The product's name and the variant's values: `Linen shirt — M, Navy`.
    name: String,
    /// The values alone: `M, Navy`.
    options: String,
    unit: Money,
    quantity: Quantity,
    total: Money,
    tax_class: TaxClass,
    /// `None`: sold by a seller not registered for VAT.
    rate: Option<Rate>,
    /// Its share of a discount code's discount: it is charged `total - discount`.
    discount: i64,
}

/// Reserves every line's units (the conditional update is the reservation: it fails rather than
/// go below zero) and freezes the lines; returns them and their subtotal. In variant order: two
/// orders for the same variants lock their rows in the same order, so on PostgreSQL they queue
/// instead of deadlocking.
async fn reserve(
    tx: &mut crate::db::Tx,
    lines: &[(i64, Quantity)],
    (currency, locale): (Currency, Locale),
    rates: &RatesToday,
) -> Result<(Vec<FrozenLine>, Money), AppError> {
    let mut lines = lines.to_vec();
    lines.sort_by_key(|&(variant_id, _)| variant_id);
    let mut frozen = Vec::with_capacity(lines.len());
    let mut subtotal = Money::zero(currency);
    for (variant_id, quantity) in lines {
        let product = for_sale(tx, variant_id, quantity, currency, locale).await?;
        if !crate::domain::inventory::take(tx, variant_id, quantity).await? {
            let (stock, name) = (product.stock, product.name);
            return Err(AppError::Conflict(if stock > 0 {
                td_string!(locale, cart.only_left, count = stock, name)
            } else {
                td_string!(locale, order.error.just_sold_out, name)
            }));
        }
        let unit = Money::new(product.price_minor, currency);
        let total = unit.checked_mul(quantity.get()).ok_or(AppError::Internal)?;
        subtotal = subtotal.checked_add(total).ok_or(AppError::Internal)?;
        let values = [product.option1, product.option2, product.option3];
        let tax_class = TaxClass::from_key(&product.tax_class).unwrap_or_default();
        frozen.push(FrozenLine {
            rate: rates.rate(tax_class)?,
            tax_class,
            product_id: product.product_id,
            variant_id,
            sku: product.sku,
            name: crate::domain::catalog::line_name(&product.name, &values),
            options: values.into_iter().flatten().collect::<Vec<_>>().join(", "),
            unit,
            quantity,
            total,
            discount: 0,
        });
    }
    Ok((frozen, subtotal))
}

/// The variant, if it may be ordered `quantity` times: it exists, is on sale in the shop's
/// currency, and within its product's limit per order. Its price is the one in force now
/// (`catalog::price_in_force`).
async fn for_sale(
    tx: &mut crate::db::Tx,
    variant_id: i64,
    quantity: Quantity,
    currency: Currency,
    locale: Locale,
) -> Result<ProductRow, AppError> {
    let select = format!(
        "SELECT p.id AS product_id, v.sku, p.name, {} AS price_minor,
                v.option1, v.option2, v.option3, p.tax_class,
                p.currency, {} AS active, v.stock, p.max_per_order
         FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1",
        crate::domain::catalog::price_in_force("$2"),
        crate::domain::inventory::ON_SALE
    );
    // The price in force at this moment, the order's: a sale that ended a second ago is over.
    let product: Option<ProductRow> = crate::on_tx!(tx, conn => sqlx::query_as(&select)
    .bind(variant_id)
    .bind(crate::clock::now())
    .fetch_optional(&mut *conn)
    .await)?;
    let product =
        product.ok_or_else(|| AppError::Conflict(td_string!(locale, order.error.gone).into()))?;
    let name = &product.name;
    if !product.active || product.currency != currency.code() {
        return Err(AppError::Conflict(td_string!(
            locale,
            cart.no_longer_for_sale,
            name
        )));
    }
    if let Some(max) = product
        .max_per_order
        .filter(|max| i64::from(quantity.get()) > *max)
    {
        return Err(AppError::Conflict(td_string!(
            locale,
            order.error.max_per_order,
            count = max,
            name
        )));
    }
    Ok(product)
}

/// What the order's row records besides the checkout's input.
struct Figures<'a> {
    number: i64,
    public_token: &'a str,
    currency: Currency,
    subtotal: Money,
    shipping: Money,
    shipping_rate: Option<Rate>,
    oss_sale: bool,
    discount: &'a Discount,
    total: Money,
}

/// What a discount code took off an order (nothing without one).
#[derive(Default)]
struct Discount {
    code_id: Option<i64>,
    /// The code's limit of uses per shopper e-mail.
    per_email: Option<i64>,
    code: String,
    /// Off the goods, shared across the lines.
    goods: i64,
    free_shipping: bool,
    /// Off the shipping: all of it, for a free-shipping code.
    shipping: i64,
}

impl Discount {
    /// Records order `order_id`'s use of the code under the shopper's e-mail: refused (the order
    /// rolls back) when that e-mail has had its uses.
    async fn record_use(
        &self,
        tx: &mut crate::db::Tx,
        order_id: i64,
        order: &NewOrder,
    ) -> Result<(), AppError> {
        let Some(code_id) = self.code_id else {
            return Ok(());
        };
        let email = order.customer.email.as_str();
        match discounts::uses::record(tx, (code_id, self.per_email), order_id, email).await? {
            Ok(()) => Ok(()),
            Err(refusal) => Err(AppError::CodeRefused(refusal.message(order.locale))),
        }
    }

    /// What `method` costs goods of `subtotal` (as charged, after the discount: the free-above
    /// rule looks at those), and nothing with a free-shipping code, which records what it waived.
    fn charged_shipping(
        &mut self,
        method: &crate::domain::settings::ShippingMethod,
        subtotal: Money,
    ) -> Money {
        let price = method.price_for(subtotal);
        if self.free_shipping {
            self.shipping = price.minor;
        }
        Money::new(price.minor - self.shipping, price.currency)
    }
}

/// The discount `code` gives the frozen `lines`, each line's share set on it; a code that does
/// not apply stops the order with its reason (the shopper may order without it).
async fn discount_of(
    tx: &mut crate::db::Tx,
    code: Option<&str>,
    lines: &mut [FrozenLine],
    locale: Locale,
) -> Result<Discount, AppError> {
    let Some(code) = code else {
        return Ok(Discount::default());
    };
    let refused = |refusal: discounts::Refusal| AppError::CodeRefused(refusal.message(locale));
    let terms = discounts::uses::take_terms(tx, code)
        .await?
        .map_err(refused)?;
    let looked_at: Vec<discounts::Line> = lines
        .iter()
        .map(|line| discounts::Line {
            product_id: line.product_id,
            gross: line.total.minor,
        })
        .collect();
    let applied =
        discounts::apply(&terms, &looked_at, &crate::domain::vat::today()).map_err(refused)?;
    for (line, share) in lines.iter_mut().zip(&applied.lines) {
        line.discount = *share;
    }
    Ok(Discount {
        code_id: Some(terms.id),
        per_email: terms.per_email,
        code: terms.code,
        goods: applied.goods,
        free_shipping: applied.free_shipping,
        shipping: 0,
    })
}

async fn insert_order(
    tx: &mut crate::db::Tx,
    order: &NewOrder,
    figures: &Figures<'_>,
) -> Result<i64, AppError> {
    let c = &order.customer;
    let company = order.company.clone().unwrap_or_default();
    Ok(crate::on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO orders (number, public_token, currency, subtotal_minor, shipping_minor, total_minor,
                             email, first_name, last_name, street, city, postcode, country,
                             shipping_method, shipping_name, payment_method, checkout_key, sandbox,
                             shopper_key, client_ip, locale, shipping_vat_rate_bp, buyer_company,
                             buyer_company_code, buyer_vat_code, buyer_address, oss_sale,
                             discount_code, discount_minor, shipping_discount_minor, phone,
                             pickup_carrier, pickup_point_id, pickup_point)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)
         RETURNING id",
    )
    .bind(figures.number)
    .bind(figures.public_token)
    .bind(figures.currency.code())
    .bind(figures.subtotal.minor)
    .bind(figures.shipping.minor)
    .bind(figures.total.minor)
    .bind(&c.email)
    .bind(&c.first_name)
    .bind(&c.last_name)
    .bind(&c.street)
    .bind(&c.city)
    .bind(&c.postcode)
    .bind(&c.country)
    .bind(&order.shipping.code)
    .bind(&order.shipping.name)
    .bind(&order.payment_method)
    .bind(&order.checkout_key)
    .bind(order.sandbox)
    .bind(order.holder.as_ref().map(|h| &h.shopper_key))
    .bind(order.holder.as_ref().map(|h| &h.client_ip))
    .bind(crate::locale::code(order.locale))
    .bind(figures.shipping_rate.map(|rate| i64::from(rate.0)))
    .bind(&company.name)
    .bind(&company.code)
    .bind(&company.vat_code)
    .bind(&company.address)
    .bind(figures.oss_sale)
    .bind(&figures.discount.code)
    .bind(figures.discount.goods)
    .bind(figures.discount.shipping)
    .bind(&c.phone)
    .bind(order.pickup.as_ref().map_or("", |p| p.carrier.code()))
    .bind(order.pickup.as_ref().map_or("", |p| p.point.id.0.as_str()))
    .bind(order.pickup.as_ref().map(|p| p.point.one_line()).unwrap_or_default())
    .fetch_one(&mut *conn)
    .await)?)
}

async fn insert_line(
    tx: &mut crate::db::Tx,
    order_id: i64,
    line: FrozenLine,
) -> Result<(), AppError> {
    crate::on_tx!(tx, conn => sqlx::query(
        "INSERT INTO order_lines (order_id, product_id, variant_id, sku, name, options,
                                  unit_price_minor, quantity, line_total_minor, tax_class, vat_rate_bp,
                                  discount_minor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(order_id)
    .bind(line.product_id)
    .bind(line.variant_id)
    .bind(line.sku)
    .bind(line.name)
    .bind(line.options)
    .bind(line.unit.minor)
    .bind(i64::from(line.quantity.get()))
    .bind(line.total.minor)
    .bind(line.tax_class.key())
    .bind(line.rate.map(|rate| i64::from(rate.0)))
    .bind(line.discount)
    .execute(&mut *conn)
    .await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// A variant as an order line needs it, with its product's name and limits.
#[derive(sqlx::FromRow)]
struct ProductRow {
    product_id: i64,
    sku: String,
    name: String,
    option1: Option<String>,
    option2: Option<String>,
    option3: Option<String>,
    tax_class: String,
    price_minor: i64,
    currency: String,
    active: bool,
    stock: i64,
    max_per_order: Option<i64>,
}

/// Refuses a new order when its shopper, or its client address, already holds as many unpaid
/// orders as allowed: one visitor cannot reserve the whole stock by placing order after order.
/// Runs inside the placing transaction, holding the shopper's and the address's locks (SQLite's
/// single writer, PostgreSQL's advisory locks), so concurrent placements count each other.
async fn check_unpaid_limits(
    tx: &mut crate::db::Tx,
    holder: &Holder,
    locale: Locale,
) -> Result<(), AppError> {
    tx.lock_key("shopper", &holder.shopper_key).await?;
    tx.lock_key("client", &holder.client_ip).await?;
    let by_shopper: i64 = crate::on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE status = 'pending_payment' AND shopper_key = $1",
    )
    .bind(&holder.shopper_key)
    .fetch_one(&mut *conn)
    .await)?;
    let by_client: i64 = crate::on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE status = 'pending_payment' AND client_ip = $1",
    )
    .bind(&holder.client_ip)
    .fetch_one(&mut *conn)
    .await)?;
    if by_shopper >= i64::from(holder.max_unpaid_per_shopper)
        || by_client >= i64::from(holder.max_unpaid_per_client)
    {
        return Err(AppError::TooManyRequests(
            td_string!(locale, order.error.too_many_unpaid).into(),
        ));
    }
    Ok(())
}

/// The order behind a status-page token. The review flag is the merchant's business and is not
/// read: a shopper (or whoever holds the link) learns only what the order's state is.
pub async fn state_by_token(
    pool: &crate::db::Db,
    token: &str,
    locale: Locale,
) -> Result<OrderState, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        number: i64,
        status: String,
        total_minor: i64,
        currency: String,
    }
    let row: Row = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT number, status, total_minor, currency FROM orders WHERE public_token = $1",
    )
    .bind(token)
    .fetch_optional(conn)
    .await)?
    .ok_or_else(|| AppError::NotFound(td_string!(locale, errors.no_such_order).into()))?;
    let status = OrderStatus::parse(&row.status).ok_or_else(|| {
        tracing::error!(status = row.status, "unknown order status in the database");
        AppError::Internal
    })?;
    Ok(OrderState {
        number: row.number,
        status,
        total_minor: row.total_minor,
        currency: row.currency,
    })
}

/// An order's stage from its stored status and fulfilment columns.
pub fn stage(status: &str, shipped: bool, refunded: bool) -> Result<OrderStage, AppError> {
    let status = OrderStatus::parse(status).ok_or_else(|| {
        tracing::error!(status, "unknown order status in the database");
        AppError::Internal
    })?;
    Ok(OrderStage::of(status, shipped, refunded))
}

/// How many orders are at each stage, every stage listed (the admin's overview, `/metrics`).
pub async fn count_by_stage(pool: &crate::db::Db) -> Result<Vec<(OrderStage, i64)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Counted {
        status: String,
        shipped: bool,
        refunded: bool,
        orders: i64,
    }
    let counted: Vec<Counted> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT status, shipped_at IS NOT NULL AS shipped, refunded_at IS NOT NULL AS refunded,
                COUNT(*) AS orders
         FROM orders GROUP BY status, shipped_at IS NOT NULL, refunded_at IS NOT NULL",
    )
    .fetch_all(conn)
    .await)?;
    let mut by_stage: Vec<(OrderStage, i64)> = OrderStage::ALL
        .into_iter()
        .map(|stage| (stage, 0))
        .collect();
    for row in counted {
        let stage = stage(&row.status, row.shipped, row.refunded)?;
        if let Some(entry) = by_stage.iter_mut().find(|(s, _)| *s == stage) {
            entry.1 += row.orders;
        }
    }
    Ok(by_stage)
}
