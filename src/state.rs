//! What every request handler and server function shares: the database pool and the configuration.

use crate::checkout::payments::Payments;
use crate::config::Config;
use crate::error::AppError;
use leptos::prelude::use_context;
use sqlx::SqlitePool;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub pool: SqlitePool,
    pub config: Arc<Config>,
    pub payments: Arc<Payments>,
    /// The security headers' settings, worked out once at start-up.
    pub security: Arc<crate::security::Policy>,
}

/// The current request's application state, as provided to the Leptos context by the router.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}

pub fn pool() -> Result<SqlitePool, AppError> {
    Ok(app_state()?.pool)
}
