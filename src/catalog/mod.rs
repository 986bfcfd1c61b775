//! The storefront's catalog: home page, category listings, product pages and search.

#[cfg(feature = "ssr")]
pub mod demo;
mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use pages::{CategoryPage, HomePage, ProductPage, SearchPage};

use crate::error::AppError;
use crate::money::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Products shown per listing page.
pub const PAGE_SIZE: u32 = 12;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub path: String,
    pub alt: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryLink {
    pub slug: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductCard {
    pub slug: String,
    pub name: String,
    pub price: Money,
    pub in_stock: bool,
    pub image: Option<Image>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub stock: u32,
    pub category: CategoryLink,
    pub images: Vec<Image>,
}

/// One page of a listing, with what pagination links need.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    pub products: Vec<ProductCard>,
    pub page: u32,
    pub pages: u32,
    pub total: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryListing {
    pub category: CategoryLink,
    pub description: String,
    pub sort: Sort,
    pub listing: Listing,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The query as typed (trimmed), for the search box and the heading.
    pub query: String,
    pub listing: Listing,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Home {
    pub featured: Vec<ProductCard>,
    pub newest: Vec<ProductCard>,
}

/// Orders a category listing can be sorted in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sort {
    #[default]
    Newest,
    PriceLowHigh,
    PriceHighLow,
    Name,
}

impl Sort {
    pub const ALL: [Sort; 4] = [
        Sort::Newest,
        Sort::PriceLowHigh,
        Sort::PriceHighLow,
        Sort::Name,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::PriceLowHigh => "price",
            Sort::PriceHighLow => "price-desc",
            Sort::Name => "name",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Newest => crate::tr!(catalog.sort.newest),
            Sort::PriceLowHigh => crate::tr!(catalog.sort.price_low_high),
            Sort::PriceHighLow => crate::tr!(catalog.sort.price_high_low),
            Sort::Name => crate::tr!(catalog.sort.name),
        }
    }

    /// Unknown keys fall back to the default order: a mangled link still shows the category.
    pub fn from_key(key: &str) -> Sort {
        Sort::ALL
            .into_iter()
            .find(|s| s.key() == key)
            .unwrap_or_default()
    }
}

/// Reads a `page` query value; anything that is not a positive number means the first page.
pub fn page_number(raw: &str) -> u32 {
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|&p| p >= 1)
        .unwrap_or(1)
}

#[server(endpoint = "catalog/home")]
pub async fn get_home() -> Result<Home, AppError> {
    ssr::home(&crate::state::pool()?).await
}

#[server(endpoint = "catalog/category")]
pub async fn get_category(
    slug: String,
    sort: String,
    page: String,
) -> Result<CategoryListing, AppError> {
    ssr::category(
        &crate::state::pool()?,
        &slug,
        Sort::from_key(&sort),
        page_number(&page),
    )
    .await
}

#[server(endpoint = "catalog/product")]
pub async fn get_product(slug: String) -> Result<ProductDetail, AppError> {
    ssr::product(&crate::state::pool()?, &slug).await
}

#[server(endpoint = "catalog/search")]
pub async fn search(query: String, page: String) -> Result<SearchResults, AppError> {
    ssr::search(&crate::state::pool()?, &query, page_number(&page)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_round_trip_and_unknown_falls_back() {
        for sort in Sort::ALL {
            assert_eq!(Sort::from_key(sort.key()), sort);
        }
        assert_eq!(Sort::from_key("'; DROP TABLE products"), Sort::Newest);
    }

    #[test]
    fn odd_page_numbers_mean_the_first_page() {
        assert_eq!(page_number("3"), 3);
        assert_eq!(page_number(" 2 "), 2);
        for odd in ["", "0", "-1", "abc", "1e9", "99999999999999"] {
            assert_eq!(page_number(odd), 1, "{odd}");
        }
    }
}
