//! The catalog as WooCommerce's product CSV: a row per product (`simple`, or `variable` with its
//! options as attributes) and a row per variation, photos as absolute addresses of the shop's own.
//! What [`super::plan`] reads back: importing an export into an empty shop gives the same
//! catalog, and into the same shop changes nothing.

use crate::clock::vilnius;
use crate::domain::catalog::store::stored_money;
use crate::error::AppError;
use crate::money::Money;
use std::collections::HashMap;

/// The columns written, in WooCommerce's exporter's order (those this shop has).
pub const COLUMNS: [&str; 34] = [
    "ID",
    "Type",
    "SKU",
    "Name",
    "Published",
    "Is featured?",
    "Visibility in catalog",
    "Short description",
    "Description",
    "Date sale price starts",
    "Date sale price ends",
    "Tax class",
    "In stock?",
    "Stock",
    "Sold individually?",
    "Weight (kg)",
    "Sale price",
    "Regular price",
    "Categories",
    "Images",
    "Parent",
    "Position",
    "Attribute 1 name",
    "Attribute 1 value(s)",
    "Attribute 1 visible",
    "Attribute 1 global",
    "Attribute 2 name",
    "Attribute 2 value(s)",
    "Attribute 2 visible",
    "Attribute 2 global",
    "Attribute 3 name",
    "Attribute 3 value(s)",
    "Attribute 3 visible",
    "Attribute 3 global",
];

#[derive(sqlx::FromRow)]
struct ProductRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    price_minor: i64,
    currency: String,
    active: bool,
    featured: bool,
    max_per_order: Option<i64>,
    tax_class: String,
    category: String,
}

#[derive(sqlx::FromRow)]
struct VariantRow {
    product_id: i64,
    sku: String,
    price_minor: Option<i64>,
    sale_price_minor: Option<i64>,
    sale_from: Option<String>,
    sale_until: Option<String>,
    stock: i64,
    active: bool,
    weight_grams: Option<i64>,
    image_path: Option<String>,
    option1: Option<String>,
    option2: Option<String>,
    option3: Option<String>,
}

/// Everything a product's rows need, read in four statements for the whole catalog.
struct Catalog {
    products: Vec<ProductRow>,
    variants: HashMap<i64, Vec<VariantRow>>,
    options: HashMap<i64, Vec<(String, String)>>,
    photos: HashMap<i64, Vec<String>>,
}

async fn catalog(pool: &crate::db::Db) -> Result<Catalog, AppError> {
    let products: Vec<ProductRow> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT p.id, p.slug, p.name, p.description, p.price_minor, p.currency, p.active, p.featured,
                p.max_per_order, p.tax_class, c.name AS category
         FROM products p JOIN categories c ON c.id = p.category_id ORDER BY p.id",
    )
    .fetch_all(conn)
    .await)?;
    let variants: Vec<VariantRow> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT v.product_id, v.sku, v.price_minor, v.sale_price_minor, v.sale_from, v.sale_until,
                v.stock, v.active, v.weight_grams, i.path AS image_path, v.option1, v.option2, v.option3
         FROM product_variants v LEFT JOIN product_images i ON i.id = v.image_id
         ORDER BY v.product_id, v.position, v.id",
    )
    .fetch_all(conn)
    .await)?;
    let options: Vec<(i64, String, String)> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT product_id, name, choices FROM product_options ORDER BY product_id, position",
    )
    .fetch_all(conn)
    .await)?;
    let photos: Vec<(i64, String)> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT product_id, path FROM product_images ORDER BY product_id, position, id",
    )
    .fetch_all(conn)
    .await)?;
    let mut catalog = Catalog {
        products,
        variants: HashMap::new(),
        options: HashMap::new(),
        photos: HashMap::new(),
    };
    for variant in variants {
        catalog
            .variants
            .entry(variant.product_id)
            .or_default()
            .push(variant);
    }
    for (product, name, choices) in options {
        catalog
            .options
            .entry(product)
            .or_default()
            .push((name, choices));
    }
    for (product, path) in photos {
        catalog.photos.entry(product).or_default().push(path);
    }
    Ok(catalog)
}

/// The whole catalog as CSV (UTF-8 with a byte order mark, so spreadsheet programs read it right);
/// photos as addresses under `origin`, the shop's public URL.
pub async fn export(pool: &crate::db::Db, origin: &str) -> Result<Vec<u8>, AppError> {
    let catalog = catalog(pool).await?;
    let mut out = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    let failed = |error: csv::Error| {
        tracing::error!(%error, "could not write the catalog's CSV");
        AppError::Internal
    };
    out.write_record(COLUMNS).map_err(failed)?;
    for product in &catalog.products {
        for row in rows(product, &catalog, origin)? {
            let row = row
                .iter()
                .map(|field| crate::text::spreadsheet_safe(field).into_owned());
            out.write_record(row).map_err(failed)?;
        }
    }
    out.into_inner()
        .map_err(|error| failed(error.into_error().into()))
}

/// A product's rows: one for a product without options, else its own and one per variant.
fn rows(
    product: &ProductRow,
    catalog: &Catalog,
    origin: &str,
) -> Result<Vec<Vec<String>>, AppError> {
    let price = stored_money(product.price_minor, &product.currency)?;
    let none = Vec::new();
    let variants = catalog.variants.get(&product.id).unwrap_or(&none);
    let options = catalog
        .options
        .get(&product.id)
        .cloned()
        .unwrap_or_default();
    let photos: Vec<String> = catalog
        .photos
        .get(&product.id)
        .map(|paths| paths.iter().map(|p| format!("{origin}{p}")).collect())
        .unwrap_or_default();
    let mut own = Row::new();
    own.set("Name", &product.name);
    own.set("Published", flag(product.active));
    own.set("Is featured?", flag(product.featured));
    own.set("Visibility in catalog", "visible");
    own.set("Description", &product.description);
    own.set("Sold individually?", flag(product.max_per_order == Some(1)));
    own.set("Regular price", &price.decimal());
    own.set("Categories", &product.category);
    let class = crate::domain::vat::TaxClass::from_key(&product.tax_class).unwrap_or_default();
    own.set("Tax class", class.woocommerce());
    own.set("Images", &photos.join(", "));
    if options.is_empty() {
        own.set("Type", "simple");
        if let Some(variant) = variants.first() {
            variant_cells(&mut own, variant, price, origin);
            own.set("Images", &photos.join(", "));
        }
        return Ok(vec![own.0]);
    }
    own.set("Type", "variable");
    own.set("SKU", &product.slug);
    own.set("In stock?", "1");
    for (n, (name, choices)) in (1..).zip(&options) {
        own.set(&format!("Attribute {n} name"), name);
        own.set(
            &format!("Attribute {n} value(s)"),
            &choices.replace('\n', ", "),
        );
        own.set(&format!("Attribute {n} visible"), "1");
    }
    let variations = (0..).zip(variants).map(|(position, variant)| {
        variation(product, variant, (position, &options), (price, origin))
    });
    Ok(std::iter::once(own.0).chain(variations).collect())
}

/// A variant's row under its `variable` product's: its values as the product's attributes.
fn variation(
    product: &ProductRow,
    variant: &VariantRow,
    (position, options): (u32, &[(String, String)]),
    (price, origin): (Money, &str),
) -> Vec<String> {
    let mut row = Row::new();
    row.set("Type", "variation");
    row.set("Parent", &product.slug);
    row.set("Position", &position.to_string());
    row.set("Published", flag(variant.active));
    let values: Vec<&String> = [&variant.option1, &variant.option2, &variant.option3]
        .into_iter()
        .flatten()
        .collect();
    let label: Vec<&str> = values.iter().map(|v| v.as_str()).collect();
    row.set("Name", &format!("{} — {}", product.name, label.join(", ")));
    for (n, ((name, _), value)) in (1..).zip(options.iter().zip(values)) {
        row.set(&format!("Attribute {n} name"), name);
        row.set(&format!("Attribute {n} value(s)"), value);
    }
    variant_cells(&mut row, variant, price, origin);
    row.0
}

/// A variant's own cells: SKU, stock, prices, sale days, weight and photo.
fn variant_cells(row: &mut Row, variant: &VariantRow, price: Money, origin: &str) {
    row.set("SKU", &variant.sku);
    row.set("In stock?", flag(variant.stock > 0));
    row.set("Stock", &variant.stock.to_string());
    let regular = variant
        .price_minor
        .map_or(price, |minor| Money::new(minor, price.currency));
    row.set("Regular price", &regular.decimal());
    if let Some(sale) = variant.sale_price_minor {
        row.set("Sale price", &Money::new(sale, price.currency).decimal());
    }
    let day =
        |at: &Option<String>, end: bool| at.as_deref().and_then(|at| vilnius::date_of(at, end));
    row.set(
        "Date sale price starts",
        &day(&variant.sale_from, false).unwrap_or_default(),
    );
    row.set(
        "Date sale price ends",
        &day(&variant.sale_until, true).unwrap_or_default(),
    );
    if let Some(grams) = variant.weight_grams {
        row.set(
            "Weight (kg)",
            &format!("{}.{:03}", grams / 1000, grams % 1000),
        );
    }
    if let Some(path) = &variant.image_path {
        row.set("Images", &format!("{origin}{path}"));
    }
}

fn flag(on: bool) -> &'static str {
    if on {
        "1"
    } else {
        "0"
    }
}

/// One row's cells, set by column name.
struct Row(Vec<String>);

impl Row {
    fn new() -> Row {
        Row(vec![String::new(); COLUMNS.len()])
    }

    fn set(&mut self, column: &str, value: &str) {
        if let Some(at) = COLUMNS.iter().position(|c| *c == column) {
            self.0[at] = value.to_owned();
        }
    }
}
