//! The admin's catalog queries. Every text a merchant types is stored as typed and rendered
//! escaped by the pages, so it stays inert; here it is only checked for length and shape.

use super::{
    AdminImage, CategoryOption, CategoryRow, ProductFilter, ProductForm, ProductList, ProductRow,
    LOW_STOCK, PRODUCTS_PER_PAGE,
};
use crate::clock::vilnius;
use crate::domain::catalog::store::stored_money;
use crate::domain::catalog::{variants, Sale};
use crate::domain::vat::TaxClass;
use crate::error::AppError;
use crate::money::{Currency, Money};
use sqlx::QueryBuilder;

/// Stock above this is surely a typing slip.
pub const MAX_STOCK: i64 = 1_000_000;

async fn category_options(pool: &crate::db::Db) -> Result<Vec<CategoryOption>, AppError> {
    let rows: Vec<(i64, String)> = crate::on_db!(pool, conn => sqlx::query_as("SELECT id, name FROM categories ORDER BY position, name")
            .fetch_all(conn)
            .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| CategoryOption { id, name })
        .collect())
}

fn push_conditions<'a, DB: sqlx::Database>(
    filter: &ProductFilter,
    sql: &mut QueryBuilder<'a, DB>,
) -> Result<(), AppError>
where
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    sql.push(" WHERE 1 = 1");
    let q = filter.q.trim();
    if !q.is_empty() {
        let pattern = crate::text::like_pattern(q);
        // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
        sql.push(" AND (lower(p.name) LIKE lower(")
            .push_bind(pattern.clone())
            .push(") ESCAPE '\\' OR p.slug LIKE lower(")
            .push_bind(pattern)
            .push(") ESCAPE '\\')");
    }
    if !filter.category.is_empty() {
        let category: i64 = filter.category.parse().map_err(|_| {
            AppError::BadRequest(crate::tr!(admin.products.unknown_category).into())
        })?;
        sql.push(" AND p.category_id = ").push_bind(category);
    }
    match filter.status.as_str() {
        "" => {}
        "active" => {
            sql.push(" AND p.active = TRUE");
        }
        "archived" => {
            sql.push(" AND p.active = FALSE");
        }
        _ => {
            return Err(AppError::BadRequest(
                crate::tr!(admin.products.unknown_status).into(),
            ))
        }
    }
    if filter.low == "1" {
        sql.push(
            " AND EXISTS (SELECT 1 FROM product_variants v
              WHERE v.product_id = p.id AND v.active = TRUE AND v.stock <= ",
        )
        .push_bind(LOW_STOCK)
        .push(")");
    }
    Ok(())
}

/// A product in the admin's list, with its category's name and first photo.
#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    slug: String,
    name: String,
    category: String,
    price_minor: i64,
    currency: String,
    stock: i64,
    active: bool,
    thumb: Option<String>,
}

pub async fn list(pool: &crate::db::Db, filter: &ProductFilter) -> Result<ProductList, AppError> {
    let total: i64 = crate::on_db!(pool, conn => {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM products p");
        push_conditions(filter, &mut count)?;
        count.build_query_scalar().fetch_one(conn).await
    })?;
    let total = u32::try_from(total).unwrap_or(u32::MAX);
    let pages = total.div_ceil(PRODUCTS_PER_PAGE).max(1);
    let page = filter.page.clamp(1, pages);
    let rows: Vec<ListRow> = crate::on_db!(pool, conn => {
        let mut rows = QueryBuilder::new(
            "SELECT p.id, p.slug, p.name, c.name AS category, p.price_minor, p.currency,
                    (SELECT CAST(COALESCE(SUM(v.stock), 0) AS BIGINT) FROM product_variants v
                     WHERE v.product_id = p.id) AS stock,
                    p.active,
                    (SELECT COALESCE(i.thumb_path, i.path) FROM product_images i
                     WHERE i.product_id = p.id ORDER BY i.position, i.id LIMIT 1) AS thumb
             FROM products p JOIN categories c ON c.id = p.category_id",
        );
        push_conditions(filter, &mut rows)?;
        rows.push(" ORDER BY p.active DESC, lower(p.name) LIMIT ")
            .push_bind(i64::from(PRODUCTS_PER_PAGE))
            .push(" OFFSET ")
            .push_bind(i64::from((page - 1) * PRODUCTS_PER_PAGE));
        rows.build_query_as().fetch_all(conn).await
    })?;
    Ok(ProductList {
        products: rows
            .into_iter()
            .map(|row| {
                Ok(ProductRow {
                    id: row.id,
                    slug: row.slug,
                    name: row.name,
                    category: row.category,
                    price: stored_money(row.price_minor, &row.currency)?,
                    stock: row.stock,
                    active: row.active,
                    thumb: row.thumb,
                })
            })
            .collect::<Result<_, AppError>>()?,
        page,
        pages,
        total,
        categories: category_options(pool).await?,
    })
}

#[derive(sqlx::FromRow)]
struct ProductRecord {
    slug: String,
    name: String,
    description: String,
    category_id: i64,
    price_minor: i64,
    stock: i64,
    max_per_order: Option<i64>,
    active: bool,
    featured: bool,
    tax_class: String,
}

pub async fn form(
    pool: &crate::db::Db,
    currency: Currency,
    id: i64,
) -> Result<ProductForm, AppError> {
    let categories = category_options(pool).await?;
    if id == 0 {
        return Ok(new_product_form(categories, currency));
    }
    let product: ProductRecord = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT p.slug, p.name, p.description, p.category_id, p.price_minor, v.stock,
                p.max_per_order, p.active, p.featured, p.tax_class
         FROM products p JOIN product_variants v ON v.product_id = p.id
         WHERE p.id = $1 ORDER BY v.position, v.id LIMIT 1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await)?
    .ok_or_else(|| AppError::NotFound(crate::tr!(admin.products.no_such_product).into()))?;
    Ok(ProductForm {
        id,
        slug: product.slug,
        name: product.name,
        description: product.description,
        category_id: product.category_id,
        price: Money::new(product.price_minor, currency).decimal(),
        currency: currency.code().into(),
        stock: product.stock.to_string(),
        stock_saved: product.stock,
        max_per_order: product
            .max_per_order
            .map(|m| m.to_string())
            .unwrap_or_default(),
        active: product.active,
        featured: product.featured,
        tax_class: TaxClass::from_key(&product.tax_class).unwrap_or_default(),
        images: images_of(pool, id).await?,
        categories,
        ordered: was_ordered(pool, id).await?,
        options: variants::options_of(pool, id).await?,
        variants: variants::variants_of(pool, id, currency).await?,
    })
}

/// The empty form of `/admin/products/new`.
fn new_product_form(categories: Vec<CategoryOption>, currency: Currency) -> ProductForm {
    ProductForm {
        id: 0,
        slug: String::new(),
        name: String::new(),
        description: String::new(),
        category_id: categories.first().map(|c| c.id).unwrap_or(0),
        price: String::new(),
        currency: currency.code().into(),
        stock: "0".into(),
        stock_saved: 0,
        max_per_order: String::new(),
        active: true,
        featured: false,
        tax_class: TaxClass::Standard,
        images: vec![],
        categories,
        ordered: false,
        options: vec![],
        variants: vec![],
    }
}

/// A product's photos in their order, as the admin's form lists them (thumbnails).
async fn images_of(pool: &crate::db::Db, product_id: i64) -> Result<Vec<AdminImage>, AppError> {
    let images: Vec<(i64, String, String)> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT id, COALESCE(thumb_path, path), alt FROM product_images
         WHERE product_id = $1 ORDER BY position, id",
    )
    .bind(product_id)
    .fetch_all(conn)
    .await)?;
    Ok(images
        .into_iter()
        .map(|(id, path, alt)| AdminImage { id, path, alt })
        .collect())
}

async fn was_ordered(pool: &crate::db::Db, product_id: i64) -> Result<bool, AppError> {
    Ok(
        crate::on_db!(pool, conn => sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM order_lines WHERE product_id = $1)")
            .bind(product_id)
            .fetch_one(conn)
            .await)?,
    )
}

const DRAFT_KEY: &str = "admin_product_draft";

/// The product form as typed.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ProductDraft {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub category_id: i64,
    pub description: String,
    pub price: String,
    pub stock: String,
    #[serde(default)]
    pub max_per_order: String,
    pub active: bool,
    pub featured: bool,
    /// `TaxClass::key`; empty (a form without the field) is standard.
    #[serde(default)]
    pub tax_class: String,
}

/// Keeps a refused form's values for the page that shows it again.
pub async fn keep_draft(draft: ProductDraft) -> Result<(), AppError> {
    crate::state::session()
        .await?
        .insert(DRAFT_KEY, draft)
        .await?;
    Ok(())
}

/// Puts a refused form's values (kept by [`keep_draft`]) back into the form, once.
pub async fn restore_draft(form: &mut ProductForm) -> Result<(), AppError> {
    let session = crate::state::session().await?;
    let Some(draft) = session.get::<ProductDraft>(DRAFT_KEY).await? else {
        return Ok(());
    };
    if draft.id != form.id {
        return Ok(());
    }
    session.remove::<ProductDraft>(DRAFT_KEY).await?;
    form.name = draft.name;
    form.slug = draft.slug;
    form.category_id = draft.category_id;
    form.description = draft.description;
    form.price = draft.price;
    form.stock = draft.stock;
    form.max_per_order = draft.max_per_order;
    form.active = draft.active;
    form.featured = draft.featured;
    form.tax_class = TaxClass::from_key(&draft.tax_class).unwrap_or_default();
    Ok(())
}

/// A product form, read and checked.
pub struct ProductInput {
    name: String,
    slug: String,
    category_id: i64,
    description: String,
    price: Money,
    /// `None`: left as it is (a product with options has its stock on its variants' rows).
    stock: Option<i64>,
    max_per_order: Option<i64>,
    active: bool,
    featured: bool,
    tax_class: TaxClass,
}

impl ProductInput {
    pub fn parse(draft: &ProductDraft, currency: Currency) -> Result<ProductInput, AppError> {
        let name = draft.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::BadRequest(
                crate::tr!(admin.products.name_length).into(),
            ));
        }
        if draft.description.chars().count() > 10_000 {
            return Err(AppError::BadRequest(
                crate::tr!(admin.products.description_length).into(),
            ));
        }
        let locale = crate::locale::current();
        let price = Money::parse_decimal(&draft.price, currency)
            .map_err(|error| error.refusal(locale, &draft.price))?;
        let stock = match draft.stock.trim() {
            "" => None,
            typed => Some(stock(typed)?),
        };
        let limit = draft.max_per_order.trim();
        let max_per_order = match limit {
            "" => None,
            typed => Some(
                typed
                    .parse::<i64>()
                    .ok()
                    .filter(|m| (1..=MAX_STOCK).contains(m))
                    .ok_or_else(|| {
                        AppError::BadRequest(crate::tr!(admin.products.max_range, max = MAX_STOCK))
                    })?,
            ),
        };
        Ok(ProductInput {
            slug: crate::text::slug_or_refusal(&draft.slug, name, 120, locale)?,
            max_per_order,
            name: name.to_owned(),
            category_id: draft.category_id,
            description: draft.description.trim().replace("\r\n", "\n"),
            price,
            stock,
            active: draft.active,
            featured: draft.featured,
            tax_class: match draft.tax_class.as_str() {
                "" => TaxClass::Standard,
                key => TaxClass::from_key(key).ok_or_else(|| {
                    AppError::BadRequest(crate::tr!(admin.products.tax_class).into())
                })?,
            },
        })
    }
}

/// A stock figure as typed: a whole number from 0 to [`MAX_STOCK`].
pub fn stock(typed: &str) -> Result<i64, AppError> {
    typed
        .trim()
        .parse()
        .ok()
        .filter(|s| (0..=MAX_STOCK).contains(s))
        .ok_or_else(|| {
            AppError::BadRequest(crate::tr!(admin.products.stock_range, max = MAX_STOCK))
        })
}

/// A price that may be left empty (`None`).
pub fn optional_price(typed: &str, currency: Currency) -> Result<Option<Money>, AppError> {
    match typed.trim() {
        "" => Ok(None),
        typed => Money::parse_decimal(typed, currency)
            .map(Some)
            .map_err(|error| error.refusal(crate::locale::current(), typed)),
    }
}

/// A sale as typed: a price (empty: no sale) and its first and last days in the shop's time zone
/// (each may be empty), read as the instants the sale starts and ends.
pub fn sale(
    price: &str,
    [from, until]: [&str; 2],
    currency: Currency,
) -> Result<Option<Sale>, AppError> {
    let Some(price) = optional_price(price, currency)? else {
        return Ok(None);
    };
    let day = |typed: &str, field: &str, read: fn(&str) -> Option<String>| match typed.trim() {
        "" => Ok(None),
        typed => read(typed)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest(crate::tr!(admin.variants.bad_date, field, typed))),
    };
    Ok(Some(Sale {
        price,
        from: day(
            from,
            crate::tr!(admin.variants.sale_from),
            vilnius::day_start,
        )?,
        until: day(
            until,
            crate::tr!(admin.variants.sale_until),
            vilnius::day_end,
        )?,
    }))
}

/// A weight in grams as typed (empty: none given).
pub fn weight(typed: &str) -> Result<Option<u32>, AppError> {
    match typed.trim() {
        "" => Ok(None),
        typed => typed
            .parse::<u32>()
            .ok()
            .filter(|grams| *grams <= 1_000_000)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest(crate::tr!(admin.variants.bad_weight).into())),
    }
}

/// A save refused by the database: the web address (`taken`, in the admin's words) is another's,
/// or the category is gone.
fn slug_taken(error: sqlx::Error, taken: &str) -> AppError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => AppError::Conflict(taken.into()),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            AppError::BadRequest(crate::tr!(admin.products.choose_category).into())
        }
        _ => error.into(),
    }
}

/// Creates (`id` 0) or updates a product and the stock of its one variant, in one transaction.
/// `stock_was` is the stock the merchant's form showed: if shoppers bought units since, the update
/// is refused instead of putting back units that are gone.
pub async fn save(
    writer: &crate::db::Db,
    currency: Currency,
    draft: &ProductDraft,
    stock_was: Option<i64>,
) -> Result<i64, AppError> {
    let input = ProductInput::parse(draft, currency)?;
    let mut tx = writer.begin().await?;
    let saved = save_product(&mut tx, draft.id, &input)
        .await
        .map_err(|e| slug_taken(e, crate::tr!(admin.form.slug_taken_product)))?;
    let Some(id) = saved else {
        return Err(AppError::NotFound(
            crate::tr!(admin.products.no_such_product).into(),
        ));
    };
    // Whether the stock the form showed was still there to replace (a new product has none yet;
    // a product with options keeps its stock on its variants' rows).
    let stock_kept = if draft.id == 0 {
        crate::on_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO product_variants (product_id, sku, stock) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(&input.slug)
        .bind(input.stock.unwrap_or(0))
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected()))
        .map_err(|e| slug_taken(e, crate::tr!(admin.form.slug_taken_product)))?;
        true
    } else if let Some(stock) = input.stock {
        set_stock(&mut tx, id, stock, stock_was).await? == 1
    } else {
        true
    };
    if !stock_kept {
        let stock = stock_now(&mut tx, id).await?;
        return Err(AppError::Conflict(crate::tr!(
            admin.products.stock_changed,
            stock
        )));
    }
    tx.commit().await?;
    Ok(id)
}

/// Inserts (`id` 0) or updates the product's own row; `None` if there is no product `id`.
async fn save_product(
    tx: &mut crate::db::Tx,
    id: i64,
    input: &ProductInput,
) -> Result<Option<i64>, sqlx::Error> {
    crate::on_tx!(tx, conn => {
        let query = if id == 0 {
            sqlx::query_scalar(
                "INSERT INTO products (slug, name, description, category_id, price_minor, currency,
                                       active, featured, max_per_order, updated_at, tax_class)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
        } else {
            sqlx::query_scalar(
                "UPDATE products SET slug = $1, name = $2, description = $3, category_id = $4,
                                     price_minor = $5, currency = $6, active = $7,
                                     featured = $8, max_per_order = $9, updated_at = $10,
                                     tax_class = $11
                 WHERE id = $12 RETURNING id",
            )
        }
        .bind(&input.slug)
        .bind(&input.name)
        .bind(&input.description)
        .bind(input.category_id)
        .bind(input.price.minor)
        .bind(input.price.currency.code())
        .bind(input.active)
        .bind(input.featured)
        .bind(input.max_per_order)
        .bind(crate::clock::now())
        .bind(input.tax_class.key());
        let query = if id == 0 { query } else { query.bind(id) };
        query.fetch_optional(&mut *conn).await
    })
}

/// Sets the stock of product `id`'s one variant, if it is still `stock_was`: rows changed.
async fn set_stock(
    tx: &mut crate::db::Tx,
    id: i64,
    stock: i64,
    stock_was: Option<i64>,
) -> Result<u64, AppError> {
    Ok(crate::on_tx!(tx, conn => sqlx::query(
        "UPDATE product_variants SET stock = $1
         WHERE id = (SELECT id FROM product_variants WHERE product_id = $2 ORDER BY position, id LIMIT 1)
           AND ($3 IS NULL OR stock = $3)",
    )
    .bind(stock)
    .bind(id)
    .bind(stock_was)
    .execute(&mut *conn)
    .await
    .map(|done| done.rows_affected()))?)
}

/// The units product `id` has now, across its variants.
async fn stock_now(tx: &mut crate::db::Tx, id: i64) -> Result<i64, AppError> {
    Ok(crate::on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(stock), 0) AS BIGINT) FROM product_variants WHERE product_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await)?)
}

/// Deletes a product and its photos (`data_dir`: where their files are), or, if it was ever
/// ordered, takes it off sale: an order's lines keep their product.
pub async fn remove(
    writer: &crate::db::Db,
    data_dir: &std::path::Path,
    id: i64,
) -> Result<(), AppError> {
    let pool = writer;
    if was_ordered(pool, id).await? {
        crate::on_db!(pool, conn => sqlx::query("UPDATE products SET active = FALSE, updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(crate::clock::now())
            .execute(conn)
            .await.map(|done| done.rows_affected()))?;
        return Ok(());
    }
    let images: Vec<i64> = crate::on_db!(pool, conn => sqlx::query_scalar("SELECT id FROM product_images WHERE product_id = $1")
            .bind(id)
            .fetch_all(conn)
            .await)?;
    for image in images {
        super::images::delete(writer, data_dir, image).await?;
    }
    // Still conditional: an order placed a moment ago keeps its product.
    crate::on_db!(pool, conn => sqlx::query(
        "DELETE FROM products WHERE id = $1
         AND NOT EXISTS (SELECT 1 FROM order_lines WHERE product_id = $1)",
    )
    .bind(id)
    .execute(conn)
    .await.map(|done| done.rows_affected()))?;
    Ok(())
}

pub async fn categories(pool: &crate::db::Db) -> Result<Vec<CategoryRow>, AppError> {
    Ok(crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT c.id, c.slug, c.name, c.description, c.position,
                (SELECT COUNT(*) FROM products p WHERE p.category_id = c.id) AS products
         FROM categories c ORDER BY c.position, c.name",
    )
    .fetch_all(conn)
    .await)?)
}

pub async fn save_category(
    pool: &crate::db::Db,
    id: i64,
    name: &str,
    slug: &str,
    description: &str,
    position: &str,
) -> Result<(), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::BadRequest(
            crate::tr!(admin.categories.name_length).into(),
        ));
    }
    if description.chars().count() > 2000 {
        return Err(AppError::BadRequest(
            crate::tr!(admin.categories.description_length).into(),
        ));
    }
    let position: i64 = match position.trim() {
        "" => 0,
        text => text
            .parse()
            .ok()
            .filter(|p: &i64| p.abs() <= 10_000)
            .ok_or_else(|| {
                AppError::BadRequest(crate::tr!(admin.categories.position_range).into())
            })?,
    };
    let slug = crate::text::slug_or_refusal(slug, name, 80, crate::locale::current())?;
    let saved = crate::on_db!(pool, conn => {
        let query = if id == 0 {
            sqlx::query(
                "INSERT INTO categories (slug, name, description, position, updated_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
        } else {
            sqlx::query(
                "UPDATE categories SET slug = $1, name = $2, description = $3, position = $4,
                                       updated_at = $5
                 WHERE id = $6",
            )
        }
        .bind(slug)
        .bind(name)
        .bind(description.trim())
        .bind(position)
        .bind(crate::clock::now());
        let query = if id == 0 { query } else { query.bind(id) };
        query.execute(conn).await.map(|done| done.rows_affected())
    })
    .map_err(|e| slug_taken(e, crate::tr!(admin.form.slug_taken_category)))?;
    if saved == 0 {
        return Err(AppError::NotFound(
            crate::tr!(admin.categories.no_such_category).into(),
        ));
    }
    Ok(())
}

pub async fn delete_category(pool: &crate::db::Db, id: i64) -> Result<(), AppError> {
    let deleted = crate::on_db!(pool, conn => sqlx::query(
        "DELETE FROM categories WHERE id = $1
         AND NOT EXISTS (SELECT 1 FROM products WHERE category_id = $1)",
    )
    .bind(id)
    .execute(conn)
    .await.map(|done| done.rows_affected()))?;
    if deleted == 0 {
        let exists: bool = crate::on_db!(pool, conn => sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM categories WHERE id = $1)")
                .bind(id)
                .fetch_one(conn)
                .await)?;
        return Err(if exists {
            AppError::Conflict(crate::tr!(admin.categories.not_empty).into())
        } else {
            AppError::NotFound(crate::tr!(admin.categories.no_such_category).into())
        });
    }
    Ok(())
}
