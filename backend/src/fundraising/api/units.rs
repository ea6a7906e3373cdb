//! Work units, their staff lists, the list template and the unit's totals.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{AppError, AppResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::fundraising::rosters::{self, RosterView, UnitTotals};
use crate::fundraising::units::{self, NewUnit, UnitView};
use crate::identity::{CurrentUser, Role};
use crate::state::AppState;

/// The largest staff list accepted: 100,000 rows of XLSX are about 3 MB.
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_units, create_unit))
        .routes(routes!(roster_template))
        .routes(routes!(upload_roster, list_rosters))
        .routes(routes!(unit_totals))
        .routes(routes!(withdraw_roster))
        .routes(routes!(roster_staff))
}

/// Work units: all for admins, finance and auditors; coordinators see their own.
#[utoipa::path(get, path = "/api/v1/units", tag = "fundraising",
    responses((status = 200, description = "成功", body = Vec<UnitView>)),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin", "finance", "auditor", "unit_coordinator (own unit)"]))))]
async fn list_units(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<UnitView>>> {
    Ok(Json(units::visible(&state.db, &user.0).await?))
}

/// Creates a unit (admin) or a sub-unit of the coordinator's unit.
#[utoipa::path(post, path = "/api/v1/units", tag = "fundraising",
    request_body = NewUnit,
    responses((status = 201, description = "已创建", body = UnitView),
        (status = 409, description = "同一上级下已有同名单位", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin", "unit_coordinator (sub-units of own unit)"]))))]
async fn create_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewUnit>,
) -> AppResult<(StatusCode, Json<UnitView>)> {
    Ok((
        StatusCode::CREATED,
        Json(units::create(&state.db, &user.0, body).await?),
    ))
}

/// The staff-list template (XLSX, Chinese headers).
#[utoipa::path(get, path = "/api/v1/units/{id}/roster-template.xlsx", tag = "fundraising",
    params(("id" = String, Path, description = "单位 id")),
    responses((status = 200, description = "XLSX 模板", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["unit_coordinator (own unit)", "admin"]))))]
async fn roster_template(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    rosters::may_act_for(&state.db, &user.0, &id).await?;
    let bytes = rosters::template_bytes()?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"roster-template.xlsx\"; filename*=UTF-8''%E5%8F%8C%E6%97%A5%E6%8D%90%E5%90%8D%E5%8D%95%E6%A8%A1%E6%9D%BF.xlsx".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// A staff list as imported, as XLSX in the template's columns (to check, or to correct
/// and upload again as a second list). Cells that look like formulas are written as text.
#[utoipa::path(get, path = "/api/v1/units/{id}/rosters/{roster_id}/staff.xlsx", tag = "fundraising",
    params(("id" = String, Path, description = "单位 id"), ("roster_id" = String, Path, description = "名单 id")),
    responses((status = 200, description = "XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 404, description = "未找到", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["unit_coordinator (own unit)", "admin", "finance", "auditor"]))))]
async fn roster_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, roster_id)): Path<(String, String)>,
) -> AppResult<Response> {
    if !matches!(user.role(), Role::Finance | Role::Auditor) {
        rosters::may_act_for(&state.db, &user.0, &id).await?;
    }
    let (_file_name, bytes) = rosters::staff_xlsx(&state.db, &id, &roster_id).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"roster-{roster_id}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The upload: a campaign and a file.
#[derive(Debug, ToSchema)]
#[allow(
    dead_code,
    reason = "documents the multipart form for OpenAPI; the handler reads the parts"
)]
struct RosterUpload {
    /// The open campaign the gifts are for.
    campaign_id: String,
    /// XLSX or CSV with the template's headers.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    /// `true` when the coordinator confirms this is a second list, not the same list
    /// again: without it, a file or rows already imported for the campaign get 409.
    second_list: Option<bool>,
}

/// Uploads a staff list (XLSX or CSV) for a campaign. A file with any bad row imports
/// nothing and answers 422 with every bad row (row as the spreadsheet numbers it,
/// column, reason).
#[utoipa::path(post, path = "/api/v1/units/{id}/rosters", tag = "fundraising",
    params(("id" = String, Path, description = "单位 id")),
    request_body(content = RosterUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "已导入", body = RosterView),
        (status = 409, description = "活动未开启，或同一名单已上传过（说明中写明先前的名单）", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "文件中有错误行", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["unit_coordinator (own unit)", "admin"]))))]
async fn upload_roster(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    mut form: Multipart,
) -> AppResult<(StatusCode, Json<RosterView>)> {
    let mut campaign_id = None;
    let mut second_list = false;
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest("上传内容无法读取，请重新上传。".into())
        }
    })? {
        match field.name() {
            Some("campaign_id") => {
                campaign_id = Some(
                    field
                        .text()
                        .await
                        .map_err(|_| AppError::field("campaign_id", "无法读取"))?,
                )
            }
            Some("second_list") => {
                let text = field
                    .text()
                    .await
                    .map_err(|_| AppError::field("second_list", "无法读取"))?;
                second_list = match text.trim() {
                    "true" | "1" | "on" | "yes" => true,
                    "false" | "0" | "" | "no" => false,
                    _ => return Err(AppError::field("second_list", "应为 true 或 false")),
                };
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("名单").to_owned();
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        AppError::PayloadTooLarge
                    } else {
                        AppError::field("file", "文件无法读取")
                    }
                })?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    let campaign_id = campaign_id
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| AppError::field("campaign_id", "请选择募捐活动"))?;
    let (name, bytes) = file
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| AppError::field("file", "请选择要上传的名单文件"))?;
    let view = rosters::import(
        &state.db,
        &user.0,
        &id,
        campaign_id.trim(),
        &name,
        &bytes,
        state.config.max_amount_fen,
        second_list,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A unit's staff lists, newest first.
#[utoipa::path(get, path = "/api/v1/units/{id}/rosters", tag = "fundraising",
    params(("id" = String, Path, description = "单位 id")),
    responses((status = 200, description = "成功", body = Vec<RosterView>)),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["unit_coordinator (own unit)", "admin", "finance", "auditor"]))))]
async fn list_rosters(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<RosterView>>> {
    if !matches!(user.role(), Role::Finance | Role::Auditor) {
        rosters::may_act_for(&state.db, &user.0, &id).await?;
    }
    Ok(Json(rosters::list_for_unit(&state.db, &id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct CampaignQuery {
    /// The campaign.
    campaign_id: String,
}

/// A unit's totals in a campaign: money, what is listed but unpaid, staff who gave.
#[utoipa::path(get, path = "/api/v1/units/{id}/totals", tag = "fundraising",
    params(("id" = String, Path, description = "单位 id"), CampaignQuery),
    responses((status = 200, description = "成功", body = UnitTotals)),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["unit_coordinator (own unit)", "admin", "finance", "auditor"]))))]
async fn unit_totals(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<CampaignQuery>,
) -> AppResult<Json<UnitTotals>> {
    if !matches!(user.role(), Role::Finance | Role::Auditor) {
        rosters::may_act_for(&state.db, &user.0, &id).await?;
    }
    Ok(Json(
        rosters::unit_totals(&state.db, &id, &query.campaign_id).await?,
    ))
}

/// Why a list is withdrawn.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WithdrawRequest {
    /// Optional, up to 200 characters; kept in the audit log.
    pub reason: Option<String>,
}

/// Withdraws a staff list no money has arrived for: its pledges are cancelled and its
/// amount leaves the campaign's totals. A list with a remittance gets 409.
#[utoipa::path(post, path = "/api/v1/units/{id}/rosters/{roster_id}/withdraw", tag = "fundraising",
    params(("id" = String, Path, description = "单位 id"), ("roster_id" = String, Path, description = "名单 id")),
    request_body = WithdrawRequest,
    responses((status = 200, description = "已撤回", body = RosterView),
        (status = 404, description = "未找到", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "已有汇款或已撤回、已关闭", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["unit_coordinator (own unit)", "admin"]))))]
async fn withdraw_roster(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, roster_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<WithdrawRequest>,
) -> AppResult<Json<RosterView>> {
    Ok(Json(
        crate::fundraising::roster_status::withdraw(
            &state.db,
            &user.0,
            &id,
            &roster_id,
            body.reason.as_deref(),
        )
        .await?,
    ))
}
