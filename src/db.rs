//! Opening the database. SQLite is the embedded default; the pool's options are the durability
//! contract of the whole shop.

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("TURGUS_DATABASE_URL: cannot open the database: {0}")]
    Open(sqlx::Error),
    #[error("TURGUS_DATABASE_URL: cannot create the database's folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Opens (creating if missing) the SQLite database and applies the migrations.
pub async fn connect(url: &str) -> Result<SqlitePool, DbError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(DbError::Open)?
        .create_if_missing(true)
        // WAL lets shoppers read while a payment is being written.
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a callback answered `OK` must survive a power cut, so every commit is fsynced.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // Writers queue instead of failing with SQLITE_BUSY when two commits meet.
        .busy_timeout(Duration::from_secs(10));

    if let Some(parent) = std::path::Path::new(options.get_filename()).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .map_err(|e| DbError::Folder(parent.display().to_string(), e))?;
        }
    }

    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(DbError::Open)?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(pool)
}
