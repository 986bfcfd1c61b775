//! `GET /admin/export/orders.csv`: the filtered orders as a spreadsheet, with each order's latest
//! authentic Paysera callback.

use super::ssr::ValidFilter;
use super::OrderFilter;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use sqlx::QueryBuilder;
use tower_sessions::Session;

const COLUMNS: [&str; 25] = [
    "order",
    "sandbox",
    "created_at",
    "status",
    "paid_at",
    "shipped_at",
    "refunded_at",
    "needs_review",
    "email",
    "first_name",
    "last_name",
    "street",
    "postcode",
    "city",
    "country",
    "shipping_method",
    "payment_method",
    "currency",
    "subtotal",
    "shipping",
    "total",
    "paysera_callback_at",
    "paysera_verdict",
    "paysera_requestid",
    "paysera_payment",
];

pub async fn orders_csv(
    State(state): State<AppState>,
    session: Session,
    Query(filter): Query<OrderFilter>,
) -> Result<impl IntoResponse, AppError> {
    crate::admin::ssr::require_admin(&state.pool, &session).await?;
    let filter = ValidFilter::parse(&filter)?;
    let mut sql = QueryBuilder::new(
        "SELECT o.number, o.sandbox, o.created_at, o.status, o.paid_at, o.shipped_at, o.refunded_at,
                o.needs_review, o.email, o.first_name, o.last_name, o.street, o.postcode, o.city,
                o.country, o.shipping_method, o.payment_method, o.currency, o.subtotal_minor,
                o.shipping_minor, o.total_minor,
                c.received_at, c.verdict,
                json_extract(c.params_json, '$.requestid'), json_extract(c.params_json, '$.payment')
         FROM orders o
         LEFT JOIN payment_callbacks c ON c.id = (
             SELECT MAX(id) FROM payment_callbacks WHERE order_id = o.id AND authentic = 1)",
    );
    filter.push_conditions(&mut sql);
    sql.push(" ORDER BY o.created_at, o.id");
    let rows = sql.build().fetch_all(&state.pool).await?;

    let mut csv = String::from("\u{feff}");
    push_record(&mut csv, COLUMNS.iter().map(|c| c.to_string()));
    for row in rows {
        use sqlx::Row;
        let text = |i: usize| -> String {
            row.try_get::<Option<String>, _>(i)
                .ok()
                .flatten()
                .unwrap_or_default()
        };
        let number = |i: usize| row.try_get::<i64, _>(i).unwrap_or_default();
        let amount =
            |i: usize| crate::money::Money::new(number(i), state.config.currency).decimal();
        let yes_no = |i: usize| if number(i) == 1 { "yes" } else { "no" }.to_owned();
        let mut fields: Vec<String> = vec![number(0).to_string(), yes_no(1)];
        fields.extend((2..=6).map(text));
        fields.push(yes_no(7));
        fields.extend((8..=17).map(text));
        fields.extend((18..=20).map(amount));
        fields.extend((21..=24).map(text));
        push_record(&mut csv, fields.into_iter());
    }
    let today: String = sqlx::query_scalar("SELECT date('now')")
        .fetch_one(&state.pool)
        .await?;
    let filename = format!("attachment; filename=\"orders-{today}.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, filename),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv,
    ))
}

/// One CSV line (RFC 4180, CRLF). Every field is quoted, quotes doubled. A field that a spreadsheet
/// would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) gets a leading `'`, so
/// a customer's name can never become `=HYPERLINK(...)` on the merchant's computer.
pub fn push_record(csv: &mut String, fields: impl Iterator<Item = String>) {
    let mut first = true;
    for field in fields {
        if !first {
            csv.push(',');
        }
        first = false;
        csv.push('"');
        if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            csv.push('\'');
        }
        csv.push_str(&field.replace('"', "\"\""));
        csv.push('"');
    }
    csv.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::push_record;

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        let mut csv = String::new();
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
        push_record(&mut csv, fields.iter().map(|f| f.to_string()));
        assert_eq!(
            csv,
            "\"plain\",\"a,b\",\"say \"\"hi\"\"\",\"'=1+2\",\"'-3\",\"'@SUM(A1)\",\"line\nbreak\",\"'+370\"\r\n"
        );
    }
}
