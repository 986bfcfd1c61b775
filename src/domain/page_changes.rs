//! What a page kept by the page cache depends on, as the database knows it: the `page_changes`
//! rows its triggers write for every change to the catalog, the settings or the legal pages
//! (migration `0020_page_changes`), and the next moment a sale starts or ends (a price changes
//! then without anyone writing).

use crate::error::AppError;

/// The rows' count and last id. It moves with every change committed since it was read, on any
/// instance, whatever the order in which transactions that took their ids commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Version {
    changes: i64,
    last: i64,
}

/// One cheap statement: an instance reads it once a second, not once per page.
pub async fn version(db: &crate::db::Db) -> Result<Version, AppError> {
    Ok(crate::on_db!(db, conn => sqlx::query_as(
        "SELECT COUNT(*) AS changes, COALESCE(MAX(id), 0) AS last FROM page_changes",
    )
    .fetch_one(conn)
    .await)?)
}

/// The first moment after `now` at which a variant's sale starts or ends: a cached page showing
/// its price is out of date from then.
pub async fn next_sale_boundary(db: &crate::db::Db, now: &str) -> Result<Option<String>, AppError> {
    let (next,): (Option<String>,) = crate::on_db!(db, conn => sqlx::query_as(
        "SELECT MIN(t) FROM (
             SELECT sale_from AS t FROM product_variants WHERE sale_from > $1
             UNION ALL
             SELECT sale_until AS t FROM product_variants WHERE sale_until > $1
         ) AS boundaries",
    )
    .bind(now)
    .fetch_one(conn)
    .await)?;
    Ok(next)
}

/// Rows kept before the table is emptied: enough that emptying it (which every instance sees as
/// one more change) is rare next to the changes themselves.
const KEEP: i64 = 1_000;

/// Empties the table once it holds more than [`KEEP`] rows, writing one row in the same
/// transaction so the last id moves on (a count alone could come back to what an instance last
/// read). Whether it did.
pub async fn prune(writer: &crate::db::Db) -> Result<bool, AppError> {
    let mut tx = writer.begin().await?;
    let (rows,): (i64,) = crate::on_tx!(&mut tx, conn => sqlx::query_as("SELECT COUNT(*) FROM page_changes")
        .fetch_one(conn)
        .await)?;
    if rows <= KEEP {
        return Ok(false);
    }
    crate::on_tx!(&mut tx, conn => sqlx::query("DELETE FROM page_changes").execute(conn).await.map(|done| done.rows_affected()))?;
    crate::on_tx!(&mut tx, conn => sqlx::query("INSERT INTO page_changes DEFAULT VALUES").execute(conn).await.map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(true)
}
