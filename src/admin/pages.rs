//! The admin pages.

use super::{get_admin_home, AdminLogin, AdminLogout, AdminSetup};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::Redirect;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_query_map};

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
            <ActionForm action=logout attr:class="admin-logout">
                <button type="submit" class="button-link">"Log out"</button>
            </ActionForm>
        </nav>
    }
}

/// Renders an admin page from its data, like [`crate::app::load_page`], but sends a visitor who
/// is not logged in to the login page, and back here afterwards.
pub fn admin_page<T>(
    resource: Resource<Result<T, AppError>>,
    render: impl Fn(T) -> AnyView + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    let location = use_location();
    let here = move || {
        let search = location.search.get_untracked();
        let path = location.pathname.get_untracked();
        if search.is_empty() { path } else { format!("{path}?{search}") }
    };
    view! {
        <Meta name="robots" content="noindex" />
        <AdminNav />
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => render(data),
                        Err(AppError::Unauthorized(_)) => {
                            let path = format!("/admin/login?next={}", crate::ui::urlencode(&here()));
                            view! { <Redirect path /> }.into_any()
                        }
                        Err(error) => view! { <crate::app::ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The e-mail and password fields of the login and setup forms.
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
                <div class="notice notice-error" role="alert">{e.message().to_owned()}</div>
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
                <div class="notice notice-error" role="alert">{e.message().to_owned()}</div>
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
    let logout = ServerAction::<AdminLogout>::new();
    view! {
        <Title text="Admin" />
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Err(AppError::Unauthorized(_)) => view! { <Redirect path="/admin/login?next=/admin" /> }.into_any(),
                    Err(error) => view! { <crate::app::ErrorPage error /> }.into_any(),
                    Ok(home) => view! {
                        <header class="listing-header">
                            <h1>"Your shop"</h1>
                            <ActionForm action=logout><button type="submit" class="button-link">"Log out"</button></ActionForm>
                        </header>
                        <section class="admin-cards">
                            <div class="cart-summary">
                                <h2>"Orders"</h2>
                                <dl>
                                    {home.orders_by_status.into_iter().map(|(status, count)| view! {
                                        <dt>{status.replace('_', " ")}</dt><dd>{count}</dd>
                                    }).collect_view()}
                                    <dt>"needing review"</dt><dd data-testid="needs-review">{home.needs_review}</dd>
                                </dl>
                            </div>
                            <div class="cart-summary">
                                <h2>"Paysera"</h2>
                                <dl>
                                    <dt>"Mode"</dt><dd data-testid="paysera-mode">{home.paysera_mode}</dd>
                                    <dt>"Project"</dt><dd>{home.project_id}</dd>
                                    <dt>"Public key"</dt><dd>{home.key_source}</dd>
                                    <dt>"Last callback"</dt><dd>{home.last_authentic_callback.unwrap_or_else(|| "none yet".into())}</dd>
                                    <dt>"Last refused"</dt><dd>{home.last_rejected_callback.unwrap_or_else(|| "none".into())}</dd>
                                </dl>
                            </div>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
