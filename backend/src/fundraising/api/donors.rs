//! Donor accounts: sign up, and see every gift in one place.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{AppError, AppResult, Problem};
use crate::extract::ApiJson;
use crate::fundraising::pledges::{self, PledgeView};
use crate::identity::service::{self, NewUser, Session};
use crate::identity::{CurrentUser, Role};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_up))
        .routes(routes!(my_pledges))
}

/// A new donor account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignUp {
    /// 3–32 of `a-z 0-9 _ . -`.
    pub username: String,
    /// At least 8 characters.
    pub password: String,
    /// The name shown on pages.
    pub display_name: Option<String>,
}

/// Signs a donor up and signs them in; their pledges made while signed in gather in
/// their account.
#[utoipa::path(post, path = "/api/v1/donors/signup", tag = "fundraising",
    request_body = SignUp,
    responses((status = 201, description = "已注册并登录", body = Session),
        (status = 409, description = "用户名已被使用", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "请求过于频繁", body = Problem, content_type = "application/problem+json")),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn sign_up(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<SignUp>,
) -> AppResult<(StatusCode, Json<Session>)> {
    state.pledge_limiter.check(peer.ip())?;
    let session = sign_up_donor(&state, body.username, body.password, body.display_name).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// Creates a donor account and its first session (the page does the same).
pub async fn sign_up_donor(
    state: &AppState,
    username: String,
    password: String,
    display_name: Option<String>,
) -> AppResult<Session> {
    let new = NewUser {
        username: username.clone(),
        display_name,
        password: password.clone(),
        role: Role::Donor,
        store_id: None,
        region_code: None,
        unit_id: None,
    };
    service::create_user(&state.db, "self", new).await?;
    service::login(
        &state.db,
        &state.tokens,
        state.config.refresh_token_days,
        &username,
        &password,
    )
    .await
}

/// The signed-in donor's pledges, newest first, with their payments.
#[utoipa::path(get, path = "/api/v1/me/pledges", tag = "fundraising",
    responses((status = 200, description = "成功", body = Vec<PledgeView>),
        (status = 401, description = "未登录", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["donor"]))))]
async fn my_pledges(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<PledgeView>>> {
    if user.role() != Role::Donor {
        return Err(AppError::Forbidden);
    }
    Ok(Json(pledges::of_user(&state.db, user.id()).await?))
}
