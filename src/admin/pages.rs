//! The admin pages.

use super::dashboard::{SalesDay, CHART_DAYS};
use super::{get_admin_home, AdminLogin, AdminLogout, AdminSetup};
use crate::error::AppError;
use crate::ui::{short_time, ErrorNotice};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The admin's menu, on every admin page once logged in.
#[component]
pub fn AdminNav() -> impl IntoView {
    let logout = ServerAction::<AdminLogout>::new();
    view! {
        <nav class="admin-nav" aria-label="Admin">
            <A href="/admin" exact=true>"Overview"</A>
            <A href="/admin/orders">"Orders"</A>
            <A href="/admin/products">"Products"</A>
            <A href="/admin/categories">"Categories"</A>
            <A href="/admin/emails">"E-mails"</A>
            <A href="/admin/settings">"Settings"</A>
            <ActionForm action=logout attr:class="admin-logout">
                <button type="submit" class="button-link">"Log out"</button>
            </ActionForm>
        </nav>
    }
}

/// An admin page: the admin menu above the page rendered from its data (strangers are sent to
/// the login by [`crate::page::load_page`]).
pub fn admin_page<T>(
    resource: Resource<Result<T, AppError>>,
    render: impl Fn(T) -> AnyView + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    view! {
        <Meta name="robots" content="noindex" />
        <AdminNav />
        {crate::page::load_page(resource, render)}
    }
}

/// The frame every admin list shares: its heading and main action, the filter form, how many
/// matched, the table under its column headings, and links to the list's other pages (each
/// keeping the filter: `href` makes a page's address).
#[component]
pub fn Listing(
    title: &'static str,
    action: AnyView,
    filters: AnyView,
    count: String,
    headings: AnyView,
    rows: AnyView,
    listing_page: u32,
    pages: u32,
    href: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    view! {
        <header class="listing-header">
            <h1>{title}</h1>
            {action}
        </header>
        {filters}
        <p class="muted">{count}</p>
        <table class="admin-table">
            <thead><tr>{headings}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <crate::ui::Pagination listing_page pages href />
    }
}

/// A list filter's free-text field (`q`).
#[component]
pub fn SearchFilter(label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="field">
            <label for="filter-q">{label}</label>
            <input id="filter-q" type="search" name="q" value=value maxlength="200" />
        </div>
    }
}

#[component]
fn Credentials(new_password: bool) -> impl IntoView {
    let (autocomplete, minlength) = if new_password {
        ("new-password", Some("12"))
    } else {
        ("current-password", None)
    };
    view! {
        <div class="field">
            <label for="email">"E-mail"</label>
            <input id="email" name="email" type="email" autocomplete="username" required />
        </div>
        <div class="field">
            <label for="password">"Password"</label>
            <input id="password" name="password" type="password" autocomplete=autocomplete minlength=minlength required />
        </div>
    }
}

#[component]
pub fn AdminLoginPage() -> impl IntoView {
    let login = ServerAction::<AdminLogin>::new();
    let next = move || {
        use_query_map()
            .read()
            .get("next")
            .unwrap_or_else(|| "/admin".into())
    };
    view! {
        <Title text="Admin login" />
        <Meta name="robots" content="noindex" />
        <section class="admin-login">
            <h1>"Admin login"</h1>
            {move || login.value().get().and_then(|r| r.err()).map(|e| view! {
                <ErrorNotice error=e />
            })}
            <ActionForm action=login attr:class="checkout-form">
                <input type="hidden" name="next" value=next />
                <Credentials new_password=false />
                <button type="submit" class="button-primary">"Log in"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn AdminSetupPage() -> impl IntoView {
    let setup = ServerAction::<AdminSetup>::new();
    let token = move || use_query_map().read().get("token").unwrap_or_default();
    view! {
        <Title text="Set up your shop" />
        <Meta name="robots" content="noindex" />
        <section class="admin-login">
            <h1>"Create the owner's account"</h1>
            <p class="muted">"This link works once. The password needs at least 12 characters."</p>
            {move || setup.value().get().and_then(|r| r.err()).map(|e| view! {
                <ErrorNotice error=e />
            })}
            <ActionForm action=setup attr:class="checkout-form">
                <input type="hidden" name="token" value=token />
                <Credentials new_password=true />
                <button type="submit" class="button-primary">"Create account"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn AdminHomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| get_admin_home());
    view! {
        <Title text="Admin" />
        {admin_page(home, |home| {
            let sales = |days| home.sales_over(days).map(|m| m.to_string()).unwrap_or_default();
            let (today, week, month) = (sales(1), sales(7), sales(CHART_DAYS));
            view! {
                <h1>"Your shop"</h1>
                <section class="admin-cards" aria-label="Sales">
                    <div class="stat"><span class="muted">"Sales today"</span><strong data-testid="sales-today">{today}</strong></div>
                    <div class="stat"><span class="muted">"Last 7 days"</span><strong>{week}</strong></div>
                    <div class="stat"><span class="muted">"Last 30 days"</span><strong>{month}</strong></div>
                </section>
                <SalesChart days=home.sales_by_day />
                <section class="admin-cards">
                    <div class="cart-summary">
                        <h2>"Orders"</h2>
                        <dl>
                            {home.orders_by_stage.into_iter().map(|(stage, count)| view! {
                                <dt><A href=format!("/admin/orders?state={}", stage.key())>{stage.label()}</A></dt><dd>{count}</dd>
                            }).collect_view()}
                        </dl>
                    </div>
                    <div class="cart-summary">
                        <h2>"Needs review"</h2>
                        {home.needs_review.is_empty().then(|| view! { <p class="muted">"Nothing to look at."</p> })}
                        <ul data-testid="needs-review">
                            {home.needs_review.into_iter().map(|order| view! {
                                <li><A href=format!("/admin/orders/{}", order.number)>{order.number}</A>" · "{order.total.to_string()}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                    <div class="cart-summary">
                        <h2>"E-mails"</h2>
                        <dl data-testid="email-backlog">
                            <dt><A href="/admin/emails">"Failed"</A></dt><dd>{home.emails_failed}</dd>
                            <dt>{if home.smtp { "Waiting to be sent" } else { "Not sent (no SMTP server)" }}</dt><dd>{home.emails_waiting}</dd>
                        </dl>
                    </div>
                    <div class="cart-summary">
                        <h2>"Paysera"</h2>
                        <dl>
                            <dt>"Mode"</dt><dd data-testid="paysera-mode">{home.paysera_mode}</dd>
                            <dt>"Project"</dt><dd>{home.project_id}</dd>
                            <dt>"Public key"</dt><dd>{home.key_source}</dd>
                            <dt>"Last callback"</dt><dd>{home.last_authentic_callback.as_deref().map(short_time).unwrap_or_else(|| "none yet".into())}</dd>
                            <dt>"Last refused"</dt><dd>{home.last_rejected_callback.as_deref().map(short_time).unwrap_or_else(|| "none".into())}</dd>
                        </dl>
                    </div>
                </section>
            }.into_any()
        })}
    }
}

/// Sales per day as bars, drawn on the server: readable without JavaScript, and each bar says
/// its day and amount on hover (and to screen readers, with the table beneath).
#[component]
fn SalesChart(days: Vec<SalesDay>) -> impl IntoView {
    const WIDTH: i64 = 600;
    const HEIGHT: i64 = 160;
    let highest = days.iter().map(|d| d.sales.minor).max().unwrap_or(0).max(1);
    let slot = WIDTH / i64::try_from(days.len().max(1)).unwrap_or(1);
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let height = day.sales.minor.saturating_mul(HEIGHT) / highest;
            let x = i64::try_from(i).unwrap_or(0) * slot;
            let label = format!("{}: {} ({} orders)", day.date, day.sales, day.orders);
            view! {
                <rect x=x + 2 y=HEIGHT - height width=slot - 4 height=height.max(1) class="bar">
                    <title>{label}</title>
                </rect>
            }
        })
        .collect_view();
    let first = days.first().map(|d| d.date.clone()).unwrap_or_default();
    let last = days.last().map(|d| d.date.clone()).unwrap_or_default();
    let top = days
        .iter()
        .map(|d| d.sales)
        .max_by_key(|m| m.minor)
        .map(|m| m.to_string())
        .unwrap_or_default();
    view! {
        <figure class="sales-chart">
            <figcaption>"Sales per day, last 30 days (UTC). Highest: "{top}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {}", HEIGHT + 20) role="img" aria-label="Sales per day" xmlns="http://www.w3.org/2000/svg">
                {bars}
                <line x1="0" y1=HEIGHT x2=WIDTH y2=HEIGHT class="axis" />
                <text x="0" y=HEIGHT + 16 class="axis-label">{first}</text>
                <text x=WIDTH y=HEIGHT + 16 text-anchor="end" class="axis-label">{last}</text>
            </svg>
            <details>
                <summary>"As a table"</summary>
                <table class="admin-table">
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Orders"</th><th scope="col">"Sales"</th></tr></thead>
                    <tbody>
                        {days.into_iter().rev().map(|day| view! {
                            <tr><td>{day.date}</td><td>{day.orders}</td><td>{day.sales.to_string()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}
