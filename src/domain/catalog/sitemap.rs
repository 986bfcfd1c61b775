//! The catalog's addresses as a sitemap lists them: the home page, every category with a product
//! on sale, and every product on sale, each with when its page last changed. Written without the
//! language (`/p/linen-shirt`): the sitemap lists each in every language the shop speaks.

use crate::error::AppError;

/// One page: its address without the language (`""` for the home page) and when it last changed
/// (a stored timestamp).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Page {
    pub path: String,
    pub lastmod: Option<String>,
}

/// What the sitemap depends on, read in one cheap statement: how many products and categories
/// there are and when the last of each changed. A cached sitemap with the same version is the
/// sitemap: any write that changes a page sets its `updated_at`, and a removal changes a count.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Version {
    products: i64,
    products_changed: Option<String>,
    categories: i64,
    categories_changed: Option<String>,
}

pub async fn version(pool: &crate::db::Db) -> Result<Version, AppError> {
    Ok(crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM products) AS products,
                (SELECT MAX(COALESCE(updated_at, created_at)) FROM products) AS products_changed,
                (SELECT COUNT(*) FROM categories) AS categories,
                (SELECT MAX(updated_at) FROM categories) AS categories_changed",
    )
    .fetch_one(conn)
    .await)?)
}

/// Every page to list: products on sale (by web address), the categories that have one (changed
/// when the category or one of its products last did), and the home page (when anything did).
pub async fn pages(pool: &crate::db::Db) -> Result<Vec<Page>, AppError> {
    let products: Vec<Page> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT '/p/' || slug AS path, COALESCE(updated_at, created_at) AS lastmod
         FROM products WHERE active = TRUE ORDER BY slug",
    )
    .fetch_all(conn)
    .await)?;
    // (address, the category's own change, its products' latest): the later of the two.
    let categories: Vec<(String, Option<String>, Option<String>)> = crate::on_db!(pool, conn => sqlx::query_as(
        "SELECT '/c/' || c.slug, c.updated_at, MAX(COALESCE(p.updated_at, p.created_at))
         FROM categories c JOIN products p ON p.category_id = c.id AND p.active = TRUE
         GROUP BY c.id, c.slug, c.updated_at ORDER BY c.slug",
    )
    .fetch_all(conn)
    .await)?;
    let categories: Vec<Page> = categories
        .into_iter()
        .map(|(path, own, products)| Page {
            path,
            lastmod: own.max(products),
        })
        .collect();
    let home = Page {
        path: String::new(),
        lastmod: categories.iter().filter_map(|c| c.lastmod.clone()).max(),
    };
    Ok(std::iter::once(home)
        .chain(categories)
        .chain(products)
        .collect())
}
