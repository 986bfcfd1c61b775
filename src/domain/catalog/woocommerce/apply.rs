//! A plan written into the shop, in one transaction: categories made where missing, each product
//! found again (by its import key, else its web address or its variant's SKU) and updated, or
//! made; its options and variants; its photos (already fetched). Any error rolls everything back;
//! a dry run rolls back what it did and reports it. Only writes: the file was read, planned and
//! its photos fetched before the transaction began, so the write lock is held for as short a
//! time as the writes take.

use super::photos::Fetched;
use super::plan::{PlannedProduct, PlannedVariant};
use super::{Problem, Report};
use crate::db::Tx;
use crate::error::AppError;
use std::collections::HashMap;

/// Writes `products` (with `photos`, fetched by their sources) in one transaction; commits unless
/// `dry_run`. A refusal by the database (a SKU another product has) is an error in the report,
/// and nothing is kept.
pub async fn apply(
    writer: &crate::db::Db,
    products: &[PlannedProduct],
    photos: &Fetched,
    dry_run: bool,
) -> Result<Report, AppError> {
    let mut report = Report {
        dry_run,
        ..Report::default()
    };
    let mut tx = writer.begin().await?;
    let mut categories = HashMap::new();
    for product in products {
        match write_product(&mut tx, product, photos, &mut categories, &mut report).await {
            Ok(()) => {}
            Err(Write::Refused(problem)) => report.errors.push(problem),
            Err(Write::Failed(error)) => return Err(error),
        }
    }
    if dry_run || !report.errors.is_empty() {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(report)
}

/// Why a product was not written: the file asks for something the shop refuses, or the database
/// failed.
enum Write {
    Refused(Problem),
    Failed(AppError),
}

impl From<sqlx::Error> for Write {
    fn from(error: sqlx::Error) -> Write {
        Write::Failed(error.into())
    }
}

impl From<AppError> for Write {
    fn from(error: AppError) -> Write {
        Write::Failed(error)
    }
}

async fn write_product(
    tx: &mut Tx,
    product: &PlannedProduct,
    photos: &Fetched,
    categories: &mut HashMap<String, i64>,
    report: &mut Report,
) -> Result<(), Write> {
    let category = match &product.category {
        Some((name, slug)) => category_id(tx, name, slug, categories, report).await?,
        None => uncategorised(tx, categories, report).await?,
    };
    let id = match existing(tx, product).await? {
        Some(id) => {
            if update_product(tx, id, product, category).await? {
                report.products_updated += 1;
            } else {
                report.products_unchanged += 1;
            }
            id
        }
        None => {
            report.products_created += 1;
            insert_product(tx, product, category).await?
        }
    };
    if !product.options.is_empty() {
        super::super::variants::store_options(tx, id, &product.options).await?;
    }
    let images = add_photos(tx, id, product, photos, report).await?;
    for (position, variant) in (0i64..).zip(&product.variants) {
        let image = variant
            .image
            .as_ref()
            .and_then(|source| images.get(source).copied());
        write_variant(tx, id, variant, (position, image), report).await?;
    }
    Ok(())
}

/// The category named `name` (any capitals) or at `slug`; made if neither exists.
async fn category_id(
    tx: &mut Tx,
    name: &str,
    slug: &str,
    known: &mut HashMap<String, i64>,
    report: &mut Report,
) -> Result<i64, Write> {
    if let Some(id) = known.get(slug) {
        return Ok(*id);
    }
    let found: Option<i64> = crate::on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT id FROM categories WHERE lower(name) = lower($1) OR slug = $2 ORDER BY slug = $2 DESC LIMIT 1",
    )
    .bind(name)
    .bind(slug)
    .fetch_optional(&mut *conn)
    .await)?;
    let id = match found {
        Some(id) => id,
        None => {
            report.categories_created += 1;
            crate::on_tx!(tx, conn => sqlx::query_scalar(
                "INSERT INTO categories (slug, name, position, updated_at)
                 VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM categories), $3) RETURNING id",
            )
            .bind(slug)
            .bind(name)
            .bind(crate::clock::now())
            .fetch_one(&mut *conn)
            .await)?
        }
    };
    known.insert(slug.to_owned(), id);
    Ok(id)
}

/// Products without a category in the file go to "Imported".
async fn uncategorised(
    tx: &mut Tx,
    known: &mut HashMap<String, i64>,
    report: &mut Report,
) -> Result<i64, Write> {
    category_id(tx, "Imported", "imported", known, report).await
}

/// The shop's product the row is: by its import key, else (a product made here, as the export
/// writes it) by its web address, else by its one variant's SKU.
async fn existing(tx: &mut Tx, product: &PlannedProduct) -> Result<Option<i64>, Write> {
    let sku = product
        .variants
        .first()
        .filter(|_| product.options.is_empty())
        .map(|variant| variant.sku.clone())
        .unwrap_or_default();
    Ok(crate::on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT id FROM products WHERE import_key = $1
         UNION ALL SELECT id FROM products WHERE import_key IS NULL AND slug = $2
         UNION ALL SELECT v.product_id FROM product_variants v JOIN products p ON p.id = v.product_id
                   WHERE p.import_key IS NULL AND lower(v.sku) = lower($3)
         LIMIT 1",
    )
    .bind(&product.key)
    .bind(&product.slug)
    .bind(sku)
    .fetch_optional(&mut *conn)
    .await)?)
}

/// A web address no other product has: the planned one, else with `-2`, `-3`… after it.
async fn free_slug(tx: &mut Tx, slug: &str) -> Result<String, Write> {
    for n in 1..1000 {
        let candidate = if n == 1 {
            slug.to_owned()
        } else {
            format!("{}-{n}", slug.chars().take(114).collect::<String>())
        };
        let taken: bool = crate::on_tx!(tx, conn => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM products WHERE slug = $1)",
        )
        .bind(&candidate)
        .fetch_one(&mut *conn)
        .await)?;
        if !taken {
            return Ok(candidate);
        }
    }
    Err(Write::Refused(Problem::at(
        0,
        "",
        format!("no free web address for {slug}"),
    )))
}

async fn insert_product(
    tx: &mut Tx,
    product: &PlannedProduct,
    category: i64,
) -> Result<i64, Write> {
    let slug = free_slug(tx, &product.slug).await?;
    Ok(crate::on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO products (slug, name, description, category_id, price_minor, currency, active,
                               featured, max_per_order, import_key, updated_at, tax_class)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(slug)
    .bind(&product.name)
    .bind(&product.description)
    .bind(category)
    .bind(product.price.minor)
    .bind(product.price.currency.code())
    .bind(product.active)
    .bind(product.featured)
    .bind(product.max_per_order)
    .bind(&product.key)
    .bind(crate::clock::now())
    .bind(product.tax_class.key())
    .fetch_one(&mut *conn)
    .await)?)
}

/// Updates product `id` where the file differs (its web address stays the merchant's); whether
/// anything changed.
async fn update_product(
    tx: &mut Tx,
    id: i64,
    product: &PlannedProduct,
    category: i64,
) -> Result<bool, Write> {
    let changed = crate::on_tx!(tx, conn => sqlx::query(
        "UPDATE products SET name = $2, description = $3, category_id = $4, price_minor = $5,
                active = $6, featured = $7, max_per_order = $8, import_key = $9, updated_at = $10,
                tax_class = $11
         WHERE id = $1 AND NOT (name = $2 AND description = $3 AND category_id = $4
               AND price_minor = $5 AND active = $6 AND featured = $7
               AND COALESCE(max_per_order, -1) = COALESCE($8, -1) AND tax_class = $11)",
    )
    .bind(id)
    .bind(&product.name)
    .bind(&product.description)
    .bind(category)
    .bind(product.price.minor)
    .bind(product.active)
    .bind(product.featured)
    .bind(product.max_per_order)
    .bind(&product.key)
    .bind(crate::clock::now())
    .bind(product.tax_class.key())
    .execute(&mut *conn)
    .await
    .map(|done| done.rows_affected()))?;
    if changed == 0 {
        // Unchanged, but remembered under its key for the next import.
        crate::on_tx!(tx, conn => sqlx::query("UPDATE products SET import_key = $2 WHERE id = $1 AND import_key IS NULL")
            .bind(id)
            .bind(&product.key)
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected()))?;
    }
    Ok(changed > 0)
}

/// Writes one variant of product `id` at `position` (with its photo's id): the one it already has
/// with the same values (a product without options: its one variant), or the one with its SKU,
/// updated where the file differs; else a new one. A SKU another product has is refused.
async fn write_variant(
    tx: &mut Tx,
    id: i64,
    variant: &PlannedVariant,
    (position, image): (i64, Option<i64>),
    report: &mut Report,
) -> Result<(), Write> {
    let value = |i: usize| variant.values.get(i).cloned();
    let found: Option<i64> = crate::on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT id FROM product_variants WHERE product_id = $1
           AND (lower(sku) = lower($2) OR (COALESCE(option1, '') = COALESCE($3, '')
                AND COALESCE(option2, '') = COALESCE($4, '') AND COALESCE(option3, '') = COALESCE($5, '')))
         ORDER BY lower(sku) = lower($2) DESC LIMIT 1",
    )
    .bind(id)
    .bind(&variant.sku)
    .bind(value(0))
    .bind(value(1))
    .bind(value(2))
    .fetch_optional(&mut *conn)
    .await)?;
    let variant_id = match found {
        Some(found) => found,
        None => {
            report.variants_created += 1;
            crate::on_tx!(tx, conn => sqlx::query_scalar(
                "INSERT INTO product_variants (product_id, sku, stock) VALUES ($1, $2, 0) RETURNING id",
            )
            .bind(id)
            .bind(&variant.sku)
            .fetch_one(&mut *conn)
            .await)
            .map_err(|error| sku_refused(error, variant))?
        }
    };
    if update_variant(tx, variant_id, variant, (position, image)).await? && found.is_some() {
        report.variants_updated += 1;
    }
    Ok(())
}

/// Sets every field of variant `id` from the file, if any differs; whether one did.
async fn update_variant(
    tx: &mut Tx,
    id: i64,
    variant: &PlannedVariant,
    (position, image): (i64, Option<i64>),
) -> Result<bool, Write> {
    let value = |i: usize| variant.values.get(i).cloned();
    let sale = variant.sale.as_ref();
    // IS NOT DISTINCT FROM on PostgreSQL, IS on SQLite: `db`'s portable spelling is both.
    let changed = crate::on_tx!(tx, conn => sqlx::query(&format!(
        "UPDATE product_variants SET sku = $2, price_minor = $3, stock = $4, active = $5,
                sale_price_minor = $6, sale_from = $7, sale_until = $8, weight_grams = $9,
                image_id = COALESCE($10, image_id), option1 = $11, option2 = $12, option3 = $13,
                position = $14
         WHERE id = $1 AND NOT (sku = $2 AND {} AND stock = $4 AND active = $5 AND {} AND {} AND {}
               AND {} AND ($10 IS NULL OR image_id = $10) AND {} AND {} AND {} AND position = $14)",
        same("price_minor", "$3"), same("sale_price_minor", "$6"), same("sale_from", "$7"),
        same("sale_until", "$8"), same("weight_grams", "$9"), same("option1", "$11"),
        same("option2", "$12"), same("option3", "$13"),
    ))
    .bind(id)
    .bind(&variant.sku)
    .bind(variant.price.map(|p| p.minor))
    .bind(variant.stock)
    .bind(variant.active)
    .bind(sale.map(|s| s.price.minor))
    .bind(sale.and_then(|s| s.from.clone()))
    .bind(sale.and_then(|s| s.until.clone()))
    .bind(variant.weight_grams.map(i64::from))
    .bind(image)
    .bind(value(0))
    .bind(value(1))
    .bind(value(2))
    .bind(position)
    .execute(&mut *conn)
    .await
    .map(|done| done.rows_affected()))
    .map_err(|error| sku_refused(error, variant))?;
    Ok(changed > 0)
}

/// `column` equals `parameter`, both NULL counting as equal, in both databases.
fn same(column: &str, parameter: &str) -> String {
    format!("COALESCE({column} = {parameter}, {column} IS NULL AND {parameter} IS NULL)")
}

fn sku_refused(error: sqlx::Error, variant: &PlannedVariant) -> Write {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => Write::Refused(Problem::at(
            variant.line,
            "SKU",
            format!(
                "\"{}\" is the SKU of another product in this shop",
                variant.sku
            ),
        )),
        _ => Write::Failed(error.into()),
    }
}

/// Adds the product's photos it does not have yet (by their source), in the file's order, and
/// returns every source's photo id (for the variations that name one). A photo that could not be
/// had is a warning.
async fn add_photos(
    tx: &mut Tx,
    id: i64,
    product: &PlannedProduct,
    photos: &Fetched,
    report: &mut Report,
) -> Result<HashMap<String, i64>, Write> {
    let mut sources: Vec<&String> = product.images.iter().collect();
    sources.extend(product.variants.iter().filter_map(|v| v.image.as_ref()));
    let mut ids = HashMap::new();
    for source in sources {
        if ids.contains_key(source) {
            continue;
        }
        let had: Option<i64> = crate::on_tx!(tx, conn => sqlx::query_scalar(
            "SELECT id FROM product_images WHERE product_id = $1 AND (source = $2 OR $3 = path) LIMIT 1",
        )
        .bind(id)
        .bind(source)
        .bind(photos.own_path(source))
        .fetch_optional(&mut *conn)
        .await)?;
        let photo = match (had, photos.get(source)) {
            (Some(had), _) => had,
            (None, Some(Ok(stored))) => {
                report.photos_added += 1;
                crate::on_tx!(tx, conn => sqlx::query_scalar(
                    "INSERT INTO product_images (product_id, path, thumb_path, alt, position, source)
                     VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), -1) + 1 FROM product_images WHERE product_id = $1), $5)
                     RETURNING id",
                )
                .bind(id)
                .bind(&stored.path)
                .bind(&stored.thumb_path)
                .bind(&product.name)
                .bind(source)
                .fetch_one(&mut *conn)
                .await)?
            }
            (None, Some(Err(why))) => {
                let message = format!("photo {source}: {why}");
                report
                    .warnings
                    .push(Problem::at(product.line, "Images", message));
                continue;
            }
            (None, None) => continue,
        };
        ids.insert(source.clone(), photo);
    }
    Ok(ids)
}
