//! A product's options (Size, Colour: up to three, each with its values in order) and its
//! variants: the combinations the merchant offers, each with its own SKU, price (or the
//! product's), stock and switch. Shoppers choose values; the server finds the variant
//! ([`resolve`]). The merchant names the options and the shop makes the missing combinations
//! ([`save_options`]), each then edited on its own ([`update_variant`], in the flow that also
//! records a change of stock: `flows::variant_edit`).

use super::{price_in_force, ProductOption, Sale, VariantChoice, VariantImage, REGULAR_PRICE};
use crate::error::AppError;
use crate::locale::Locale;
use crate::money::{Currency, Money};
use leptos_i18n::td_string;

/// At most this many options per product, and this many variants.
pub const MAX_OPTIONS: usize = 3;
pub const MAX_VARIANTS: usize = 100;

/// The product's options, in order.
pub async fn options_of(
    pool: &crate::db::Db,
    product_id: i64,
) -> Result<Vec<ProductOption>, AppError> {
    let rows: Vec<(String, String)> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT name, choices FROM product_options WHERE product_id = $1 ORDER BY position",
    )
    .bind(product_id)
    .fetch_all(conn)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(name, choices)| ProductOption {
            name,
            choices: choices.lines().map(str::to_owned).collect(),
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct VariantRow {
    id: i64,
    option1: Option<String>,
    option2: Option<String>,
    option3: Option<String>,
}

impl VariantRow {
    /// Its values, one per option (none for a product without options).
    fn values(&self) -> Vec<String> {
        [&self.option1, &self.option2, &self.option3]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
}

/// A variant as [`variants_of`] reads it: its prices now, its sale and its photo.
#[derive(sqlx::FromRow)]
struct ChoiceRow {
    id: i64,
    sku: String,
    price_now: i64,
    regular: i64,
    own_price: bool,
    sale_price_minor: Option<i64>,
    sale_from: Option<String>,
    sale_until: Option<String>,
    stock: i64,
    active: bool,
    weight_grams: Option<i64>,
    image_id: Option<i64>,
    image_path: Option<String>,
    image_alt: Option<String>,
    option1: Option<String>,
    option2: Option<String>,
    option3: Option<String>,
}

impl ChoiceRow {
    fn choice(self, currency: Currency) -> VariantChoice {
        let money = |minor| Money::new(minor, currency);
        VariantChoice {
            sale: self.sale_price_minor.map(|minor| Sale {
                price: money(minor),
                from: self.sale_from,
                until: self.sale_until,
            }),
            image: self
                .image_id
                .zip(self.image_path)
                .map(|(id, path)| VariantImage {
                    id,
                    path,
                    alt: self.image_alt.unwrap_or_default(),
                }),
            id: self.id,
            sku: self.sku,
            price: money(self.price_now),
            regular: money(self.regular),
            own_price: self.own_price,
            stock: u32::try_from(self.stock).unwrap_or(0),
            on_sale: self.active,
            weight_grams: self.weight_grams.and_then(|g| u32::try_from(g).ok()),
            values: [self.option1, self.option2, self.option3]
                .into_iter()
                .flatten()
                .collect(),
        }
    }
}

/// Every variant of the product, in order, with the price in force now.
pub async fn variants_of(
    pool: &crate::db::Db,
    product_id: i64,
    currency: Currency,
) -> Result<Vec<VariantChoice>, AppError> {
    let select = format!(
        "SELECT v.id, v.sku, {} AS price_now, {REGULAR_PRICE} AS regular,
                v.price_minor IS NOT NULL AS own_price,
                v.sale_price_minor, v.sale_from, v.sale_until, v.stock, v.active, v.weight_grams,
                v.image_id, i.path AS image_path, i.alt AS image_alt, v.option1, v.option2, v.option3
         FROM product_variants v JOIN products p ON p.id = v.product_id
         LEFT JOIN product_images i ON i.id = v.image_id
         WHERE v.product_id = $1 ORDER BY v.position, v.id",
        price_in_force("$2")
    );
    let rows: Vec<ChoiceRow> = crate::on_db!(pool, conn => sqlx::query_as(&select)
    .bind(product_id)
    .bind(crate::clock::now())
    .fetch_all(conn)
    .await)?;
    Ok(rows.into_iter().map(|row| row.choice(currency)).collect())
}

/// The variant of product `product_id` with the values `chosen` (one per option, in order), or
/// `None` when there is no such combination. A product without options has one variant, found
/// with nothing chosen.
pub async fn resolve(
    pool: &crate::db::Db,
    product_id: i64,
    chosen: &[String],
) -> Result<Option<i64>, AppError> {
    let value = |i: usize| chosen.get(i).filter(|v| !v.is_empty()).cloned();
    Ok(crate::on_db!(pool, conn => sqlx::query_scalar(
        "SELECT id FROM product_variants
         WHERE product_id = $1 AND COALESCE(option1, '') = COALESCE($2, '')
           AND COALESCE(option2, '') = COALESCE($3, '') AND COALESCE(option3, '') = COALESCE($4, '')",
    )
    .bind(product_id)
    .bind(value(0))
    .bind(value(1))
    .bind(value(2))
    .fetch_optional(conn)
    .await)?)
}

/// Options as the merchant typed them, checked: each named, with distinct values; at most
/// [`MAX_OPTIONS`] of them and [`MAX_VARIANTS`] combinations. Refusals in `locale`.
pub fn check_options(options: &[ProductOption], locale: Locale) -> Result<(), AppError> {
    let bad = |message: &str| Err(AppError::BadRequest(message.into()));
    if options.len() > MAX_OPTIONS {
        return bad(td_string!(locale, admin.variants.too_many_options));
    }
    for option in options {
        let fits = |text: &str| (1..=40).contains(&text.chars().count());
        if !fits(&option.name)
            || option.choices.is_empty()
            || !option.choices.iter().all(|c| fits(c))
        {
            return bad(td_string!(locale, admin.variants.option_text));
        }
        let mut distinct = option.choices.clone();
        distinct.sort();
        distinct.dedup();
        if distinct.len() != option.choices.len() {
            return bad(td_string!(locale, admin.variants.same_value_twice));
        }
    }
    let combinations = options
        .iter()
        .try_fold(1usize, |n, o| n.checked_mul(o.choices.len()));
    if combinations.is_none_or(|n| n > MAX_VARIANTS) {
        return bad(td_string!(locale, admin.variants.too_many_variants));
    }
    Ok(())
}

/// Every combination of the options' values, in the merchant's order (`[[S, Navy], [S, Sand], …]`).
pub fn combinations(options: &[ProductOption]) -> Vec<Vec<String>> {
    options.iter().fold(vec![vec![]], |done, option| {
        done.iter()
            .flat_map(|prefix| {
                option.choices.iter().map(move |value| {
                    let mut next = prefix.clone();
                    next.push(value.clone());
                    next
                })
            })
            .collect()
    })
}

/// The SKU a made variant gets: the product's web address and its values, as a SKU may be written.
pub fn sku_for(slug: &str, values: &[String]) -> String {
    let mut sku = slug.to_owned();
    for value in values {
        if let Some(part) = crate::text::slug_for("", value, 30) {
            sku.push('-');
            sku.push_str(&part);
        }
    }
    sku.chars().take(120).collect()
}

/// Saves product `product_id`'s options and makes each combination it has no variant for (stock 0,
/// SKU from [`sku_for`]), in one transaction. A product that had no options keeps its one variant
/// as its first combination (with its stock and SKU). A variant whose values are no longer offered
/// is switched off, never deleted: orders name it. Refusals in `locale`.
pub async fn save_options(
    writer: &crate::db::Db,
    product_id: i64,
    options: &[ProductOption],
    locale: Locale,
) -> Result<(), AppError> {
    check_options(options, locale)?;
    let mut tx = writer.begin().await?;
    let slug: Option<String> = crate::on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT slug FROM products WHERE id = $1",
    )
    .bind(product_id)
    .fetch_optional(&mut *conn)
    .await)?;
    let slug = slug.ok_or_else(|| {
        AppError::NotFound(td_string!(locale, admin.products.no_such_product).into())
    })?;
    let existing = existing_variants(&mut tx, product_id).await?;
    if options.is_empty() && existing.iter().any(|(_, values)| !values.is_empty()) {
        return Err(AppError::BadRequest(
            td_string!(locale, admin.variants.cannot_remove).into(),
        ));
    }
    offer(&mut tx, (product_id, &slug), options, &existing)
        .await
        .map_err(|error| match error {
            Offer::SkuTaken(error) => sku_taken(error, locale),
            Offer::Failed(error) => error,
        })?;
    tx.commit().await?;
    Ok(())
}

/// Why offering combinations failed: a made variant's SKU is another's, or the database failed.
pub(super) enum Offer {
    SkuTaken(sqlx::Error),
    Failed(AppError),
}

impl From<AppError> for Offer {
    fn from(error: AppError) -> Offer {
        Offer::Failed(error)
    }
}

/// Stores the options of product (`product_id`, `slug`) and gives it a variant for each
/// combination: one it has, else its variant without values (the first combination keeps it),
/// else a new one; the variants no combination names are switched off.
pub(super) async fn offer(
    tx: &mut crate::db::Tx,
    (product_id, slug): (i64, &str),
    options: &[ProductOption],
    existing: &[(i64, Vec<String>)],
) -> Result<(), Offer> {
    store_options(tx, product_id, options).await?;
    let wanted = combinations(options);
    let mut unnamed = existing
        .iter()
        .find(|(_, values)| values.is_empty())
        .map(|(id, _)| *id);
    for (position, values) in wanted.iter().enumerate() {
        let found = existing
            .iter()
            .find(|(_, v)| v == values)
            .map(|(id, _)| *id);
        let id = match found.or_else(|| unnamed.take()) {
            Some(id) => id,
            None => make_variant(tx, product_id, &sku_for(slug, values))
                .await
                .map_err(Offer::SkuTaken)?,
        };
        name_variant(tx, id, values, i64::try_from(position).unwrap_or(0)).await?;
    }
    for (id, values) in existing {
        if !values.is_empty() && !wanted.contains(values) {
            switch_off(tx, *id).await?;
        }
    }
    Ok(())
}

/// The product's variants as (id, values).
pub(super) async fn existing_variants(
    tx: &mut crate::db::Tx,
    product_id: i64,
) -> Result<Vec<(i64, Vec<String>)>, AppError> {
    let rows: Vec<VariantRow> = crate::on_tx!(tx, conn => sqlx::query_as(
        "SELECT id, option1, option2, option3
         FROM product_variants WHERE product_id = $1 ORDER BY position, id",
    )
    .bind(product_id)
    .fetch_all(&mut *conn)
    .await)?;
    Ok(rows.into_iter().map(|row| (row.id, row.values())).collect())
}

/// Marks the product `which` names (an SQL expression of `$1`, bound to `value`) as changed now:
/// the sitemap's `lastmod`.
async fn touch(tx: &mut crate::db::Tx, which: &str, value: i64) -> Result<(), AppError> {
    let touch = format!("UPDATE products SET updated_at = $2 WHERE id = {which}");
    crate::on_tx!(tx, conn => sqlx::query(&touch)
        .bind(value)
        .bind(crate::clock::now())
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(())
}

/// Stores product `product_id`'s options (replacing those it had), in the caller's transaction.
pub(super) async fn store_options(
    tx: &mut crate::db::Tx,
    product_id: i64,
    options: &[ProductOption],
) -> Result<(), AppError> {
    touch(tx, "$1", product_id).await?;
    crate::on_tx!(tx, conn => sqlx::query("DELETE FROM product_options WHERE product_id = $1")
        .bind(product_id)
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected()))?;
    for (position, option) in (1i64..).zip(options) {
        crate::on_tx!(tx, conn => sqlx::query(
            "INSERT INTO product_options (product_id, position, name, choices) VALUES ($1, $2, $3, $4)",
        )
        .bind(product_id)
        .bind(position)
        .bind(&option.name)
        .bind(option.choices.join("\n"))
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected()))?;
    }
    Ok(())
}

/// Gives variant `id` its values (up to three) and place.
async fn name_variant(
    tx: &mut crate::db::Tx,
    id: i64,
    values: &[String],
    position: i64,
) -> Result<(), AppError> {
    crate::on_tx!(tx, conn => sqlx::query(
        "UPDATE product_variants SET option1 = $2, option2 = $3, option3 = $4, position = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(values.first())
    .bind(values.get(1))
    .bind(values.get(2))
    .bind(position)
    .execute(&mut *conn)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
}

/// A new variant with no stock, under `sku`: its id.
async fn make_variant(
    tx: &mut crate::db::Tx,
    product_id: i64,
    sku: &str,
) -> Result<i64, sqlx::Error> {
    crate::on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO product_variants (product_id, sku, stock) VALUES ($1, $2, 0) RETURNING id",
    )
    .bind(product_id)
    .bind(sku)
    .fetch_one(&mut *conn)
    .await)
}

async fn switch_off(tx: &mut crate::db::Tx, id: i64) -> Result<(), AppError> {
    crate::on_tx!(tx, conn => sqlx::query("UPDATE product_variants SET active = FALSE WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(())
}

/// A save refused because another variant has the SKU, in the merchant's words.
fn sku_taken(error: sqlx::Error, locale: Locale) -> AppError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            AppError::Conflict(td_string!(locale, admin.variants.sku_taken).into())
        }
        _ => error.into(),
    }
}

/// A variant as the merchant edits it.
pub struct VariantInput {
    pub sku: String,
    /// `None`: the product's price.
    pub price: Option<Money>,
    pub sale: Option<Sale>,
    pub stock: i64,
    pub active: bool,
    pub weight_grams: Option<u32>,
    /// One of its product's photos.
    pub image_id: Option<i64>,
}

/// Saves variant `id` in the caller's transaction, if its stock is still `stock_was` (shoppers may
/// have bought some since the form was opened: then nothing is saved and the merchant is told).
/// Refusals in `locale`.
pub async fn update_variant(
    tx: &mut crate::db::Tx,
    id: i64,
    input: &VariantInput,
    stock_was: i64,
    locale: Locale,
) -> Result<(), AppError> {
    check_variant(tx, id, input, locale).await?;
    let sale = input.sale.as_ref();
    let saved = crate::on_tx!(tx, conn => sqlx::query(
        "UPDATE product_variants SET sku = $2, price_minor = $3, stock = $4, active = $5,
                sale_price_minor = $6, sale_from = $7, sale_until = $8, weight_grams = $9,
                image_id = $10
         WHERE id = $1 AND stock = $11",
    )
    .bind(id)
    .bind(input.sku.trim())
    .bind(input.price.map(|p| p.minor))
    .bind(input.stock)
    .bind(input.active)
    .bind(sale.map(|s| s.price.minor))
    .bind(sale.and_then(|s| s.from.clone()))
    .bind(sale.and_then(|s| s.until.clone()))
    .bind(input.weight_grams.map(i64::from))
    .bind(input.image_id)
    .bind(stock_was)
    .execute(&mut *conn)
    .await
    .map(|done| done.rows_affected()))
    .map_err(|error| sku_taken(error, locale))?;
    if saved == 0 {
        return Err(AppError::Conflict(
            td_string!(locale, admin.variants.stock_changed).into(),
        ));
    }
    let product = "(SELECT product_id FROM product_variants WHERE id = $1)";
    touch(tx, product, id).await
}

/// Refuses a variant the shop could not sell as typed: a SKU with other characters, a sale price
/// not below the regular price (its own, else its product's), a sale that ends before it starts,
/// or a photo that is not its product's.
async fn check_variant(
    tx: &mut crate::db::Tx,
    id: i64,
    input: &VariantInput,
    locale: Locale,
) -> Result<(), AppError> {
    let refuse = |message: &str| Err(AppError::BadRequest(message.into()));
    let sku = input.sku.trim();
    let sku_ok = (1..=120).contains(&sku.len())
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !sku_ok {
        return refuse(td_string!(locale, admin.variants.bad_sku));
    }
    let (product_price, photo_ok): (i64, bool) = crate::on_tx!(tx, conn => sqlx::query_as(
        "SELECT p.price_minor, $2 IS NULL OR EXISTS (
                    SELECT 1 FROM product_images i WHERE i.id = $2 AND i.product_id = p.id)
         FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1",
    )
    .bind(id)
    .bind(input.image_id)
    .fetch_optional(&mut *conn)
    .await)?
    .ok_or_else(|| AppError::NotFound(td_string!(locale, admin.products.no_such_product).into()))?;
    if !photo_ok {
        return refuse(td_string!(locale, admin.variants.not_its_photo));
    }
    let Some(sale) = &input.sale else {
        return Ok(());
    };
    let regular = input.price.map_or(product_price, |p| p.minor);
    if sale.price.minor >= regular {
        return refuse(td_string!(locale, admin.variants.sale_not_below));
    }
    if let (Some(from), Some(until)) = (&sale.from, &sale.until) {
        if until <= from {
            return refuse(td_string!(locale, admin.variants.sale_ends_first));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(name: &str, choices: &[&str]) -> ProductOption {
        ProductOption {
            name: name.into(),
            choices: choices.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn combinations_follow_the_merchants_order() {
        let options = [
            option("Size", &["S", "M"]),
            option("Colour", &["Navy", "Sand"]),
        ];
        let all = combinations(&options);
        assert_eq!(all.len(), 4);
        assert_eq!(all[0], ["S", "Navy"]);
        assert_eq!(all[1], ["S", "Sand"]);
        assert_eq!(all[3], ["M", "Sand"]);
        assert_eq!(combinations(&[]), vec![Vec::<String>::new()]);
        assert_eq!(sku_for("linen-shirt", &all[0]), "linen-shirt-s-navy");
    }

    #[test]
    fn options_are_refused_past_three_or_a_hundred_variants_or_twice_the_same() {
        let english = Locale::en;
        let ten: Vec<String> = (0..10).map(|n| n.to_string()).collect();
        let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
        assert!(check_options(&[option("A", &ten), option("B", &ten)], english).is_ok());
        let too_many = [
            option("A", &ten),
            option("B", &ten),
            option("C", &["x", "y"]),
        ];
        assert!(check_options(&too_many, english).is_err());
        let four = [
            option("A", &["1"]),
            option("B", &["1"]),
            option("C", &["1"]),
            option("D", &["1"]),
        ];
        assert!(check_options(&four, english).is_err());
        assert!(check_options(&[option("Size", &["M", "M"])], english).is_err());
        assert!(check_options(&[option("", &["M"])], english).is_err());
        assert!(check_options(&[option("Size", &[])], english).is_err());
    }
}
