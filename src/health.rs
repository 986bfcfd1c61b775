//! Health checks for load balancers and monitors: `GET /healthz` (the process answers) and
//! `GET /readyz` (and its database does: an instance whose database is gone is taken out of the
//! balancer's rotation).

use axum::Router;

/// `GET /healthz`: the process answers. `GET /readyz`: and the database answers a query. Both are
/// cheap (no session read, no page) and never cached, for load balancers and monitors.
pub fn routes(pool: crate::db::Db) -> Router {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let answer = |status: StatusCode, text: &'static str| {
        (status, [(header::CACHE_CONTROL, "no-store")], text).into_response()
    };
    Router::new()
        .route(
            "/healthz",
            axum::routing::get(move || async move { answer(StatusCode::OK, "ok") }),
        )
        .route(
            "/readyz",
            axum::routing::get(move || async move {
                match crate::on_db!(&pool, conn => sqlx::query_scalar::<_, i64>("SELECT CAST(1 AS BIGINT)")
                    .fetch_one(conn)
                    .await)
                {
                    Ok(_) => answer(StatusCode::OK, "ready"),
                    Err(error) => {
                        tracing::warn!(%error, "readiness check: the database does not answer");
                        answer(StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
                    }
                }
            }),
        )
}
