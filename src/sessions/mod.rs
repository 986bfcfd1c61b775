//! Sessions (the cart, the checkout draft, an admin's login), kept in the database by
//! tower-sessions' sqlx stores. On SQLite they are looked up through the reading pool and
//! written through the shop's one writer (see `db`), so a busy checkout never meets SQLite's
//! busy handler; on PostgreSQL every instance reads and writes the same table, so a shopper's
//! next request may land on any instance.
//!
//! On SQLite the shop is the database's only user (`db::sqlite::lock`), so it also keeps the
//! sessions it has seen in memory (`copies`), written through: a load is answered from memory,
//! and costs a page no query. PostgreSQL's instances keep no copy: another instance may have
//! changed the session since.

mod copies;

use crate::db::Db;
use copies::Copies;
use std::sync::Arc;
use tower_sessions::cookie::{time, SameSite};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

#[derive(Clone, Debug)]
pub enum Sessions {
    Sqlite {
        reads: SqliteStore,
        writes: SqliteStore,
        copies: Arc<Copies>,
    },
    Postgres(PostgresStore),
}

impl Sessions {
    /// Creates the sessions table if needed.
    pub async fn open(pool: &Db, writer: &Db) -> Result<Sessions, sqlx::Error> {
        match writer {
            Db::Sqlite(writer) => {
                let writes = SqliteStore::new(writer.clone());
                writes.migrate().await?;
                // A shop's two pools are on one database; reading through the writer would be
                // correct too, only slower.
                let reads = match pool {
                    Db::Sqlite(pool) => SqliteStore::new(pool.clone()),
                    Db::Postgres(_) => writes.clone(),
                };
                Ok(Sessions::Sqlite {
                    reads,
                    writes,
                    copies: Arc::new(Copies::new(copies::LIMIT)),
                })
            }
            Db::Postgres(pool) => {
                let store = PostgresStore::new(pool.clone());
                store.migrate().await?;
                Ok(Sessions::Postgres(store))
            }
        }
    }

    /// Deletes expired sessions.
    pub async fn delete_expired(&self) -> session_store::Result<()> {
        use tower_sessions::ExpiredDeletion;
        match self {
            Sessions::Sqlite { writes, copies, .. } => {
                writes.delete_expired().await?;
                copies.forget_expired();
                Ok(())
            }
            Sessions::Postgres(store) => store.delete_expired().await,
        }
    }

    /// The cookie: [`COOKIE`], not readable by scripts, sent on same-site requests and
    /// top-level navigations (Paysera sends shoppers back with a GET), `Secure` behind https.
    pub fn layer(self, secure: bool) -> SessionManagerLayer<Sessions> {
        SessionManagerLayer::new(self)
            .with_name(COOKIE)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(secure)
            // A cart survives a month of not visiting.
            .with_expiry(Expiry::OnInactivity(time::Duration::days(30)))
    }
}

/// The session cookie's name. A request without it has no session: nothing on its page is the
/// visitor's own (`page_cache`).
pub const COOKIE: &str = "turgus_session";

#[async_trait::async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite { writes, copies, .. } => copies.create(writes, record).await,
            Sessions::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite { writes, copies, .. } => copies.save(writes, record).await,
            Sessions::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Sessions::Sqlite { reads, copies, .. } => copies.load(reads, id).await,
            Sessions::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite { writes, copies, .. } => copies.delete(writes, id).await,
            Sessions::Postgres(store) => store.delete(id).await,
        }
    }
}
