//! The overview at `/admin`: sales, orders by state, what needs review, whether Paysera is
//! talking to the shop, and this year's sales to consumers abroad against the EU's OSS threshold.

use super::orders::OrderStage;
use crate::error::AppError;
use crate::money::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Days in the sales chart.
pub const CHART_DAYS: usize = 30;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SalesDay {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    pub sales: Money,
    pub orders: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub number: i64,
    pub created_at: String,
    pub total: Money,
}

/// This calendar year's cross-border sales to consumers, net of VAT, against the EU's threshold
/// above which they carry the buyer's country's VAT (through OSS).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OssCount {
    pub year: i32,
    pub sales: Money,
    pub threshold: Money,
    pub registered: bool,
}

impl OssCount {
    pub fn over(&self) -> bool {
        self.sales.minor > self.threshold.minor
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminHome {
    /// The last [`CHART_DAYS`] days, oldest first, today last. Paid orders, refunds left out.
    pub sales_by_day: Vec<SalesDay>,
    pub orders_by_stage: Vec<(OrderStage, i64)>,
    pub needs_review: Vec<ReviewItem>,
    pub paysera_mode: String,
    pub project_id: u64,
    pub key_source: String,
    pub last_authentic_callback: Option<String>,
    pub last_rejected_callback: Option<String>,
    /// E-mails given up on, and e-mails not sent yet.
    pub emails_failed: i64,
    pub emails_waiting: i64,
    /// An SMTP server is configured: waiting e-mails will go out.
    pub smtp: bool,
    pub oss: OssCount,
}

impl AdminHome {
    /// Sales over the last `days` days, today included.
    pub fn sales_over(&self, days: usize) -> Option<Money> {
        self.sales_by_day
            .iter()
            .rev()
            .take(days)
            .try_fold(None::<Money>, |sum, day| match sum {
                None => Some(Some(day.sales)),
                Some(sum) => sum.checked_add(day.sales).map(Some),
            })
            .flatten()
    }
}

/// Paid sales per day, the last [`CHART_DAYS`] days (UTC) up to today, days without sales
/// included, so the chart has no holes.
#[cfg(feature = "ssr")]
async fn sales_by_day(
    pool: &crate::db::Db,
    currency: crate::money::Currency,
) -> Result<Vec<SalesDay>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Day {
        day: String,
        sales: i64,
        orders: i64,
    }
    let first = crate::clock::now_plus(-86_400 * (CHART_DAYS as i64 - 1))[..10].to_owned();
    let sold: Vec<Day> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT substr(paid_at, 1, 10) AS day, CAST(SUM(total_minor) AS BIGINT) AS sales,
                COUNT(*) AS orders
         FROM orders
         WHERE status = 'paid' AND refunded_at IS NULL AND currency = $1 AND paid_at >= $2
         GROUP BY substr(paid_at, 1, 10)",
    )
    .bind(currency.code())
    .bind(&first)
    .fetch_all(conn)
    .await)?;
    Ok((0..CHART_DAYS as i64)
        .rev()
        .map(|ago| {
            let date = crate::clock::now_plus(-86_400 * ago)[..10].to_owned();
            let day = sold.iter().find(|d| d.day == date);
            SalesDay {
                sales: Money::new(day.map_or(0, |d| d.sales), currency),
                orders: day.map_or(0, |d| d.orders),
                date,
            }
        })
        .collect())
}

/// The count toward the OSS threshold, for this Vilnius calendar year.
#[cfg(feature = "ssr")]
async fn oss_count(state: &crate::state::AppState) -> Result<OssCount, AppError> {
    let now = crate::clock::now();
    let today = crate::clock::vilnius::date_of(&now, false).unwrap_or_else(|| now[..10].to_owned());
    let year = today[..4].parse().map_err(|_| AppError::Internal)?;
    Ok(OssCount {
        year,
        sales: crate::domain::invoices::store::cross_border_consumer_sales(&state.pool, year)
            .await?,
        threshold: crate::domain::vat::OSS_THRESHOLD,
        registered: state.settings.get().await?.oss_registered,
    })
}

#[server(endpoint = "admin/home")]
pub async fn get_admin_home() -> Result<AdminHome, AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    let pool = &state.pool;
    let currency = state.config.currency;
    let days = sales_by_day(pool, currency).await?;
    let orders_by_stage = crate::domain::orders::place::count_by_stage(pool).await?;
    let review: Vec<(i64, String, i64)> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT number, created_at, total_minor FROM orders WHERE needs_review = TRUE
         ORDER BY created_at DESC LIMIT 20",
    )
    .fetch_all(conn)
    .await)?;
    let last = |authentic: bool| async move {
        crate::on_db!(pool, conn => sqlx::query_scalar::<_, Option<String>>(
            "SELECT MAX(received_at) FROM payment_callbacks WHERE authentic = $1",
        )
        .bind(authentic)
        .fetch_one(conn)
        .await)
    };
    let payments = &state.payments;
    let backlog = crate::domain::mail::outbox::backlog(pool).await?;
    Ok(AdminHome {
        sales_by_day: days,
        orders_by_stage,
        needs_review: review
            .into_iter()
            .map(|(number, created_at, total)| ReviewItem {
                number,
                created_at,
                total: Money::new(total, currency),
            })
            .collect(),
        paysera_mode: if state.payments.test_payments(
            state.config.paysera.test,
            state.settings.get().await?.test_payments,
        ) {
            crate::tr!(admin.home.mode_test).to_owned()
        } else if payments.mode == crate::domain::payments::gateway::Mode::Live {
            crate::tr!(admin.home.mode_live).to_owned()
        } else {
            crate::tr!(admin.home.mode_sandbox).to_owned()
        },
        project_id: payments.verifier.project_id,
        key_source: payments.key_source.describe(crate::locale::current()),
        last_authentic_callback: last(true).await?,
        last_rejected_callback: last(false).await?,
        emails_failed: backlog.failed,
        emails_waiting: backlog.waiting,
        smtp: state.mailer.has_smtp(),
        oss: oss_count(&state).await?,
    })
}
