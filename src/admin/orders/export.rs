//! `GET /admin/export/orders.csv`: the filtered orders as a spreadsheet, with each order's latest
//! authentic Paysera callback.

use super::queries::ValidFilter;
use super::OrderFilter;
use crate::domain::orders::place::Customer;
use crate::error::AppError;
use crate::locale::middleware::RequestLocale;
use crate::locale::Locale;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::Extension;
use leptos_i18n::td_string;
use sqlx::QueryBuilder;
use tower_sessions::Session;

/// The columns' headings in the admin's language (English: the names scripts have always read;
/// the merchant's own texts in the rows stay as they were typed).
fn columns(locale: Locale) -> [&'static str; 30] {
    [
        td_string!(locale, admin.csv.order),
        td_string!(locale, admin.csv.sandbox),
        td_string!(locale, admin.csv.created_at),
        td_string!(locale, admin.csv.status),
        td_string!(locale, admin.csv.paid_at),
        td_string!(locale, admin.csv.shipped_at),
        td_string!(locale, admin.csv.refunded_at),
        td_string!(locale, admin.csv.needs_review),
        td_string!(locale, admin.csv.email),
        td_string!(locale, admin.csv.first_name),
        td_string!(locale, admin.csv.last_name),
        td_string!(locale, admin.csv.street),
        td_string!(locale, admin.csv.postcode),
        td_string!(locale, admin.csv.city),
        td_string!(locale, admin.csv.country),
        td_string!(locale, admin.csv.phone),
        td_string!(locale, admin.csv.pickup_point),
        td_string!(locale, admin.csv.shipping_method),
        td_string!(locale, admin.csv.payment_method),
        td_string!(locale, admin.csv.currency),
        td_string!(locale, admin.csv.subtotal),
        td_string!(locale, admin.csv.shipping),
        td_string!(locale, admin.csv.total),
        td_string!(locale, admin.csv.discount_code),
        td_string!(locale, admin.csv.discount),
        td_string!(locale, admin.csv.paysera_callback_at),
        td_string!(locale, admin.csv.paysera_verdict),
        td_string!(locale, admin.csv.paysera_requestid),
        td_string!(locale, admin.csv.paysera_payment),
        td_string!(locale, admin.csv.items),
    ]
}

/// One order as exported, with its latest authentic callback (if any).
#[derive(sqlx::FromRow)]
struct ExportRow {
    number: i64,
    sandbox: bool,
    created_at: String,
    status: String,
    paid_at: Option<String>,
    shipped_at: Option<String>,
    refunded_at: Option<String>,
    needs_review: bool,
    #[sqlx(flatten)]
    customer: Customer,
    shipping_method: String,
    payment_method: Option<String>,
    currency: String,
    subtotal_minor: i64,
    shipping_minor: i64,
    total_minor: i64,
    discount_code: String,
    discount_minor: i64,
    shipping_discount_minor: i64,
    received_at: Option<String>,
    verdict: Option<String>,
    request_id: Option<String>,
    params_json: Option<String>,
}

const EXPORT: &str = "SELECT o.number, o.sandbox, o.created_at, o.status, o.paid_at, o.shipped_at,
        o.refunded_at, o.needs_review, o.email, o.first_name, o.last_name, o.street, o.postcode,
        o.city, o.country, o.phone, o.pickup_point, o.shipping_method, o.payment_method, o.currency, o.subtotal_minor,
        o.shipping_minor, o.total_minor, o.discount_code, o.discount_minor,
        o.shipping_discount_minor, c.received_at, c.verdict, c.request_id, c.params_json
    FROM orders o
    LEFT JOIN payment_callbacks c ON c.id = (
        SELECT MAX(id) FROM payment_callbacks WHERE order_id = o.id AND authentic = TRUE)";

pub async fn orders_csv(
    State(state): State<AppState>,
    session: Session,
    Query(filter): Query<OrderFilter>,
    Extension(found): Extension<RequestLocale>,
) -> Result<impl IntoResponse, AppError> {
    let locale = found.locale;
    crate::admin::auth::require_admin(&state.pool, &session).await?;
    let filter = ValidFilter::parse(&filter, locale)?;
    let rows: Vec<ExportRow> = crate::on_db!(&state.pool, conn => {
        let mut sql = QueryBuilder::new(EXPORT);
        filter.push_conditions(&mut sql);
        sql.push(" ORDER BY o.created_at, o.id");
        sql.build_query_as().fetch_all(conn).await
    })?;
    let mut items = items(&state.pool, &filter).await?;
    let mut csv = spreadsheet();
    push_record(&mut csv, columns(locale).iter().map(|c| c.to_string()))?;
    for row in rows {
        let bought = items.remove(&row.number).unwrap_or_default();
        let fields = fields(row, state.config.currency, locale);
        push_record(&mut csv, fields.into_iter().chain([bought]))?;
    }
    let csv = csv.into_inner().map_err(|_| AppError::Internal)?;
    Ok(crate::admin::csv_download("orders", csv))
}

/// The exported orders' lines, by order number, as one field each:
/// `2 × Linen Shirt — M, Navy [linen-shirt-m-navy]; 1 × Enamel Camp Mug [enamel-mug]`.
async fn items(
    pool: &crate::db::Db,
    filter: &ValidFilter,
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    let lines: Vec<(i64, i64, String, String)> = crate::on_db!(pool, conn => {
        let mut sql = QueryBuilder::new(
            "SELECT o.number, l.quantity, l.name, l.sku
             FROM orders o JOIN order_lines l ON l.order_id = o.id",
        );
        filter.push_conditions(&mut sql);
        sql.push(" ORDER BY o.number, l.id");
        sql.build_query_as().fetch_all(conn).await
    })?;
    let mut items = std::collections::HashMap::<i64, String>::new();
    for (number, quantity, name, sku) in lines {
        let field = items.entry(number).or_default();
        if !field.is_empty() {
            field.push_str("; ");
        }
        field.push_str(&format!("{quantity} × {name}"));
        if !sku.is_empty() {
            field.push_str(&format!(" [{sku}]"));
        }
    }
    Ok(items)
}

/// A row's fields, in [`columns`]' order but the last (its items).
fn fields(row: ExportRow, currency: crate::money::Currency, locale: Locale) -> [String; 29] {
    let amount = |minor| crate::money::Money::new(minor, currency).decimal();
    let yes_no = |flag: bool| {
        if flag {
            td_string!(locale, admin.csv.yes)
        } else {
            td_string!(locale, admin.csv.no)
        }
        .to_owned()
    };
    // The method the payer used, as Paysera reported it (`payment` in the callback).
    let payment = row
        .params_json
        .as_deref()
        .and_then(|json| serde_json::from_str::<serde_json::Value>(json).ok())
        .and_then(|params| params.get("payment")?.as_str().map(str::to_owned));
    [
        row.number.to_string(),
        yes_no(row.sandbox),
        row.created_at,
        row.status,
        row.paid_at.unwrap_or_default(),
        row.shipped_at.unwrap_or_default(),
        row.refunded_at.unwrap_or_default(),
        yes_no(row.needs_review),
        row.customer.email.to_string(),
        row.customer.first_name,
        row.customer.last_name,
        row.customer.street,
        row.customer.postcode,
        row.customer.city,
        row.customer.country,
        row.customer.phone,
        row.customer.pickup_point,
        row.shipping_method,
        row.payment_method.unwrap_or_default(),
        row.currency,
        amount(row.subtotal_minor),
        amount(row.shipping_minor),
        amount(row.total_minor),
        row.discount_code,
        amount(row.discount_minor + row.shipping_discount_minor),
        row.received_at.unwrap_or_default(),
        row.verdict.unwrap_or_default(),
        row.request_id.unwrap_or_default(),
        payment.unwrap_or_default(),
    ]
}

/// A spreadsheet's CSV (RFC 4180, CRLF, every field quoted), opened with a byte order mark so
/// spreadsheet programs read it as UTF-8.
fn spreadsheet() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec())
}

/// Writes one record: a field that a spreadsheet would run as a formula gets a leading `'`
/// (`text::spreadsheet_safe`), so a customer's name can never become `=HYPERLINK(...)` on the
/// merchant's computer.
fn push_record(
    csv: &mut csv::Writer<Vec<u8>>,
    fields: impl Iterator<Item = String>,
) -> Result<(), AppError> {
    let fields = fields.map(|field| crate::text::spreadsheet_safe(&field).into_owned());
    csv.write_record(fields).map_err(|error| {
        tracing::error!(%error, "could not write the orders' CSV");
        AppError::Internal
    })
}

#[cfg(test)]
mod tests {
    use super::{push_record, spreadsheet};

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        let mut csv = spreadsheet();
        let fields = [
            "plain",
            "a,b",
            "say \"hi\"",
            "=1+2",
            "-3",
            "@SUM(A1)",
            "line\nbreak",
            "+370",
        ];
        push_record(&mut csv, fields.iter().map(|f| f.to_string())).unwrap();
        let written = String::from_utf8(csv.into_inner().unwrap()).unwrap();
        assert_eq!(
            written,
            "\u{feff}\"plain\",\"a,b\",\"say \"\"hi\"\"\",\"'=1+2\",\"'-3\",\"'@SUM(A1)\",\"line\nbreak\",\"'+370\"\r\n"
        );
    }
}
