//! Opening SQLite, the embedded default: the pool's options are the durability contract of a
//! one-machine shop.
//!
//! One writer: SQLite lets one connection write at a time. With writes spread over a pool, the
//! connections that lose the race for the lock sleep in SQLite's busy handler (it backs off in
//! steps of up to 100 ms), so 50 simultaneous callbacks took a quarter of a second at p99. The
//! shop therefore writes through one dedicated connection ([`connect_writer`]): writers wait in
//! the pool's first-come-first-served queue and each starts the moment the previous commits.
//! Reads go through the reading pool and, with WAL, never wait for the writer.
//!
//! Neither pool pings a connection before lending it (`test_before_acquire(false)`): a SQLite
//! connection is a file opened in this process, with nothing between that could go stale, and
//! the ping is a round trip to the connection's worker thread and back on every query (a page
//! with a session runs three). sqlx still pings each connection as it comes back, which flushes
//! a transaction dropped half-way.

use super::DbError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::os::unix::fs::OpenOptionsExt;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another Turgus is running on the database {0} (stop it first)")]
    Held(String),
    #[error("TURGUS_DATABASE_URL: cannot open the lock file {0}: {1}")]
    Open(String, std::io::Error),
}

/// The database file a `sqlite:` URL names (`None` for an in-memory database).
pub fn database_path(url: &str) -> Option<std::path::PathBuf> {
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let path = options.get_filename();
    (!path.as_os_str().is_empty() && path != std::path::Path::new(":memory:"))
        .then(|| path.to_path_buf())
}

/// Makes the database file `0600` before SQLite opens it (SQLite gives its WAL and SHM files the
/// database's mode), and tightens an existing one, with its WAL and SHM, to that: they hold
/// session ids, password hashes and customers' details (`files`).
fn private_database_file(database: &std::path::Path) -> std::io::Result<()> {
    if !database.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(database)?;
    }
    for path in [
        database.to_path_buf(),
        sibling(database, "-wal"),
        sibling(database, "-shm"),
    ] {
        if path.exists() && crate::files::tighten(&path)? {
            tracing::info!(file = %path.display(), "made the database file readable by the shop's user only");
        }
    }
    Ok(())
}

/// A file beside `file` named after it: `turgus.db` + `.lock` → `turgus.db.lock` (also the
/// `-wal` and `-shm` files SQLite keeps beside it, and a built file's `.br` and `.gz` copies).
pub fn sibling(file: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    std::path::PathBuf::from(name)
}

/// Takes the database's lock file (`<database>.lock`), held by a serving shop for its lifetime:
/// while it is held, another shop does not start on the same file and a restore does not
/// overwrite it. The operating system releases it when the file is closed or the process dies.
pub fn lock(url: &str) -> Result<Option<std::fs::File>, LockError> {
    let Some(database) = database_path(url) else {
        return Ok(None);
    };
    let path = sibling(&database, ".lock");
    let shown = path.display().to_string();
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::files::create_private_dir(parent).map_err(|e| LockError::Open(shown.clone(), e))?;
    }
    let file = std::fs::OpenOptions::new()
        .mode(0o600)
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| LockError::Open(shown.clone(), e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(LockError::Held(database.display().to_string()))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(LockError::Open(shown, e)),
    }
}

fn options(url: &str) -> Result<SqliteConnectOptions, DbError> {
    Ok(SqliteConnectOptions::from_str(url)
        .map_err(DbError::Open)?
        .create_if_missing(true)
        // WAL lets shoppers read while a payment is being written.
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a callback answered `OK` must survive a power cut, so every commit is fsynced.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // Writes outside the writer (the migrations, a backup, the command-line tools) queue
        // instead of failing with SQLITE_BUSY when they meet it.
        .busy_timeout(Duration::from_secs(10)))
}

/// Opens (creating if missing) the SQLite database and applies the migrations. This is the
/// reading pool; writes that matter go through [`connect_writer`].
pub async fn connect(url: &str) -> Result<SqlitePool, DbError> {
    let options = options(url)?;
    if let Some(parent) = std::path::Path::new(options.get_filename()).parent() {
        if !parent.as_os_str().is_empty() {
            crate::files::create_private_dir(parent)
                .map_err(|e| DbError::Folder(parent.display().to_string(), e))?;
        }
    }
    if let Some(database) = database_path(url) {
        private_database_file(&database)
            .map_err(|e| DbError::Folder(database.display().to_string(), e))?;
    }

    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(DbError::Open)?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

/// The one connection the shop writes through (see the module docs), opened after [`connect`].
/// An in-memory database exists once per connection, so there the reading pool is the writer.
pub async fn connect_writer(url: &str, pool: &SqlitePool) -> Result<SqlitePool, DbError> {
    if database_path(url).is_none() {
        return Ok(pool.clone());
    }
    SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .test_before_acquire(false)
        // Never closed for being idle: the queue in front of it is the point.
        .idle_timeout(None)
        .max_lifetime(None)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options(url)?)
        .await
        .map_err(DbError::Open)
}
