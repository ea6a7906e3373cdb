//! `/audit`: the audit log as a read-only page for auditors and admins.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

use super::entity;
use crate::error::AppResult;
use crate::identity::Role;
use crate::identity::entities::user;
use crate::pagination::{self, PageQuery};
use crate::state::AppState;
use crate::web::session::{CsrfToken, MaybePageUser};
use crate::web::views::Layout;
use crate::web::{render, require_at};

/// Entries on one page.
const PER_PAGE: u64 = 50;

/// The audit page (behind the session layer).
pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(audit_page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AuditQuery {
    page: Option<u64>,
    action: String,
}

/// One line of the log as people read it.
struct Line {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    subject: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    lines: Vec<Line>,
    action: String,
    page: u64,
    pages: u64,
    total: u64,
}

async fn audit_page(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    let user = match require_at(user.as_ref(), &[Role::Auditor, Role::Admin], "/audit") {
        Ok(u) => u,
        Err(answer) => return Ok(*answer),
    };
    let action: String = query.action.trim().chars().take(64).collect();
    let mut select = entity::Entity::find().order_by_desc(entity::Column::Seq);
    if !action.is_empty() {
        select = select.filter(entity::Column::Action.eq(&action));
    }
    let page = PageQuery {
        page: Some(query.page.unwrap_or(1).max(1)),
        per_page: Some(PER_PAGE),
    };
    let found = pagination::fetch(&state.db, select, page, |e| e).await?;
    // Actors are user ids (or `seed`, `cli`): show who they are.
    let ids: Vec<String> = found.items.iter().map(|e| e.actor.clone()).collect();
    let people = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(&state.db)
        .await?;
    let name_of = |actor: &str| match people.iter().find(|u| u.id == actor) {
        Some(u) => format!("{}（{}）", u.display_name, u.username),
        None => match actor {
            "seed" => "系统初始化".to_owned(),
            "cli" => "命令行".to_owned(),
            "self" => "本人注册".to_owned(),
            other => other.to_owned(),
        },
    };
    let lines = found
        .items
        .iter()
        .map(|e| Line {
            seq: e.seq,
            at: crate::kernel::china_time::local(e.at)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor: name_of(&e.actor),
            action: e.action.clone(),
            subject: e.subject.clone(),
            detail: e.detail.clone(),
        })
        .collect();
    Ok(render(&AuditPage {
        layout: Layout::new("审计日志", Some(&user), &csrf),
        lines,
        action,
        page: found.page,
        pages: found.total.div_ceil(PER_PAGE).max(1),
        total: found.total,
    })?
    .into_response())
}
