//! The storefront's catalog: home page, category listings, product pages and search, over the
//! catalog's store (`domain::catalog`).

mod pages;
#[cfg(feature = "ssr")]
pub mod sitemap;
mod structured;

pub use pages::{CategoryPage, HomePage, ProductPage, SearchPage};

use crate::domain::catalog::{CategoryListing, Home, ProductDetail, SearchResults};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::domain::catalog::{page_number, store, Sort};

#[server(endpoint = "catalog/home")]
pub async fn get_home() -> Result<Home, AppError> {
    let state = crate::state::app_state()?;
    state.home.get(&state.pool).await
}

#[server(endpoint = "catalog/category")]
pub async fn get_category(
    slug: String,
    sort: String,
    page: String,
) -> Result<CategoryListing, AppError> {
    store::category(
        &crate::state::pool()?,
        &slug,
        Sort::from_key(&sort),
        page_number(&page),
        crate::locale::current(),
    )
    .await
}

#[server(endpoint = "catalog/product")]
pub async fn get_product(slug: String) -> Result<ProductDetail, AppError> {
    store::product(&crate::state::pool()?, &slug, crate::locale::current()).await
}

#[server(endpoint = "catalog/search")]
pub async fn search(query: String, page: String) -> Result<SearchResults, AppError> {
    let locale = crate::locale::current();
    store::search(&crate::state::pool()?, &query, page_number(&page), locale).await
}
