//! The e-mail list, on its own page and on each order's page.

use super::{admin_emails, EmailsView, SendEmailAgain};
use crate::admin::pages::admin_page;
use crate::domain::mail::{MailState, MailSummary};
use crate::tr;
use crate::ui::{short_time, ErrorNotice};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn AdminEmailsPage() -> impl IntoView {
    let again = ServerAction::<SendEmailAgain>::new();
    let emails = Resource::new(move || again.version().get(), |_| admin_emails());
    view! {
        <Title text=tr!(admin.emails.title) />
        {admin_page(emails, move |view: EmailsView| {
            view! {
                <h1>{tr!(admin.emails.title)}</h1>
                {move || again.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e /> })}
                {(!view.smtp).then(|| view! {
                    <p class="notice" role="note">{tr!(admin.emails.no_smtp)}</p>
                })}
                <EmailTable emails=view.emails again=Some(again) />
            }
            .into_any()
        })}
    }
}

fn state_text(state: &MailState) -> String {
    match state {
        MailState::Sent { at } => tr!(admin.emails.sent, at = short_time(at)),
        MailState::Failed { at } => tr!(admin.emails.failed, at = short_time(at)),
        MailState::Queued { attempts: 0, .. } => tr!(admin.emails.queued).into(),
        MailState::Queued {
            attempts,
            next_attempt_at,
        } => tr!(
            admin.emails.tried,
            attempts,
            at = short_time(next_attempt_at)
        ),
        MailState::Sending => tr!(admin.emails.sending).into(),
        MailState::NotSent => tr!(admin.emails.not_sent).into(),
    }
}

/// An e-mail's last error: the shop's own in the admin's words, a mail server's as it said it.
fn last_error(error: &str) -> String {
    if error == crate::domain::mail::NO_RECIPIENT {
        tr!(admin.emails.no_recipient).into()
    } else {
        error.into()
    }
}

/// E-mails in a table: what, to whom, where it stands, and (with `again`) a "send again" button.
#[component]
pub fn EmailTable(
    emails: Vec<MailSummary>,
    again: Option<ServerAction<SendEmailAgain>>,
) -> impl IntoView {
    if emails.is_empty() {
        return view! { <p class="muted">{tr!(admin.emails.none)}</p> }.into_any();
    }
    view! {
        <table class="admin-table" data-testid="emails">
            <thead><tr>
                <th scope="col">{tr!(admin.emails.written)}</th><th scope="col">{tr!(admin.emails.email)}</th>
                <th scope="col">{tr!(admin.emails.to)}</th><th scope="col">{tr!(admin.emails.order)}</th>
                <th scope="col">{tr!(admin.emails.state)}</th><th scope="col">{tr!(admin.emails.last_error)}</th>
                <th scope="col"><span class="visually-hidden">{tr!(admin.emails.actions)}</span></th>
            </tr></thead>
            <tbody>
                {emails.into_iter().map(|mail| {
                    let failed = matches!(mail.state, MailState::Failed { .. });
                    view! {
                        <tr class:row-warn=failed>
                            <td>{short_time(&mail.created_at)}</td>
                            <td><strong>{mail.kind.label(crate::locale::current())}</strong><br /><span class="muted">{mail.subject.clone()}</span></td>
                            <td>{mail.to.clone()}</td>
                            <td>{mail.order_number.map(|n| view! { <A href=format!("/admin/orders/{n}")>{n}</A> })}</td>
                            <td data-testid="email-state">{state_text(&mail.state)}</td>
                            <td>{mail.last_error.as_deref().map(last_error)}</td>
                            <td class="row-actions">
                                {mail.has_file.then(|| view! { <a href=format!("/admin/emails/{}.eml", mail.id)>".eml"</a> })}
                                {again.map(|again| view! {
                                    <ActionForm action=again>
                                        <input type="hidden" name="id" value=mail.id />
                                        <button type="submit" class="button-link">{tr!(admin.emails.send_again)}</button>
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
