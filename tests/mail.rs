//! Order e-mails over a real SMTP conversation (tests/support/smtp.rs listens on localhost): a
//! payment sends one confirmation and one notice however many duplicate callbacks arrive, a
//! server that is down is tried again until it is back, a refusal is shown as failed, and two
//! workers on one database never send an e-mail twice.

mod support;

use base64::Engine;
use reqwest::StatusCode;
use std::time::Duration;
use support::paysera::{fields, live_shop_with, order, send, signed};
use support::smtp::{free_port, Behaviour, Received, SmtpSink};
use support::TestShop;

const MERCHANT: &str = "owner@example.lt";
const SHOPPER: &str = "pirkejas@example.com";

/// A live shop sending through `smtp` (none: no SMTP server), retrying after a second.
async fn mail_shop(smtp: Option<String>) -> TestShop {
    mail_shop_with(smtp, |_| {}).await
}

async fn mail_shop_with(
    smtp: Option<String>,
    adjust: impl FnOnce(&mut turgus::config::MailConfig),
) -> TestShop {
    let shop = live_shop_with(|config| {
        config.mail.smtp_url = smtp.map(turgus::config::Secret::new);
        config.mail.from = Some("orders@example.lt".into());
        config.mail.retry_seconds = 1;
        adjust(&mut config.mail);
    })
    .await;
    turgus::on_db!(&shop.db, conn => sqlx::query(
        "UPDATE shop_settings SET shop_name = 'Šaukštai ir puodeliai', contact_email = $1,
                legal_name = 'UAB Šaukštai', vat_code = 'LT100009'",
    )
    .bind(MERCHANT)
    .execute(conn)
    .await.map(|done| done.rows_affected()))
    .unwrap();
    shop
}

/// An order of one `slug`, paid by an authentic callback that was answered `OK`.
async fn paid(shop: &TestShop, slug: &str) -> turgus::domain::orders::place::PlacedOrder {
    let order = order(shop, slug, "1").await;
    let (status, body) = send(shop, &signed(&fields(&order, &[]))).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "OK"));
    order
}

/// Decodes RFC 2047 words (`=?utf-8?b?…?=`) in a header value.
fn decode_header(value: &str) -> String {
    value
        .split_whitespace()
        .map(|word| {
            let inner = word
                .strip_prefix("=?utf-8?b?")
                .or_else(|| word.strip_prefix("=?UTF-8?B?"))
                .and_then(|w| w.strip_suffix("?="));
            match inner {
                Some(b64) => String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .unwrap(),
                )
                .unwrap(),
                None => format!(" {word} "),
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn addressed_to<'a>(mails: &'a [Received], to: &str) -> Vec<&'a Received> {
    mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t.contains(to)))
        .collect()
}

async fn outbox(
    shop: &TestShop,
) -> Vec<(String, i64, Option<String>, Option<String>, Option<String>)> {
    turgus::on_db!(&shop.db, conn => sqlx::query_as(
        "SELECT kind, attempts, sent_at, failed_at, last_error FROM email_outbox ORDER BY id",
    )
    .fetch_all(conn)
    .await)
    .unwrap()
}

/// Waits until `done` holds for the outbox (at most `seconds`).
async fn outbox_until(
    shop: &TestShop,
    seconds: u64,
    done: impl Fn(&[(String, i64, Option<String>, Option<String>, Option<String>)]) -> bool,
) {
    for _ in 0..seconds * 10 {
        if done(&outbox(shop).await) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("outbox never got there: {:?}", outbox(shop).await);
}

#[tokio::test]
async fn a_payment_sends_one_confirmation_and_one_notice_despite_50_duplicate_callbacks() {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let shop = mail_shop_with(Some(sink.url()), |mail| {
        mail.reply_to = Some("Pagalba <pagalba@example.lt>".into());
    })
    .await;
    let order = order(&shop, "chef-knife", "2").await;
    assert_eq!(order.total.minor, 2 * 8900 + 390);
    let callback = signed(&fields(&order, &[]));
    let answers = futures::future::join_all((0..50).map(|_| send(&shop, &callback))).await;
    assert!(answers
        .iter()
        .all(|(status, body)| *status == StatusCode::OK && body == "OK"));

    let mails = sink.wait_for(2, 20).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.messages().len(), 2, "exactly two e-mails");

    let confirmation = addressed_to(&mails, SHOPPER);
    assert_eq!(confirmation.len(), 1);
    let confirmation = confirmation[0];
    let subject = decode_header(&confirmation.header("Subject").unwrap());
    assert_eq!(
        subject,
        format!("Šaukštai ir puodeliai: order nr. {} is paid", order.number)
    );
    let from = confirmation.header("From").unwrap();
    assert!(from.contains("<orders@example.lt>"), "{from}");
    assert!(
        decode_header(&from).contains("Šaukštai ir puodeliai"),
        "{from}"
    );
    assert!(confirmation
        .header("Message-ID")
        .is_some_and(|id| id.starts_with('<')));
    let content_type = confirmation.header("Content-Type").unwrap();
    assert!(
        content_type.starts_with("multipart/alternative"),
        "{content_type}"
    );
    let body = confirmation.decoded();
    for expected in [
        "2 × Chef's Knife 20 cm",
        "178,00",
        "Courier to your door",
        "3,90",
        "181,90",
        "Gedimino pr. 1",
        "UAB Šaukštai",
        "LT100009",
        "/en/checkout/accept?order=",
        "text/plain",
        "text/html",
    ] {
        assert!(body.contains(expected), "{expected} in\n{body}");
    }
    assert!(!body.contains("<img"), "no images");

    let notice = addressed_to(&mails, MERCHANT);
    assert_eq!(notice.len(), 1);
    let notice_subject = decode_header(&notice[0].header("Subject").unwrap());
    assert!(
        notice_subject.starts_with(&format!("New paid order nr. {}: 181,90", order.number)),
        "{notice_subject}"
    );
    assert!(notice[0]
        .decoded()
        .contains(&format!("/admin/orders/{}", order.number)));

    let rows = outbox(&shop).await;
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .all(|(_, attempts, sent, ..)| *attempts == 1 && sent.is_some()));
}

#[tokio::test]
async fn a_payment_to_review_e_mails_the_merchant_once_per_payment() {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let shop = mail_shop(Some(sink.url())).await;
    let order = order(&shop, "enamel-mug", "1").await;
    let wrong_amount = signed(&fields(&order, &[("amount", "1")]));
    let answers = futures::future::join_all((0..20).map(|_| send(&shop, &wrong_amount))).await;
    assert!(answers.iter().all(|(status, _)| *status == StatusCode::OK));
    let mails = sink.wait_for(1, 20).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(sink.messages().len(), 1, "one notice, not twenty");
    assert!(mails[0].to[0].contains(MERCHANT));
    let subject = decode_header(&mails[0].header("Subject").unwrap());
    assert_eq!(
        subject,
        format!("Payment for order nr. {} needs your review", order.number)
    );
    assert!(mails[0]
        .decoded()
        .contains("the amount paid is not the order's total"));
    assert!(
        addressed_to(&mails, SHOPPER).is_empty(),
        "the shopper is not told of an unpaid order"
    );
}

#[tokio::test]
async fn a_server_that_is_down_is_tried_again_until_it_comes_back() {
    let port = free_port();
    let shop = mail_shop(Some(format!("smtp://127.0.0.1:{port}"))).await;
    paid(&shop, "enamel-mug").await;
    outbox_until(&shop, 15, |rows| {
        rows.len() == 2
            && rows.iter().all(|(_, attempts, sent, _, error)| {
                *attempts >= 1 && sent.is_none() && error.is_some()
            })
    })
    .await;

    let sink = SmtpSink::start_on(port, Behaviour::Accept).await;
    let mails = sink.wait_for(2, 30).await;
    assert_eq!(mails.len(), 2);
    outbox_until(&shop, 5, |rows| {
        rows.iter().all(|(_, attempts, sent, failed, error)| {
            *attempts >= 2 && sent.is_some() && failed.is_none() && error.is_none()
        })
    })
    .await;
}

#[tokio::test]
async fn a_server_that_stays_down_fails_the_e_mail_after_the_last_allowed_try() {
    let port = free_port();
    let shop = mail_shop_with(Some(format!("smtp://127.0.0.1:{port}")), |mail| {
        mail.max_attempts = 2;
    })
    .await;
    paid(&shop, "enamel-mug").await;
    outbox_until(&shop, 15, |rows| {
        rows.len() == 2
            && rows.iter().all(|(_, attempts, sent, failed, error)| {
                *attempts == 2 && sent.is_none() && failed.is_some() && error.is_some()
            })
    })
    .await;
}

#[tokio::test]
async fn an_e_mail_whose_sender_died_is_claimed_again_once_its_lease_runs_out() {
    let shop = mail_shop(None).await;
    paid(&shop, "enamel-mug").await;
    let writer = turgus::db::connect(&support::database_url(shop.dir.path()))
        .await
        .unwrap();
    let claim_at = |at| turgus::domain::mail::outbox::claim(&writer, 300, at);
    let claim = || claim_at(std::time::SystemTime::now());
    // A worker claims the first e-mail, and dies while sending it.
    let first = claim().await.unwrap().unwrap();
    // While its lease holds, other workers get the other e-mail, then nothing.
    let second = claim().await.unwrap().unwrap();
    assert_ne!(first.id, second.id);
    assert!(claim().await.unwrap().is_none());
    // Once the lease has run out, the e-mail is claimed again.
    let after_the_lease = std::time::SystemTime::now() + std::time::Duration::from_secs(301);
    let again = claim_at(after_the_lease).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (first.id, 2));
    assert_eq!(
        again.message_id, first.message_id,
        "the same message, recognisably"
    );
}

#[tokio::test]
async fn a_permanent_refusal_is_shown_as_failed_and_can_be_sent_again() {
    let sink = SmtpSink::start(Behaviour::RefuseRecipients).await;
    let shop = mail_shop(Some(sink.url())).await;
    paid(&shop, "brass-pen").await;
    outbox_until(&shop, 15, |rows| {
        rows.len() == 2
            && rows
                .iter()
                .all(|(_, attempts, _, failed, _)| *attempts == 1 && failed.is_some())
    })
    .await;
    assert!(sink.messages().is_empty());

    shop.log_in_admin().await;
    let view: serde_json::Value = shop.call("admin/emails", &[]).await.json().await.unwrap();
    let emails = view["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 2);
    for email in emails {
        assert!(email["state"]["Failed"].is_object(), "{email}");
        assert!(
            email["last_error"].as_str().unwrap().contains("550"),
            "{email}"
        );
    }
    let home: serde_json::Value = shop.call("admin/home", &[]).await.json().await.unwrap();
    assert_eq!(
        (
            home["emails_failed"].as_i64(),
            home["emails_waiting"].as_i64()
        ),
        (Some(2), Some(0))
    );
    let (status, page) = shop.page("/admin/emails").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Failed") && page.contains("No such mailbox"),
        "{page}"
    );

    // Sending again tries once more (and fails once more: the mailbox still does not exist).
    let id = emails[0]["id"].to_string();
    assert_eq!(
        shop.call("admin/email/again", &[("id", &id)])
            .await
            .status(),
        StatusCode::OK
    );
    outbox_until(&shop, 15, |rows| {
        rows.iter()
            .any(|(_, attempts, _, failed, _)| *attempts == 1 && failed.is_some())
            && rows.iter().all(|(_, _, _, failed, _)| failed.is_some())
    })
    .await;
}

#[tokio::test]
async fn shipping_and_a_merchant_cancellation_send_their_own_e_mails() {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let shop = mail_shop(Some(sink.url())).await;
    shop.log_in_admin().await;
    let paid = order(&shop, "enamel-mug", "1").await;
    assert_eq!(
        send(&shop, &signed(&fields(&paid, &[]))).await.0,
        StatusCode::OK
    );
    let number = paid.number.to_string();
    let ship = [
        ("number", number.as_str()),
        ("action", "ship"),
        ("note", "Tracking LT123456789"),
        ("confirm", "yes"),
    ];
    assert_eq!(
        shop.call("admin/order/action", &ship).await.status(),
        StatusCode::OK
    );
    let unpaid = order(&shop, "brass-pen", "1").await;
    let unpaid_number = unpaid.number.to_string();
    let cancel = [
        ("number", unpaid_number.as_str()),
        ("action", "cancel"),
        ("confirm", "yes"),
    ];
    assert_eq!(
        shop.call("admin/order/action", &cancel).await.status(),
        StatusCode::OK
    );

    let mails = sink.wait_for(4, 20).await;
    assert_eq!(mails.len(), 4);
    let shipped: Vec<_> = mails
        .iter()
        .filter(|m| decode_header(&m.header("Subject").unwrap()).ends_with("is on its way"))
        .collect();
    assert_eq!(shipped.len(), 1);
    assert!(shipped[0].to[0].contains(SHOPPER));
    assert!(shipped[0].decoded().contains("Tracking LT123456789"));
    let cancelled: Vec<_> = mails
        .iter()
        .filter(|m| {
            decode_header(&m.header("Subject").unwrap())
                == format!("Order nr. {unpaid_number} was cancelled")
        })
        .collect();
    assert_eq!(cancelled.len(), 1);
    assert!(cancelled[0].to[0].contains(MERCHANT));
    assert!(cancelled[0]
        .decoded()
        .contains(&format!("cancelled by {}", support::OWNER)));
}

#[tokio::test]
async fn without_smtp_e_mails_are_kept_and_two_workers_later_send_each_once() {
    let shop = mail_shop(None).await;
    for slug in [
        "enamel-mug",
        "brass-pen",
        "chef-knife",
        "linen-apron",
        "enamel-mug",
    ] {
        let order = order(&shop, slug, "1").await;
        assert_eq!(
            send(&shop, &signed(&fields(&order, &[]))).await.0,
            StatusCode::OK
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rows = outbox(&shop).await;
    assert_eq!(rows.len(), 10);
    assert!(rows
        .iter()
        .all(|(_, attempts, sent, failed, _)| *attempts == 0
            && sent.is_none()
            && failed.is_none()));
    shop.log_in_admin().await;
    let (_, page) = shop.page("/admin/emails").await;
    assert!(page.contains("Not sent (no SMTP server)"), "{page}");

    // Two workers (as two instances would run) on the same database, sending at once.
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let mut config = support::config_for(shop.dir.path());
    config.mail.smtp_url = Some(turgus::config::Secret::new(sink.url()));
    config.mail.from = Some("orders@example.lt".into());
    let url = support::database_url(shop.dir.path());
    let (one, two) = (
        turgus::domain::mail::delivery::Mailer::new(&config, false).unwrap(),
        turgus::domain::mail::delivery::Mailer::new(&config, false).unwrap(),
    );
    let (db_one, db_two) = (
        turgus::db::connect(&url).await.unwrap(),
        turgus::db::connect(&url).await.unwrap(),
    );
    let (sent_one, sent_two) = tokio::join!(one.deliver_due(&db_one), two.deliver_due(&db_two));
    assert_eq!(sent_one.unwrap() + sent_two.unwrap(), 10);
    let mails = sink.messages();
    assert_eq!(mails.len(), 10);
    let mut ids: Vec<String> = mails
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10, "each e-mail once");
}
