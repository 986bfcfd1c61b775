//! Sending the outbox: the worker, the SMTP transport, and the sandbox's `.eml` files.
//!
//! The worker claims one due e-mail at a time (a lease, see [`outbox::claim`]), sends it with no
//! transaction open, and records the outcome: sent; a temporary failure (a 4xx answer, a server
//! that does not answer) tried again after a delay that doubles each time; a permanent one (5xx,
//! an address that is not one) or the last allowed try marked failed, for the merchant to see.
//! A crash between the server's acceptance and `sent_at` sends the e-mail again on the next try:
//! at least once, with the same `Message-ID`.

use super::outbox::{self, Claimed};
use crate::config::Config;
use crate::error::AppError;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// How long a claimed e-mail is the worker's: a send that takes longer is assumed to have died.
const LEASE_SECONDS: u32 = 300;
/// The longest wait between retries.
const MAX_DELAY_SECONDS: u64 = 6 * 3600;
/// The worker looks at the outbox at least this often (another instance may have written to it).
const IDLE_POLL: Duration = Duration::from_secs(30);

pub struct Mailer {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Option<Mailbox>,
    reply_to: Option<Mailbox>,
    /// Sandbox mode: every e-mail is also written here (`<data>/mail`).
    files: Option<PathBuf>,
    data_dir: PathBuf,
    max_attempts: u32,
    retry_seconds: u32,
    /// Rung after a transaction that wrote to the outbox commits: the worker sends at once.
    pub wakeup: Notify,
}

impl Mailer {
    pub fn new(config: &Config, sandbox: bool) -> Result<Mailer, String> {
        let mail = &config.mail;
        let smtp_url = mail
            .smtp_url
            .as_ref()
            .filter(|_| !sandbox || mail.sandbox_delivery);
        if smtp_url.is_none() && mail.smtp_url.is_some() {
            tracing::warn!(
                "sandbox mode: e-mails are written to the data folder's mail/, not sent over \
                 TURGUS_SMTP_URL (TURGUS_SANDBOX_SEND_EMAIL=1 sends them)"
            );
        }
        let smtp = match smtp_url {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| format!("TURGUS_SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(30)))
                    .build(),
            ),
            None => None,
        };
        let mailbox = |text: &Option<String>| text.as_deref().and_then(|t| t.parse().ok());
        Ok(Mailer {
            smtp,
            from: mailbox(&mail.from),
            reply_to: mailbox(&mail.reply_to),
            files: sandbox.then(|| config.data_dir.join("mail")),
            data_dir: config.data_dir.clone(),
            max_attempts: mail.max_attempts,
            retry_seconds: mail.retry_seconds,
            wakeup: Notify::new(),
        })
    }

    pub fn has_smtp(&self) -> bool {
        self.smtp.is_some()
    }

    /// Where an e-mail's file would be, by its path relative to the data folder.
    pub fn file_path(&self, relative: &str) -> PathBuf {
        self.data_dir.join(relative)
    }

    /// The message as it goes out. The sender is `TURGUS_MAIL_FROM` (named after the shop when it
    /// gives no name); without one (no SMTP: the sandbox's files), the shop's contact address.
    fn message(&self, row: &Claimed) -> Result<Message, String> {
        let shop = Some(row.from_name.clone()).filter(|n| !n.is_empty());
        let from = match &self.from {
            Some(from) if from.name.is_none() => Mailbox::new(shop, from.email.clone()),
            Some(from) => from.clone(),
            None => Mailbox::new(
                shop,
                row.from_addr
                    .parse()
                    .unwrap_or_else(|_| "shop@localhost".parse().expect("a valid address")),
            ),
        };
        let address = row
            .to_addr
            .parse()
            .map_err(|e| format!("`{}` is not an e-mail address ({e})", row.to_addr))?;
        let to = Mailbox::new(Some(row.to_name.clone()).filter(|n| !n.is_empty()), address);
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(row.message_id.clone()))
            .date_now();
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                row.body_text.clone(),
                row.body_html.clone(),
            ))
            .map_err(|e| format!("cannot build the message: {e}"))
    }

    /// The wait before try number `attempts + 1`: the base, doubled for each try made.
    fn delay_after(&self, attempts: i64) -> u64 {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        (u64::from(self.retry_seconds) << doublings).min(MAX_DELAY_SECONDS)
    }

    /// Sends every e-mail that is due, one claim at a time. Returns how many were sent.
    pub async fn deliver_due(&self, writer: &crate::db::Db) -> Result<usize, AppError> {
        let Some(smtp) = &self.smtp else {
            return Ok(0);
        };
        let mut sent = 0;
        while let Some(row) =
            outbox::claim(writer, LEASE_SECONDS, std::time::SystemTime::now()).await?
        {
            let outcome = match self.message(&row) {
                Ok(message) => smtp.send(message).await.map(|_| ()).map_err(|e| {
                    let permanent = e.is_permanent();
                    (e.to_string(), permanent)
                }),
                Err(problem) => Err((problem, true)),
            };
            match outcome {
                Ok(()) => {
                    outbox::mark_sent(writer, row.id).await?;
                    tracing::info!(id = row.id, kind = row.kind, "e-mail sent");
                    sent += 1;
                }
                Err((error, permanent)) => {
                    let last_try = row.attempts >= i64::from(self.max_attempts);
                    tracing::warn!(id = row.id, kind = row.kind, attempts = row.attempts, permanent, %error, "e-mail not sent");
                    if permanent || last_try {
                        outbox::mark_failed(writer, row.id, &error).await?;
                    } else {
                        let delay = self.delay_after(row.attempts);
                        outbox::retry_later(writer, row.id, delay, &error).await?;
                    }
                }
            }
        }
        Ok(sent)
    }

    /// Sandbox mode: writes each e-mail not yet written as `<data>/mail/<id>-<kind>.eml`.
    pub async fn write_files(
        &self,
        pool: &crate::db::Db,
        writer: &crate::db::Db,
    ) -> Result<(), AppError> {
        let Some(folder) = &self.files else {
            return Ok(());
        };
        let rows = outbox::unwritten(pool).await?;
        if rows.is_empty() {
            return Ok(());
        }
        crate::files::create_private_dir(folder).map_err(|error| {
            tracing::error!(%error, folder = %folder.display(), "cannot create the e-mail folder");
            AppError::Internal
        })?;
        for row in rows {
            let name = format!("{}-{}.eml", row.id, row.kind);
            let bytes = match self.message(&row) {
                Ok(message) => message.formatted(),
                Err(problem) => format!("(not an e-mail: {problem})\n").into_bytes(),
            };
            crate::files::write_private(&folder.join(&name), &bytes)
                .await
                .map_err(|error| {
                    tracing::error!(%error, "cannot write an e-mail file");
                    AppError::Internal
                })?;
            outbox::mark_written(writer, row.id, &format!("mail/{name}")).await?;
        }
        Ok(())
    }

    /// How long the worker may sleep before something is due.
    async fn idle_time(&self, pool: &crate::db::Db) -> Duration {
        if self.smtp.is_none() {
            return IDLE_POLL;
        }
        match outbox::seconds_to_next(pool).await {
            Ok(Some(seconds)) if seconds.is_finite() => {
                Duration::from_secs_f64(seconds.clamp(0.05, IDLE_POLL.as_secs_f64()))
            }
            _ => IDLE_POLL,
        }
    }
}

/// Starts the worker; it ends when `stop` turns true, after the e-mail it is sending.
pub fn spawn(
    mailer: Arc<Mailer>,
    pool: crate::db::Db,
    writer: crate::db::Db,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if mailer.write_files(&pool, &writer).await.is_err() {
                tracing::warn!("could not write e-mail files; will retry");
            }
            if mailer.deliver_due(&writer).await.is_err() {
                tracing::warn!("could not work through the e-mail outbox; will retry");
            }
            let idle = mailer.idle_time(&pool).await;
            tokio::select! {
                _ = mailer.wakeup.notified() => {}
                _ = tokio::time::sleep(idle) => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
        }
    })
}
