//! Prometheus metrics: requests by route and status, latencies, and the database pool.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::DatabaseBackend;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{AppError, AppResult, AuthFailure};
use crate::identity::Role;
use crate::state::AppState;

/// The process-wide recorder. Installed once: every server in the process (tests start
/// several) reports into it.
pub fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ])
                .ok()?
                .set_buckets_for_metric(
                    Matcher::Full("pledge_batch_size".into()),
                    &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0],
                )
                .ok()?
                .install_recorder()
                .ok()
        })
        .as_ref()
}

/// Folds the raw latency samples into their buckets every few seconds. Without it the
/// samples pile up in memory until a scrape, and an unscraped server would grow forever.
pub fn spawn_upkeep() {
    static STARTED: OnceLock<()> = OnceLock::new();
    if STARTED.set(()).is_err() {
        return;
    }
    if let Some(handle) = handle() {
        std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(5));
                    handle.run_upkeep();
                }
            })
            .ok();
    }
}

/// Counts and times every routed request by its route template (never its raw path, which
/// may hold tokens).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels[..2])
        .record(started.elapsed().as_secs_f64());
    response
}

/// The metrics route.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(serve))
}

/// Prometheus text: requests by route and status, latencies, database pool use. Open to
/// callers on loopback; others need an admin's bearer token.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses(
        (status = 200, description = "成功", content_type = "text/plain", body = String),
        (status = 401, description = "未登录或令牌无效", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "无权操作", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["anyone on loopback", "admin"]))))]
async fn serve(State(state): State<AppState>, request: Request) -> AppResult<Response> {
    let on_loopback = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(addr)| addr.ip().is_loopback());
    if !on_loopback {
        let (mut parts, _) = request.into_parts();
        let user = crate::identity::CurrentUser::from_parts(&mut parts, &state)
            .await
            .map_err(|_| AppError::Unauthorized(AuthFailure::Missing))?;
        if user.role() != Role::Admin {
            return Err(AppError::Forbidden);
        }
    }
    record_pool(&state);
    let text = handle().map(PrometheusHandle::render).unwrap_or_default();
    Ok((
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
        .into_response())
}

fn record_pool(state: &AppState) {
    let (size, idle) = match state.db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DatabaseBackend::Sqlite => {
            let pool = state.db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => return,
    };
    metrics::gauge!("db_pool_connections").set(f64::from(size));
    metrics::gauge!("db_pool_idle_connections").set(idle as f64);
    metrics::gauge!("db_pool_busy_connections").set(f64::from(size) - idle as f64);
}
