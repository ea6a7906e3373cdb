//! Campaigns: create, open, close, list; their progress is in `campaign_progress`.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use super::campaign_closing::{ClosedCampaign, Closing, preview as closing_preview};
pub use super::campaign_progress::{Progress, Share, progress, raised_between};
use super::entities::{campaign, pledge};
use super::totals::{self, Delta};
use crate::db;
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::new_id;
use crate::reference::entities::project;

/// The kind of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignKind {
    /// The yearly 慈善救助双日捐.
    DoubleDay,
    /// An emergency appeal.
    Emergency,
    /// An appeal for one project.
    Project,
}

impl CampaignKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::DoubleDay => "double_day",
            Self::Emergency => "emergency",
            Self::Project => "project",
        }
    }

    /// The Chinese name.
    pub fn label(kind: &str) -> &'static str {
        match kind {
            "double_day" => "慈善救助双日捐",
            "emergency" => "应急募捐",
            "project" => "项目募捐",
            _ => "募捐活动",
        }
    }
}

/// A campaign as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `double_day`, `emergency` or `project`.
    pub kind: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Target in fen.
    pub target_fen: i64,
    /// `draft`, `open` or `closed`.
    pub status: String,
    /// The project of a project campaign.
    pub project_id: Option<String>,
}

impl From<campaign::Model> for CampaignView {
    fn from(c: campaign::Model) -> Self {
        Self {
            id: c.id,
            name: c.name,
            kind: c.kind,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            target_fen: c.target_fen,
            status: c.status,
            project_id: c.project_id,
        }
    }
}

/// A new campaign.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct NewCampaign {
    /// 1–100 characters, unique.
    pub name: String,
    /// The kind.
    pub kind: CampaignKind,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day, not before the first.
    pub ends_on: NaiveDate,
    /// Target in fen, at least 1.
    pub target_fen: i64,
    /// Required for a project campaign.
    pub project_id: Option<String>,
}

/// The most a target may be: ten billion yuan.
pub const MAX_TARGET_FEN: i64 = 1_000_000_000_000;

/// Creates a campaign in `draft`.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &DatabaseConnection,
    by: &str,
    new: NewCampaign,
) -> AppResult<CampaignView> {
    let mut errors = Vec::new();
    let name = new.name.trim().to_owned();
    if let Err(message) = crate::kernel::text::typed("活动名称", &name, 1..=100) {
        errors.push(FieldError::new("name", message));
    }
    if new.ends_on < new.starts_on {
        errors.push(FieldError::new("ends_on", "结束日期不能早于开始日期"));
    }
    if !(1..=MAX_TARGET_FEN).contains(&new.target_fen) {
        errors.push(FieldError::new(
            "target_fen",
            "目标金额须在 0.01 元到 100 亿元之间",
        ));
    }
    match (&new.kind, &new.project_id) {
        (CampaignKind::Project, None) => {
            errors.push(FieldError::new("project_id", "项目募捐必须选择品牌项目"))
        }
        (_, Some(id)) if project::Entity::find_by_id(id).one(db).await?.is_none() => {
            errors.push(FieldError::new("project_id", "品牌项目不存在"));
        }
        _ => {}
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let txn = db::begin_write(db).await?;
    let taken = campaign::Entity::find()
        .filter(campaign::Column::Name.eq(&name))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(AppError::Conflict(format!("已有同名的募捐活动：{name}")));
    }
    let model = campaign::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        kind: Set(new.kind.as_str().into()),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        target_fen: Set(new.target_fen),
        status: Set("draft".into()),
        project_id: Set(new.project_id),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let detail = format!("创建募捐活动：{}", model.name);
    crate::audit::record(&txn, by, "campaign.create", &model.id, &detail).await?;
    txn.commit().await?;
    Ok(model.into())
}

/// Opens a draft campaign for pledges.
pub async fn open(db: &DatabaseConnection, by: &str, id: &str) -> AppResult<CampaignView> {
    transition(db, by, id, "draft", "open", "只有草稿状态的活动可以开启").await
}

/// Closes an open campaign: its unpaid personal pledges lapse and leave the pledged
/// total, its staff lists still awaiting a remittance are closed (their pledges lapse
/// too); partly paid pledges stay as they are. Says what it did.
#[tracing::instrument(skip_all)]
pub async fn close(db: &DatabaseConnection, by: &str, id: &str) -> AppResult<ClosedCampaign> {
    let txn = db::begin_write(db).await?;
    let updated = campaign::Entity::update_many()
        .col_expr(campaign::Column::Status, Expr::value("closed"))
        .filter(campaign::Column::Id.eq(id))
        .filter(campaign::Column::Status.eq("open"))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        let exists = campaign::Entity::find_by_id(id).one(&txn).await?.is_some();
        return Err(if exists {
            AppError::Conflict("只有进行中的活动可以结束".into())
        } else {
            AppError::NotFound("该募捐活动")
        });
    }
    let mut closing = Closing::default();
    let lists = super::roster_status::close_with_campaign(&txn, id).await?;
    closing.rosters = lists.lists;
    closing.roster_people = lists.people;
    closing.roster_fen = lists.fen;
    // Staff pledges lapsed with their list above, one statement a list.
    let unpaid = pledge::Entity::find()
        .filter(pledge::Column::CampaignId.eq(id))
        .filter(pledge::Column::Status.eq("pledged"))
        .filter(pledge::Column::RosterId.is_null())
        .all(&txn)
        .await?;
    for p in unpaid {
        pledge::Entity::update_many()
            .col_expr(pledge::Column::Status, Expr::value("lapsed"))
            .filter(pledge::Column::Id.eq(&p.id))
            .exec(&txn)
            .await?;
        let donor_kind = super::pledges::donor_kind_of(&txn, &p.donor_id).await?;
        let keys = totals::keys(&donor_kind, p.region_code.as_deref(), p.unit_id.as_deref());
        let delta = Delta {
            pledged_fen: -p.amount_fen,
            ..Delta::default()
        };
        totals::add(&txn, id, p.slot, &keys, delta).await?;
        closing.unpaid_pledges += 1;
        closing.unpaid_fen += p.amount_fen;
    }
    let partly = pledge::Entity::find()
        .filter(pledge::Column::CampaignId.eq(id))
        .filter(pledge::Column::Status.eq("partly_paid"))
        .filter(pledge::Column::RosterId.is_null())
        .all(&txn)
        .await?;
    closing.partly_paid_pledges = i64::try_from(partly.len()).unwrap_or(i64::MAX);
    closing.partly_paid_owed_fen = partly.iter().map(|p| p.amount_fen - p.paid_fen).sum();
    let model = campaign::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("该募捐活动"))?;
    let detail = format!("结束募捐活动“{}”：{}", model.name, closing.describe(false));
    crate::audit::record(&txn, by, "campaign.status", &model.id, &detail).await?;
    txn.commit().await?;
    Ok(ClosedCampaign {
        campaign: model.into(),
        closing,
    })
}

async fn transition(
    db: &DatabaseConnection,
    by: &str,
    id: &str,
    from: &str,
    to: &str,
    refusal: &str,
) -> AppResult<CampaignView> {
    let txn = db::begin_write(db).await?;
    let updated = campaign::Entity::update_many()
        .col_expr(campaign::Column::Status, Expr::value(to))
        .filter(campaign::Column::Id.eq(id))
        .filter(campaign::Column::Status.eq(from))
        .exec(&txn)
        .await?;
    let model = campaign::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("该募捐活动"))?;
    if updated.rows_affected != 1 {
        return Err(AppError::Conflict(refusal.into()));
    }
    let detail = format!("募捐活动“{}”：{from} → {to}", model.name);
    crate::audit::record(&txn, by, "campaign.status", &model.id, &detail).await?;
    txn.commit().await?;
    Ok(model.into())
}

/// A page of campaigns, newest first.
pub async fn list(
    db: &DatabaseConnection,
    page: u64,
    per_page: u64,
) -> AppResult<(Vec<CampaignView>, u64)> {
    let pages = campaign::Entity::find()
        .order_by_desc(campaign::Column::Id)
        .paginate(db, per_page);
    let total = pages.num_items().await?;
    let items = pages
        .fetch_page(page)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok((items, total))
}

/// One campaign.
pub async fn get(db: &DatabaseConnection, id: &str) -> AppResult<CampaignView> {
    Ok(campaign::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("该募捐活动"))?
        .into())
}

/// The demo's campaign: this year's 双日捐, open, so that a new installation tried out in
/// development has a campaign to pledge to. Nothing if any campaign exists.
pub async fn seed_demo(db: &DatabaseConnection) -> AppResult<()> {
    if campaign::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let year = crate::kernel::china_time::this_year();
    let day = |month, day| {
        NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| AppError::internal("no such day"))
    };
    let created = create(
        db,
        "seed",
        NewCampaign {
            name: format!("{year}年慈善救助双日捐（示例）"),
            kind: CampaignKind::DoubleDay,
            starts_on: day(1, 1)?,
            ends_on: day(12, 31)?,
            // A fifth of the five-year goal of 8000万元.
            target_fen: 1_600_000_000,
            project_id: None,
        },
    )
    .await?;
    open(db, "seed", &created.id).await?;
    Ok(())
}
