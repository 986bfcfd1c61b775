//! The catalog: categories and products as shoppers see them, read from the database
//! ([`store`]), and the demo catalog a new shop starts with ([`demo`]).

#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod sitemap;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod variants;
pub mod woocommerce;

use crate::locale::Locale;
use crate::money::Money;
use leptos_i18n::td_string;
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
    /// Its lowest price in force: "from" it when its variants' prices differ.
    pub price: Money,
    pub prices_differ: bool,
    /// Its lowest regular price, when a sale brings the price below it (shown struck through).
    pub was: Option<Money>,
    pub in_stock: bool,
    pub image: Option<Image>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// Its lowest price in force, and its regular one when a sale brings the price below it.
    pub price: Money,
    pub was: Option<Money>,
    pub stock: u32,
    pub category: CategoryLink,
    pub images: Vec<Image>,
    /// Empty for a product without options.
    pub options: Vec<ProductOption>,
    /// Its variants, when it has options.
    pub variants: Vec<VariantChoice>,
}

/// One of a product's options (`Size`) and its values in the merchant's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOption {
    pub name: String,
    pub choices: Vec<String>,
}

/// A variant as a product page (and the admin) shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariantChoice {
    pub id: i64,
    pub sku: String,
    /// One per option, in order.
    pub values: Vec<String>,
    /// What a shopper pays now: the sale price while its sale runs, else the regular price.
    pub price: Money,
    /// Its own price, else its product's.
    pub regular: Money,
    /// Whether the regular price is its own (else its product's).
    pub own_price: bool,
    /// The merchant's sale, running or not.
    pub sale: Option<Sale>,
    pub stock: u32,
    /// The merchant's switch.
    pub on_sale: bool,
    pub weight_grams: Option<u32>,
    /// Its own photo (one of its product's), if it has one.
    pub image: Option<VariantImage>,
}

/// A sale: a price, from and until instants (stored timestamps, UTC; the end exclusive), each
/// optional. The merchant types them as days in the shop's time zone ([`crate::clock::vilnius`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sale {
    pub price: Money,
    pub from: Option<String>,
    pub until: Option<String>,
}

/// A variant's photo: which of its product's photos, and where it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariantImage {
    pub id: i64,
    pub path: String,
    pub alt: String,
}

/// What a variant costs, regular: its own price, else its product's (`v` and `p` in the query).
#[cfg(feature = "ssr")]
pub const REGULAR_PRICE: &str = "COALESCE(v.price_minor, p.price_minor)";

/// The price in force of variant `v` (of product `p`) at the instant bound as `at` (`"$2"`, a
/// stored timestamp): its sale price while its sale runs and only if lower, else its regular
/// price. The one rule the product page, listings, the cart and the order all read, so the shopper
/// pays what the page showed at the moment the order is placed.
#[cfg(feature = "ssr")]
pub fn price_in_force(at: &str) -> String {
    format!(
        "(CASE WHEN v.sale_price_minor < {REGULAR_PRICE}
                 AND (v.sale_from IS NULL OR v.sale_from <= {at})
                 AND (v.sale_until IS NULL OR {at} < v.sale_until)
               THEN v.sale_price_minor ELSE {REGULAR_PRICE} END)"
    )
}

/// The regular price to show struck through beside `price`, if a sale brought it below.
pub fn was(price: Money, regular: Money) -> Option<Money> {
    (regular.minor > price.minor).then_some(regular)
}

/// A line's name: the product's, and the variant's values if it has any (`Linen shirt — M, Navy`).
pub fn line_name(product: &str, values: &[Option<String>]) -> String {
    let values: Vec<&str> = values.iter().flatten().map(String::as_str).collect();
    if values.is_empty() {
        product.to_owned()
    } else {
        format!("{product} — {}", values.join(", "))
    }
}

impl VariantChoice {
    /// Its values as a line's name says them: `M, Navy`.
    pub fn label(&self) -> String {
        self.values.join(", ")
    }

    pub fn can_be_bought(&self) -> bool {
        self.on_sale && self.stock > 0
    }
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

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Sort::Newest => td_string!(locale, catalog.sort.newest),
            Sort::PriceLowHigh => td_string!(locale, catalog.sort.price_low_high),
            Sort::PriceHighLow => td_string!(locale, catalog.sort.price_high_low),
            Sort::Name => td_string!(locale, catalog.sort.name),
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
