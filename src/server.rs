//! Start-up: open the database (SQLite's reading pool and one writer, or PostgreSQL's pool: see
//! `db`), load the demo catalog, read the built site into memory, assemble the router and serve.
//! A request enters here; the route table for pages is in `app.rs`, server functions in each
//! feature, and each feature's other routes in its `routes()` (checkout, admin, locale, health,
//! assets): this file only assembles them under the shop-wide layers.
//!
//! Two tasks run beside the server: maintenance (`maintenance.rs`) and the e-mail worker
//! (`mail::delivery`); with `TURGUS_METRICS_ADDR`, a third listener serves `/metrics`. Shutdown (SIGTERM or Ctrl-C) stops accepting connections, lets requests in
//! flight finish for up to `TURGUS_DRAIN_SECONDS` (a Paysera callback being applied still commits
//! and answers `OK`), stops both tasks (the worker after the e-mail it is sending) and closes the
//! database.

use crate::app::{shell, App};
use crate::checkout;
use crate::config::Config;
use crate::db;
use crate::error::server_fn_status;
use crate::state::AppState;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] db::DbError),
    #[error("cannot set up the session store: {0}")]
    Sessions(sqlx::Error),
    #[error("cannot load the demo catalog: {0}")]
    Demo(sqlx::Error),
    #[error("{0}")]
    Catalog(String),
    #[error("Paysera: {0}")]
    Payments(String),
    #[error("TURGUS_ADDR: cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error(transparent)]
    Lock(#[from] db::LockError),
    #[error("e-mail: {0}")]
    Mail(String),
    #[error("LEPTOS_SITE_ROOT: cannot read the built site: {0}")]
    Assets(std::io::Error),
    #[error("{0}")]
    Metrics(String),
}

/// A running shop: where it listens, and the task serving it.
pub struct Running {
    pub addr: SocketAddr,
    /// Where `GET /metrics` is served, if `TURGUS_METRICS_ADDR` asks for it.
    pub metrics_addr: Option<SocketAddr>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The page cache, to read how full it is and how it served.
    pub page_cache: Arc<crate::page_cache::PageCache>,
}

/// Prepares everything and starts serving in the background. `TURGUS_ADDR` may use port 0
/// (the tests do); the bound address is returned.
pub async fn start(config: Config) -> Result<Running, StartError> {
    start_with_shutdown(config, std::future::pending()).await
}

pub async fn start_with_shutdown(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<Running, StartError> {
    let (lock, pool, writer) = open_database(&config).await?;
    let settings = prepare_data(&config, &pool, &writer).await?;
    let sessions = crate::sessions::Sessions::open(&pool, &writer)
        .await
        .map_err(StartError::Sessions)?;
    let session_layer = sessions.clone().layer(config.is_https());
    let (listener, addr) = listen(config.addr).await?;
    let assets = crate::assets::Assets::load(&config.site_root).map_err(StartError::Assets)?;
    let leptos_options = leptos_options(&assets, &config.site_root, addr);
    announce_setup_link(&pool, &config.public_url).await;
    let (payments, mailer) = payments_and_mail(&config, &writer).await?;
    let state = app_state(config, (pool, writer), settings, assets, payments, mailer);
    let page_cache = page_cache(&state).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = spawn_workers(&state, sessions, &page_cache, &stopped);
    let metrics_addr = serve_metrics(&state, &page_cache, stopped.clone()).await?;
    let drain = Duration::from_secs(state.config.drain_seconds);
    let pools = (state.pool.clone(), state.writer.clone());
    let app = router(state, leptos_options, session_layer, page_cache.clone());
    tracing::info!("Turgus is serving at http://{addr}");
    let serve = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let task = tokio::spawn(async move {
        let result = drain_within(serve.into_future(), stopped, drain).await;
        let _ = tokio::join!(workers.0, workers.1, workers.2);
        close_pools(pools).await;
        drop(lock);
        tracing::info!("stopped");
        result
    });
    Ok(Running {
        addr,
        metrics_addr,
        task,
        page_cache,
    })
}

/// What every handler shares, from what start-up prepared.
fn app_state(
    config: Config,
    (pool, writer): (db::Db, db::Db),
    settings: crate::domain::settings::store::SettingsCache,
    assets: Arc<crate::assets::Assets>,
    payments: crate::domain::payments::gateway::Payments,
    mailer: Arc<crate::domain::mail::delivery::Mailer>,
) -> AppState {
    let home = crate::domain::catalog::store::KeptHome::new(config.page_cache_bytes > 0);
    AppState {
        home: Arc::new(home),
        security: Arc::new(crate::security::Policy::new(
            &payments.pay_url,
            &config.public_url,
        )),
        pool,
        writer,
        config: Arc::new(config),
        payments: Arc::new(payments),
        assets,
        category_menu: Default::default(),
        settings: Arc::new(settings),
        mailer,
        wrong_codes: crate::checkout::discount::wrong_codes_limit(),
    }
}

/// The page cache, within the configured budget, rereading the state's settings and category menu
/// and emptying the home page's kept cards when anything changed.
async fn page_cache(state: &AppState) -> Arc<crate::page_cache::PageCache> {
    crate::page_cache::PageCache::new(
        state.config.page_cache_bytes,
        state.pool.clone(),
        state.settings.clone(),
        state.category_menu.clone(),
        state.home.clone(),
    )
    .await
}

/// The database (a reading pool and where writes go) and, for SQLite, its lock file: held while
/// this shop serves, so a second shop on the same database, or a restore over it, is refused.
async fn open_database(
    config: &Config,
) -> Result<(Option<std::fs::File>, db::Db, db::Db), StartError> {
    let lock = db::lock(config.database_url.expose())?;
    let pool = db::connect(config.database_url.expose()).await?;
    let writer = db::connect_writer(config.database_url.expose(), &pool).await?;
    Ok((lock, pool, writer))
}

/// Listens on `addr` (port 0: any free port); the address bound.
async fn listen(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), StartError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| StartError::Listen(addr, e))?;
    let bound = listener
        .local_addr()
        .map_err(|e| StartError::Listen(addr, e))?;
    Ok((listener, bound))
}

/// Leptos' options for the built site, whose client files have content-hashed names.
fn leptos_options(
    assets: &crate::assets::Assets,
    site_root: &std::path::Path,
    addr: SocketAddr,
) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(assets.names.client.clone())
        .site_root(site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .env(leptos::config::Env::PROD)
        .build()
}

/// Prints the one-time link that creates the owner's account, while the shop has no admin.
async fn announce_setup_link(pool: &db::Db, public_url: &str) {
    match crate::admin::setup_link::at_start(pool, public_url).await {
        Ok(Some(link)) => tracing::info!(
            "No admin account yet. Create the owner's account (one-time link): {link}"
        ),
        Ok(None) => {}
        Err(_) => tracing::warn!("could not check for admin accounts"),
    }
}

/// The background task, the e-mail worker and the page cache's watch, until `stopped`.
fn spawn_workers(
    state: &AppState,
    sessions: crate::sessions::Sessions,
    page_cache: &Arc<crate::page_cache::PageCache>,
    stopped: &tokio::sync::watch::Receiver<bool>,
) -> (
    tokio::task::JoinHandle<()>,
    tokio::task::JoinHandle<()>,
    tokio::task::JoinHandle<()>,
) {
    let background = crate::maintenance::spawn(
        state.writer.clone(),
        sessions,
        state.config.clone(),
        stopped.clone(),
    );
    let mail_worker = crate::domain::mail::delivery::spawn(
        state.mailer.clone(),
        state.pool.clone(),
        state.writer.clone(),
        stopped.clone(),
    );
    (
        background,
        mail_worker,
        page_cache.clone().watch(stopped.clone()),
    )
}

/// Closes both pools. Closing waits for connections in use; the last one closing checkpoints
/// SQLite's WAL.
async fn close_pools((pool, writer): (db::Db, db::Db)) {
    let closed = async { tokio::join!(pool.close(), writer.close()) };
    if tokio::time::timeout(Duration::from_secs(5), closed)
        .await
        .is_err()
    {
        tracing::warn!("database connections still busy at shutdown");
    }
}

/// Loads the demo catalog (once ever), the legal pages' placeholders and the settings, and checks
/// the catalog's currency.
async fn prepare_data(
    config: &Config,
    pool: &db::Db,
    writer: &db::Db,
) -> Result<crate::domain::settings::store::SettingsCache, StartError> {
    // The data folder is the shop's user's alone (`files`), one made before this too.
    match crate::files::create_private_dir(&config.data_dir)
        .and_then(|()| crate::files::tighten(&config.data_dir))
    {
        Ok(true) => {
            tracing::info!(folder = %config.data_dir.display(), "made the data folder the shop's user's alone")
        }
        Ok(false) => {}
        Err(error) => {
            tracing::warn!(%error, folder = %config.data_dir.display(), "cannot make the data folder private")
        }
    }
    if crate::domain::catalog::demo::load_once(pool, config.currency)
        .await
        .map_err(StartError::Demo)?
    {
        tracing::info!("loaded the demo catalog");
    }
    crate::domain::settings::store::seed_placeholders(writer)
        .await
        .map_err(StartError::Demo)?;
    // Until Omniva's feed first answers (or for good, offline) the demo's locker method shows the
    // bundled sample; a shop that has a list keeps it.
    crate::domain::pickup_points::refresh::load_sample(writer, std::time::SystemTime::now())
        .await
        .map_err(|_| StartError::Catalog("cannot load the sample pick-up points".into()))?;
    let settings = crate::domain::settings::store::SettingsCache::load(pool)
        .await
        .map_err(|_| StartError::Catalog("cannot read the shop's settings".into()))?;
    crate::domain::catalog::store::check_catalog_currency(pool, config.currency)
        .await
        .map_err(StartError::Catalog)?;
    Ok(settings)
}

/// Paysera (a live project's key and methods, or the sandbox's pair) and the e-mail sender.
async fn payments_and_mail(
    config: &Config,
    writer: &db::Db,
) -> Result<
    (
        crate::domain::payments::gateway::Payments,
        Arc<crate::domain::mail::delivery::Mailer>,
    ),
    StartError,
> {
    let shop = crate::domain::payments::gateway::ShopPlace {
        data_dir: &config.data_dir,
        currency: config.currency,
        public_url: &config.public_url,
    };
    let payments = crate::domain::payments::gateway::setup(&config.paysera, &shop, writer)
        .await
        .map_err(StartError::Payments)?;
    tracing::info!(mode = ?payments.mode, key = %payments.key_source.describe(crate::locale::Locale::en), "Paysera");
    let mailer = crate::domain::mail::delivery::Mailer::new(config, payments.sandbox.is_some())
        .map(Arc::new)
        .map_err(StartError::Mail)?;
    if !mailer.has_smtp() {
        tracing::warn!(
            "no SMTP server (TURGUS_SMTP_URL): order e-mails are kept unsent in admin → E-mails"
        );
    }
    Ok((payments, mailer))
}

/// `/metrics` on `TURGUS_METRICS_ADDR`, if set, until the shop stops; where it listens.
async fn serve_metrics(
    state: &AppState,
    page_cache: &Arc<crate::page_cache::PageCache>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> Result<Option<SocketAddr>, StartError> {
    let Some(addr) = state.config.metrics_addr else {
        return Ok(None);
    };
    let stop = async move {
        let _ = stopped.wait_for(|stopped| *stopped).await;
    };
    let sources = crate::metrics::Sources {
        pool: state.pool.clone(),
        page_cache: page_cache.clone(),
    };
    let bound = crate::metrics::serve(addr, sources, stop)
        .await
        .map_err(StartError::Metrics)?;
    tracing::info!("metrics at http://{bound}/metrics");
    Ok(Some(bound))
}

/// The whole shop's routes: the pages (and their server functions, after `app::read_chrome`) and
/// the features' own `routes()` under the session, page-script policy, compression and page cache
/// layers; the built files, health checks and the language switch beside them, with neither (a
/// file needs no session, and is precompressed); all under the security and body-limit layers.
/// Sessions are loaded only by the pages (for the header's cart count) and the handlers that ask
/// for one, so Paysera's callback pays nothing for the session layer.
fn router(
    state: AppState,
    leptos_options: LeptosOptions,
    session_layer: tower_sessions::SessionManagerLayer<crate::sessions::Sessions>,
    page_cache: Arc<crate::page_cache::PageCache>,
) -> Router {
    let edge = Edge {
        public_url: state.config.public_url.clone(),
        security: state.security.clone(),
        default_locale: state.config.default_locale,
    };
    let metrics = state.config.metrics_addr.is_some();
    let features = checkout::routes(state.clone()).merge(crate::admin::routes(state.clone()));
    let sessionless = sessionless_routes(&state);
    let security = state.security.clone();
    let chrome = axum::middleware::from_fn_with_state(state.clone(), crate::app::read_chrome);
    let context = move || {
        provide_context(state.clone());
        // Pages allow their inline scripts by hash (`security::page_script_policy`), not by a
        // nonce: Leptos is given an empty one to write, which no policy allows.
        provide_context(leptos::nonce::Nonce::from_value(""));
        crate::locale::middleware::provide();
    };
    let page_shell = {
        let options = leptos_options.clone();
        move || shell(options.clone())
    };
    let shop = Router::new()
        .leptos_routes_with_context(&leptos_options, route_list(), context.clone(), page_shell)
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .with_state(leptos_options)
        // Inside the session layer: the header's cart count is the session's.
        .layer(chrome)
        .merge(features)
        .layer(axum::middleware::from_fn(server_fn_status))
        .layer(axum::middleware::from_fn(
            crate::admin::auth::in_admins_language,
        ))
        .layer(session_layer)
        .layer(axum::middleware::from_fn_with_state(
            security,
            crate::security::page_script_policy,
        ))
        .layer(page_compression())
        .layer(axum::middleware::from_fn_with_state(
            page_cache,
            crate::page_cache::serve,
        ))
        .merge(sessionless);
    // Counted only when someone reads the counts: with metrics off, requests pay nothing for them.
    let shop = if metrics {
        shop.route_layer(axum::middleware::from_fn(crate::metrics::track))
    } else {
        shop
    };
    edge.around(shop)
}

/// The built files, health checks, sitemap and language switch: no session, no page layers.
fn sessionless_routes(state: &AppState) -> Router {
    crate::assets::routes(state.assets.clone())
        .merge(crate::health::routes(state.pool.clone()))
        .merge(crate::catalog::sitemap::routes(
            state.pool.clone(),
            state.config.public_url.clone(),
            state.config.default_locale,
        ))
        .merge(crate::locale::middleware::routes(state.config.is_https()))
}

/// What the layers around the whole shop need: its public address (same-site checks), its
/// security policy and its default language.
struct Edge {
    public_url: String,
    security: Arc<crate::security::Policy>,
    default_locale: crate::locale::Locale,
}

impl Edge {
    /// The shop inside its security, body-limit and tracing layers; then, outside the router (so
    /// that `/lt/cart` is routed as `/cart`), the language edge (`locale::middleware`), and outermost
    /// the refusal of paths that are not plain.
    fn around(self, shop: Router) -> Router {
        let shop = shop
            .layer(axum::middleware::from_fn_with_state(
                self.public_url,
                crate::security::same_site_only,
            ))
            .layer(axum::middleware::from_fn_with_state(
                self.security,
                crate::security::security_headers,
            ))
            .layer(axum::middleware::from_fn(crate::limits::limit_body))
            .layer(TraceLayer::new_for_http());
        Router::new()
            .fallback_service(shop)
            .layer(axum::middleware::from_fn_with_state(
                crate::locale::middleware::Edge {
                    default: self.default_locale,
                    unprefixed: crate::admin::is_admin_path,
                },
                crate::locale::middleware::strip_prefix,
            ))
            .layer(axum::middleware::from_fn(crate::security::plain_paths_only))
    }
}

/// Serves until shutdown has been asked for and the requests in flight are done, or until `drain`
/// has passed since it was asked for, whichever comes first.
async fn drain_within(
    serve: impl std::future::Future<Output = std::io::Result<()>>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
    drain: Duration,
) -> std::io::Result<()> {
    let deadline = async move {
        let _ = stopped.wait_for(|stopped| *stopped).await;
        tokio::time::sleep(drain).await;
    };
    tokio::select! {
        result = serve => result,
        _ = deadline => {
            tracing::warn!(seconds = drain.as_secs(), "requests still running after the drain time; stopping anyway");
            Ok(())
        }
    }
}

/// Pages and server-function answers compressed on the fly (brotli or gzip, as the browser
/// accepts) once they are over 1 KB; smaller ones gain less than compressing costs.
fn page_compression(
) -> tower_http::compression::CompressionLayer<impl tower_http::compression::predicate::Predicate> {
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    tower_http::compression::CompressionLayer::new()
        .quality(tower_http::CompressionLevel::Fastest)
        .compress_when(SizeAbove::new(1024).and(NotForContentType::IMAGES))
}

/// The page routes, read from the `App` component once per process. Generating them pauses
/// resource loading process-wide in Leptos, so a second generation (another shop started in the
/// same process, as the tests do) could stall pages another shop is rendering.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Runs the shop until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> Result<(), StartError> {
    let running = start_with_shutdown(config, shutdown_signal()).await?;
    match running.task.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(StartError::Listen(running.addr, e)),
        Err(join) => {
            tracing::error!(error = %join, "server task failed");
            Ok(())
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down");
}
