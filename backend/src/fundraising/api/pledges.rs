//! Pledge endpoints: anyone pledges; the link's holder and the books' readers look.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::Response;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::created_or_replayed;
use crate::error::{AppError, AppResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::fundraising::pledges::{self, PledgeCreated, PledgeRequest, PledgeView};
use crate::identity::Role;
use crate::identity::extract::bearer;
use crate::ids::token_hash;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_pledge, search_pledges))
        .routes(routes!(get_pledge))
}

/// Pledges an amount to an open campaign. Send an `Idempotency-Key` so that a retry
/// returns the first answer and pledges nothing twice.
#[utoipa::path(post, path = "/api/v1/pledges", tag = "fundraising",
    request_body = PledgeRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "重试时返回第一次的结果")),
    responses(
        (status = 201, description = "已认捐", body = PledgeCreated),
        (status = 409, description = "活动未开启", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "请求过于频繁", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn create_pledge(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PledgeRequest>,
) -> AppResult<Response> {
    state.pledge_limiter.check(peer.ip())?;
    let key = crate::idempotency::key_from(&headers)?;
    let donor_user = signed_in_donor(&state, &headers);
    let outcome =
        pledges::create_once(&state, &body, donor_user.as_deref(), key.as_deref()).await?;
    Ok(created_or_replayed(outcome))
}

/// A signed-in donor's id, so that their pledges gather in their account.
fn signed_in_donor(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let token = value.strip_prefix("Bearer ")?;
    let claims = state.tokens.verify(token).ok()?;
    (claims.role == Role::Donor).then_some(claims.sub)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TokenQuery {
    /// The pledge's link token (or send it as `Authorization: Bearer`).
    token: Option<String>,
}

/// A pledge with its payments: for the holder of its link token, or finance, admin, auditor.
#[utoipa::path(get, path = "/api/v1/pledges/{id}", tag = "fundraising",
    params(("id" = String, Path, description = "认捐 id"), TokenQuery),
    responses(
        (status = 200, description = "成功", body = PledgeView),
        (status = 404, description = "未找到或令牌不符", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["holder of the pledge's access_token", "finance", "admin", "auditor"]))))]
async fn get_pledge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TokenQuery>,
    parts: Parts,
) -> AppResult<Json<PledgeView>> {
    let presented = match query.token {
        Some(t) => Some(t),
        None => bearer(&parts)?.map(str::to_owned),
    };
    let reader = presented
        .as_deref()
        .and_then(|t| state.tokens.verify(t).ok())
        .is_some_and(|c| matches!(c.role, Role::Finance | Role::Admin | Role::Auditor));
    let (view, hash) = pledges::find(&state.db, &id)
        .await?
        .ok_or(AppError::NotFound("该认捐"))?;
    let holder = presented.as_deref().is_some_and(|t| token_hash(t) == hash);
    if reader || holder {
        Ok(Json(view))
    } else {
        // Without the right token the pledge is as good as absent: nothing to enumerate.
        Err(AppError::NotFound("该认捐"))
    }
}

/// Pledges by donor name or reference code, amount, campaign or day: how finance finds the pledge an
/// unmatched payment belongs to. At most 100.
#[utoipa::path(get, path = "/api/v1/pledges", tag = "fundraising",
    params(pledges::PledgeSearch),
    responses(
        (status = 200, description = "成功", body = Vec<PledgeView>),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["finance", "admin", "auditor"]))))]
async fn search_pledges(
    State(state): State<AppState>,
    _reader: crate::identity::Authorized<crate::identity::extract::BookReaders>,
    ApiQuery(query): ApiQuery<pledges::PledgeSearch>,
) -> AppResult<Json<Vec<PledgeView>>> {
    Ok(Json(pledges::search(&state.db, &query, 100).await?))
}
