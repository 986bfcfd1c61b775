//! The application shell: document head, header, footer and the route table, and what the
//! header shows of the shop and the shopper (`Chrome`), read before a page renders.

use crate::admin::{
    AdminCategoriesPage, AdminEmailsPage, AdminHomePage, AdminLegalPage, AdminLoginPage,
    AdminOrderPage, AdminOrdersPage, AdminProductPage, AdminProductsPage, AdminProfilePage,
    AdminSettingsPage, AdminSetupPage,
};
use crate::cart::{CartLink, CartNotice, CartPage};
use crate::catalog::{CategoryPage, HomePage, ProductPage, SearchPage};
use crate::checkout::{AcceptPage, CancelPage, CheckoutPage};
use crate::domain::catalog::CategoryLink;
use crate::domain::settings::LegalPage;
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
    let categories = with_chrome(|chrome| chrome.categories.clone());
    let name = current_seller().shop_name;
    let mark = name
        .chars()
        .next()
        .unwrap_or('·')
        .to_uppercase()
        .to_string();
    let location = use_location();
    let here = location.pathname.get_untracked();
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
                {categories.into_iter().map(|c| {
                    let path = format!("/c/{}", c.slug);
                    let current = (here == path).then_some("page");
                    view! { <a href=locale::href(&path) aria-current=current>{c.name}</a> }
                }).collect_view()}
            </nav>
        </header>
    }
}

/// "SANDBOX — no real money" on every page while payments go to the built-in sandbox.
#[component]
fn SandboxBanner() -> impl IntoView {
    with_chrome(|chrome| chrome.sandbox).then(|| {
        view! { <div class="sandbox-banner" role="note">{tr!(chrome.sandbox)}</div> }
    })
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

/// What every page's chrome shows besides the page itself: the category menu, the sandbox
/// banner, the cart's count. Read before the page renders ([`read_chrome`]), so the header is
/// plain markup: no resource, no suspense of its own, nothing to wait for mid-page.
#[derive(Clone, Debug, Default)]
pub struct Chrome {
    pub categories: Vec<CategoryLink>,
    /// Payments go to the built-in sandbox: no real money.
    pub sandbox: bool,
    /// Items in the shopper's cart (read from the session, without pricing the cart).
    pub cart_count: u32,
}

/// Reads the [`Chrome`] of a page request into its extensions, where the page's components find
/// it ([`with_chrome`]). A menu or a session that cannot be read shows as none, as an empty cart.
#[cfg(feature = "ssr")]
pub async fn read_chrome(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::Method;
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        let cart_count = match request.extensions().get::<tower_sessions::Session>() {
            Some(session) => crate::cart::session::item_count(session).await.unwrap_or(0),
            None => 0,
        };
        let chrome = Chrome {
            categories: state
                .category_menu
                .get(&state.pool)
                .await
                .unwrap_or_default(),
            sandbox: state.payments.sandbox.is_some(),
            cart_count,
        };
        request.extensions_mut().insert(chrome);
    }
    next.run(request).await
}

/// What `read` takes from this page's [`Chrome`] (without copying the rest: the header, the
/// banner and the cart link each read their part). Only ever rendered on the server (the islands
/// have none); without one, as for an empty shop.
pub fn with_chrome<T>(read: impl Fn(&Chrome) -> T) -> T {
    #[cfg(feature = "ssr")]
    if let Some(Some(part)) = with_context(|request: &axum::http::request::Parts| {
        request.extensions.get::<Chrome>().map(&read)
    }) {
        return part;
    }
    read(&Chrome::default())
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
