//! `GET /api/v1/audit`: the audit log for auditors and admins, filterable.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::entity;
use crate::error::AppResult;
use crate::extract::ApiQuery;
use crate::identity::Authorized;
use crate::identity::extract::Overseers;
use crate::pagination::{self, PageQuery, Paged};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// Filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only this action, such as `receipt.void`.
    pub action: Option<String>,
    /// Only entries about this id.
    pub subject: Option<String>,
    /// Only this user's entries.
    pub actor: Option<String>,
    /// Page number, from 1.
    pub page: Option<u64>,
    /// Items per page, 1 to 500.
    pub per_page: Option<u64>,
}

/// An entry as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Its place in the chain.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (user id).
    pub actor: String,
    /// What.
    pub action: String,
    /// To what.
    pub subject: String,
    /// A short description.
    pub detail: String,
    /// The chain's hash after this entry.
    pub hash: String,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(AuditFilter),
    responses((status = 200, description = "成功", body = Paged<AuditEntry>)),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["auditor", "admin"]))))]
async fn list(
    State(state): State<AppState>,
    _reader: Authorized<Overseers>,
    ApiQuery(filter): ApiQuery<AuditFilter>,
) -> AppResult<Json<Paged<AuditEntry>>> {
    let mut query = entity::Entity::find().order_by_desc(entity::Column::Seq);
    if let Some(action) = &filter.action {
        query = query.filter(entity::Column::Action.eq(action));
    }
    if let Some(subject) = &filter.subject {
        query = query.filter(entity::Column::Subject.eq(subject));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(entity::Column::Actor.eq(actor));
    }
    let page = PageQuery {
        page: filter.page,
        per_page: filter.per_page,
    };
    let page = pagination::fetch(&state.db, query, page, |e| AuditEntry {
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        action: e.action,
        subject: e.subject,
        detail: e.detail,
        hash: e.hash,
    })
    .await?;
    Ok(Json(page))
}
