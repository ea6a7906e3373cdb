//! JSON endpoints: sign in, refresh, sign out, who am I.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::CurrentUser;
use super::service::{self, Session, UserView};
use crate::error::{AppError, AppResult, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;

/// The identity routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
}

/// Username and password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The sign-in name.
    pub username: String,
    /// The password.
    pub password: String,
}

/// A refresh token to exchange or revoke.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh.
    pub refresh_token: String,
}

/// Optionally, the refresh token to revoke.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LogoutRequest {
    /// Revoke this session only; without it every session of the user is revoked.
    pub refresh_token: Option<String>,
}

/// The longest user name, password or refresh token read, in characters.
pub const MAX_CREDENTIAL_CHARS: usize = 256;

/// Signs in and returns an access token and a refresh token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "identity",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "成功", body = Session),
        (status = 401, description = "用户名或密码错误", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "尝试过于频繁", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn login(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<Json<Session>> {
    state.login_limiter.check(peer.ip())?;
    let mut errors = Vec::new();
    if body.username.trim().is_empty() {
        errors.push(crate::error::FieldError::new("username", "请输入用户名"));
    }
    if body.password.is_empty() {
        errors.push(crate::error::FieldError::new("password", "请输入密码"));
    }
    // Characters, as the document says, not bytes: 256 Chinese characters are 768 bytes.
    if body.username.chars().count() > MAX_CREDENTIAL_CHARS
        || body.password.chars().count() > MAX_CREDENTIAL_CHARS
    {
        errors.push(crate::error::FieldError::new(
            "password",
            "用户名或密码过长",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let session = service::login(
        &state.db,
        &state.tokens,
        state.config.refresh_token_days,
        &body.username,
        &body.password,
    )
    .await?;
    Ok(Json(session))
}

/// Exchanges a refresh token for a new pair; the old one stops working, and presenting
/// it again revokes every token rotated from the same sign-in.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "identity",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "成功", body = Session),
        (status = 401, description = "刷新令牌无效、已使用或已注销", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-roles" = json!(["holder of a refresh token"]))))]
async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> AppResult<Json<Session>> {
    if body.refresh_token.is_empty() || body.refresh_token.chars().count() > MAX_CREDENTIAL_CHARS {
        return Err(AppError::field("refresh_token", "刷新令牌格式不正确"));
    }
    let session = service::refresh(
        &state.db,
        &state.tokens,
        state.config.refresh_token_days,
        &body.refresh_token,
    )
    .await?;
    Ok(Json(session))
}

/// Signs out: revokes the given refresh token's session, or all of the user's sessions.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "identity",
    request_body(content = LogoutRequest, description = "可选"),
    responses(
        (status = 204, description = "已退出"),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["signed in"]))))]
async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    body: axum::body::Bytes,
) -> AppResult<StatusCode> {
    // The body is optional: an empty one signs out every session of the user.
    let body: LogoutRequest = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutRequest::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|_| AppError::BadRequest("请求体不是有效的 JSON。".into()))?
    };
    service::logout(
        &state.db,
        &state.tokens,
        user.id(),
        user.0.sid.as_deref(),
        body.refresh_token.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses(
        (status = 200, description = "成功", body = UserView),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["signed in"]))))]
async fn me(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<UserView>> {
    Ok(Json(service::find_user(&state.db, user.id()).await?))
}
