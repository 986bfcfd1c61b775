//! The outbox table: writing e-mails inside order transactions, and the worker's claims on them.

use super::compose::{compose, LineFacts, MailEvent, OrderFacts};
use super::{MailContext, MailKind, MailState, MailSummary};
use crate::domain::orders::place::Customer;
use crate::domain::settings::Seller;
use crate::error::AppError;

/// What every e-mail about one order is written from, read in the caller's transaction.
struct Facts {
    order: OrderFacts,
    lines: Vec<LineFacts>,
    seller: Seller,
}

impl Facts {
    async fn load(tx: &mut crate::db::Tx, order_id: i64) -> Result<Facts, AppError> {
        let order = crate::on_tx!(tx, conn => sqlx::query_as(
            "SELECT number, public_token, email, first_name, last_name, street, city, postcode,
                    country, phone, pickup_point, shipping_name, currency, shipping_minor, total_minor, created_at, locale,
                    shipping_vat_rate_bp, discount_code, discount_minor, shipping_discount_minor,
                    EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = orders.id AND i.kind = 'invoice') AS invoiced
             FROM orders WHERE id = $1",
        )
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await)?;
        let lines = crate::on_tx!(tx, conn => sqlx::query_as(
            "SELECT name, quantity, line_total_minor, discount_minor, vat_rate_bp FROM order_lines
             WHERE order_id = $1 ORDER BY id",
        )
        .bind(order_id)
        .fetch_all(&mut *conn)
        .await)?;
        let seller = crate::domain::settings::store::load_seller(tx).await?;
        Ok(Facts {
            order,
            lines,
            seller,
        })
    }
}

/// Writes the e-mails for `events` about `order_id` into the outbox, inside the caller's
/// transaction: they are sent exactly when that transaction commits, and an event whose key is
/// taken (a duplicate callback) writes nothing. The order is read once, and only if there is
/// something to write.
pub async fn enqueue(
    tx: &mut crate::db::Tx,
    context: &MailContext<'_>,
    order_id: i64,
    events: impl IntoIterator<Item = MailEvent>,
) -> Result<(), AppError> {
    let mut facts = None;
    for event in events {
        let key = event.key(order_id);
        let written: bool = crate::on_tx!(tx, conn => sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM email_outbox WHERE event_key = $1)")
                .bind(&key)
                .fetch_one(&mut *conn)
                .await)?;
        if written {
            continue;
        }
        let facts = match &facts {
            Some(facts) => facts,
            None => facts.insert(Facts::load(tx, order_id).await?),
        };
        write(tx, context, order_id, &key, &event, facts).await?;
    }
    Ok(())
}

/// Writes one e-mail. Nobody to send it to: kept, and failed at once, saying why.
async fn write(
    tx: &mut crate::db::Tx,
    context: &MailContext<'_>,
    order_id: i64,
    key: &str,
    event: &MailEvent,
    facts: &Facts,
) -> Result<(), AppError> {
    let Facts {
        order,
        lines,
        seller,
    } = facts;
    let (to, to_name) = recipient(event, &order.customer, seller, context);
    let draft = compose(event, order, lines, seller, context);
    crate::on_tx!(tx, conn => sqlx::query(
        "INSERT INTO email_outbox (event_key, kind, order_id, to_addr, to_name, subject, body_text,
                                   body_html, message_id, from_name, from_addr, failed_at,
                                   last_error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                 CASE WHEN $4 = '' THEN $13 END, CASE WHEN $4 = '' THEN $12 END)
         ON CONFLICT (event_key) DO NOTHING",
    )
    .bind(key)
    .bind(event.kind().as_str())
    .bind(order_id)
    .bind(&to)
    .bind(&to_name)
    .bind(&draft.subject)
    .bind(&draft.text)
    .bind(&draft.html)
    .bind(message_id(context.public_url))
    .bind(&seller.shop_name)
    .bind(&seller.contact_email)
    .bind(super::NO_RECIPIENT)
    .bind(crate::clock::now())
    .execute(&mut *conn)
    .await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Who an e-mail goes to, (address, name): the shopper, or the merchant at the contact address
/// in Settings (else the configured sender's). An empty address: nobody to send it to.
fn recipient(
    event: &MailEvent,
    customer: &Customer,
    seller: &Seller,
    context: &MailContext<'_>,
) -> (String, String) {
    if event.to_shopper() {
        let name = format!("{} {}", customer.first_name, customer.last_name);
        (customer.email.to_string(), name)
    } else if !seller.contact_email.is_empty() {
        (seller.contact_email.clone(), String::new())
    } else {
        // The configured sender was checked as a mailbox at start-up (`config::mailbox`).
        let fallback = context
            .fallback_to
            .and_then(|from| from.parse::<lettre::message::Mailbox>().ok())
            .map(|from| from.email.to_string())
            .unwrap_or_default();
        (fallback, String::new())
    }
}

/// A fresh, globally unique `Message-ID`, on the shop's host name.
fn message_id(public_url: &str) -> String {
    let host = public_url
        .split_once("://")
        .map_or(public_url, |(_, host)| host)
        .split(':')
        .next()
        .unwrap_or("turgus.invalid");
    format!("<{}@{host}>", crate::tokens::random_hex(16))
}

/// An e-mail claimed for sending.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub to_addr: String,
    pub to_name: String,
    pub from_name: String,
    pub from_addr: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub message_id: String,
    pub attempts: i64,
}

const CLAIMED_COLUMNS: &str =
    "id, kind, to_addr, to_name, from_name, from_addr, subject, body_text, body_html, message_id,
     attempts";

/// Claims the next e-mail that is due, for `lease_seconds`: one statement, so two workers (on this
/// instance or another on the same database) never claim the same row. On PostgreSQL the row is
/// picked `FOR UPDATE SKIP LOCKED`: a worker skips a row another is claiming at that moment
/// instead of waiting for it and then finding it taken. A worker that dies while sending leaves a
/// lease that runs out, and the e-mail is tried again.
pub async fn claim(
    writer: &crate::db::Db,
    lease_seconds: u32,
    now: std::time::SystemTime,
) -> Result<Option<Claimed>, AppError> {
    let lease = std::time::Duration::from_secs(u64::from(lease_seconds));
    let skip_locked = writer.skip_locked();
    Ok(crate::on_db!(writer, conn => sqlx::query_as(&format!(
        "UPDATE email_outbox SET attempts = attempts + 1, locked_until = $1
         WHERE id = (SELECT id FROM email_outbox
                     WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2
                       AND (locked_until IS NULL OR locked_until < $2)
                     ORDER BY id LIMIT 1{skip_locked})
         RETURNING {CLAIMED_COLUMNS}"
    ))
    .bind(crate::clock::timestamp(now + lease))
    .bind(crate::clock::timestamp(now))
    .fetch_optional(conn)
    .await)?)
}

pub async fn mark_sent(writer: &crate::db::Db, id: i64) -> Result<(), AppError> {
    crate::on_db!(writer, conn => sqlx::query(
        "UPDATE email_outbox SET sent_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(crate::clock::now())
    .execute(conn)
    .await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// A temporary failure: tried again after `delay_seconds`.
pub async fn retry_later(
    writer: &crate::db::Db,
    id: i64,
    delay_seconds: u64,
    error: &str,
) -> Result<(), AppError> {
    crate::on_db!(writer, conn => sqlx::query(
        "UPDATE email_outbox SET locked_until = NULL, last_error = $2,
                next_attempt_at = $3
         WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(crate::clock::now_plus(i64::try_from(delay_seconds).unwrap_or(i64::MAX / 2)))
    .execute(conn)
    .await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Given up on: a permanent refusal, or the last allowed try.
pub async fn mark_failed(writer: &crate::db::Db, id: i64, error: &str) -> Result<(), AppError> {
    crate::on_db!(writer, conn => sqlx::query(
        "UPDATE email_outbox SET failed_at = $3, locked_until = NULL, last_error = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(crate::clock::now())
    .execute(conn)
    .await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Seconds until the next e-mail is due (none due: `None`), for the worker's sleep.
pub async fn seconds_to_next(pool: &crate::db::Db) -> Result<Option<f64>, AppError> {
    let next: Option<String> = crate::on_db!(pool, conn => sqlx::query_scalar(
        "SELECT MIN(CASE WHEN locked_until > next_attempt_at THEN locked_until
                         ELSE next_attempt_at END)
         FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .fetch_one(conn)
    .await)?;
    Ok(next.as_deref().and_then(crate::clock::seconds_until))
}

/// "Send again" in the admin: the e-mail goes out once more, soon, with a new `Message-ID` (mail
/// servers drop a message whose id they have seen). `false`: there is no such e-mail, or it has
/// nobody to go to.
pub async fn send_again(
    writer: &crate::db::Db,
    id: i64,
    public_url: &str,
) -> Result<bool, AppError> {
    let changed = crate::on_db!(writer, conn => sqlx::query(
        "UPDATE email_outbox SET sent_at = NULL, failed_at = NULL, attempts = 0, last_error = NULL,
                locked_until = NULL, message_id = $2, next_attempt_at = $3
         WHERE id = $1 AND to_addr <> ''",
    )
    .bind(id)
    .bind(message_id(public_url))
    .bind(crate::clock::now())
    .execute(conn)
    .await.map(|done| done.rows_affected()))?;
    Ok(changed > 0)
}

/// E-mails not yet written to a file (sandbox mode writes each one to the data folder).
pub async fn unwritten(pool: &crate::db::Db) -> Result<Vec<Claimed>, AppError> {
    Ok(crate::on_db!(pool, conn => sqlx::query_as(&format!(
        "SELECT {CLAIMED_COLUMNS} FROM email_outbox WHERE eml_file IS NULL ORDER BY id LIMIT 100"
    ))
    .fetch_all(conn)
    .await)?)
}

pub async fn mark_written(writer: &crate::db::Db, id: i64, file: &str) -> Result<(), AppError> {
    crate::on_db!(writer, conn => sqlx::query("UPDATE email_outbox SET eml_file = $2 WHERE id = $1")
        .bind(id)
        .bind(file)
        .execute(conn)
        .await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Where an e-mail's file is, relative to the data folder.
pub async fn file_of(pool: &crate::db::Db, id: i64) -> Result<Option<String>, AppError> {
    Ok(
        crate::on_db!(pool, conn => sqlx::query_scalar("SELECT eml_file FROM email_outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await)?
            .flatten(),
    )
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    kind: String,
    order_number: Option<i64>,
    to_addr: String,
    subject: String,
    created_at: String,
    attempts: i64,
    next_attempt_at: String,
    sent_at: Option<String>,
    failed_at: Option<String>,
    last_error: Option<String>,
    eml_file: Option<String>,
    sending: bool,
}

/// The latest e-mails (all, or one order's), newest first. `smtp`: whether there is a server to
/// send them through (without one, unsent e-mails are "not sent", not "queued").
pub async fn summaries(
    pool: &crate::db::Db,
    order_id: Option<i64>,
    smtp: bool,
) -> Result<Vec<MailSummary>, AppError> {
    let rows: Vec<SummaryRow> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT e.id, e.kind, o.number AS order_number, e.to_addr, e.subject, e.created_at,
                e.attempts, e.next_attempt_at, e.sent_at, e.failed_at, e.last_error, e.eml_file,
                coalesce(e.locked_until > $2, FALSE) AS sending
         FROM email_outbox e LEFT JOIN orders o ON o.id = e.order_id
         WHERE $1 IS NULL OR e.order_id = $1
         ORDER BY e.id DESC LIMIT 200",
    )
    .bind(order_id)
    .bind(crate::clock::now())
    .fetch_all(conn)
    .await)?;
    rows.into_iter()
        .map(|row| {
            let state = match (row.sent_at, row.failed_at) {
                (Some(at), _) => MailState::Sent { at },
                (_, Some(at)) => MailState::Failed { at },
                _ if !smtp => MailState::NotSent,
                _ if row.sending => MailState::Sending,
                _ => MailState::Queued {
                    attempts: row.attempts,
                    next_attempt_at: row.next_attempt_at,
                },
            };
            Ok(MailSummary {
                id: row.id,
                kind: MailKind::parse(&row.kind).ok_or(AppError::Internal)?,
                order_number: row.order_number,
                to: row.to_addr,
                subject: row.subject,
                created_at: row.created_at,
                state,
                last_error: row.last_error,
                has_file: row.eml_file.is_some(),
            })
        })
        .collect()
}

/// How many e-mails failed, and how many wait to be sent, for the admin's overview.
#[derive(Clone, Copy, Debug, Default, sqlx::FromRow)]
pub struct Backlog {
    pub failed: i64,
    pub waiting: i64,
}

pub async fn backlog(pool: &crate::db::Db) -> Result<Backlog, AppError> {
    Ok(crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT COUNT(failed_at) AS failed,
                COUNT(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 END) AS waiting
         FROM email_outbox",
    )
    .fetch_one(conn)
    .await)?)
}
