//! Admin → E-mails: every e-mail the shop wrote, where it stands (sent, queued for another try,
//! failed, or not sent for want of an SMTP server), its last error, and "send again".

mod pages;

pub use pages::{AdminEmailsPage, EmailTable};

use crate::domain::mail::MailSummary;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailsView {
    /// An SMTP server is configured (`TURGUS_SMTP_URL`).
    pub smtp: bool,
    pub emails: Vec<MailSummary>,
}

#[server(endpoint = "admin/emails")]
pub async fn admin_emails() -> Result<EmailsView, AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    let smtp = state.mailer.has_smtp();
    Ok(EmailsView {
        smtp,
        emails: crate::domain::mail::outbox::summaries(&state.pool, None, smtp).await?,
    })
}

#[server(endpoint = "admin/email/again")]
pub async fn send_email_again(id: i64) -> Result<(), AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    let outbox =
        crate::domain::mail::outbox::send_again(&state.writer, id, &state.config.public_url);
    if !outbox.await? {
        return Err(AppError::NotFound(
            crate::tr!(admin.emails.no_such_email).into(),
        ));
    }
    state.mailer.wakeup.notify_one();
    if crate::state::is_plain_form_post() {
        leptos_axum::redirect("/admin/emails");
    }
    Ok(())
}

/// `GET /admin/emails/{id}.eml`: an e-mail as the sandbox wrote it to the data folder.
#[cfg(feature = "ssr")]
pub async fn eml_file(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    session: tower_sessions::Session,
    axum::extract::Path(name): axum::extract::Path<String>,
    axum::Extension(locale): axum::Extension<crate::locale::middleware::RequestLocale>,
) -> Result<axum::response::Response, AppError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    crate::admin::auth::require_admin(&state.pool, &session).await?;
    let not_found =
        || AppError::NotFound(leptos_i18n::td_string!(locale.locale, admin.emails.no_file).into());
    let id = name
        .strip_suffix(".eml")
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or_else(not_found)?;
    let file = crate::domain::mail::outbox::file_of(&state.pool, id)
        .await?
        .ok_or_else(not_found)?;
    let bytes = tokio::fs::read(state.mailer.file_path(&file))
        .await
        .map_err(|_| not_found())?;
    Ok((
        [
            (header::CONTENT_TYPE, "message/rfc822".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"email-{id}.eml\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
