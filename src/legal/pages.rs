//! The shopper's view of the seller: the footer's details and links, the contact page and the
//! legal pages.

use super::get_legal_text;
use crate::domain::settings::{LegalPage, Seller};
use crate::locale;
use crate::page::{cache_in_browser, load_page, Canonical};
use crate::tr;
use leptos::prelude::*;
use leptos_meta::Title;

/// The seller's identity lines, skipping what the merchant left empty.
fn identity(seller: &Seller) -> Vec<String> {
    let legal = if seller.legal_name.is_empty() {
        seller.shop_name.clone()
    } else {
        seller.legal_name.clone()
    };
    let codes = [
        (tr!(seller.company_code), &seller.company_code),
        (tr!(seller.vat_code), &seller.vat_code),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(what, v)| format!("{what} {v}"));
    std::iter::once(legal)
        .chain(codes)
        .chain((!seller.address.is_empty()).then(|| seller.address.replace('\n', ", ")))
        .collect()
}

/// The seller's e-mail and phone as links, those the merchant filled in.
fn contact_links(seller: &Seller) -> Vec<AnyView> {
    let mut links = vec![];
    if !seller.contact_email.is_empty() {
        let href = format!("mailto:{}", seller.contact_email);
        let email = seller.contact_email.clone();
        links.push(
            view! { <span>{tr!(seller.email)}": "<a href=href>{email}</a></span> }.into_any(),
        );
    }
    if !seller.contact_phone.is_empty() {
        let href = format!("tel:{}", seller.contact_phone.replace(' ', ""));
        let phone = seller.contact_phone.clone();
        links.push(
            view! { <span>{tr!(seller.phone)}": "<a href=href>{phone}</a></span> }.into_any(),
        );
    }
    links
}

/// The seller as the merchant last saved it, read from the settings cache without waiting: the
/// header and footer of every page show it.
pub fn current_seller() -> Seller {
    #[cfg(feature = "ssr")]
    if let Some(seller) = use_context::<crate::state::AppState>()
        .map(|state| state.settings.snapshot().seller.clone())
    {
        return seller;
    }
    Seller::default()
}

/// The foot of every shopper page: who sells, how to reach them, and the legal pages.
#[component]
pub fn SellerFooter() -> impl IntoView {
    let seller = current_seller();
    let contact = contact_links(&seller);
    view! {
        <p class="seller" data-testid="seller">{identity(&seller).join(" · ")}</p>
        {(!contact.is_empty()).then(|| view! { <p class="seller-contact">{contact}</p> })}
        // Plain links: the router's <A> (which marks the current page) costs every page's render.
        <nav class="footer-links" aria-label=tr!(seller.about)>
            <a href=locale::href("/contact")>{tr!(seller.contact)}</a>
            {LegalPage::ALL.map(|page| view! { <a href=locale::href(&page.path())>{page.title(crate::locale::current())}</a> })}
        </nav>
        <p class="footer-note">{tr!(seller.payments_by)}</p>
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    cache_in_browser();
    let seller = current_seller();
    let contact = contact_links(&seller)
        .into_iter()
        .map(|link| view! { <p>{link}</p> })
        .collect_view();
    view! {
        <Title text=tr!(seller.contact) />
        <Canonical path="/contact" />
        <section class="legal-page">
            <h1>{tr!(seller.contact)}</h1>
            <address class="seller-card">
                {identity(&seller).into_iter().map(|line| view! { <p>{line}</p> }).collect_view()}
                {contact}
            </address>
        </section>
    }
}

/// A legal page: the merchant's Markdown, rendered and sanitised on the server.
#[component]
pub fn LegalPageView(page: LegalPage) -> impl IntoView {
    cache_in_browser();
    let text = Resource::new(move || page, |page| get_legal_text(page.slug().to_owned()));
    view! {
        <Title text=page.title(crate::locale::current()) />
        <Canonical path=page.path() />
        {load_page(text, |text: super::LegalText| {
            let placeholder = text.placeholder.then(|| view! {
                <p class="notice notice-error" role="note">{tr!(legal.placeholder)}</p>
            });
            view! {
                <article class="legal-page" data-testid="legal-page">
                    {placeholder}
                    // Sanitised HTML from settings::markdown: no script, no raw HTML, safe links only.
                    <div class="legal-text" inner_html=text.html></div>
                    <p class="legal-updated">{tr!(legal.updated, date = locale::date(locale::current(), &text.updated_at))}</p>
                </article>
            }
            .into_any()
        })}
    }
}
