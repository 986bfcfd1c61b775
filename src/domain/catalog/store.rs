//! Catalog queries. All SQL of the catalog lives here, so that a PostgreSQL version can follow
//! feature by feature.

use super::{
    price_in_force, CategoryLink, CategoryListing, Home, Image, Listing, ProductCard,
    ProductDetail, SearchResults, Sort, PAGE_SIZE, REGULAR_PRICE,
};
use crate::error::AppError;
use crate::locale::Locale;
use crate::money::{Currency, Money};
use leptos_i18n::td_string;
use std::sync::PoisonError;

/// The columns a product card needs, at the instant bound as `at` (`"$4"`): the lowest and
/// highest price in force and the lowest regular price of its variants on sale, their stock, and
/// its first photo by position. Subqueries in the same statement: a listing costs no query per
/// product.
fn card_columns(at: &str) -> String {
    let on_sale = "FROM product_variants v WHERE v.product_id = p.id AND v.active = TRUE";
    let now = price_in_force(at);
    format!(
        "p.slug, p.name, p.currency,
    COALESCE((SELECT MIN({now}) {on_sale}), p.price_minor) AS price_minor,
    COALESCE((SELECT MAX({now}) {on_sale}), p.price_minor) AS top_price_minor,
    COALESCE((SELECT MIN({REGULAR_PRICE}) {on_sale}), p.price_minor) AS regular_minor,
    (SELECT CAST(COALESCE(SUM(v.stock), 0) AS BIGINT) {on_sale}) AS stock,
    (SELECT COALESCE(i.thumb_path, i.path) FROM product_images i WHERE i.product_id = p.id ORDER BY i.position, i.id LIMIT 1) AS image_path,
    (SELECT i.alt FROM product_images i WHERE i.product_id = p.id ORDER BY i.position, i.id LIMIT 1) AS image_alt"
    )
}

/// A `SELECT` of the cards of the products `picked` (`FROM products p WHERE …`) in `order`, at
/// most `limit` (with its `OFFSET`): the products are picked, sorted and counted off first, so
/// the card's subqueries (prices, stock, photo) run for the cards shown only. Selected in one
/// level, SQLite works out every column of every matching product before sorting: the home page
/// ran five subqueries for each active product of the shop to show twelve. `order` may only name
/// the product's own columns (a sort by price needs the cards' prices: [`card_columns`]).
fn picked_cards(picked: &str, order: &str, limit: &str, at: &str) -> String {
    format!(
        "SELECT {} FROM (SELECT p.* {picked} ORDER BY {order} {limit}) p ORDER BY {order}",
        card_columns(at)
    )
}

/// Listings' default order: the newest product first.
const NEWEST_FIRST: &str = "p.created_at DESC, p.id DESC";

#[derive(sqlx::FromRow)]
struct CardRow {
    slug: String,
    name: String,
    /// The lowest and highest price of its variants on sale (none is: the product's).
    price_minor: i64,
    top_price_minor: i64,
    /// The lowest regular price, struck through when a sale is below it.
    regular_minor: i64,
    currency: String,
    stock: i64,
    image_path: Option<String>,
    image_alt: Option<String>,
}

/// Reads a stored price. The currency was checked when it was written and at start-up, so an
/// unknown one here means the database was edited by hand: an internal error, logged.
pub fn stored_money(minor: i64, currency: &str) -> Result<Money, AppError> {
    Currency::from_code(currency)
        .map(|c| Money::new(minor, c))
        .ok_or_else(|| {
            tracing::error!(currency, "product priced in an unsupported currency");
            AppError::Internal
        })
}

impl TryFrom<CardRow> for ProductCard {
    type Error = AppError;

    fn try_from(row: CardRow) -> Result<Self, AppError> {
        Ok(ProductCard {
            price: stored_money(row.price_minor, &row.currency)?,
            prices_differ: row.top_price_minor != row.price_minor,
            was: super::was(
                stored_money(row.price_minor, &row.currency)?,
                stored_money(row.regular_minor, &row.currency)?,
            ),
            in_stock: row.stock > 0,
            image: row.image_path.map(|path| Image {
                path,
                alt: row.image_alt.unwrap_or_default(),
            }),
            slug: row.slug,
            name: row.name,
        })
    }
}

fn cards(rows: Vec<CardRow>) -> Result<Vec<ProductCard>, AppError> {
    rows.into_iter().map(ProductCard::try_from).collect()
}

fn pages_for(total: u32) -> u32 {
    total.div_ceil(PAGE_SIZE).max(1)
}

/// A page past the last one is a page that does not exist.
fn check_page(page: u32, total: u32, locale: Locale) -> Result<(), AppError> {
    if page > pages_for(total) {
        return Err(AppError::NotFound(
            td_string!(locale, errors.no_such_page).into(),
        ));
    }
    Ok(())
}

fn offset(page: u32) -> i64 {
    i64::from(page - 1) * i64::from(PAGE_SIZE)
}

/// The category menu every page shows, kept in memory: it changes when the merchant edits
/// categories (which clears it here), and reading it from the database on every page was one of
/// the four queries a product page cost. Another instance's edit shows here within [`MENU_TTL`].
#[derive(Default)]
pub struct CategoryMenu {
    cached: std::sync::RwLock<Option<(std::time::Instant, Vec<CategoryLink>)>>,
}

const MENU_TTL: std::time::Duration = std::time::Duration::from_secs(5);

impl CategoryMenu {
    pub async fn get(&self, pool: &crate::db::Db) -> Result<Vec<CategoryLink>, AppError> {
        let fresh = |(at, _): &(std::time::Instant, Vec<CategoryLink>)| at.elapsed() < MENU_TTL;
        if let Ok(cached) = self.cached.read() {
            if let Some((_, menu)) = cached.as_ref().filter(|c| fresh(c)) {
                return Ok(menu.clone());
            }
        }
        let menu = categories(pool).await?;
        if let Ok(mut cached) = self.cached.write() {
            *cached = Some((std::time::Instant::now(), menu.clone()));
        }
        Ok(menu)
    }

    /// After the merchant changed a category: the next page reads the menu again.
    pub fn clear(&self) {
        if let Ok(mut cached) = self.cached.write() {
            *cached = None;
        }
    }
}

/// The home page's cards, kept in memory from one change to the catalog to the next. Pages
/// with a session are rendered for each visitor, but the home page's twelve cards are the same
/// for all of them, and reading them (two queries, each card's prices, stock and photo) was two
/// fifths of that page's cost. Kept only while something empties them on every change to what
/// the cards show: the page cache's look for changes (`page_cache`), which empties them with the
/// pages it keeps, so a card is as fresh as a kept page; with the page cache turned off, nothing
/// is kept. Cards read before an emptying are not kept after it (the generation).
pub struct KeptHome {
    watched: bool,
    kept: std::sync::RwLock<Kept>,
}

#[derive(Default)]
struct Kept {
    /// Moves on each time the cards are emptied.
    generation: u64,
    cards: Option<Home>,
}

impl KeptHome {
    /// `watched`: the page cache is on and will empty it on each change.
    pub fn new(watched: bool) -> KeptHome {
        KeptHome {
            watched,
            kept: Default::default(),
        }
    }

    pub async fn get(&self, pool: &crate::db::Db) -> Result<Home, AppError> {
        // The lock is never held across the query (nor by a writer that panicked: its data is
        // whole at every step).
        let generation = {
            let kept = self.kept.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(cards) = &kept.cards {
                return Ok(cards.clone());
            }
            kept.generation
        };
        let cards = home(pool).await?;
        if self.watched {
            let mut kept = self.kept.write().unwrap_or_else(PoisonError::into_inner);
            if kept.generation == generation {
                kept.cards = Some(cards.clone());
            }
        }
        Ok(cards)
    }

    /// After a change: the next home page reads its cards again.
    pub fn clear(&self) {
        let mut kept = self.kept.write().unwrap_or_else(PoisonError::into_inner);
        kept.generation += 1;
        kept.cards = None;
    }
}

/// Marks product `id`'s page as changed now (a photo added or removed): the sitemap's `lastmod`.
pub async fn touch(writer: &crate::db::Db, id: i64) -> Result<(), AppError> {
    crate::on_db!(writer, conn => sqlx::query("UPDATE products SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(crate::clock::now())
        .execute(conn)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(())
}

pub async fn categories(pool: &crate::db::Db) -> Result<Vec<CategoryLink>, AppError> {
    let rows: Vec<(String, String)> = crate::on_db!(pool, conn => sqlx::query_as("SELECT slug, name FROM categories ORDER BY position, name")
            .fetch_all(conn)
            .await)?;
    Ok(rows
        .into_iter()
        .map(|(slug, name)| CategoryLink { slug, name })
        .collect())
}

pub async fn home(pool: &crate::db::Db) -> Result<Home, AppError> {
    let featured = crate::on_db!(pool, conn => sqlx::query_as::<_, CardRow>(&picked_cards(
        "FROM products p WHERE p.active = TRUE AND p.featured = TRUE",
        NEWEST_FIRST,
        "LIMIT 8",
        "$1",
    ))
    .bind(crate::clock::now())
    .fetch_all(conn)
    .await)?;
    let newest = crate::on_db!(pool, conn => sqlx::query_as::<_, CardRow>(&picked_cards(
        "FROM products p WHERE p.active = TRUE",
        NEWEST_FIRST,
        "LIMIT 4",
        "$1",
    ))
    .bind(crate::clock::now())
    .fetch_all(conn)
    .await)?;
    Ok(Home {
        featured: cards(featured)?,
        newest: cards(newest)?,
    })
}

pub async fn category(
    pool: &crate::db::Db,
    slug: &str,
    sort: Sort,
    page: u32,
    locale: Locale,
) -> Result<CategoryListing, AppError> {
    let (id, name, description, total): (i64, String, String, i64) =
        crate::on_db!(pool, conn => sqlx::query_as(
            "SELECT c.id, c.name, c.description,
                    (SELECT COUNT(*) FROM products p WHERE p.category_id = c.id AND p.active = TRUE)
             FROM categories c WHERE c.slug = $1",
        )
        .bind(slug)
        .fetch_optional(conn)
        .await)?
        .ok_or_else(|| AppError::NotFound(td_string!(locale, errors.no_such_category).into()))?;
    let total = u32::try_from(total).unwrap_or(u32::MAX);
    check_page(page, total, locale)?;

    // The ORDER BY comes from a closed enum, never from the request's text. By price: the
    // card's lowest price in force (its column), so a sale moves a product up.
    let picked = "FROM products p WHERE p.category_id = $1 AND p.active = TRUE";
    let limit = "LIMIT $2 OFFSET $3";
    let by_price = |order: &str| {
        format!(
            "SELECT {} {picked} ORDER BY {order} {limit}",
            card_columns("$4")
        )
    };
    let select = match sort {
        Sort::Newest => picked_cards(picked, NEWEST_FIRST, limit, "$4"),
        Sort::Name => picked_cards(picked, "lower(p.name) ASC, p.id ASC", limit, "$4"),
        Sort::PriceLowHigh => by_price("price_minor ASC, p.id ASC"),
        Sort::PriceHighLow => by_price("price_minor DESC, p.id ASC"),
    };
    let rows = crate::on_db!(pool, conn => sqlx::query_as::<_, CardRow>(&select)
    .bind(id)
    .bind(i64::from(PAGE_SIZE))
    .bind(offset(page))
    .bind(crate::clock::now())
    .fetch_all(conn)
    .await)?;

    Ok(CategoryListing {
        category: CategoryLink {
            slug: slug.to_owned(),
            name,
        },
        description,
        sort,
        listing: Listing {
            products: cards(rows)?,
            page,
            pages: pages_for(total),
            total,
        },
    })
}

/// One row per photo (or one without a photo): the product and its photos in one query.
#[derive(sqlx::FromRow)]
struct ProductPageRow {
    id: i64,
    name: String,
    description: String,
    /// Its variants' lowest price in force, and lowest regular price.
    price_minor: i64,
    regular_minor: i64,
    currency: String,
    stock: i64,
    category_slug: String,
    category_name: String,
    image_path: Option<String>,
    image_alt: Option<String>,
    /// Sizes, colours…: a simple product's page needs no query for its options and variants.
    has_options: bool,
}

async fn product_rows(pool: &crate::db::Db, slug: &str) -> Result<Vec<ProductPageRow>, AppError> {
    let on_sale = "FROM product_variants v WHERE v.product_id = p.id AND v.active = TRUE";
    let select = format!(
        "SELECT p.id, p.name, p.description, p.currency,
                COALESCE((SELECT MIN({}) {on_sale}), p.price_minor) AS price_minor,
                COALESCE((SELECT MIN({REGULAR_PRICE}) {on_sale}), p.price_minor) AS regular_minor,
                (SELECT CAST(COALESCE(SUM(v.stock), 0) AS BIGINT) {on_sale}) AS stock,
                c.slug AS category_slug, c.name AS category_name,
                i.path AS image_path, i.alt AS image_alt,
                EXISTS (SELECT 1 FROM product_options o WHERE o.product_id = p.id) AS has_options
         FROM products p JOIN categories c ON c.id = p.category_id
         LEFT JOIN product_images i ON i.product_id = p.id
         WHERE p.slug = $1 AND p.active = TRUE
         ORDER BY i.position, i.id",
        price_in_force("$2")
    );
    Ok(
        crate::on_db!(pool, conn => sqlx::query_as::<_, ProductPageRow>(&select)
    .bind(slug)
    .bind(crate::clock::now())
    .fetch_all(conn)
    .await)?,
    )
}

/// The product at `slug` as its page shows it, with its options and variants if it has any.
pub async fn product(
    pool: &crate::db::Db,
    slug: &str,
    locale: Locale,
) -> Result<ProductDetail, AppError> {
    let rows = product_rows(pool, slug).await?;
    let images = rows
        .iter()
        .filter_map(|row| {
            Some(Image {
                path: row.image_path.clone()?,
                alt: row.image_alt.clone().unwrap_or_default(),
            })
        })
        .collect();
    let row = rows
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(td_string!(locale, errors.no_such_product).into()))?;
    let price = stored_money(row.price_minor, &row.currency)?;
    let options = if row.has_options {
        super::variants::options_of(pool, row.id).await?
    } else {
        vec![]
    };
    let variants = if options.is_empty() {
        vec![]
    } else {
        super::variants::variants_of(pool, row.id, price.currency).await?
    };
    Ok(ProductDetail {
        id: row.id,
        slug: slug.to_owned(),
        name: row.name,
        description: row.description,
        price,
        was: super::was(price, stored_money(row.regular_minor, &row.currency)?),
        stock: u32::try_from(row.stock).unwrap_or(0),
        category: CategoryLink {
            slug: row.category_slug,
            name: row.category_name,
        },
        images,
        options,
        variants,
    })
}

/// The words a shopper typed, for a search: letters and digits only, at most 8 words of 40
/// characters. Search syntax (quotes, `*`, `:`, `&`, `NEAR`, parentheses) never reaches either
/// database's parser as syntax, so odd input cannot cause an error.
fn search_words(typed: &str) -> Vec<String> {
    typed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(8)
        .map(|word| word.chars().take(40).collect())
        .collect()
}

/// SQLite FTS5's query: each word a quoted prefix term, all required. `None`: no word.
pub fn fts_query(typed: &str) -> Option<String> {
    let terms: Vec<String> = search_words(typed)
        .iter()
        .map(|word| format!("\"{word}\"*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// PostgreSQL's `tsquery`: each word a prefix (`word:*`), all required (`&`). Built from text
/// the database has folded already ([`fold_on_postgres`]).
pub fn ts_query(typed: &str) -> Option<String> {
    let terms: Vec<String> = search_words(typed)
        .iter()
        .map(|word| format!("{word}:*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" & "))
}

// SQLite: FTS5's bm25 ranks, a match in the name weighing ten times one in the description.
const SQLITE_MATCHES: &str = "FROM products_fts f JOIN products p ON p.id = f.rowid
     WHERE products_fts MATCH $1 AND p.active = TRUE";
const SQLITE_RANK: &str = "bm25(products_fts, 10.0, 1.0), p.id";
// PostgreSQL: the products' `search` column; ts_rank with the name (weight A) at ten times the
// description (weight B), as on SQLite.
const PG_MATCHES: &str = "FROM products p
     WHERE p.search @@ to_tsquery('simple', $1) AND p.active = TRUE";
const PG_RANK: &str = "ts_rank('{0, 0, 0.1, 1.0}', p.search, to_tsquery('simple', $1)) DESC, p.id";

/// The typed text folded (accents, case) as the indexed text was, by the database's own
/// `unaccent`. The words are taken only after that: folding turns some letters into `tsquery`
/// syntax (`ː` → `:`, `ʼ` → `'`, `⑴` → `(1)`, `∖` → `\`), which must never reach the parser.
async fn fold_on_postgres(pool: &crate::db::Db, typed: &str) -> Result<String, AppError> {
    Ok(
        crate::on_db!(pool, conn => sqlx::query_scalar("SELECT turgus_fold($1)")
            .bind(typed)
            .fetch_one(conn)
            .await)?,
    )
}

pub async fn search(
    pool: &crate::db::Db,
    typed: &str,
    page: u32,
    locale: Locale,
) -> Result<SearchResults, AppError> {
    let query: String = typed.trim().chars().take(200).collect();
    let empty = |query| SearchResults {
        query,
        listing: Listing {
            products: vec![],
            page: 1,
            pages: 1,
            total: 0,
        },
    };
    let (terms, matches, rank) = match pool {
        crate::db::Db::Sqlite(_) => (fts_query(&query), SQLITE_MATCHES, SQLITE_RANK),
        crate::db::Db::Postgres(_) => (
            // Words before folding too: a NUL is not text to PostgreSQL.
            ts_query(&fold_on_postgres(pool, &search_words(&query).join(" ")).await?),
            PG_MATCHES,
            PG_RANK,
        ),
    };
    let Some(terms) = terms else {
        return Ok(empty(query));
    };
    let total: i64 = crate::on_db!(pool, conn => sqlx::query_scalar(&format!(
        "SELECT COUNT(*) {matches}"
    ))
    .bind(&terms)
    .fetch_one(conn)
    .await)?;
    let total = u32::try_from(total).unwrap_or(u32::MAX);
    if total == 0 {
        return Ok(empty(query));
    }
    check_page(page, total, locale)?;
    let rows = crate::on_db!(pool, conn => sqlx::query_as::<_, CardRow>(&format!(
        "SELECT {} {matches} ORDER BY {rank} LIMIT $2 OFFSET $3",
        card_columns("$4")
    ))
    .bind(&terms)
    .bind(i64::from(PAGE_SIZE))
    .bind(offset(page))
    .bind(crate::clock::now())
    .fetch_all(conn)
    .await)?;

    Ok(SearchResults {
        query,
        listing: Listing {
            products: cards(rows)?,
            page,
            pages: pages_for(total),
            total,
        },
    })
}

/// Refuses to start when the catalog is priced in another currency than the configured one:
/// carts would otherwise add up euros and dollars.
pub async fn check_catalog_currency(
    pool: &crate::db::Db,
    currency: Currency,
) -> Result<(), String> {
    let other: Option<(String,)> =
        crate::on_db!(pool, conn => sqlx::query_as("SELECT currency FROM products WHERE currency <> $1 LIMIT 1")
            .bind(currency.code())
            .fetch_optional(conn)
            .await)
            .map_err(|e| format!("cannot read the catalog: {e}"))?;
    match other {
        Some((found,)) => Err(format!(
            "TURGUS_CURRENCY: is {currency}, but the catalog has products priced in {found}"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{fts_query, ts_query};

    #[test]
    fn search_input_becomes_quoted_prefix_terms() {
        assert_eq!(
            fts_query("linen apron").as_deref(),
            Some("\"linen\"* \"apron\"*")
        );
        assert_eq!(
            fts_query("Kavos puodelis").as_deref(),
            Some("\"Kavos\"* \"puodelis\"*")
        );
    }

    #[test]
    fn fts_syntax_is_stripped() {
        assert_eq!(
            fts_query("\"a\" OR b* NEAR(c)").as_deref(),
            Some("\"a\"* \"OR\"* \"b\"* \"NEAR\"* \"c\"*")
        );
        assert_eq!(
            fts_query("'; DROP TABLE products; --").as_deref(),
            Some("\"DROP\"* \"TABLE\"* \"products\"*")
        );
        for nothing in ["", "   ", "***", "\"\"", "-:()^"] {
            assert_eq!(fts_query(nothing), None, "{nothing}");
        }
    }

    #[test]
    fn postgres_search_input_becomes_prefix_lexemes_and_syntax_is_stripped() {
        assert_eq!(
            ts_query("Šaukštai ir").as_deref(),
            Some("Šaukštai:* & ir:*")
        );
        assert_eq!(
            ts_query("a & !b | c:* <-> (d)").as_deref(),
            Some("a:* & b:* & c:* & d:*")
        );
        assert_eq!(ts_query("&|!():*<->"), None);
    }
}
