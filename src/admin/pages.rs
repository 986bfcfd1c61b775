//! The admin pages.

use super::dashboard::{OssCount, SalesDay, CHART_DAYS};
use super::{
    get_admin_home, get_admin_profile, AdminLogin, AdminLogout, AdminSetup, SetAdminLanguage,
};
use crate::error::AppError;
use crate::tr;
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
        <nav class="admin-nav" aria-label=tr!(admin.nav.label)>
            <A href="/admin" exact=true>{tr!(admin.nav.overview)}</A>
            <A href="/admin/orders">{tr!(admin.nav.orders)}</A>
            <A href="/admin/products">{tr!(admin.nav.products)}</A>
            <A href="/admin/categories">{tr!(admin.nav.categories)}</A>
            <A href="/admin/invoices">{tr!(admin.nav.invoices)}</A>
            <A href="/admin/discounts">{tr!(admin.nav.discounts)}</A>
            <A href="/admin/shipping">{tr!(admin.nav.shipping)}</A>
            <A href="/admin/emails">{tr!(admin.nav.emails)}</A>
            <A href="/admin/settings">{tr!(admin.nav.settings)}</A>
            <A href="/admin/profile">{tr!(admin.nav.profile)}</A>
            <ActionForm action=logout attr:class="admin-logout">
                <button type="submit" class="button-link">{tr!(admin.nav.log_out)}</button>
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
            <label for="email">{tr!(admin.login.email)}</label>
            <input id="email" name="email" type="email" autocomplete="username" required />
        </div>
        <div class="field">
            <label for="password">{tr!(admin.login.password)}</label>
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
        <Title text=tr!(admin.login.title) />
        <Meta name="robots" content="noindex" />
        <section class="admin-login">
            <h1>{tr!(admin.login.title)}</h1>
            {move || login.value().get().and_then(|r| r.err()).map(|e| view! {
                <ErrorNotice error=e />
            })}
            <ActionForm action=login attr:class="checkout-form">
                <input type="hidden" name="next" value=next />
                <Credentials new_password=false />
                <button type="submit" class="button-primary">{tr!(admin.login.log_in)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn AdminSetupPage() -> impl IntoView {
    let setup = ServerAction::<AdminSetup>::new();
    let token = move || use_query_map().read().get("token").unwrap_or_default();
    view! {
        <Title text=tr!(admin.setup.title) />
        <Meta name="robots" content="noindex" />
        <section class="admin-login">
            <h1>{tr!(admin.setup.heading)}</h1>
            <p class="muted">{tr!(admin.setup.intro)}</p>
            {move || setup.value().get().and_then(|r| r.err()).map(|e| view! {
                <ErrorNotice error=e />
            })}
            <ActionForm action=setup attr:class="checkout-form">
                <input type="hidden" name="token" value=token />
                <Credentials new_password=true />
                <LanguageField chosen=crate::locale::current() />
                <button type="submit" class="button-primary">{tr!(admin.setup.create)}</button>
            </ActionForm>
        </section>
    }
}

/// The choice of the admin's language, each named in its own.
#[component]
fn LanguageField(chosen: crate::locale::Locale) -> impl IntoView {
    view! {
        <div class="field">
            <label for="language">{tr!(admin.profile.language)}</label>
            <select id="language" name="language">
                {crate::locale::all().iter().map(|&locale| view! {
                    <option value=crate::locale::code(locale) selected=locale == chosen lang=crate::locale::code(locale)>
                        {crate::locale::name(locale)}
                    </option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// The logged-in admin's own page: who they are, and the language of their admin.
#[component]
pub fn AdminProfilePage() -> impl IntoView {
    let choose = ServerAction::<SetAdminLanguage>::new();
    let profile = Resource::new(move || choose.version().get(), |_| get_admin_profile());
    view! {
        <Title text=tr!(admin.profile.title) />
        {admin_page(profile, move |profile| view! {
            <h1>{tr!(admin.profile.title)}</h1>
            <p class="muted">{tr!(admin.profile.signed_in_as, email = profile.email)}</p>
            {move || choose.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNotice error=e /> })}
            <ActionForm action=choose attr:class="checkout-form">
                <LanguageField chosen=crate::locale::parse(&profile.language).unwrap_or_default() />
                <p class="muted">{tr!(admin.profile.language_help)}</p>
                <button type="submit" class="button-primary">{tr!(admin.profile.save)}</button>
            </ActionForm>
        }.into_any())}
    }
}

#[component]
pub fn AdminHomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| get_admin_home());
    view! {
        <Title text=tr!(admin.home.title) />
        {admin_page(home, |home| {
            let sales = |days| home.sales_over(days).map(|m| m.to_string()).unwrap_or_default();
            let (today, week, month) = (sales(1), sales(7), sales(CHART_DAYS));
            view! {
                <h1>{tr!(admin.home.heading)}</h1>
                <section class="admin-cards" aria-label=tr!(admin.home.sales)>
                    <div class="stat"><span class="muted">{tr!(admin.home.sales_today)}</span><strong data-testid="sales-today">{today}</strong></div>
                    <div class="stat"><span class="muted">{tr!(admin.home.last_7)}</span><strong>{week}</strong></div>
                    <div class="stat"><span class="muted">{tr!(admin.home.last_30)}</span><strong>{month}</strong></div>
                </section>
                <SalesChart days=home.sales_by_day />
                <section class="admin-cards">
                    <div class="cart-summary">
                        <h2>{tr!(admin.home.orders)}</h2>
                        <dl>
                            {home.orders_by_stage.into_iter().map(|(stage, count)| view! {
                                <dt><A href=format!("/admin/orders?state={}", stage.key())>{stage.label(crate::locale::current())}</A></dt><dd>{count}</dd>
                            }).collect_view()}
                        </dl>
                    </div>
                    <div class="cart-summary">
                        <h2>{tr!(admin.home.needs_review)}</h2>
                        {home.needs_review.is_empty().then(|| view! { <p class="muted">{tr!(admin.home.nothing)}</p> })}
                        <ul data-testid="needs-review">
                            {home.needs_review.into_iter().map(|order| view! {
                                <li><A href=format!("/admin/orders/{}", order.number)>{order.number}</A>" · "{order.total.to_string()}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                    <div class="cart-summary">
                        <h2>{tr!(admin.home.emails)}</h2>
                        <dl data-testid="email-backlog">
                            <dt><A href="/admin/emails">{tr!(admin.home.failed)}</A></dt><dd>{home.emails_failed}</dd>
                            <dt>{if home.smtp { tr!(admin.home.waiting) } else { tr!(admin.home.not_sent) }}</dt><dd>{home.emails_waiting}</dd>
                        </dl>
                    </div>
                    <OssCard oss=home.oss />
                    <div class="cart-summary">
                        <h2>"Paysera"</h2>
                        <dl>
                            <dt>{tr!(admin.home.mode)}</dt><dd data-testid="paysera-mode">{home.paysera_mode}</dd>
                            <dt>{tr!(admin.home.project)}</dt><dd>{home.project_id}</dd>
                            <dt>{tr!(admin.home.public_key)}</dt><dd>{home.key_source}</dd>
                            <dt>{tr!(admin.home.last_callback)}</dt><dd>{home.last_authentic_callback.as_deref().map(short_time).unwrap_or_else(|| tr!(admin.home.none_yet).into())}</dd>
                            <dt>{tr!(admin.home.last_refused)}</dt><dd>{home.last_rejected_callback.as_deref().map(short_time).unwrap_or_else(|| tr!(admin.home.none).into())}</dd>
                        </dl>
                    </div>
                </section>
            }.into_any()
        })}
    }
}

/// This year's sales to consumers abroad against the OSS threshold, and what follows from it.
#[component]
fn OssCard(oss: OssCount) -> impl IntoView {
    let verdict = if oss.registered {
        tr!(admin.home.oss_registered)
    } else if oss.over() {
        tr!(admin.home.oss_over)
    } else {
        tr!(admin.home.oss_under)
    };
    view! {
        <div class="cart-summary">
            <h2>{tr!(admin.home.oss_heading, year = oss.year)}</h2>
            <dl data-testid="oss-count">
                <dt>{tr!(admin.home.oss_sales)}</dt><dd>{oss.sales.to_string()}</dd>
                <dt>{tr!(admin.home.oss_threshold)}</dt><dd>{oss.threshold.to_string()}</dd>
            </dl>
            <p class="muted">{verdict}</p>
        </div>
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
            let (date, sales) = (
                crate::locale::date(crate::locale::current(), &day.date),
                day.sales,
            );
            let label = tr!(admin.chart.bar, day = date, sales, count = day.orders);
            view! {
                <rect x=x + 2 y=HEIGHT - height width=slot - 4 height=height.max(1) class="bar">
                    <title>{label}</title>
                </rect>
            }
        })
        .collect_view();
    let date = |day: Option<&SalesDay>| {
        day.map(|d| crate::locale::date(crate::locale::current(), &d.date))
            .unwrap_or_default()
    };
    let (first, last) = (date(days.first()), date(days.last()));
    let top = days
        .iter()
        .map(|d| d.sales)
        .max_by_key(|m| m.minor)
        .map(|m| m.to_string())
        .unwrap_or_default();
    view! {
        <figure class="sales-chart">
            <figcaption>{tr!(admin.chart.caption, top)}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {}", HEIGHT + 20) role="img" aria-label=tr!(admin.chart.label) xmlns="http://www.w3.org/2000/svg">
                {bars}
                <line x1="0" y1=HEIGHT x2=WIDTH y2=HEIGHT class="axis" />
                <text x="0" y=HEIGHT + 16 class="axis-label">{first}</text>
                <text x=WIDTH y=HEIGHT + 16 text-anchor="end" class="axis-label">{last}</text>
            </svg>
            <details>
                <summary>{tr!(admin.chart.as_table)}</summary>
                <table class="admin-table">
                    <thead><tr><th scope="col">{tr!(admin.chart.day)}</th><th scope="col">{tr!(admin.chart.orders)}</th><th scope="col">{tr!(admin.chart.sales)}</th></tr></thead>
                    <tbody>
                        {days.into_iter().rev().map(|day| view! {
                            <tr><td>{crate::locale::date(crate::locale::current(), &day.date)}</td><td>{day.orders}</td><td>{day.sales.to_string()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}
