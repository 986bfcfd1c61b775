//! Sessions (the cart, the checkout draft, an admin's login), kept in the database by
//! tower-sessions' SQLite store: looked up through the reading pool, written through the shop's
//! one writer (see `db.rs`), so a busy checkout never meets SQLite's busy handler.

use sqlx::SqlitePool;
use tower_sessions::cookie::{time, SameSite};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

#[derive(Clone, Debug)]
pub struct Sessions {
    reads: SqliteStore,
    /// Also what the background task deletes expired sessions with.
    pub writes: SqliteStore,
}

impl Sessions {
    /// Creates the sessions table if needed.
    pub async fn open(pool: &SqlitePool, writer: &SqlitePool) -> Result<Sessions, sqlx::Error> {
        let writes = SqliteStore::new(writer.clone());
        writes.migrate().await?;
        Ok(Sessions {
            reads: SqliteStore::new(pool.clone()),
            writes,
        })
    }

    /// The cookie: `turgus_session`, not readable by scripts, sent on same-site requests and
    /// top-level navigations (Paysera sends shoppers back with a GET), `Secure` behind https.
    pub fn layer(self, secure: bool) -> SessionManagerLayer<Sessions> {
        SessionManagerLayer::new(self)
            .with_name("turgus_session")
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(secure)
            // A cart survives a month of not visiting.
            .with_expiry(Expiry::OnInactivity(time::Duration::days(30)))
    }
}

#[async_trait::async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.writes.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.writes.save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.reads.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.writes.delete(id).await
    }
}
