//! What every page is built with: rendering from loaded data with the error page and status code
//! it calls for, the canonical link, and the response status.

use crate::error::AppError;
use crate::locale;
use crate::tr;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// The shop's public address, for absolute links (`hreflang`, canonical).
pub fn public_url() -> String {
    #[cfg(feature = "ssr")]
    if let Some(url) =
        with_context(|state: &crate::state::AppState| state.config.public_url.clone())
    {
        return url;
    }
    String::new()
}

/// `<link rel="canonical">` for a page, absolute with the shop's public URL, in the page's
/// language.
#[component]
pub fn Canonical(#[prop(into)] path: String) -> impl IntoView {
    view! { <Link rel="canonical" href=format!("{}{}", public_url(), locale::href(&path)) /> }
}

/// Lets the shopper's browser keep this page: a catalog page, the same for every shopper but the
/// header's cart count (`private`), asked for again before each use (`no-cache`). Any other HTML
/// is `no-store` (`security::security_headers`).
pub fn cache_in_browser() {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.insert_header(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("private, no-cache"),
        );
    }
}

/// Sets the response status while rendering on the server (a client render has none to set).
pub fn set_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(
            axum::http::StatusCode::from_u16(status)
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

/// A friendly page for a failed request, with the right status code.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    set_status(error.status());
    let title = match error {
        AppError::NotFound(_) => tr!(errors.not_found),
        AppError::Internal | AppError::Busy => tr!(errors.went_wrong),
        _ => tr!(errors.could_not),
    };
    view! {
        <Title text=title />
        <Meta name="robots" content="noindex" />
        <section class="message-page">
            <h1>{title}</h1>
            <p>{error.message().into_owned()}</p>
            <p><a href=locale::href("/")>{tr!(errors.back_to_shop)}</a></p>
        </section>
    }
}

/// Renders a page from its data: a loading note while it comes, the page when it is there, the
/// error page (with its status code) when it failed. A page only admins may see sends everyone
/// else to the login, and back to it afterwards.
pub fn load_page<T>(
    resource: Resource<Result<T, AppError>>,
    render: impl Fn(T) -> AnyView + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    let location = use_location();
    let login = move || {
        let (path, search) = (
            location.pathname.get_untracked(),
            location.search.get_untracked(),
        );
        let here = if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        };
        format!("/admin/login?next={}", crate::ui::urlencode(&here))
    };
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">{tr!(chrome.loading)}</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(data) => render(data),
                        Err(AppError::Unauthorized(_)) => view! { <Redirect path=login() /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
