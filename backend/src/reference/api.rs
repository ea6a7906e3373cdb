//! Read-only JSON endpoints for the reference data.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use sea_orm::{EntityTrait, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::entities::{programme_goal, project, region, store};
use crate::error::AppResult;
use crate::extract::ApiQuery;
use crate::pagination::{self, PageQuery, Paged};
use crate::state::AppState;

/// The reference-data routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_regions))
        .routes(routes!(list_stores))
        .routes(routes!(list_projects))
        .routes(routes!(list_goals))
}

/// A region of the administrative tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionView {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// 1 city, 2 district/county, 3 street/town, 4 community/village.
    pub level: i16,
    /// The region above it.
    pub parent_code: Option<String>,
    /// Whether it is demo data.
    pub is_demo: bool,
}

/// Jilin City's administrative tree, city first.
#[utoipa::path(get, path = "/api/v1/regions", tag = "reference",
    params(PageQuery),
    responses((status = 200, description = "成功", body = Paged<RegionView>)),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn list_regions(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<RegionView>>> {
    let select = region::Entity::find()
        .order_by_asc(region::Column::Level)
        .order_by_asc(region::Column::Code);
    let page = pagination::fetch(&state.db, select, query, |r| RegionView {
        code: r.code,
        name: r.name,
        level: r.level,
        parent_code: r.parent_code,
        is_demo: r.is_demo,
    })
    .await?;
    Ok(Json(page))
}

/// A 阳光超市 or the central warehouse.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoreView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where it is.
    pub region_code: String,
    /// `store` or `warehouse`.
    pub kind: String,
    /// Whether it is demo data.
    pub is_demo: bool,
}

/// The 61 阳光超市 and the central warehouse.
#[utoipa::path(get, path = "/api/v1/stores", tag = "reference",
    params(PageQuery),
    responses((status = 200, description = "成功", body = Paged<StoreView>)),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn list_stores(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<StoreView>>> {
    let select = store::Entity::find()
        .order_by_desc(store::Column::Kind)
        .order_by_asc(store::Column::Id);
    let page = pagination::fetch(&state.db, select, query, |s| StoreView {
        id: s.id,
        name: s.name,
        region_code: s.region_code,
        kind: s.kind,
        is_demo: s.is_demo,
    })
    .await?;
    Ok(Json(page))
}

/// A branded charity project.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Person-times helped.
    pub people_helped: i64,
    /// Designated gifts in (less reversals), fen.
    pub money_in_fen: i64,
    /// Allocated from the general fund, fen.
    pub allocated_fen: i64,
    /// What the project's fund holds, fen.
    pub balance_fen: i64,
    /// Whether it is demo data.
    pub is_demo: bool,
}

/// The 17 branded charity projects.
#[utoipa::path(get, path = "/api/v1/projects", tag = "reference",
    params(PageQuery),
    responses((status = 200, description = "成功", body = Paged<ProjectView>)),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn list_projects(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<ProjectView>>> {
    let funds = crate::fundraising::funds::figures(&state.db).await?;
    let select = project::Entity::find().order_by_asc(project::Column::Id);
    let page = pagination::fetch(&state.db, select, query, |p| {
        let fund = funds.get(&p.id).cloned().unwrap_or_default();
        ProjectView {
            id: p.id,
            name: p.name,
            people_helped: p.people_helped,
            money_in_fen: fund.money_in_fen,
            allocated_fen: fund.allocated_fen,
            balance_fen: fund.balance_fen,
            is_demo: p.is_demo,
        }
    })
    .await?;
    Ok(Json(page))
}

/// A programme goal spanning campaigns.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Money and valued goods to raise, in fen.
    pub target_fen: i64,
    /// Person-times to help.
    pub target_people_times: i64,
    /// Raised so far by the campaigns that started within the goal's years, in fen.
    pub raised_fen: i64,
    /// Person-times helped so far, as the projects report them.
    pub people_helped: i64,
}

/// The programme goals, such as 8000万元 and 10万人次 over 2006–2010.
#[utoipa::path(get, path = "/api/v1/goals", tag = "reference",
    responses((status = 200, description = "成功", body = Vec<GoalView>)),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn list_goals(State(state): State<AppState>) -> AppResult<Json<Vec<GoalView>>> {
    let goals = programme_goal::Entity::find()
        .order_by_asc(programme_goal::Column::StartsOn)
        .all(&state.db)
        .await?;
    let people_helped: i64 = project::Entity::find()
        .all(&state.db)
        .await?
        .iter()
        .map(|p| p.people_helped)
        .sum();
    let mut views = Vec::with_capacity(goals.len());
    for g in goals {
        let raised_fen =
            crate::fundraising::campaigns::raised_between(&state.db, g.starts_on, g.ends_on)
                .await?;
        views.push(GoalView {
            id: g.id,
            name: g.name,
            starts_on: g.starts_on,
            ends_on: g.ends_on,
            target_fen: g.target_fen,
            target_people_times: g.target_people_times,
            raised_fen,
            people_helped,
        });
    }
    Ok(Json(views))
}
