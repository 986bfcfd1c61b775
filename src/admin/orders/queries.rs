//! The admin's order queries, and its actions in the admin's name (the flow is
//! `domain::flows::order_actions`).

use super::{
    HistoryEntry, LoggedCallback, OrderDetail, OrderFilter, OrderLine, OrderList, OrderRow,
    OrderStage, ORDERS_PER_PAGE,
};
use crate::domain::catalog::store::stored_money;
use crate::domain::orders::events::OrderEvent;
use crate::domain::orders::place::{stage, Customer};
use crate::domain::vat::{order_vat, stored_rate, Rate};
use crate::error::AppError;
use crate::locale::Locale;
use crate::money::{Currency, Money};
use leptos_i18n::td_string;
use sqlx::QueryBuilder;

/// An [`OrderFilter`] read and checked: dates are real dates, the state is a known one.
pub struct ValidFilter {
    stage: Option<OrderStage>,
    needs_review: bool,
    from: Option<String>,
    /// The day after the `to` date: `created_at < to` includes all of `to`.
    until: Option<String>,
    query: String,
}

impl ValidFilter {
    /// The filter as typed, checked; refusals in `locale`.
    pub fn parse(filter: &OrderFilter, locale: Locale) -> Result<ValidFilter, AppError> {
        let stage = match filter.state.as_str() {
            "" => None,
            key => Some(OrderStage::parse(key).ok_or_else(|| {
                AppError::BadRequest(td_string!(locale, admin.orders.unknown_state).into())
            })?),
        };
        let date = |text: &str, problem: &str| -> Result<Option<(i64, u32, u32)>, AppError> {
            if text.is_empty() {
                return Ok(None);
            }
            crate::clock::parse_date(text)
                .map(Some)
                .ok_or_else(|| AppError::BadRequest(problem.into()))
        };
        let from = date(&filter.from, td_string!(locale, admin.orders.bad_from))?;
        let to = date(&filter.to, td_string!(locale, admin.orders.bad_to))?;
        Ok(ValidFilter {
            stage,
            needs_review: filter.review == "1",
            from: from.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
            until: to.map(|(y, m, d)| crate::clock::next_day(y, m, d)),
            query: filter.q.trim().chars().take(200).collect(),
        })
    }

    /// Appends this filter's conditions (all bound, never spliced) to a query over `orders o`.
    pub fn push_conditions<'a, DB: sqlx::Database>(&self, sql: &mut QueryBuilder<'a, DB>)
    where
        String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        Option<i64>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    {
        sql.push(" WHERE 1 = 1");
        if let Some(stage) = self.stage {
            sql.push(" AND ").push(stage.condition("o"));
        }
        if self.needs_review {
            sql.push(" AND o.needs_review = TRUE");
        }
        if let Some(from) = &self.from {
            sql.push(" AND o.created_at >= ").push_bind(from.clone());
        }
        if let Some(until) = &self.until {
            sql.push(" AND o.created_at < ").push_bind(until.clone());
        }
        if !self.query.is_empty() {
            let pattern = crate::text::like_pattern(&self.query);
            let number = self.query.trim_start_matches('#').parse::<i64>().ok();
            // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
            sql.push(" AND (lower(o.email) LIKE lower(")
                .push_bind(pattern)
                .push(") ESCAPE '\\' OR o.number = ")
                .push_bind(number)
                .push(")");
        }
    }
}

/// One order in the admin's list.
#[derive(sqlx::FromRow)]
struct ListRow {
    number: i64,
    created_at: String,
    first_name: String,
    last_name: String,
    email: String,
    total_minor: i64,
    currency: String,
    status: String,
    shipped: bool,
    refunded: bool,
    needs_review: bool,
    sandbox: bool,
}

pub async fn list(
    pool: &crate::db::Db,
    filter: &ValidFilter,
    page: u32,
) -> Result<OrderList, AppError> {
    let total: i64 = crate::on_db!(pool, conn => {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM orders o");
        filter.push_conditions(&mut count);
        count.build_query_scalar().fetch_one(conn).await
    })?;
    let total = u32::try_from(total).unwrap_or(u32::MAX);
    let pages = total.div_ceil(ORDERS_PER_PAGE).max(1);
    let page = page.clamp(1, pages);

    let rows: Vec<ListRow> = crate::on_db!(pool, conn => {
        let mut rows = QueryBuilder::new(
            "SELECT o.number, o.created_at, o.first_name, o.last_name, o.email, o.total_minor,
                    o.currency, o.status, o.shipped_at IS NOT NULL AS shipped,
                    o.refunded_at IS NOT NULL AS refunded, o.needs_review, o.sandbox
             FROM orders o",
        );
        filter.push_conditions(&mut rows);
        rows.push(" ORDER BY o.created_at DESC, o.id DESC LIMIT ")
            .push_bind(i64::from(ORDERS_PER_PAGE))
            .push(" OFFSET ")
            .push_bind(i64::from((page - 1) * ORDERS_PER_PAGE));
        rows.build_query_as().fetch_all(conn).await
    })?;
    let orders = rows
        .into_iter()
        .map(|row| {
            Ok(OrderRow {
                number: row.number,
                created_at: row.created_at,
                customer: format!("{} {}", row.first_name, row.last_name),
                email: row.email,
                total: stored_money(row.total_minor, &row.currency)?,
                state: stage(&row.status, row.shipped, row.refunded)?,
                needs_review: row.needs_review,
                sandbox: row.sandbox,
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(OrderList {
        orders,
        page,
        pages,
        total,
    })
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    id: i64,
    number: i64,
    status: String,
    needs_review: bool,
    sandbox: bool,
    created_at: String,
    paid_at: Option<String>,
    shipped_at: Option<String>,
    refunded_at: Option<String>,
    #[sqlx(flatten)]
    customer: Customer,
    shipping_name: String,
    payment_method: Option<String>,
    locale: String,
    currency: String,
    subtotal_minor: i64,
    shipping_minor: i64,
    total_minor: i64,
    shipping_vat_rate_bp: Option<i64>,
    buyer_company: String,
    buyer_company_code: String,
    buyer_vat_code: String,
    buyer_address: String,
    discount_code: String,
    discount_minor: i64,
    pickup_carrier: String,
    pickup_point_id: String,
}

impl DetailRow {
    /// Whether the order, not shipped yet, goes to a point its carrier's list no longer has.
    async fn point_gone(&self, pool: &crate::db::Db) -> Result<bool, AppError> {
        use crate::domain::pickup_points::{store, Carrier};
        let Some(carrier) = Carrier::parse(&self.pickup_carrier) else {
            return Ok(false);
        };
        if self.shipped_at.is_some() {
            return Ok(false);
        }
        let point = store::find(pool, carrier, &self.customer.country, &self.pickup_point_id);
        Ok(point.await?.is_none())
    }

    /// The company the shopper bought for, line by line (empty: a consumer).
    fn company(&self) -> Vec<String> {
        use crate::tr;
        let (code, vat) = (&self.buyer_company_code, &self.buyer_vat_code);
        let mut lines = vec![self.buyer_company.clone()];
        if !code.is_empty() {
            lines.push(tr!(admin.order.company_code, code));
        }
        if !vat.is_empty() {
            lines.push(tr!(admin.order.vat_code, code = vat));
        }
        lines.push(self.buyer_address.clone());
        lines.retain(|line| !line.is_empty());
        lines
    }
}

#[derive(sqlx::FromRow)]
struct CallbackRow {
    received_at: String,
    verdict: String,
    verified_by: Option<String>,
    paysera_status: Option<String>,
    test: Option<bool>,
    amount_minor: Option<i64>,
    currency: Option<String>,
    params_json: Option<String>,
    raw: String,
}

/// The authentic callbacks that named an order, oldest first.
async fn payment_log(pool: &crate::db::Db, order_id: i64) -> Result<Vec<LoggedCallback>, AppError> {
    let rows: Vec<CallbackRow> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT received_at, verdict, verified_by, paysera_status, test, amount_minor, currency,
                params_json, raw
         FROM payment_callbacks WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(conn)
    .await)?;
    Ok(rows.into_iter().map(logged_callback).collect())
}

/// An order's lines, as the order froze them.
async fn lines_of(
    pool: &crate::db::Db,
    order_id: i64,
    currency: Currency,
) -> Result<Vec<OrderLine>, AppError> {
    #[derive(sqlx::FromRow)]
    struct LineRow {
        name: String,
        sku: String,
        product_id: Option<i64>,
        unit_price_minor: i64,
        quantity: i64,
        line_total_minor: i64,
        discount_minor: i64,
        vat_rate_bp: Option<i64>,
    }
    let rows: Vec<LineRow> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT name, sku, product_id, unit_price_minor, quantity, line_total_minor, discount_minor,
                vat_rate_bp
         FROM order_lines WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(conn)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|line| OrderLine {
            unit_price: Money::new(line.unit_price_minor, currency),
            line_total: Money::new(line.line_total_minor, currency),
            discount: Money::new(line.discount_minor, currency),
            name: line.name,
            sku: line.sku,
            product_id: line.product_id,
            quantity: line.quantity,
            vat_rate: stored_rate(line.vat_rate_bp),
        })
        .collect())
}

/// The order's VAT per rate, from its frozen lines and shipping.
fn vat_of(
    lines: &[OrderLine],
    shipping: (Option<Rate>, Money),
) -> Vec<crate::domain::vat::RateTotal> {
    order_vat(
        lines
            .iter()
            .map(|line| {
                let charged = line.line_total.minor - line.discount.minor;
                (line.vat_rate, Money::new(charged, line.line_total.currency))
            })
            .chain([shipping]),
    )
}

/// Everything the order's page shows: the order, its lines, history, payment log and e-mails
/// (`has_smtp`: whether unsent ones are on their way).
pub async fn detail(
    pool: &crate::db::Db,
    number: i64,
    has_smtp: bool,
) -> Result<OrderDetail, AppError> {
    let order: DetailRow =
        crate::on_db!(pool, conn => sqlx::query_as("SELECT * FROM orders WHERE number = $1")
        .bind(number)
        .fetch_optional(conn)
        .await)?
        .ok_or_else(|| AppError::NotFound(crate::tr!(admin.orders.no_such_order, number)))?;
    let currency = stored_money(0, &order.currency)?.currency;
    let lines = lines_of(pool, order.id, currency).await?;
    let at = |minor| Money::new(minor, currency);
    let shipping = (
        stored_rate(order.shipping_vat_rate_bp),
        at(order.shipping_minor),
    );
    let vat = vat_of(&lines, shipping);
    let customer = &order.customer;
    let point_gone = order.point_gone(pool).await?;
    Ok(OrderDetail {
        company: order.company(),
        number: order.number,
        state: stage(
            &order.status,
            order.shipped_at.is_some(),
            order.refunded_at.is_some(),
        )?,
        needs_review: order.needs_review,
        sandbox: order.sandbox,
        created_at: order.created_at,
        paid_at: order.paid_at,
        shipped_at: order.shipped_at,
        refunded_at: order.refunded_at,
        email: customer.email.to_string(),
        name: format!("{} {}", customer.first_name, customer.last_name),
        point_gone,
        address: customer
            .delivery()
            .into_iter()
            .chain([customer.country.clone()])
            .collect(),
        shipping_method: order.shipping_name,
        payment_method: order.payment_method,
        language: crate::locale::parse(&order.locale)
            .map_or(order.locale, |l| crate::locale::name(l).to_owned()),
        lines,
        subtotal: at(order.subtotal_minor + order.discount_minor),
        discount: (!order.discount_code.is_empty())
            .then(|| (order.discount_code.clone(), at(order.discount_minor))),
        shipping: at(order.shipping_minor),
        total: at(order.total_minor),
        vat,
        history: history_of(pool, order.id).await?,
        payment_log: payment_log(pool, order.id).await?,
        emails: crate::domain::mail::outbox::summaries(pool, Some(order.id), has_smtp).await?,
        documents: crate::admin::invoices::of_order(pool, order.number, currency).await?,
    })
}

/// The order's history, oldest first.
async fn history_of(pool: &crate::db::Db, order_id: i64) -> Result<Vec<HistoryEntry>, AppError> {
    let history: Vec<EventRow> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT at, from_status, to_status, kind, data, note
         FROM order_events WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(conn)
    .await)?;
    Ok(history.into_iter().map(EventRow::entry).collect())
}

/// One event of an order's history, as stored.
#[derive(sqlx::FromRow)]
struct EventRow {
    at: String,
    from_status: Option<String>,
    to_status: String,
    kind: String,
    data: String,
    /// What events recorded before they were typed said.
    note: String,
}

impl EventRow {
    fn entry(self) -> HistoryEntry {
        HistoryEntry {
            text: OrderEvent::from_row(&self.kind, &self.data)
                .map_or(self.note, |event| event.describe(crate::locale::current())),
            at: self.at,
            from_status: self.from_status,
            to_status: self.to_status,
        }
    }
}

fn logged_callback(row: CallbackRow) -> LoggedCallback {
    let fields = row
        .params_json
        .as_deref()
        .and_then(|json| {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json).ok()
        })
        .map(|map| {
            map.into_iter()
                .map(|(key, value)| match value {
                    serde_json::Value::String(text) => (key, text),
                    other => (key, other.to_string()),
                })
                .collect()
        })
        .unwrap_or_default();
    let amount =
        row.amount_minor.map(
            |minor| match row.currency.as_deref().and_then(Currency::from_code) {
                Some(currency) => Money::new(minor, currency).to_string(),
                None => crate::tr!(
                    admin.order.minor_units,
                    minor,
                    currency = row.currency.unwrap_or_default()
                ),
            },
        );
    LoggedCallback {
        received_at: row.received_at,
        verdict: row.verdict,
        verified_by: row.verified_by,
        paysera_status: row.paysera_status,
        test: row.test,
        amount,
        fields,
        raw: row.raw,
    }
}

/// The logged-in admin's e-mail: an order's history names who acted by it.
pub async fn admin_email(pool: &crate::db::Db, admin_id: i64) -> Result<String, AppError> {
    crate::on_db!(pool, conn => sqlx::query_scalar("SELECT email FROM admins WHERE id = $1")
        .bind(admin_id)
        .fetch_optional(conn)
        .await)?
    .ok_or_else(|| AppError::Unauthorized(crate::tr!(admin.login.please).into()))
}
