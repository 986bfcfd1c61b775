//! The admin's order queries, and its actions in the admin's name (the flow is
//! `domain::flows::order_actions`).

use super::{
    HistoryEntry, LoggedCallback, OrderDetail, OrderFilter, OrderLine, OrderList, OrderRow,
    OrderStage, ORDERS_PER_PAGE,
};
use crate::domain::catalog::store::stored_money;
use crate::domain::flows::order_actions::{self, Actor};
use crate::domain::orders::events::OrderEvent;
use crate::domain::orders::place::stage;
use crate::domain::orders::OrderAction;
use crate::error::AppError;
use crate::money::{Currency, Money};
use crate::state::AppState;
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
    pub fn parse(filter: &OrderFilter) -> Result<ValidFilter, AppError> {
        let stage = match filter.state.as_str() {
            "" => None,
            key => Some(OrderStage::parse(key).ok_or_else(|| {
                AppError::BadRequest("Unknown order state in the filter.".into())
            })?),
        };
        let date = |text: &str, what: &str| -> Result<Option<(i32, u32, u32)>, AppError> {
            if text.is_empty() {
                return Ok(None);
            }
            parse_date(text).map(Some).ok_or_else(|| {
                AppError::BadRequest(format!("The {what} date should look like 2026-01-31."))
            })
        };
        let from = date(&filter.from, "“from”")?;
        let to = date(&filter.to, "“to”")?;
        Ok(ValidFilter {
            stage,
            needs_review: filter.review == "1",
            from: from.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
            until: to.map(|(y, m, d)| next_day(y, m, d)),
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

/// `YYYY-MM-DD` with a real month and day.
fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.trim().splitn(3, '-');
    let mut number = |len: usize| {
        parts
            .next()
            .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let (year, month, day) = (number(4)?, number(2)?, number(2)?);
    let year = i32::try_from(year).ok()?;
    ((1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day))
        .then_some((year, month, day))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn next_day(year: i32, month: u32, day: u32) -> String {
    let (y, m, d) = if day < days_in_month(year, month) {
        (year, month, day + 1)
    } else if month < 12 {
        (year, month + 1, 1)
    } else {
        (year + 1, 1, 1)
    };
    format!("{y:04}-{m:02}-{d:02}")
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
    state: &AppState,
    filter: &ValidFilter,
    page: u32,
) -> Result<OrderList, AppError> {
    let total: i64 = crate::on_db!(&state.pool, conn => {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM orders o");
        filter.push_conditions(&mut count);
        count.build_query_scalar().fetch_one(conn).await
    })?;
    let total = u32::try_from(total).unwrap_or(u32::MAX);
    let pages = total.div_ceil(ORDERS_PER_PAGE).max(1);
    let page = page.clamp(1, pages);

    let rows: Vec<ListRow> = crate::on_db!(&state.pool, conn => {
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
    email: String,
    first_name: String,
    last_name: String,
    street: String,
    city: String,
    postcode: String,
    country: String,
    shipping_name: String,
    payment_method: Option<String>,
    locale: String,
    currency: String,
    subtotal_minor: i64,
    shipping_minor: i64,
    total_minor: i64,
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

pub async fn detail(state: &AppState, number: i64) -> Result<OrderDetail, AppError> {
    let pool = &state.pool;
    let order: DetailRow =
        crate::on_db!(pool, conn => sqlx::query_as("SELECT * FROM orders WHERE number = $1")
        .bind(number)
        .fetch_optional(conn)
        .await)?
        .ok_or_else(|| AppError::NotFound(format!("There is no order {number}.")))?;
    #[derive(sqlx::FromRow)]
    struct LineRow {
        name: String,
        product_id: Option<i64>,
        unit_price_minor: i64,
        quantity: i64,
        line_total_minor: i64,
    }
    let lines: Vec<LineRow> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT name, product_id, unit_price_minor, quantity, line_total_minor
         FROM order_lines WHERE order_id = $1 ORDER BY id",
    )
    .bind(order.id)
    .fetch_all(conn)
    .await)?;
    let history: Vec<EventRow> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT at, from_status, to_status, kind, data, note
         FROM order_events WHERE order_id = $1 ORDER BY id",
    )
    .bind(order.id)
    .fetch_all(conn)
    .await)?;
    let callbacks: Vec<CallbackRow> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT received_at, verdict, verified_by, paysera_status, test, amount_minor, currency,
                params_json, raw
         FROM payment_callbacks WHERE order_id = $1 ORDER BY id",
    )
    .bind(order.id)
    .fetch_all(conn)
    .await)?;
    let currency = stored_money(0, &order.currency)?.currency;
    let at = |minor| Money::new(minor, currency);
    Ok(OrderDetail {
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
        email: order.email,
        name: format!("{} {}", order.first_name, order.last_name),
        address: vec![
            order.street,
            format!("{} {}", order.postcode, order.city),
            order.country,
        ],
        shipping_method: order.shipping_name,
        payment_method: order.payment_method,
        language: crate::locale::parse(&order.locale)
            .map_or(order.locale, |l| crate::locale::name(l).to_owned()),
        lines: lines
            .into_iter()
            .map(|line| OrderLine {
                unit_price: at(line.unit_price_minor),
                line_total: at(line.line_total_minor),
                name: line.name,
                product_id: line.product_id,
                quantity: line.quantity,
            })
            .collect(),
        subtotal: at(order.subtotal_minor),
        shipping: at(order.shipping_minor),
        total: at(order.total_minor),
        history: history.into_iter().map(EventRow::entry).collect(),
        payment_log: callbacks.into_iter().map(logged_callback).collect(),
        emails: crate::domain::mail::outbox::summaries(
            pool,
            Some(order.id),
            state.mailer.has_smtp(),
        )
        .await?,
    })
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
                .map_or(self.note, |event| event.describe()),
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
                None => format!("{minor} (minor units) {}", row.currency.unwrap_or_default()),
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

/// Takes a merchant's action on an order (`domain::flows::order_actions`), in the name of the
/// logged-in admin, and wakes the e-mail sender for what it wrote.
pub async fn act(
    state: &AppState,
    number: i64,
    action: OrderAction,
    note: &str,
    admin_id: i64,
) -> Result<(), AppError> {
    // The history names who acted, by e-mail.
    let email: String = crate::on_db!(&state.pool, conn => sqlx::query_scalar(
        "SELECT email FROM admins WHERE id = $1",
    )
    .bind(admin_id)
    .fetch_optional(conn)
    .await)?
    .ok_or_else(|| AppError::Unauthorized("Please log in as the shop's admin.".into()))?;
    let actor = Actor {
        email: &email,
        note,
    };
    order_actions::act(&state.writer, &state.mail_context(), number, action, &actor).await?;
    state.mailer.wakeup.notify_one();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_real() {
        assert_eq!(parse_date("2026-02-28"), Some((2026, 2, 28)));
        assert_eq!(parse_date("2028-02-29"), Some((2028, 2, 29)));
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-01-32",
            "",
            "x",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(next_day(2026, 12, 31), "2027-01-01");
        assert_eq!(next_day(2026, 2, 28), "2026-03-01");
        assert_eq!(next_day(2026, 5, 9), "2026-05-10");
    }
}
