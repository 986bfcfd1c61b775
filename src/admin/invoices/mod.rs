//! Admin → Invoices: the invoices and credit notes issued in a month, each as its PDF, and the
//! month's i.SAF register for the accountant. Nothing here issues or changes a document: that is
//! done by the payment and the refund (`domain::invoices`).

mod pages;

pub use pages::AdminInvoicesPage;

use crate::error::AppError;
use crate::money::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One document in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceRow {
    pub id: i64,
    pub credit_note: bool,
    pub number: String,
    pub order_number: i64,
    pub issue_date: String,
    pub total: Money,
    pub vat: Money,
    pub sandbox: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoicesView {
    /// `YYYY-MM`.
    pub month: String,
    pub invoices: Vec<InvoiceRow>,
}

#[cfg(feature = "ssr")]
impl InvoiceRow {
    /// `shops`: the shop's currency, for a row whose own it does not know.
    pub fn from_issued(
        issued: crate::domain::invoices::store::Issued,
        shops: crate::money::Currency,
    ) -> InvoiceRow {
        use crate::domain::invoices::document::Kind;
        let currency = crate::money::Currency::from_code(&issued.currency).unwrap_or(shops);
        InvoiceRow {
            id: issued.id,
            credit_note: issued.kind() == Kind::CreditNote,
            number: issued.number_text(),
            order_number: issued.order_number,
            total: Money::new(issued.total_minor, currency),
            vat: Money::new(issued.vat_minor, currency),
            sandbox: issued.sandbox,
            issue_date: issued.issue_date,
        }
    }
}

/// The documents of the order numbered `number`, as its admin page lists them.
#[cfg(feature = "ssr")]
pub async fn of_order(
    pool: &crate::db::Db,
    number: i64,
    shops: crate::money::Currency,
) -> Result<Vec<InvoiceRow>, AppError> {
    let issued = crate::domain::invoices::store::of_order(pool, number).await?;
    Ok(issued
        .into_iter()
        .map(|issued| InvoiceRow::from_issued(issued, shops))
        .collect())
}

/// The documents of `month` (`YYYY-MM`; empty: this month in Vilnius).
#[server(endpoint = "admin/invoices")]
pub async fn admin_invoices(month: String) -> Result<InvoicesView, AppError> {
    use crate::domain::invoices::store;
    let (state, _) = crate::admin::auth::admin_only().await?;
    let month = parse_month(&month, crate::locale::current())?;
    let invoices = store::in_month(&state.pool, &month, true)
        .await?
        .into_iter()
        .map(|issued| InvoiceRow::from_issued(issued, state.config.currency))
        .collect();
    Ok(InvoicesView {
        month: month.text().to_owned(),
        invoices,
    })
}

/// `month` as the admin typed or linked it; empty is this month in Vilnius.
#[cfg(feature = "ssr")]
fn parse_month(
    month: &str,
    locale: crate::locale::Locale,
) -> Result<crate::domain::invoices::store::Month, AppError> {
    use crate::domain::invoices::store::Month;
    let month = if month.is_empty() {
        let now = crate::clock::now();
        crate::clock::vilnius::date_of(&now, false).unwrap_or(now)[..7].to_owned()
    } else {
        month.to_owned()
    };
    Month::parse(&month).ok_or_else(|| {
        AppError::BadRequest(
            leptos_i18n::td_string!(locale, admin.invoices.bad_month, month).to_string(),
        )
    })
}

/// The invoices' plain HTTP routes: a document's PDF and a month's i.SAF register, for admins.
#[cfg(feature = "ssr")]
pub fn routes(state: crate::state::AppState) -> axum::Router {
    axum::Router::new()
        .route("/admin/invoices/{file}", axum::routing::get(download))
        .with_state(state)
}

#[cfg(feature = "ssr")]
#[derive(Deserialize)]
struct MonthQuery {
    #[serde(default)]
    month: String,
}

/// `GET /admin/invoices/{id}.pdf` or `GET /admin/invoices/isaf.xml?month=YYYY-MM`.
#[cfg(feature = "ssr")]
async fn download(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    session: tower_sessions::Session,
    axum::extract::Path(file): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<MonthQuery>,
    axum::Extension(found): axum::Extension<crate::locale::middleware::RequestLocale>,
) -> Result<axum::response::Response, AppError> {
    crate::admin::auth::require_admin(&state.pool, &session).await?;
    let locale = found.locale;
    if file == "isaf.xml" {
        return isaf(&state, &query.month, locale).await;
    }
    let not_found = || {
        AppError::NotFound(leptos_i18n::td_string!(locale, admin.invoices.no_such_invoice).into())
    };
    let id = file
        .strip_suffix(".pdf")
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or_else(not_found)?;
    let document = crate::domain::invoices::store::document(&state.pool, id)
        .await?
        .ok_or_else(not_found)?;
    crate::checkout::invoice::pdf_response(&document, "no-store")
}

/// The month's i.SAF register, as a download.
#[cfg(feature = "ssr")]
async fn isaf(
    state: &crate::state::AppState,
    month: &str,
    locale: crate::locale::Locale,
) -> Result<axum::response::Response, AppError> {
    use crate::domain::invoices::{isaf, store};
    use axum::http::header;
    use axum::response::IntoResponse;
    let month = parse_month(month, locale)?;
    let settings = crate::domain::settings::store::load(&state.pool).await?;
    let documents = store::documents_in_month(&state.pool, &month).await?;
    let created = crate::clock::now()[..19].to_owned();
    let filer = isaf::Filer {
        company_code: &settings.seller.company_code,
        created: &created,
    };
    let xml = isaf::register(&filer, &month, &documents).map_err(|_| {
        AppError::Conflict(leptos_i18n::td_string!(locale, admin.invoices.no_company_code).into())
    })?;
    let filename = format!("attachment; filename=\"isaf-{}.xml\"", month.text());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, filename),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        xml,
    )
        .into_response())
}
