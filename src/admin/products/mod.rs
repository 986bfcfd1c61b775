//! The merchant's catalog: products (with stock, prices and photos) and categories.

// A server function takes its form's fields as arguments (the product form has nine); the allow
// must be module-wide, since `#[server]` generates the client side too.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
pub mod images;
mod pages;
#[cfg(feature = "ssr")]
pub mod queries;
pub mod transfer;

pub use pages::{AdminCategoriesPage, AdminProductPage, AdminProductsPage};

use crate::error::AppError;
use crate::money::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const PRODUCTS_PER_PAGE: u32 = 25;
/// At or below this many units a product counts as running low.
pub const LOW_STOCK: i64 = 5;

/// The product list's filters, as they appear in its URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductFilter {
    pub q: String,
    /// A category id, or empty for all.
    pub category: String,
    /// `active`, `archived` or empty for both.
    pub status: String,
    /// `1`: only products running low.
    pub low: String,
    pub page: u32,
}

impl ProductFilter {
    pub fn from_query(query: &leptos_router::params::ParamsMap) -> ProductFilter {
        let text = |key| query.get(key).unwrap_or_default();
        ProductFilter {
            q: text("q"),
            category: text("category"),
            status: text("status"),
            low: text("low"),
            page: crate::ui::page_param(query),
        }
    }

    pub fn query_string(&self, page: u32) -> String {
        crate::ui::listing_query(
            &[
                ("q", &self.q),
                ("category", &self.category),
                ("status", &self.status),
                ("low", &self.low),
            ],
            page,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryOption {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub category: String,
    pub price: Money,
    pub stock: i64,
    pub active: bool,
    pub thumb: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductList {
    pub products: Vec<ProductRow>,
    pub page: u32,
    pub pages: u32,
    pub total: u32,
    pub categories: Vec<CategoryOption>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminImage {
    pub id: i64,
    pub path: String,
    pub alt: String,
}

/// A product as its edit form shows it; `id` 0 is a new product.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductForm {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub category_id: i64,
    /// The price as typed, e.g. `12.50`.
    pub price: String,
    pub currency: String,
    /// As typed (a refused form shows what was typed).
    pub stock: String,
    /// The stock in the database when the form was made: saving checks it has not changed.
    pub stock_saved: i64,
    /// Units one order may hold, as typed; empty for no limit.
    pub max_per_order: String,
    pub active: bool,
    pub featured: bool,
    pub tax_class: crate::domain::vat::TaxClass,
    pub images: Vec<AdminImage>,
    pub categories: Vec<CategoryOption>,
    /// Ordered products are archived, never deleted: orders refer to them.
    pub ordered: bool,
    /// Its options (size, colour), if any: then its stock is per variant.
    pub options: Vec<crate::domain::catalog::ProductOption>,
    pub variants: Vec<crate::domain::catalog::VariantChoice>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CategoryRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i64,
    pub products: i64,
}

/// What the product page says after a refused photo upload (the refusal's code is in its URL).
pub fn photo_refusal_message(code: &str, locale: crate::locale::Locale) -> &'static str {
    use leptos_i18n::td_string;
    match code {
        "missing" => td_string!(locale, admin.products.photo_missing),
        "type" => td_string!(locale, admin.products.photo_type),
        "size" => td_string!(locale, admin.products.photo_size),
        "pixels" => td_string!(locale, admin.products.photo_pixels),
        _ => td_string!(locale, admin.products.photo_unreadable),
    }
}

#[server(endpoint = "admin/products")]
pub async fn admin_products(
    #[server(default)] filter: ProductFilter,
) -> Result<ProductList, AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    queries::list(&state.pool, &filter).await
}

#[server(endpoint = "admin/product")]
pub async fn admin_product(id: i64) -> Result<ProductForm, AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    let mut form = queries::form(&state.pool, state.config.currency, id).await?;
    queries::restore_draft(&mut form).await?;
    Ok(form)
}

/// Creates (`id` 0) or updates a product, then shows its page.
#[server(endpoint = "admin/product/save")]
pub async fn save_product(
    id: i64,
    name: String,
    #[server(default)] slug: String,
    category_id: i64,
    #[server(default)] description: String,
    price: String,
    #[server(default)] stock: String,
    #[server(default)] stock_was: Option<i64>,
    #[server(default)] max_per_order: String,
    #[server(default)] active: Option<String>,
    #[server(default)] featured: Option<String>,
    #[server(default)] tax_class: String,
) -> Result<i64, AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    let draft = queries::ProductDraft {
        id,
        name,
        slug,
        category_id,
        description,
        price,
        stock,
        max_per_order,
        active: active.is_some(),
        featured: featured.is_some(),
        tax_class,
    };
    match queries::save(&state.writer, state.config.currency, &draft, stock_was).await {
        Ok(id) => {
            leptos_axum::redirect(&format!("/admin/products/{id}?saved=1"));
            Ok(id)
        }
        Err(error) => {
            // The admin's forms are plain forms (its pages load no WASM): the browser reloads
            // the form, which then shows what was typed, not what is stored. A script calling
            // the endpoint for JSON keeps its own copy.
            if crate::state::is_plain_form_post() {
                queries::keep_draft(draft).await?;
            }
            Err(error)
        }
    }
}

/// Names product `id`'s options (`optionN_name`, and `optionN_values` separated by commas) and
/// makes the variants it lacks; an option left unnamed is not one.
#[server(endpoint = "admin/product/options")]
pub async fn save_product_options(
    id: i64,
    #[server(default)] option1_name: String,
    #[server(default)] option1_values: String,
    #[server(default)] option2_name: String,
    #[server(default)] option2_values: String,
    #[server(default)] option3_name: String,
    #[server(default)] option3_values: String,
) -> Result<(), AppError> {
    use crate::domain::catalog::{variants, ProductOption};
    let (state, _) = crate::admin::auth::admin_only().await?;
    let typed = [
        (option1_name, option1_values),
        (option2_name, option2_values),
        (option3_name, option3_values),
    ];
    let options: Vec<ProductOption> = typed
        .into_iter()
        .filter(|(name, _)| !name.trim().is_empty())
        .map(|(name, values)| ProductOption {
            name: name.trim().to_owned(),
            choices: values
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect(),
        })
        .collect();
    variants::save_options(&state.writer, id, &options, crate::locale::current()).await?;
    leptos_axum::redirect(&format!("/admin/products/{id}?saved=1#variants"));
    Ok(())
}

/// Saves one variant: its SKU, price (empty: the product's), sale, stock (empty: as it was, for a
/// product without options, whose stock is in the product's form), weight, photo and switch.
#[server(endpoint = "admin/product/variant")]
pub async fn save_product_variant(
    product_id: i64,
    id: i64,
    sku: String,
    #[server(default)] price: String,
    #[server(default)] stock: String,
    stock_was: i64,
    #[server(default)] on_sale: Option<String>,
    #[server(default)] sale_price: String,
    #[server(default)] sale_from: String,
    #[server(default)] sale_until: String,
    #[server(default)] weight: String,
    #[server(default)] image_id: String,
) -> Result<(), AppError> {
    use crate::domain::catalog::variants::VariantInput;
    use crate::domain::flows::variant_edit::save_variant;
    let (state, admin_id) = crate::admin::auth::admin_only().await?;
    let locale = crate::locale::current();
    let currency = state.config.currency;
    let input = VariantInput {
        sku,
        price: queries::optional_price(&price, currency)?,
        sale: queries::sale(&sale_price, [&sale_from, &sale_until], currency)?,
        stock: match stock.trim() {
            "" => stock_was,
            typed => queries::stock(typed)?,
        },
        active: on_sale.is_some(),
        weight_grams: queries::weight(&weight)?,
        image_id: image_id.trim().parse().ok(),
    };
    let editor = crate::domain::settings::Editor {
        admin_id,
        language: locale,
    };
    save_variant(&state.writer, editor, id, &input, stock_was).await?;
    leptos_axum::redirect(&format!("/admin/products/{product_id}?saved=1#variants"));
    Ok(())
}

/// Deletes a product that was never ordered; archives one that was (orders keep pointing at it).
#[server(endpoint = "admin/product/remove")]
pub async fn remove_product(id: i64, #[server(default)] confirm: String) -> Result<(), AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    if confirm != "yes" {
        return Err(AppError::BadRequest(crate::tr!(admin.form.tick).into()));
    }
    queries::remove(&state.writer, &state.config.data_dir, id).await?;
    leptos_axum::redirect("/admin/products");
    Ok(())
}

#[server(endpoint = "admin/product/image/delete")]
pub async fn delete_image(id: i64) -> Result<(), AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    let product_id = images::delete(&state.writer, &state.config.data_dir, id).await?;
    if crate::state::is_plain_form_post() {
        leptos_axum::redirect(&format!("/admin/products/{product_id}"));
    }
    Ok(())
}

#[server(endpoint = "admin/categories")]
pub async fn admin_categories() -> Result<Vec<CategoryRow>, AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    queries::categories(&state.pool).await
}

/// Creates (`id` 0) or updates a category.
#[server(endpoint = "admin/category/save")]
pub async fn save_category(
    id: i64,
    name: String,
    #[server(default)] slug: String,
    #[server(default)] description: String,
    #[server(default)] position: String,
) -> Result<(), AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    queries::save_category(&state.writer, id, &name, &slug, &description, &position).await?;
    state.category_menu.clear();
    if crate::state::is_plain_form_post() {
        leptos_axum::redirect("/admin/categories");
    }
    Ok(())
}

/// Deletes an empty category; one with products refuses (move or delete them first).
#[server(endpoint = "admin/category/delete")]
pub async fn delete_category(id: i64) -> Result<(), AppError> {
    let (state, _) = crate::admin::auth::admin_only().await?;
    queries::delete_category(&state.writer, id).await?;
    state.category_menu.clear();
    if crate::state::is_plain_form_post() {
        leptos_axum::redirect("/admin/categories");
    }
    Ok(())
}
