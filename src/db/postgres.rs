//! Opening PostgreSQL, for a shop that runs on several instances: every instance opens the same
//! database, and the first to start applies the migrations (sqlx takes an advisory lock while it
//! does, so two instances starting together do not both apply them).
//!
//! Durability: PostgreSQL's defaults (`fsync=on`, `synchronous_commit=on`) make a commit
//! durable before it returns, which is what a callback answered `OK` needs. The shop does not
//! change them per connection; a server configured otherwise is the operator's choice
//! (`docs/deploy.md`).

use super::DbError;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// Connections per instance: requests and the background tasks share them. Several instances
/// multiply it, so it is well under PostgreSQL's default `max_connections` (100).
const CONNECTIONS: u32 = 16;

pub async fn connect(url: &str) -> Result<PgPool, DbError> {
    let options = PgConnectOptions::from_str(url)
        .map_err(DbError::Open)?
        .application_name("turgus");
    let pool = PgPoolOptions::new()
        .max_connections(CONNECTIONS)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await
        .map_err(DbError::Open)?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(pool)
}
