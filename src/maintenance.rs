//! The shop's background work, once a minute: expiring unpaid orders (their stock goes back on
//! sale), and, hourly, deleting expired sessions and refused callbacks older than the retention
//! setting. One task, stopped cleanly at shutdown between two rounds.

use crate::config::Config;
use sqlx::SqlitePool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::SqliteStore;

const ROUND: Duration = Duration::from_secs(60);
/// Sessions and refused callbacks are cleaned every this many rounds (and at start-up).
const CLEAN_EVERY: u64 = 60;

/// Starts the task; it ends when `stop` turns true.
pub fn spawn(
    pool: SqlitePool,
    sessions: SqliteStore,
    config: Arc<Config>,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(ROUND);
        for round in 0u64.. {
            tokio::select! {
                _ = every_minute.tick() => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
            expire_orders(&pool, config.order_ttl_minutes).await;
            if round % CLEAN_EVERY == 0 {
                clean(&pool, &sessions, &config).await;
            }
        }
    })
}

async fn expire_orders(pool: &SqlitePool, ttl_minutes: u32) {
    match crate::orders::ssr::expire_overdue(pool, ttl_minutes).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(orders = n, "expired unpaid orders"),
        Err(_) => tracing::warn!("could not expire unpaid orders; will retry"),
    }
}

async fn clean(pool: &SqlitePool, sessions: &SqliteStore, config: &Config) {
    if let Err(error) = sessions.delete_expired().await {
        tracing::warn!(%error, "could not delete expired sessions; will retry");
    }
    let days = config.limits.refused_callback_retention_days;
    match crate::orders::payment::prune_rejected(pool, days).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(callbacks = n, days, "deleted old refused callbacks"),
        Err(_) => tracing::warn!("could not delete old refused callbacks; will retry"),
    }
}
