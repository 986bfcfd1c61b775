//! Issuing, inside the caller's transaction: the callback's that marks an order paid (its
//! invoice), the refund's (its credit note). A number is taken from its series by an upsert on
//! `invoice_series`, whose row stays locked until the transaction ends: the next issuer, on this
//! instance or another on the same PostgreSQL, waits, and a rollback gives the number back. So a
//! series has no gaps and no duplicates, and an order paid is an order invoiced, or neither.

use super::document::{number_text, Document, Heading, Kind, Party, SoldLine, SoldOrder};
use crate::domain::vat;
use crate::error::AppError;
use crate::money::{Currency, Money};

/// The series a document of `kind` takes its number from. A sandbox order's documents are
/// numbered apart (`TEST-TRG`), so that trying the shop out uses up no real numbers.
#[derive(sqlx::FromRow)]
struct Issuer {
    #[sqlx(flatten)]
    seller: SellerRow,
    invoice_series: String,
    credit_note_series: String,
}

#[derive(sqlx::FromRow)]
struct SellerRow {
    shop_name: String,
    legal_name: String,
    company_code: String,
    vat_code: String,
    address: String,
    seller_country: String,
}

impl Issuer {
    async fn read(tx: &mut crate::db::Tx) -> Result<Issuer, AppError> {
        Ok(crate::on_tx!(tx, conn => sqlx::query_as(
            "SELECT shop_name, legal_name, company_code, vat_code, address, seller_country,
                    invoice_series, credit_note_series
             FROM shop_settings WHERE id = 1",
        )
        .fetch_one(&mut *conn)
        .await)?)
    }

    fn series(&self, kind: Kind, sandbox: bool) -> String {
        let series = match kind {
            Kind::Invoice => &self.invoice_series,
            Kind::CreditNote => &self.credit_note_series,
        };
        if sandbox {
            format!("TEST-{series}")
        } else {
            series.clone()
        }
    }

    fn party(&self) -> Party {
        let seller = &self.seller;
        let name = if seller.legal_name.is_empty() {
            &seller.shop_name
        } else {
            &seller.legal_name
        };
        Party {
            name: name.clone(),
            address: seller.address.clone(),
            company_code: seller.company_code.clone(),
            vat_code: seller.vat_code.clone(),
            country: seller.seller_country.clone(),
        }
    }
}

/// Gives paid order `order_id` its invoice, unless it has one (a repeated callback). Returns
/// the invoice's number when one was issued.
pub async fn issue_invoice(
    tx: &mut crate::db::Tx,
    order_id: i64,
) -> Result<Option<String>, AppError> {
    if issued(tx, order_id, Kind::Invoice).await?.is_some() {
        return Ok(None);
    }
    let (order, sandbox) = sold_order(tx, order_id).await?;
    let filing = Filing {
        order_id,
        kind: Kind::Invoice,
        sandbox,
        corrects: None,
    };
    let number = file(tx, &filing, |issuer, heading| {
        Document::invoice(&order, issuer.party(), heading)
    })
    .await?;
    Ok(Some(number))
}

/// Gives refunded order `order_id` the credit note of its invoice, unless it has one. An order
/// paid before invoices were kept has no invoice to correct, and gets none.
pub async fn issue_credit_note(
    tx: &mut crate::db::Tx,
    order_id: i64,
) -> Result<Option<String>, AppError> {
    if issued(tx, order_id, Kind::CreditNote).await?.is_some() {
        return Ok(None);
    }
    let Some((invoice_id, invoice)) = issued(tx, order_id, Kind::Invoice).await? else {
        return Ok(None);
    };
    let sandbox: bool = crate::on_tx!(tx, conn => sqlx::query_scalar("SELECT sandbox FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await)?;
    let filing = Filing {
        order_id,
        kind: Kind::CreditNote,
        sandbox,
        corrects: Some(invoice_id),
    };
    let number = file(tx, &filing, |_, heading| Some(invoice.credit_note(heading))).await?;
    Ok(Some(number))
}

/// What a new document is, for whom, and what it corrects.
struct Filing {
    order_id: i64,
    kind: Kind,
    sandbox: bool,
    corrects: Option<i64>,
}

/// Takes the next number of the filing's series, has `make` write the document under it and
/// today's Vilnius date, and stores it. Returns its printed number.
async fn file(
    tx: &mut crate::db::Tx,
    filing: &Filing,
    make: impl FnOnce(&Issuer, Heading<'_>) -> Option<Document>,
) -> Result<String, AppError> {
    let issuer = Issuer::read(tx).await?;
    let now = crate::clock::now();
    let day = crate::clock::vilnius::date_of(&now, false).unwrap_or_else(|| now[..10].to_owned());
    let series = issuer.series(filing.kind, filing.sandbox);
    let number = next_number(tx, &series).await?;
    let heading = Heading {
        number: number_text(&series, number),
        issue_date: &day,
    };
    let document = make(&issuer, heading).ok_or(AppError::Internal)?;
    let json = serde_json::to_string(&document).map_err(|_| AppError::Internal)?;
    crate::on_tx!(tx, conn => sqlx::query(
        "INSERT INTO invoices (kind, series, number, order_id, corrects, issued_at, issue_date,
                               currency, total_minor, vat_minor, sandbox, document)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(filing.kind.key())
    .bind(&series)
    .bind(number)
    .bind(filing.order_id)
    .bind(filing.corrects)
    .bind(&now)
    .bind(&document.issue_date)
    .bind(document.currency.code())
    .bind(document.total.minor)
    .bind(document.vat_total.minor)
    .bind(filing.sandbox)
    .bind(&json)
    .execute(&mut *conn)
    .await
    .map(|_| ()))?;
    Ok(document.number)
}

/// The order's document of `kind`, if it has one: its id and what it says.
async fn issued(
    tx: &mut crate::db::Tx,
    order_id: i64,
    kind: Kind,
) -> Result<Option<(i64, Document)>, AppError> {
    let row: Option<(i64, String)> = crate::on_tx!(tx, conn => sqlx::query_as(
        "SELECT id, document FROM invoices WHERE order_id = $1 AND kind = $2",
    )
    .bind(order_id)
    .bind(kind.key())
    .fetch_optional(&mut *conn)
    .await)?;
    row.map(|(id, json)| Ok((id, super::store::parse(&json)?)))
        .transpose()
}

/// The next number of `series`, taken in the caller's transaction (see the module's docs).
async fn next_number(tx: &mut crate::db::Tx, series: &str) -> Result<i64, AppError> {
    Ok(crate::on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO invoice_series (series, last_number) VALUES ($1, 1)
         ON CONFLICT (series) DO UPDATE SET last_number = invoice_series.last_number + 1
         RETURNING last_number",
    )
    .bind(series)
    .fetch_one(&mut *conn)
    .await)?)
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    number: i64,
    currency: String,
    locale: String,
    sandbox: bool,
    first_name: String,
    last_name: String,
    street: String,
    city: String,
    postcode: String,
    country: String,
    buyer_company: String,
    buyer_company_code: String,
    buyer_vat_code: String,
    buyer_address: String,
    shipping_name: String,
    /// The pick-up point, in one line; empty for delivery to the address.
    pickup_point: String,
    shipping_minor: i64,
    shipping_vat_rate_bp: Option<i64>,
}

impl OrderRow {
    /// The buyer: the company the shopper named, else the shopper, at the delivery address (an
    /// order to a pick-up point has none: its country alone).
    fn buyer(&self) -> Party {
        let own_address = if self.street.is_empty() {
            self.country.clone()
        } else {
            format!(
                "{}, {} {}, {}",
                self.street, self.postcode, self.city, self.country
            )
        };
        let company = !self.buyer_company.is_empty();
        Party {
            name: if company {
                self.buyer_company.clone()
            } else {
                format!("{} {}", self.first_name, self.last_name)
            },
            address: if company && !self.buyer_address.is_empty() {
                self.buyer_address.clone()
            } else {
                own_address
            },
            company_code: self.buyer_company_code.clone(),
            vat_code: self.buyer_vat_code.clone(),
            country: self.country.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct LineRow {
    name: String,
    sku: String,
    quantity: i64,
    line_total_minor: i64,
    discount_minor: i64,
    vat_rate_bp: Option<i64>,
}

/// The order as sold, and whether it was a sandbox order.
async fn sold_order(tx: &mut crate::db::Tx, order_id: i64) -> Result<(SoldOrder, bool), AppError> {
    let order: OrderRow = crate::on_tx!(tx, conn => sqlx::query_as(
        "SELECT number, currency, locale, sandbox, first_name, last_name, street, city, postcode,
                country, buyer_company, buyer_company_code, buyer_vat_code, buyer_address,
                shipping_name, pickup_point, shipping_minor, shipping_vat_rate_bp
         FROM orders WHERE id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await)?;
    let rows: Vec<LineRow> = crate::on_tx!(tx, conn => sqlx::query_as(
        "SELECT name, sku, quantity, line_total_minor, discount_minor, vat_rate_bp
         FROM order_lines WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await)?;
    let currency = Currency::from_code(&order.currency).ok_or(AppError::Internal)?;
    let mut lines: Vec<SoldLine> = rows
        .into_iter()
        .map(|row| SoldLine {
            name: row.name,
            sku: row.sku,
            quantity: u32::try_from(row.quantity).unwrap_or(0),
            gross: Money::new(row.line_total_minor - row.discount_minor, currency),
            rate: vat::stored_rate(row.vat_rate_bp),
            discount: (row.discount_minor > 0).then(|| Money::new(row.discount_minor, currency)),
        })
        .collect();
    if order.shipping_minor > 0 {
        lines.push(SoldLine {
            name: match order.pickup_point.as_str() {
                "" => order.shipping_name.clone(),
                point => format!("{}: {point}", order.shipping_name),
            },
            sku: String::new(),
            quantity: 1,
            gross: Money::new(order.shipping_minor, currency),
            rate: vat::stored_rate(order.shipping_vat_rate_bp),
            discount: None,
        });
    }
    let sold = SoldOrder {
        number: order.number,
        currency,
        locale: order.locale.clone(),
        buyer: order.buyer(),
        lines,
    };
    Ok((sold, order.sandbox))
}
