//! The shopper's view of the seller (the merchant's settings, `domain::settings`): the footer's
//! seller details, the contact page and the legal pages.

mod pages;

pub use pages::{current_seller, ContactPage, LegalPageView, SellerFooter};

use crate::domain::settings::LegalText;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "legal")]
pub async fn get_legal_text(slug: String) -> Result<LegalText, AppError> {
    let locale = crate::locale::current();
    let page = crate::domain::settings::LegalPage::from_slug(&slug, locale)?;
    crate::domain::settings::store::legal_text(&crate::state::pool()?, page, locale).await
}
