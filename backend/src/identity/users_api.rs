//! JSON endpoints for user accounts: admins create them, admins and auditors list them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Role;
use super::entities::user;
use super::extract::{AdminOnly, Authorized, Overseers};
use super::service::{self, NewUser, UserView};
use crate::error::{AppResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::pagination::{PageQuery, Paged};
use crate::state::AppState;

/// The user routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_users, create_user))
}

/// Filters for the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only users of this role.
    pub role: Option<Role>,
    /// Page number, from 1.
    pub page: Option<u64>,
    /// Items per page, 1 to 500.
    pub per_page: Option<u64>,
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUserRequest {
    /// 3–32 of `a-z 0-9 _ . -`.
    pub username: String,
    /// Shown on pages.
    pub display_name: Option<String>,
    /// At least 8 characters.
    pub password: String,
    /// The role.
    pub role: Role,
    /// Required for `store_staff`.
    pub store_id: Option<String>,
    /// Required for `caseworker`.
    pub region_code: Option<String>,
    /// Required for `unit_coordinator`.
    pub unit_id: Option<String>,
}

/// The accounts, newest last.
#[utoipa::path(get, path = "/api/v1/users", tag = "identity",
    params(UserFilter),
    responses(
        (status = 200, description = "成功", body = Paged<UserView>),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin", "auditor"]))))]
async fn list_users(
    State(state): State<AppState>,
    _caller: Authorized<Overseers>,
    ApiQuery(filter): ApiQuery<UserFilter>,
) -> AppResult<Json<Paged<UserView>>> {
    let (page, per_page) = PageQuery {
        page: filter.page,
        per_page: filter.per_page,
    }
    .resolve()?;
    let mut query = user::Entity::find().order_by_asc(user::Column::Id);
    if let Some(role) = filter.role {
        query = query.filter(user::Column::Role.eq(role.as_str()));
    }
    let pages = query.paginate(&state.db, per_page);
    let total = pages.num_items().await?;
    let items = pages
        .fetch_page(page)
        .await?
        .iter()
        .map(UserView::from_model)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Json(Paged {
        items,
        page: page + 1,
        per_page,
        total,
    }))
}

/// Creates an account; store staff, caseworkers and unit coordinators must name what
/// they are bound to.
#[utoipa::path(post, path = "/api/v1/users", tag = "identity",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "已创建", body = UserView),
        (status = 409, description = "与当前状态冲突", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))))]
async fn create_user(
    State(state): State<AppState>,
    caller: Authorized<AdminOnly>,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> AppResult<(StatusCode, Json<UserView>)> {
    let created = service::create_user(
        &state.db,
        caller.user.id(),
        NewUser {
            username: body.username,
            display_name: body.display_name,
            password: body.password,
            role: body.role,
            store_id: body.store_id,
            region_code: body.region_code,
            unit_id: body.unit_id,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}
