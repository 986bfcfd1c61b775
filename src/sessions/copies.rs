//! The in-memory copy of a SQLite shop's sessions, written through.
//!
//! A shopper with a cart sends the session cookie with every page, and every page loaded the
//! session from the database: one query, and two trips to SQLite's worker thread and back, on
//! every page a shopper sees. On SQLite this process is the database's only user, so what it
//! wrote is what the database holds: writes go to the database first and, once it succeeded, to
//! the copy; a load is answered from the copy when it holds the session.
//!
//! Three rules keep the copy equal to the database:
//! - writes of sessions take turns (`writing`), so two requests of one shopper saving at once
//!   leave the copy with the save the database kept last;
//! - a session read from the database is kept only if no write or delete happened while it was
//!   being read (`changes`), so a read that raced a delete never brings the session back;
//! - an expired session is never answered, as the store's own query would not.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Result, SessionStore};

/// How many sessions the copy holds: a few megabytes at most (a session is a cart of at most 50
/// lines, or an admin's login). Past it, the session saved longest ago goes; it is read from the
/// database again when its shopper comes back.
pub const LIMIT: usize = 10_000;

#[derive(Debug)]
pub struct Copies {
    kept: Mutex<Kept>,
    writing: tokio::sync::Mutex<()>,
    limit: usize,
}

#[derive(Debug, Default)]
struct Kept {
    records: HashMap<Id, Record>,
    /// Writes and deletes so far.
    changes: u64,
}

impl Copies {
    pub fn new(limit: usize) -> Copies {
        Copies {
            kept: Mutex::new(Kept::default()),
            writing: tokio::sync::Mutex::new(()),
            limit,
        }
    }

    fn kept(&self) -> MutexGuard<'_, Kept> {
        // Nothing panics while holding it; were it to, the map would still be whole.
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub async fn create(&self, store: &impl SessionStore, record: &mut Record) -> Result<()> {
        let _turn = self.writing.lock().await;
        store.create(record).await?;
        self.kept().wrote(record, self.limit);
        Ok(())
    }

    pub async fn save(&self, store: &impl SessionStore, record: &Record) -> Result<()> {
        let _turn = self.writing.lock().await;
        store.save(record).await?;
        self.kept().wrote(record, self.limit);
        Ok(())
    }

    pub async fn delete(&self, store: &impl SessionStore, id: &Id) -> Result<()> {
        let _turn = self.writing.lock().await;
        store.delete(id).await?;
        let mut kept = self.kept();
        kept.records.remove(id);
        kept.changes += 1;
        Ok(())
    }

    pub async fn load(&self, store: &impl SessionStore, id: &Id) -> Result<Option<Record>> {
        let changes = {
            let kept = self.kept();
            let now = OffsetDateTime::now_utc();
            if let Some(record) = kept.records.get(id).filter(|r| r.expiry_date > now) {
                return Ok(Some(record.clone()));
            }
            kept.changes
        };
        let record = store.load(id).await?;
        if let Some(record) = &record {
            let mut kept = self.kept();
            if kept.changes == changes && !kept.records.contains_key(id) {
                kept.make_room(self.limit);
                kept.records.insert(record.id, record.clone());
            }
        }
        Ok(record)
    }

    /// Drops the expired sessions (the database's are deleted by the store's clean-up).
    pub fn forget_expired(&self) {
        let now = OffsetDateTime::now_utc();
        self.kept().records.retain(|_, r| r.expiry_date > now);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.kept().records.len()
    }
}

impl Kept {
    fn wrote(&mut self, record: &Record, limit: usize) {
        self.changes += 1;
        if !self.records.contains_key(&record.id) {
            self.make_room(limit);
        }
        self.records.insert(record.id, record.clone());
    }

    /// Room for one more: the expired go first, then the session saved longest ago (its expiry,
    /// a save plus the 30 days of inactivity, is the earliest).
    fn make_room(&mut self, limit: usize) {
        if self.records.len() < limit {
            return;
        }
        let now = OffsetDateTime::now_utc();
        self.records.retain(|_, r| r.expiry_date > now);
        if self.records.len() >= limit {
            let oldest = self.records.values().min_by_key(|r| r.expiry_date);
            if let Some(oldest) = oldest.map(|r| r.id) {
                self.records.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::SqlitePool;
    use std::sync::Arc;
    use tower_sessions::cookie::time::Duration;
    use tower_sessions_sqlx_store::SqliteStore;

    /// A store on a fresh in-memory database, and that database's pool (to look behind the
    /// copy's back).
    async fn store() -> (SqliteStore, SqlitePool) {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        let store = SqliteStore::new(pool.clone());
        store.migrate().await.unwrap();
        (store, pool)
    }

    fn cart(lines: u32, expires_in: Duration) -> Record {
        let mut data = HashMap::new();
        data.insert("cart".to_owned(), serde_json::json!({ "lines": lines }));
        Record {
            id: Id::default(),
            data,
            expiry_date: OffsetDateTime::now_utc() + expires_in,
        }
    }

    async fn delete_behind_the_copy(pool: &SqlitePool) {
        sqlx::query("DELETE FROM tower_sessions")
            .execute(pool)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_saved_session_is_written_to_the_database_and_then_read_from_memory() {
        let (store, pool) = store().await;
        let copies = Copies::new(LIMIT);
        let mut record = cart(1, Duration::days(30));
        copies.create(&store, &mut record).await.unwrap();
        record
            .data
            .insert("cart".into(), serde_json::json!({ "lines": 2 }));
        copies.save(&store, &record).await.unwrap();
        assert_eq!(store.load(&record.id).await.unwrap(), Some(record.clone()));

        // Gone from the database behind the copy's back: the copy still answers, without a query.
        delete_behind_the_copy(&pool).await;
        assert_eq!(copies.load(&store, &record.id).await.unwrap(), Some(record));
    }

    #[tokio::test]
    async fn a_session_read_once_from_the_database_is_then_kept() {
        let (store, pool) = store().await;
        let mut record = cart(1, Duration::days(30));
        store.create(&mut record).await.unwrap();
        let copies = Copies::new(LIMIT);
        assert_eq!(
            copies.load(&store, &record.id).await.unwrap(),
            Some(record.clone())
        );
        delete_behind_the_copy(&pool).await;
        assert_eq!(copies.load(&store, &record.id).await.unwrap(), Some(record));
        assert_eq!(copies.load(&store, &Id::default()).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_deleted_or_expired_session_is_never_answered() {
        let (store, _) = store().await;
        let copies = Copies::new(LIMIT);
        let mut deleted = cart(1, Duration::days(30));
        copies.create(&store, &mut deleted).await.unwrap();
        copies.delete(&store, &deleted.id).await.unwrap();
        assert_eq!(copies.load(&store, &deleted.id).await.unwrap(), None);

        let mut expiring = cart(1, Duration::milliseconds(300));
        copies.create(&store, &mut expiring).await.unwrap();
        assert!(copies.load(&store, &expiring.id).await.unwrap().is_some());
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        assert_eq!(copies.load(&store, &expiring.id).await.unwrap(), None);
        copies.forget_expired();
        assert_eq!(copies.len(), 0);
    }

    #[tokio::test]
    async fn a_full_copy_lets_the_session_saved_longest_ago_go_and_reads_it_again_later() {
        let (store, _) = store().await;
        let copies = Copies::new(3);
        let mut records = Vec::new();
        for days in [10, 20, 30, 40] {
            let mut record = cart(1, Duration::days(days));
            copies.create(&store, &mut record).await.unwrap();
            records.push(record);
        }
        assert_eq!(copies.len(), 3);
        // The one due to expire first left the copy, not the database.
        assert!(!copies.kept().records.contains_key(&records[0].id));
        assert_eq!(
            copies.load(&store, &records[0].id).await.unwrap(),
            Some(records[0].clone())
        );
        assert_eq!(copies.len(), 3);
    }

    /// A store whose session is deleted (through the copy) while a load is reading it: the
    /// load's answer is the database's as it was, and must not bring the session back.
    #[derive(Debug)]
    struct DeletedWhileRead {
        store: SqliteStore,
        copies: Arc<Copies>,
    }

    #[async_trait::async_trait]
    impl SessionStore for DeletedWhileRead {
        async fn save(&self, record: &Record) -> Result<()> {
            self.store.save(record).await
        }
        async fn load(&self, id: &Id) -> Result<Option<Record>> {
            let read = self.store.load(id).await?;
            self.copies.delete(&self.store, id).await?;
            Ok(read)
        }
        async fn delete(&self, id: &Id) -> Result<()> {
            self.store.delete(id).await
        }
    }

    #[tokio::test]
    async fn a_read_that_raced_a_delete_does_not_bring_the_session_back() {
        let (store, _) = store().await;
        let mut record = cart(1, Duration::days(30));
        store.create(&mut record).await.unwrap();
        let copies = Arc::new(Copies::new(LIMIT));
        let racing = DeletedWhileRead {
            store: store.clone(),
            copies: copies.clone(),
        };
        assert!(copies.load(&racing, &record.id).await.unwrap().is_some());
        assert_eq!(copies.len(), 0);
        assert_eq!(copies.load(&store, &record.id).await.unwrap(), None);
    }
}
