//! The e-mail list, on its own page and on each order's page.

use super::{admin_emails, EmailsView, SendEmailAgain};
use crate::admin::pages::admin_page;
use crate::domain::mail::{MailState, MailSummary};
use crate::ui::{short_time, ErrorNotice};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn AdminEmailsPage() -> impl IntoView {
    let again = ServerAction::<SendEmailAgain>::new();
    let emails = Resource::new(move || again.version().get(), |_| admin_emails());
    view! {
        <Title text="E-mails" />
        {admin_page(emails, move |view: EmailsView| {
            view! {
                <h1>"E-mails"</h1>
                {move || again.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e /> })}
                {(!view.smtp).then(|| view! {
                    <p class="notice" role="note">"No SMTP server is set up (TURGUS_SMTP_URL), so e-mails are kept here, not sent. They go out once one is."</p>
                })}
                <EmailTable emails=view.emails again=Some(again) />
            }
            .into_any()
        })}
    }
}

fn state_text(state: &MailState) -> String {
    match state {
        MailState::Sent { at } => format!("Sent {}", short_time(at)),
        MailState::Failed { at } => format!("Failed {}", short_time(at)),
        MailState::Queued { attempts: 0, .. } => "Queued".into(),
        MailState::Queued {
            attempts,
            next_attempt_at,
        } => format!(
            "Tried {attempts}×, next try {}",
            short_time(next_attempt_at)
        ),
        MailState::Sending => "Sending".into(),
        MailState::NotSent => "Not sent (no SMTP server)".into(),
    }
}

/// E-mails in a table: what, to whom, where it stands, and (with `again`) a "send again" button.
#[component]
pub fn EmailTable(
    emails: Vec<MailSummary>,
    again: Option<ServerAction<SendEmailAgain>>,
) -> impl IntoView {
    if emails.is_empty() {
        return view! { <p class="muted">"No e-mails yet."</p> }.into_any();
    }
    view! {
        <table class="admin-table" data-testid="emails">
            <thead><tr>
                <th scope="col">"Written"</th><th scope="col">"E-mail"</th><th scope="col">"To"</th>
                <th scope="col">"Order"</th><th scope="col">"State"</th><th scope="col">"Last error"</th>
                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {emails.into_iter().map(|mail| {
                    let failed = matches!(mail.state, MailState::Failed { .. });
                    view! {
                        <tr class:row-warn=failed>
                            <td>{short_time(&mail.created_at)}</td>
                            <td><strong>{mail.kind.label()}</strong><br /><span class="muted">{mail.subject.clone()}</span></td>
                            <td>{mail.to.clone()}</td>
                            <td>{mail.order_number.map(|n| view! { <A href=format!("/admin/orders/{n}")>{n}</A> })}</td>
                            <td data-testid="email-state">{state_text(&mail.state)}</td>
                            <td>{mail.last_error.clone()}</td>
                            <td class="row-actions">
                                {mail.has_file.then(|| view! { <a href=format!("/admin/emails/{}.eml", mail.id)>".eml"</a> })}
                                {again.map(|again| view! {
                                    <ActionForm action=again>
                                        <input type="hidden" name="id" value=mail.id />
                                        <button type="submit" class="button-link">"Send again"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
