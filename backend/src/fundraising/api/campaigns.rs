//! Campaign endpoints: anyone reads, admins write.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{AppResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::fundraising::campaigns::{
    self, CampaignView, ClosedCampaign, Closing, NewCampaign, Progress,
};
use crate::identity::Authorized;
use crate::identity::extract::AdminOnly;
use crate::pagination::{PageQuery, Paged};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_campaigns, create_campaign))
        .routes(routes!(get_campaign))
        .routes(routes!(open_campaign))
        .routes(routes!(close_campaign))
        .routes(routes!(closing_preview))
        .routes(routes!(campaign_progress))
}

/// The campaigns, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "fundraising",
    params(PageQuery),
    responses((status = 200, description = "成功", body = Paged<CampaignView>)),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn list_campaigns(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<CampaignView>>> {
    let (page, per_page) = query.resolve()?;
    let (items, total) = campaigns::list(&state.db, page, per_page).await?;
    Ok(Json(Paged {
        items,
        page: page + 1,
        per_page,
        total,
    }))
}

/// Creates a campaign in draft.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "fundraising",
    request_body = NewCampaign,
    responses(
        (status = 201, description = "已创建", body = CampaignView),
        (status = 409, description = "同名活动已存在", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))))]
async fn create_campaign(
    State(state): State<AppState>,
    admin: Authorized<AdminOnly>,
    ApiJson(body): ApiJson<NewCampaign>,
) -> AppResult<(StatusCode, Json<CampaignView>)> {
    Ok((
        StatusCode::CREATED,
        Json(campaigns::create(&state.db, admin.user.id(), body).await?),
    ))
}

/// One campaign.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "fundraising",
    params(("id" = String, Path, description = "活动 id")),
    responses(
        (status = 200, description = "成功", body = CampaignView),
        (status = 404, description = "未找到", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn get_campaign(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<CampaignView>> {
    Ok(Json(campaigns::get(&state.db, &id).await?))
}

/// Opens a draft campaign for pledges.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/open", tag = "fundraising",
    params(("id" = String, Path, description = "活动 id")),
    responses(
        (status = 200, description = "已开启", body = CampaignView),
        (status = 409, description = "不是草稿", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))))]
async fn open_campaign(
    State(state): State<AppState>,
    admin: Authorized<AdminOnly>,
    Path(id): Path<String>,
) -> AppResult<Json<CampaignView>> {
    Ok(Json(
        campaigns::open(&state.db, admin.user.id(), &id).await?,
    ))
}

/// What closing the campaign now would do: unpaid personal pledges that would lapse,
/// partly paid ones that stay, staff lists awaiting their remittance that would close.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/closing", tag = "fundraising",
    params(("id" = String, Path, description = "活动 id")),
    responses(
        (status = 200, description = "结束前的影响", body = Closing),
        (status = 404, description = "未找到", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))))]
async fn closing_preview(
    State(state): State<AppState>,
    _admin: Authorized<AdminOnly>,
    Path(id): Path<String>,
) -> AppResult<Json<Closing>> {
    campaigns::get(&state.db, &id).await?;
    Ok(Json(campaigns::closing_preview(&state.db, &id).await?))
}

/// Closes an open campaign and says what it did: unpaid pledges lapse, staff lists still
/// awaiting their remittance close.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/close", tag = "fundraising",
    params(("id" = String, Path, description = "活动 id")),
    responses(
        (status = 200, description = "已结束", body = ClosedCampaign),
        (status = 409, description = "不在进行中", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))))]
async fn close_campaign(
    State(state): State<AppState>,
    admin: Authorized<AdminOnly>,
    Path(id): Path<String>,
) -> AppResult<Json<ClosedCampaign>> {
    Ok(Json(
        campaigns::close(&state.db, admin.user.id(), &id).await?,
    ))
}

/// A campaign's progress from its running totals.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/progress", tag = "fundraising",
    params(("id" = String, Path, description = "活动 id")),
    responses(
        (status = 200, description = "成功", body = Progress),
        (status = 404, description = "未找到", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn campaign_progress(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<Progress>> {
    Ok(Json(campaigns::progress(&state.db, &id).await?))
}
