//! The application shell: document head, header, footer and the route table.

use crate::admin::{
    AdminCategoriesPage, AdminEmailsPage, AdminHomePage, AdminLegalPage, AdminLoginPage,
    AdminOrderPage, AdminOrdersPage, AdminProductPage, AdminProductsPage, AdminProfilePage,
    AdminSettingsPage, AdminSetupPage,
};
use crate::cart::{provide_cart, CartLink, CartNotice, CartPage};
use crate::catalog::{CategoryPage, HomePage, ProductPage, SearchPage};
use crate::checkout::{AcceptPage, CancelPage, CheckoutPage};
use crate::domain::catalog::CategoryLink;
use crate::domain::settings::LegalPage;
use crate::error::AppError;
use crate::legal::{current_seller, ContactPage, LegalPageView, SellerFooter};
use crate::locale::{self, Alternates, LanguageSwitch};
use crate::page::{public_url, set_status};
use crate::tr;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Meta, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{path, SsrMode};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let shopper = shopper_page();
    // Sent on to the page in the shopper's language: nothing to render (nor to query for).
    let redirecting = shopper && send_on_to_language();
    view! {
        <!DOCTYPE html>
        <html lang=locale::code(locale::current())>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // Islands: the WASM brings only the interactive parts to life. The admin has none.
                {shopper.then(|| view! {
                    <HydrationScripts options islands=true />
                    <Alternates public_url=public_url() />
                })}
                <MetaTags />
            </head>
            <body>
                {(!redirecting).then(|| view! { <App /> })}
            </body>
        </html>
    }
}

/// A storefront page (the admin's pages are plain server-rendered forms, load no WASM, and are in
/// English only).
fn shopper_page() -> bool {
    #[cfg(feature = "ssr")]
    if let Some(admin) = with_context(|request: &axum::http::request::Parts| {
        crate::admin::is_admin_path(request.uri.path())
    }) {
        return !admin;
    }
    true
}

/// A shopper page asked for without its language is the same page in the shopper's language
/// (`locale`): a redirect that depends on the cookie and `Accept-Language`, so never cached.
/// Whether it is one.
fn send_on_to_language() -> bool {
    #[cfg(feature = "ssr")]
    if let (Some(address), Some(response)) = (
        locale::middleware::address_with_language(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        use axum::http::{header, HeaderValue, StatusCode};
        if let Ok(location) = HeaderValue::from_str(&address) {
            response.set_status(StatusCode::FOUND);
            response.insert_header(header::LOCATION, location);
            response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response.insert_header(
                header::VARY,
                HeaderValue::from_static("Cookie, Accept-Language"),
            );
            return true;
        }
    }
    false
}

/// The stylesheet's content-hashed path (see `assets.rs`).
fn stylesheet_path() -> String {
    #[cfg(feature = "ssr")]
    if let Some(path) =
        with_context(|state: &crate::state::AppState| state.assets.names.stylesheet.clone())
    {
        return path;
    }
    "/pkg/turgus.css".into()
}

/// `Name · Shop`. Product, category and shop names are the merchant's text, and leptos_meta
/// writes the server-rendered `<title>` without escaping it.
fn page_title(shop: &str, title: String) -> String {
    let title = if title.is_empty() {
        shop.to_owned()
    } else {
        format!("{title} · {shop}")
    };
    crate::ui::escape_on_server(title)
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Read when the page starts rendering: the title formatter may run later, inside a page's
    // suspense, where the request's context is no longer at hand.
    let shop = current_seller().shop_name;
    view! {
        <Stylesheet id="leptos" href=stylesheet_path() />
        <Title formatter=move |title| page_title(&shop, title) />
        <Router>
            <Storefront />
        </Router>
    }
}

/// Everything inside the router: the cart's notice reads the URL (for the errors a JavaScript-free
/// form post brings back in it).
#[component]
fn Storefront() -> impl IntoView {
    provide_cart();
    provide_context(Resource::new(|| (), |_| get_shop_info()));
    view! {
        <a class="skip-link" href="#main">{tr!(chrome.skip)}</a>
        <SandboxBanner />
        <Header />
        <main id="main" class="container">
            <CartNotice />
            // Async: pages are rendered whole, so shoppers without JavaScript see content, not
            // a loading placeholder, and status codes (404) are set before the body is sent.
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                <Route path=path!("/c/:slug") view=CategoryPage ssr=SsrMode::Async />
                <Route path=path!("/p/:slug") view=ProductPage ssr=SsrMode::Async />
                <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async />
                <Route path=path!("/cart") view=CartPage ssr=SsrMode::Async />
                <Route path=path!("/checkout") view=CheckoutPage ssr=SsrMode::Async />
                <Route path=path!("/checkout/accept") view=AcceptPage ssr=SsrMode::Async />
                <Route path=path!("/checkout/cancelled") view=CancelPage ssr=SsrMode::Async />
                <Route path=path!("/contact") view=ContactPage ssr=SsrMode::Async />
                <Route path=path!("/terms") view=|| view! { <LegalPageView page=LegalPage::Terms /> } ssr=SsrMode::Async />
                <Route path=path!("/privacy") view=|| view! { <LegalPageView page=LegalPage::Privacy /> } ssr=SsrMode::Async />
                <Route path=path!("/returns") view=|| view! { <LegalPageView page=LegalPage::Returns /> } ssr=SsrMode::Async />
                <Route path=path!("/admin") view=AdminHomePage ssr=SsrMode::Async />
                <Route path=path!("/admin/login") view=AdminLoginPage ssr=SsrMode::Async />
                <Route path=path!("/admin/setup") view=AdminSetupPage ssr=SsrMode::Async />
                <Route path=path!("/admin/orders") view=AdminOrdersPage ssr=SsrMode::Async />
                <Route path=path!("/admin/orders/:number") view=AdminOrderPage ssr=SsrMode::Async />
                <Route path=path!("/admin/products") view=AdminProductsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/products/import") view=crate::admin::products::transfer::AdminImportPage ssr=SsrMode::Async />
                <Route path=path!("/admin/products/:id") view=AdminProductPage ssr=SsrMode::Async />
                <Route path=path!("/admin/categories") view=AdminCategoriesPage ssr=SsrMode::Async />
                <Route path=path!("/admin/emails") view=AdminEmailsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/invoices") view=crate::admin::AdminInvoicesPage ssr=SsrMode::Async />
                <Route path=path!("/admin/discounts") view=crate::admin::AdminDiscountsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/shipping") view=crate::admin::AdminShippingPage ssr=SsrMode::Async />
                <Route path=path!("/admin/discounts/:id") view=crate::admin::AdminDiscountPage ssr=SsrMode::Async />
                <Route path=path!("/admin/settings") view=AdminSettingsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/legal/:slug") view=AdminLegalPage ssr=SsrMode::Async />
                <Route path=path!("/admin/profile") view=AdminProfilePage ssr=SsrMode::Async />
            </Routes>
        </main>
        <Footer />
    }
}

#[component]
fn Header() -> impl IntoView {
    let shop = use_shop_info();
    let name = current_seller().shop_name;
    let mark = name
        .chars()
        .next()
        .unwrap_or('·')
        .to_uppercase()
        .to_string();
    let location = use_location();
    let query = move || location.query.read().get("q").unwrap_or_default();
    view! {
        <header class="site-header">
            <div class="container header-row">
                <a href=locale::href("/") class="brand">
                    <span class="brand-mark" aria-hidden="true">{mark}</span>
                    <span data-testid="shop-name">{name}</span>
                </a>
                <form class="search-form" action=locale::href("/search") method="get" role="search">
                    <label for="search-q" class="visually-hidden">{tr!(chrome.search_label)}</label>
                    <input id="search-q" type="search" name="q" placeholder=tr!(chrome.search_label)
                        prop:value=query maxlength="200" />
                    <button type="submit">{tr!(chrome.search)}</button>
                </form>
                {shopper_page().then(|| view! { <LanguageSwitch /> })}
                <CartLink />
            </div>
            <nav class="container category-nav" aria-label=tr!(chrome.categories)>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let here = location.pathname.get_untracked();
                        shop.await.map(|s| s.categories).unwrap_or_default().into_iter().map(|c| {
                            let path = format!("/c/{}", c.slug);
                            let current = (here == path).then_some("page");
                            view! { <a href=locale::href(&path) aria-current=current>{c.name}</a> }
                        }).collect_view()
                    })}
                </Suspense>
            </nav>
        </header>
    }
}

/// "SANDBOX — no real money" on every page while payments go to the built-in sandbox.
#[component]
fn SandboxBanner() -> impl IntoView {
    let shop = use_shop_info();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                shop.await.is_ok_and(|s| s.sandbox).then(|| view! {
                    <div class="sandbox-banner" role="note">{tr!(chrome.sandbox)}</div>
                })
            })}
        </Suspense>
    }
}

#[component]
fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="container">
                <SellerFooter />
            </div>
        </footer>
    }
}

/// What every page's chrome needs to know about the shop, fetched once per page load.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ShopInfo {
    pub categories: Vec<CategoryLink>,
    /// Payments go to the built-in sandbox: no real money.
    pub sandbox: bool,
}

#[server(endpoint = "shop/info")]
pub async fn get_shop_info() -> Result<ShopInfo, AppError> {
    let state = crate::state::app_state()?;
    Ok(ShopInfo {
        categories: state.category_menu.get(&state.pool).await?,
        sandbox: state.payments.sandbox.is_some(),
    })
}

pub fn use_shop_info() -> Resource<Result<ShopInfo, AppError>> {
    expect_context()
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text=tr!(errors.page_not_found) />
        <Meta name="robots" content="noindex" />
        <section class="message-page">
            <h1>{tr!(errors.page_not_found)}</h1>
            <p>{tr!(errors.page_not_found_text)}</p>
            <p><a href=locale::href("/")>{tr!(errors.back_to_shop)}</a></p>
        </section>
    }
}
