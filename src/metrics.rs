//! `GET /metrics` in Prometheus' text format, on its own address (`TURGUS_METRICS_ADDR`, off by
//! default): a monitor scrapes it from the machine or a private network, and strangers reaching
//! the shop never see it.
//!
//! What it reports:
//! - `http_requests_total{method, route, status}` and `http_request_duration_seconds{method,
//!   route}` (a histogram). Every label is from a closed set, so no stranger can make the series
//!   grow without bound: `route` is the route's pattern (`/p/{slug}`), never the address asked
//!   for; `method` is `GET`, `HEAD`, `POST` or `OTHER` (a method is any token a client sends, of
//!   any length); `status` is the shop's own answer. Addresses no route matches (the 404 page) are
//!   not counted: they have no pattern to count them under.
//! - `paysera_callbacks_total{verdict}`: every callback, with its verdict (`rejected` for the
//!   inauthentic ones, `error` when the shop failed and answered 500).
//! - `orders{stage}`, `email_outbox{state}` and `db_pool_connections{state}`: read when scraped
//!   (from the database, and the pool's own counts), so every instance reports the same orders
//!   and its own connections.
//! - `page_cache_pages`, `page_cache_bytes` and `page_cache_requests_total{result}` (`hit` or
//!   `miss`): this instance's page cache, how full and how well it serves (`page_cache`).
//!
//! The counters are the process's (`metrics`' global recorder, installed once); with metrics off
//! no recorder is installed and recording them costs nothing.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// Request latencies' buckets, in seconds: a page takes milliseconds, a slow one a second.
const LATENCY_BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// The process's recorder, installed on first use (several shops in one process, as in the tests,
/// share it).
fn handle() -> Result<&'static PrometheusHandle, String> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    &LATENCY_BUCKETS,
                )
                .map_err(|e| e.to_string())?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).map_err(|e| e.to_string())?;
            Ok(handle)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Counts and times every request that reached a route (a route layer: the route's pattern is
/// known by then).
pub async fn track(request: Request, next: Next) -> Response {
    // A route layer runs after routing, so the pattern is there; never the raw address.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(String::new, |p| p.as_str().to_owned());
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let elapsed = started.elapsed().as_secs_f64();
    metrics::counter!("http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(elapsed);
    response
}

/// The method as a label: one of the few the shop serves, else `OTHER`.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        _ => "OTHER",
    }
}

/// One Paysera callback answered, by verdict.
pub fn callback(verdict: &'static str) {
    metrics::counter!("paysera_callbacks_total", "verdict" => verdict).increment(1);
}

/// What the figures read when scraped come from.
#[derive(Clone)]
pub struct Sources {
    pub pool: crate::db::Db,
    pub page_cache: std::sync::Arc<crate::page_cache::PageCache>,
}

/// Serves `GET /metrics` on `addr` until `stop`; returns the address bound (port 0: any).
pub async fn serve(
    addr: std::net::SocketAddr,
    sources: Sources,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<std::net::SocketAddr, String> {
    handle()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("TURGUS_METRICS_ADDR: cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(scrape))
        .with_state(sources);
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::warn!(%error, "the metrics listener stopped");
        }
    });
    Ok(bound)
}

async fn scrape(State(sources): State<Sources>) -> Response {
    let Ok(handle) = handle() else {
        return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    read_page_cache(&sources.page_cache.stats());
    if let Err(error) = read_gauges(&sources.pool).await {
        tracing::warn!(%error, "metrics: could not read the database's figures");
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// The page cache's figures, kept by the cache itself (its counts since start-up).
fn read_page_cache(cache: &crate::page_cache::store::Stats) {
    metrics::gauge!("page_cache_pages").set(cache.pages as f64);
    metrics::gauge!("page_cache_bytes").set(cache.bytes as f64);
    metrics::counter!("page_cache_requests_total", "result" => "hit").absolute(cache.hits);
    metrics::counter!("page_cache_requests_total", "result" => "miss").absolute(cache.misses);
}

/// The figures read when scraped: orders by stage, the outbox, the pool.
async fn read_gauges(pool: &crate::db::Db) -> Result<(), crate::error::AppError> {
    for (stage, orders) in crate::domain::orders::place::count_by_stage(pool).await? {
        metrics::gauge!("orders", "stage" => stage.key()).set(orders as f64);
    }
    let backlog = crate::domain::mail::outbox::backlog(pool).await?;
    metrics::gauge!("email_outbox", "state" => "waiting").set(backlog.waiting as f64);
    metrics::gauge!("email_outbox", "state" => "failed").set(backlog.failed as f64);
    let (open, idle) = pool.usage();
    metrics::gauge!("db_pool_connections", "state" => "open").set(f64::from(open));
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("db_pool_connections", "state" => "in_use")
        .set(open.saturating_sub(u32::try_from(idle).unwrap_or(u32::MAX)) as f64);
    Ok(())
}
