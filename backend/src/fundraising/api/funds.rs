//! Fund endpoints: the general fund and the projects' funds; allocations between them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{AppResult, Problem};
use crate::extract::ApiJson;
use crate::fundraising::funds::{self, Allocation, FundFigures, GENERAL};
use crate::identity::Authorized;
use crate::identity::extract::{AdminOnly, BookReaders};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_funds))
        .routes(routes!(allocate))
}

/// A fund with its figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundView {
    /// `general` or a project's id.
    pub fund: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: FundFigures,
}

/// Every fund: the general fund first, then each project's restricted fund.
#[utoipa::path(get, path = "/api/v1/funds", tag = "fundraising",
    responses((status = 200, description = "成功", body = Vec<FundView>)),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin", "finance", "auditor"]))))]
async fn list_funds(
    State(state): State<AppState>,
    _reader: Authorized<BookReaders>,
) -> AppResult<Json<Vec<FundView>>> {
    let mut all = funds::figures(&state.db).await?;
    let mut out = vec![FundView {
        fund: GENERAL.into(),
        figures: all.remove(GENERAL).unwrap_or_default(),
    }];
    let mut rest: Vec<FundView> = all
        .into_iter()
        .map(|(fund, figures)| FundView { fund, figures })
        .collect();
    rest.sort_by(|a, b| a.fund.cmp(&b.fund));
    out.extend(rest);
    Ok(Json(out))
}

/// Allocates from the general fund to a project, with a reason.
#[utoipa::path(post, path = "/api/v1/funds/allocations", tag = "fundraising",
    request_body = Allocation,
    responses((status = 201, description = "已拨付；返回项目基金", body = FundFigures),
        (status = 409, description = "非定向资金余额不足", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))))]
async fn allocate(
    State(state): State<AppState>,
    admin: Authorized<AdminOnly>,
    ApiJson(body): ApiJson<Allocation>,
) -> AppResult<(StatusCode, Json<FundFigures>)> {
    Ok((
        StatusCode::CREATED,
        Json(funds::allocate(&state.db, admin.user.id(), &body).await?),
    ))
}
