//! `/health` (the process is alive) and `/ready` (the database answers and is migrated).

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db;
use crate::error::{AppError, AppResult, Problem};
use crate::state::AppState;

/// The operations routes (metrics are added by the app, which owns the recorder).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
}

/// A status answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    /// `ok`.
    pub status: &'static str,
}

/// The process is alive.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "成功", body = Status)),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn health() -> Json<Status> {
    Json(Status { status: "ok" })
}

/// The database is reachable and every migration is applied.
#[utoipa::path(get, path = "/ready", tag = "operations",
    responses(
        (status = 200, description = "成功", body = Status),
        (status = 503, description = "服务暂不可用", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn ready(State(state): State<AppState>) -> AppResult<Json<Status>> {
    db::ping(&state.db)
        .await
        .map_err(|e| AppError::Unavailable(format!("database unreachable: {e}")))?;
    let applied = db::migrations_applied(&state.db)
        .await
        .map_err(|e| AppError::Unavailable(format!("cannot read migrations: {e}")))?;
    if !applied {
        return Err(AppError::Unavailable("migrations pending".into()));
    }
    Ok(Json(Status { status: "ok" }))
}
