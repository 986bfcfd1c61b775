//! The database: SQLite (the embedded default) or PostgreSQL (for a shop on several instances),
//! chosen by `TURGUS_DATABASE_URL`'s scheme.
//!
//! Both are concrete sqlx pools behind one enum, not sqlx's `Any` driver (which decodes only a
//! handful of types and cannot take SQLite's pragmas). A query that reads the same in both
//! dialects is written once and compiled once per database by [`on_db!`](crate::on_db) (a pool)
//! or [`on_tx!`](crate::on_tx) (a transaction); a query that differs is written twice, side by
//! side, in a `match` on [`Db`] or [`Tx`].
//!
//! The portable dialect both schemas keep to (`migrations/sqlite`, `migrations/postgres`):
//! integers are 64-bit (`BIGINT` in PostgreSQL, so they decode as `i64` in both); flags are
//! booleans (written `TRUE`/`FALSE`, which SQLite reads as 1/0); timestamps are UTC text in one
//! format (`2026-12-01T13:18:06.123Z`), which sorts as it reads, and come from the application
//! ([`crate::clock::now`]) or the column's default, never from dialect functions; sums are `CAST(… AS BIGINT)`
//! (PostgreSQL's `SUM` of integers is `numeric`).
//!
//! Writes: SQLite lets one connection write at a time, so the shop writes through one dedicated
//! connection (`sqlite.rs`) and a write transaction takes the lock up front (`BEGIN IMMEDIATE`).
//! PostgreSQL has many writers at READ COMMITTED: what SQLite's single writer guaranteed there is
//! guaranteed by conditional updates (`… WHERE status = 'pending_payment'`), row locks where a
//! transaction reads before it decides ([`Tx::for_update`]), and a retry of the whole transaction
//! when PostgreSQL reports a deadlock or a serialization failure ([`retrying`]).

pub mod postgres;
pub mod sqlite;

pub use sqlite::{database_path, lock, sibling, LockError};

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("TURGUS_DATABASE_URL: cannot open the database: {0}")]
    Open(sqlx::Error),
    #[error("TURGUS_DATABASE_URL: cannot create the database's folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("TURGUS_DATABASE_URL must start with sqlite:// or postgres:// (got {0}…)")]
    Scheme(String),
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A pool on one of the two databases.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction on one of the two databases.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$pool` bound to the concrete pool (`&SqlitePool` or `&PgPool`): the body
/// is compiled once for each database, so every sqlx type works in it.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection (`&mut SqliteConnection` or
/// `&mut PgConnection`); queries in the body run on `&mut *$conn`.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(transaction) => {
                let $conn = &mut **transaction;
                $body
            }
            $crate::db::Tx::Postgres(transaction) => {
                let $conn = &mut **transaction;
                $body
            }
        }
    };
}

/// Whether a URL names a PostgreSQL database.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Opens the database `url` names and applies its dialect's migrations. SQLite: the reading pool
/// (writes go through [`connect_writer`]).
pub async fn connect(url: &str) -> Result<Db, DbError> {
    if is_postgres_url(url) {
        Ok(Db::Postgres(postgres::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Db::Sqlite(sqlite::connect(url).await?))
    } else {
        Err(DbError::Scheme(url.chars().take(12).collect()))
    }
}

/// The pool writes go through: SQLite's one writer connection; PostgreSQL's pool itself.
pub async fn connect_writer(url: &str, pool: &Db) -> Result<Db, DbError> {
    match pool {
        Db::Sqlite(reads) => Ok(Db::Sqlite(sqlite::connect_writer(url, reads).await?)),
        Db::Postgres(_) => Ok(pool.clone()),
    }
}

impl Db {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    /// [`Tx::skip_locked`] for a statement that claims a row on its own, outside a transaction.
    pub fn skip_locked(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "",
            Db::Postgres(_) => SKIP_LOCKED,
        }
    }

    /// A write transaction. SQLite takes its write lock up front (`BEGIN IMMEDIATE`), so a
    /// transaction that reads before it writes never fails to upgrade its lock half-way;
    /// PostgreSQL starts at READ COMMITTED and locks the rows it reads with [`Tx::for_update`].
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }

    /// Connections open and idle, for the metrics.
    pub fn usage(&self) -> (u32, usize) {
        on_db!(self, pool => (pool.size(), pool.num_idle()))
    }
}

/// Background work that one instance at a time does (see [`Db::exclusively`]).
#[derive(Clone, Copy, Debug)]
pub enum Job {
    /// Deleting expired sessions and old refused callbacks.
    CleanUp,
}

impl Job {
    /// The advisory lock's key: a constant per job, so every instance asks for the same one.
    fn key(self) -> i64 {
        // "turgus" in ASCII, then the job.
        0x7475_7267_7573_0000
            + match self {
                Job::CleanUp => 1,
            }
    }
}

impl Db {
    /// Runs `work` unless another instance is running the same job: `None` if one is. On
    /// PostgreSQL a transaction-level advisory lock, held by a transaction kept open for as long
    /// as the work runs: it ends with the transaction however that ends (committed, rolled back
    /// when dropped, or the connection lost), so a failed unlock cannot leave it held on a pooled
    /// connection. SQLite has one instance (its lock file).
    pub async fn exclusively<T, F, Fut>(&self, job: Job, work: F) -> Result<Option<T>, sqlx::Error>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        let Db::Postgres(pool) = self else {
            return Ok(Some(work().await));
        };
        let mut holder = pool.begin().await?;
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(job.key())
            .fetch_one(&mut *holder)
            .await?;
        if !got {
            return Ok(None);
        }
        let done = work().await;
        holder.commit().await?;
        Ok(Some(done))
    }
}

/// PostgreSQL's clause for claiming work rows (see [`Tx::skip_locked`], [`Db::skip_locked`]).
const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    /// Undoes the transaction (what dropping it does too, said out loud: a dry run).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }

    /// ` FOR UPDATE` for a `SELECT` whose rows the transaction goes on to change. PostgreSQL
    /// needs it: at READ COMMITTED another transaction may change them in between. SQLite's write
    /// transactions are serial, and it has no such clause.
    pub fn for_update(&self) -> &'static str {
        match self {
            Tx::Sqlite(_) => "",
            Tx::Postgres(_) => " FOR UPDATE",
        }
    }

    /// Waits until no other transaction holds `key` in `scope`, and holds it until this one ends
    /// (PostgreSQL's transaction-level advisory lock). For decisions that read rows which do not
    /// exist yet: "has this checkout key placed an order?", "how many unpaid orders does this
    /// shopper hold?". SQLite's write transactions are serial already.
    pub async fn lock_key(&mut self, scope: &str, key: &str) -> Result<(), sqlx::Error> {
        if let Tx::Postgres(tx) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(format!("{scope}:{key}"))
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// ` FOR UPDATE SKIP LOCKED` for claiming a row of work (an overdue order, an e-mail to
    /// send): on PostgreSQL, an instance skips the rows another instance has claimed instead of
    /// waiting for them. SQLite's write transactions are serial.
    pub fn skip_locked(&self) -> &'static str {
        match self {
            Tx::Sqlite(_) => "",
            Tx::Postgres(_) => SKIP_LOCKED,
        }
    }
}

/// Runs a whole transaction, `attempt`, again (up to five times, after 10 to 80 ms) while the
/// database asks for that ([`AppError::Busy`](crate::error::AppError::Busy)); SQLite never does.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, crate::error::AppError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, crate::error::AppError>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(crate::error::AppError::Busy) if tries < 4 => {
                tries += 1;
                tracing::debug!(tries, "transaction run again after a deadlock or conflict");
                tokio::time::sleep(std::time::Duration::from_millis(5 << tries)).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_busy_transaction_runs_again_and_gives_up_after_five_tries() {
        use crate::error::AppError;
        let tries = std::sync::atomic::AtomicU32::new(0);
        let busy_twice = retrying(|| async {
            match tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
                0 | 1 => Err(AppError::Busy),
                n => Ok(n),
            }
        })
        .await;
        assert_eq!(busy_twice, Ok(2));
        tries.store(0, std::sync::atomic::Ordering::SeqCst);
        let always: Result<(), _> = retrying(|| async {
            tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Err(AppError::Busy)
        })
        .await;
        assert_eq!(always, Err(AppError::Busy));
        assert_eq!(tries.load(std::sync::atomic::Ordering::SeqCst), 5);
        // Other errors are not retried.
        tries.store(0, std::sync::atomic::Ordering::SeqCst);
        let conflict: Result<(), _> = retrying(|| async {
            tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Err(AppError::Conflict("sold out".into()))
        })
        .await;
        assert!(conflict.is_err());
        assert_eq!(tries.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
