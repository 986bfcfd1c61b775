//! Reading issued documents: an order's (its pages and e-mail links), one by the order's token (the
//! shopper's download), a month's (the admin's list and the i.SAF register), and a year's
//! cross-border sales to consumers (the overview's count toward the OSS threshold).

use super::document::{Document, Kind};
use crate::error::AppError;
use crate::money::{Currency, Money};

/// A document as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Issued {
    pub id: i64,
    pub kind: String,
    pub series: String,
    pub number: i64,
    pub order_number: i64,
    pub issue_date: String,
    pub currency: String,
    pub total_minor: i64,
    pub vat_minor: i64,
    pub sandbox: bool,
}

impl Issued {
    pub fn kind(&self) -> Kind {
        Kind::from_key(&self.kind).unwrap_or(Kind::Invoice)
    }

    pub fn number_text(&self) -> String {
        super::document::number_text(&self.series, self.number)
    }
}

const ISSUED: &str = "SELECT i.id, i.kind, i.series, i.number, o.number AS order_number,
                             i.issue_date, i.currency, i.total_minor, i.vat_minor, i.sandbox
                      FROM invoices i JOIN orders o ON o.id = i.order_id";

/// What was stored, read back. A row that does not parse is an internal error (logged): it was
/// written by this code and never changes.
pub fn parse(json: &str) -> Result<Document, AppError> {
    serde_json::from_str(json).map_err(|error| {
        tracing::error!(%error, "an issued invoice does not parse");
        AppError::Internal
    })
}

/// The documents of the order numbered `order_number`, invoice first.
pub async fn of_order(pool: &crate::db::Db, order_number: i64) -> Result<Vec<Issued>, AppError> {
    let query = format!("{ISSUED} WHERE o.number = $1 ORDER BY i.id");
    Ok(crate::on_db!(pool, conn => sqlx::query_as(&query)
        .bind(order_number)
        .fetch_all(conn)
        .await)?)
}

/// The documents issued on the Vilnius days of `month` (`YYYY-MM`), in the order they were
/// issued; sandbox orders' only when asked for.
pub async fn in_month(
    pool: &crate::db::Db,
    month: &Month,
    with_sandbox: bool,
) -> Result<Vec<Issued>, AppError> {
    let query = format!(
        "{ISSUED} WHERE i.issue_date >= $1 AND i.issue_date < $2 AND (i.sandbox = FALSE OR $3)
         ORDER BY i.issue_date, i.id"
    );
    Ok(crate::on_db!(pool, conn => sqlx::query_as(&query)
        .bind(&month.first)
        .bind(&month.after)
        .bind(with_sandbox)
        .fetch_all(conn)
        .await)?)
}

/// A calendar month of issue dates (`2026-12`), as the admin filters and i.SAF reports them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Month {
    /// Its first day and the next month's, as `issue_date` is written.
    first: String,
    after: String,
}

impl Month {
    /// `YYYY-MM`, or `None`.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, rest) = text.split_once('-')?;
        let (year, number): (i64, u32) = (year.parse().ok()?, rest.parse().ok()?);
        if !(1000..=9999).contains(&year) || rest.len() != 2 || !(1..=12).contains(&number) {
            return None;
        }
        let after = if number == 12 {
            format!("{:04}-01-01", year + 1)
        } else {
            format!("{year:04}-{:02}-01", number + 1)
        };
        Some(Month {
            first: format!("{year:04}-{number:02}-01"),
            after,
        })
    }

    /// `YYYY-MM`.
    pub fn text(&self) -> &str {
        &self.first[..7]
    }

    pub fn first_day(&self) -> &str {
        &self.first
    }

    /// The month's last day (`2026-02-28`).
    pub fn last_day(&self) -> String {
        let (year, month, day) = crate::clock::parse_date(&self.after).unwrap_or((1970, 1, 1));
        let days = crate::clock::days_from_civil(year, month, day) - 1;
        let (year, month, day) = crate::clock::civil_from_days(days);
        format!("{year:04}-{month:02}-{day:02}")
    }
}

/// The document `id` says.
pub async fn document(pool: &crate::db::Db, id: i64) -> Result<Option<Document>, AppError> {
    let json: Option<String> = crate::on_db!(pool, conn => sqlx::query_scalar(
        "SELECT document FROM invoices WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await)?;
    json.as_deref().map(parse).transpose()
}

/// The order's document of `kind`, found by the order's unguessable token (the shopper's link).
pub async fn by_order_token(
    pool: &crate::db::Db,
    token: &str,
    kind: Kind,
) -> Result<Option<Document>, AppError> {
    let json: Option<String> = crate::on_db!(pool, conn => sqlx::query_scalar(
        "SELECT i.document FROM invoices i JOIN orders o ON o.id = i.order_id
         WHERE o.public_token = $1 AND i.kind = $2",
    )
    .bind(token)
    .bind(kind.key())
    .fetch_optional(conn)
    .await)?;
    json.as_deref().map(parse).transpose()
}

/// Every document of `month`, read in full (the i.SAF register): sandbox orders' left out, and
/// OSS sales' (their VAT is the buyer's country's, declared in the OSS return).
pub async fn documents_in_month(
    pool: &crate::db::Db,
    month: &Month,
) -> Result<Vec<Document>, AppError> {
    let rows: Vec<String> = crate::on_db!(pool, conn => sqlx::query_scalar(
        "SELECT i.document FROM invoices i JOIN orders o ON o.id = i.order_id
         WHERE i.issue_date >= $1 AND i.issue_date < $2 AND i.sandbox = FALSE AND o.oss_sale = FALSE
         ORDER BY i.issue_date, i.id",
    )
    .bind(&month.first)
    .bind(&month.after)
    .fetch_all(conn)
    .await)?;
    rows.iter().map(|json| parse(json)).collect()
}

/// This calendar year's cross-border sales to consumers, net of VAT, in euros: invoices less
/// credit notes issued from `year`-01-01 for orders shipped outside the seller's country to buyers
/// without a VAT code (sandbox orders left out). What the EU's 10,000 € OSS threshold counts.
pub async fn cross_border_consumer_sales(
    pool: &crate::db::Db,
    year: i32,
) -> Result<Money, AppError> {
    let net: i64 = crate::on_db!(pool, conn => sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(i.total_minor - i.vat_minor), 0) AS BIGINT)
         FROM invoices i JOIN orders o ON o.id = i.order_id JOIN shop_settings s ON s.id = 1
         WHERE i.issue_date >= $1 AND i.issue_date < $2 AND i.sandbox = FALSE AND i.currency = 'EUR'
           AND o.country <> s.seller_country AND o.buyer_vat_code = ''",
    )
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{:04}-01-01", year + 1))
    .fetch_one(conn)
    .await)?;
    Ok(Money::new(net, Currency::Eur))
}

#[cfg(test)]
mod tests {
    use super::Month;

    #[test]
    fn a_month_is_its_days_up_to_the_next_ones_first() {
        let december = Month::parse("2026-12").unwrap();
        assert_eq!(
            (december.first_day(), december.last_day().as_str()),
            ("2026-12-01", "2026-12-31")
        );
        assert_eq!(december.text(), "2026-12");
        assert_eq!(Month::parse("2028-02").unwrap().last_day(), "2028-02-29");
        for wrong in [
            "2026-13", "2026-0", "26-01", "2026", "x-01", "2026-1a", "", "2026-00",
        ] {
            assert_eq!(Month::parse(wrong), None, "{wrong}");
        }
    }
}
