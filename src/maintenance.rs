//! The shop's background work, once a minute: expiring unpaid orders (their stock goes back on
//! sale), refreshing the pick-up point lists that are due (daily, sooner after a refusal), and,
//! hourly, deleting expired sessions and refused callbacks older than the retention setting. One
//! task per instance, stopped cleanly at shutdown between two rounds.
//!
//! Several instances on one PostgreSQL database each run it, and the work is still done once:
//! each overdue order is claimed with `FOR UPDATE SKIP LOCKED` by one instance
//! (`domain::flows::unpaid_orders::expire_overdue`), and the hourly clean-up runs under an
//! advisory lock that only one instance gets at a time ([`crate::db::Db::exclusively`]). A
//! carrier's list is downloaded by the instance that claims its turn
//! (`domain::pickup_points::refresh`).

use crate::config::Config;
use crate::sessions::Sessions;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

const ROUND: Duration = Duration::from_secs(60);
/// Sessions and refused callbacks are cleaned every this many rounds (and at start-up).
const CLEAN_EVERY: u64 = 60;

/// Starts the task; it ends when `stop` turns true.
pub fn spawn(
    pool: crate::db::Db,
    sessions: Sessions,
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
            refresh_points(&pool, &config.point_feeds).await;
            if round % CLEAN_EVERY == 0 {
                clean(&pool, &sessions, &config).await;
            }
        }
    })
}

async fn expire_orders(pool: &crate::db::Db, ttl_minutes: u32) {
    match crate::domain::flows::unpaid_orders::expire_overdue(
        pool,
        ttl_minutes,
        std::time::SystemTime::now(),
    )
    .await
    {
        Ok(0) => {}
        Ok(n) => tracing::info!(orders = n, "expired unpaid orders"),
        Err(_) => tracing::warn!("could not expire unpaid orders; will retry"),
    }
}

/// The lists of the carriers the shop's active methods use, where due.
async fn refresh_points(pool: &crate::db::Db, feeds: &crate::config::PointFeeds) {
    let carriers: Vec<_> = match crate::domain::settings::store::carriers_in_use(pool).await {
        Ok(codes) => codes
            .iter()
            .filter_map(|code| crate::domain::pickup_points::Carrier::parse(code))
            .collect(),
        Err(_) => return tracing::warn!("could not read which carriers are used; will retry"),
    };
    let now = std::time::SystemTime::now();
    for (carrier, done) in
        crate::domain::pickup_points::refresh::refresh_due(pool, feeds, &carriers, now).await
    {
        if done.is_err() {
            tracing::warn!(
                carrier = carrier.code(),
                "could not refresh pick-up points; will retry"
            );
        }
    }
}

/// The hourly clean-up, by one instance at a time.
async fn clean(pool: &crate::db::Db, sessions: &Sessions, config: &Config) {
    match pool
        .exclusively(crate::db::Job::CleanUp, || {
            clean_now(pool, sessions, config)
        })
        .await
    {
        Ok(Some(())) => {}
        Ok(None) => tracing::debug!("another instance is cleaning up"),
        Err(error) => tracing::warn!(%error, "could not start the clean-up; will retry"),
    }
}

async fn clean_now(pool: &crate::db::Db, sessions: &Sessions, config: &Config) {
    if let Err(error) = sessions.delete_expired().await {
        tracing::warn!(%error, "could not delete expired sessions; will retry");
    }
    let days = config.limits.refused_callback_retention_days;
    match crate::domain::payments::callbacks::prune_rejected(pool, days).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(callbacks = n, days, "deleted old refused callbacks"),
        Err(_) => tracing::warn!("could not delete old refused callbacks; will retry"),
    }
    if let Err(error) = crate::domain::page_changes::prune(pool).await {
        tracing::warn!(%error, "could not shorten the page changes; will retry");
    }
}
