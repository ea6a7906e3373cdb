//! A campaign's progress, read from its running totals: raised, pledged but unpaid,
//! donors, and their shares by district, unit and donor kind.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use super::entities::{campaign, campaign_total};
use super::totals;
use crate::error::{AppError, AppResult};
use crate::reference::entities::work_unit;

/// A share of a campaign's money, by one key of a dimension.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Share {
    /// The region code, unit id or donor kind.
    pub key: String,
    /// Its Chinese name.
    pub name: String,
    /// Confirmed money, fen.
    pub money_fen: i64,
    /// Pledged but not yet paid, fen.
    pub pledged_unpaid_fen: i64,
    /// Donors with confirmed money.
    pub donors: i64,
}

/// A campaign's progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Progress {
    /// The campaign.
    pub campaign_id: String,
    /// Money and valued goods.
    pub raised_fen: i64,
    /// Confirmed money.
    pub money_fen: i64,
    /// Valued goods (counted from the inventory capability on).
    pub goods_fen: i64,
    /// Pledged but not yet paid.
    pub pledged_unpaid_fen: i64,
    /// Donors with confirmed money.
    pub donors: i64,
    /// The target.
    pub target_fen: i64,
    /// By district or county.
    pub by_region: Vec<Share>,
    /// By work unit.
    pub by_unit: Vec<Share>,
    /// By donor kind.
    pub by_donor_kind: Vec<Share>,
}

/// A campaign's progress from its running totals: a few rows, never its history.
pub async fn progress(db: &DatabaseConnection, id: &str) -> AppResult<Progress> {
    let campaign = campaign::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("该募捐活动"))?;
    let sums = totals::read(db, id).await?;
    let overall = sums
        .iter()
        .find(|s| s.dimension == "all")
        .cloned()
        .unwrap_or_default();
    let mut by_region = Vec::new();
    let mut by_unit = Vec::new();
    let mut by_donor_kind = Vec::new();
    // Districts are fixed reference data; the units named here come in one query.
    let unit_ids: Vec<String> = sums
        .iter()
        .filter(|s| s.dimension == "unit")
        .map(|s| s.key.clone())
        .collect();
    let unit_names: HashMap<String, String> = if unit_ids.is_empty() {
        HashMap::new()
    } else {
        work_unit::Entity::find()
            .filter(work_unit::Column::Id.is_in(unit_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect()
    };
    for sum in sums.iter().filter(|s| s.dimension != "all") {
        let name = match sum.dimension.as_str() {
            "region" => crate::reference::data::DISTRICTS
                .iter()
                .find(|(code, _, _)| *code == sum.key)
                .map(|(_, name, _)| (*name).to_owned()),
            "unit" => unit_names.get(&sum.key).cloned(),
            _ => Some(super::pledges::donor_kind_label(&sum.key).to_owned()),
        }
        .unwrap_or_else(|| sum.key.clone());
        let share = Share {
            key: sum.key.clone(),
            name,
            money_fen: sum.money_fen,
            pledged_unpaid_fen: sum.pledged_fen - sum.pledge_paid_fen,
            donors: sum.donors,
        };
        match sum.dimension.as_str() {
            "region" => by_region.push(share),
            "unit" => by_unit.push(share),
            _ => by_donor_kind.push(share),
        }
    }
    for list in [&mut by_region, &mut by_unit, &mut by_donor_kind] {
        list.sort_by(|a, b| b.money_fen.cmp(&a.money_fen).then(a.key.cmp(&b.key)));
    }
    Ok(Progress {
        campaign_id: campaign.id,
        raised_fen: overall.money_fen,
        money_fen: overall.money_fen,
        goods_fen: 0,
        pledged_unpaid_fen: overall.pledged_fen - overall.pledge_paid_fen,
        donors: overall.donors,
        target_fen: campaign.target_fen,
        by_region,
        by_unit,
        by_donor_kind,
    })
}

/// Money raised by the campaigns that start within `[from, to]`: one total per campaign,
/// read from the running totals.
pub async fn raised_between(
    db: &DatabaseConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<i64> {
    let ids: Vec<String> = campaign::Entity::find()
        .filter(campaign::Column::StartsOn.between(from, to))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    if ids.is_empty() {
        return Ok(0);
    }
    let rows = campaign_total::Entity::find()
        .filter(campaign_total::Column::CampaignId.is_in(ids))
        .filter(campaign_total::Column::Dimension.eq("all"))
        .all(db)
        .await?;
    Ok(rows.iter().map(|r| r.money_fen).sum())
}
