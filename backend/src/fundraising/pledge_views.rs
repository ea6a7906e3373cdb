//! Pledges as people see them: the donor's private view, the honour roll, finance's
//! search.

use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entities::{campaign, donor, payment, pledge};
use super::pledges::normalize_reference;
use crate::error::{AppError, AppResult};
use crate::ids::token_hash;

/// A payment as a pledge's owner sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentLine {
    /// The payment's id.
    pub id: String,
    /// Fen; negative for a reversal.
    pub amount_fen: i64,
    /// The channel.
    pub channel: String,
    /// When the money arrived.
    pub received_on: chrono::NaiveDate,
}

/// A pledge with its payments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PledgeView {
    /// Its id.
    pub id: String,
    /// The campaign.
    pub campaign_id: String,
    /// The campaign's name.
    pub campaign_name: String,
    /// The designated project.
    pub project_id: Option<String>,
    /// Promised, fen.
    pub amount_fen: i64,
    /// Paid so far, fen.
    pub paid_fen: i64,
    /// `pledged`, `partly_paid`, `paid`, `cancelled` or `lapsed`.
    pub status: String,
    /// The code to quote on a transfer.
    pub reference_code: String,
    /// The donor's kind.
    pub donor_kind: String,
    /// The donor's name (the owner and finance see it).
    pub donor_name: Option<String>,
    /// Named on the honour roll?
    pub public_name_consent: bool,
    /// Receipt wanted?
    pub receipt_requested: bool,
    /// Its payments, oldest first.
    pub payments: Vec<PaymentLine>,
    /// When it was made.
    pub created_at: chrono::DateTime<Utc>,
}

/// A pledge seen by whoever holds its link token.
pub async fn find_by_token(db: &DatabaseConnection, token: &str) -> AppResult<Option<PledgeView>> {
    let found = pledge::Entity::find()
        .filter(pledge::Column::AccessTokenHash.eq(token_hash(token)))
        .one(db)
        .await?;
    match found {
        Some(p) => Ok(Some(view(db, p).await?)),
        None => Ok(None),
    }
}

/// A pledge by id.
pub async fn find(db: &DatabaseConnection, id: &str) -> AppResult<Option<(PledgeView, String)>> {
    match pledge::Entity::find_by_id(id).one(db).await? {
        Some(p) => {
            let hash = p.access_token_hash.clone();
            Ok(Some((view(db, p).await?, hash)))
        }
        None => Ok(None),
    }
}

async fn view(db: &DatabaseConnection, p: pledge::Model) -> AppResult<PledgeView> {
    let campaign = campaign::Entity::find_by_id(&p.campaign_id).one(db).await?;
    let donor = donor::Entity::find_by_id(&p.donor_id).one(db).await?;
    let payments = payment::Entity::find()
        .filter(payment::Column::PledgeId.eq(&p.id))
        .order_by_asc(payment::Column::Id)
        .limit(500)
        .all(db)
        .await?
        .into_iter()
        .map(|pay| PaymentLine {
            id: pay.id,
            amount_fen: pay.amount_fen,
            channel: pay.channel,
            received_on: pay.received_on,
        })
        .collect();
    Ok(PledgeView {
        id: p.id,
        campaign_id: p.campaign_id,
        campaign_name: campaign.map(|c| c.name).unwrap_or_default(),
        project_id: p.project_id,
        amount_fen: p.amount_fen,
        paid_fen: p.paid_fen,
        status: p.status,
        reference_code: p.reference_code,
        donor_kind: donor
            .as_ref()
            .map_or_else(|| "anonymous".into(), |d| d.kind.clone()),
        donor_name: donor.and_then(|d| d.name),
        public_name_consent: p.public_name_consent,
        receipt_requested: p.receipt_requested,
        payments,
        created_at: p.created_at,
    })
}

/// A name on the honour roll (光荣榜) with the band of its amount.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HonourEntry {
    /// The name as the donor chose to show it.
    pub name: String,
    /// The band of the amount paid, such as `100–999元`.
    pub band: &'static str,
}

/// The band a paid amount falls in: the roll shows bands, never exact amounts.
pub fn amount_band(fen: i64) -> &'static str {
    match fen {
        ..10_000 => "100元以下",
        10_000..100_000 => "100–999元",
        100_000..1_000_000 => "1000–9999元",
        1_000_000..10_000_000 => "1万–9.9万元",
        _ => "10万元及以上",
    }
}

/// The newest donors of a campaign who agreed to be named and whose money arrived.
pub async fn honour_roll(
    db: &DatabaseConnection,
    campaign_id: &str,
    limit: u64,
) -> AppResult<Vec<HonourEntry>> {
    let rows = pledge::Entity::find()
        .filter(pledge::Column::CampaignId.eq(campaign_id))
        .filter(pledge::Column::PublicNameConsent.eq(true))
        .filter(pledge::Column::PaidFen.gt(0))
        .order_by_desc(pledge::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|p| {
            p.public_name.map(|name| HonourEntry {
                name,
                band: amount_band(p.paid_fen),
            })
        })
        .collect())
}

/// The id of the pledge with this reference code.
pub async fn id_by_reference(db: &DatabaseConnection, code: &str) -> AppResult<Option<String>> {
    Ok(pledge::Entity::find()
        .filter(pledge::Column::ReferenceCode.eq(normalize_reference(code)))
        .one(db)
        .await?
        .map(|p| p.id))
}

/// The Chinese name of a pledge status.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "pledged" => "已认捐，待付款",
        "partly_paid" => "部分到账",
        "paid" => "已全部到账",
        "cancelled" => "已取消",
        "lapsed" => "活动已结束，未付款",
        _ => "未知",
    }
}

/// The pledges of a signed-up donor, newest first.
pub async fn of_user(db: &DatabaseConnection, user_id: &str) -> AppResult<Vec<PledgeView>> {
    let donor_ids: Vec<String> = donor::Entity::find()
        .filter(donor::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    if donor_ids.is_empty() {
        return Ok(Vec::new());
    }
    let pledges = pledge::Entity::find()
        .filter(pledge::Column::DonorId.is_in(donor_ids))
        .order_by_desc(pledge::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(pledges.len());
    for p in pledges {
        views.push(view(db, p).await?);
    }
    Ok(views)
}

/// What finance searches pledges by, to match a payment by hand.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PledgeSearch {
    /// Part of the donor's name, or a pledge's reference code.
    pub q: Option<String>,
    /// The amount promised, fen.
    pub amount_fen: Option<i64>,
    /// Only this campaign.
    pub campaign_id: Option<String>,
    /// Made on this day (UTC date).
    pub created_on: Option<chrono::NaiveDate>,
    /// Only unpaid and partly paid pledges.
    #[serde(default)]
    pub open_only: bool,
}

/// Pledges matching a search, newest first, at most `limit`.
pub async fn search(
    db: &DatabaseConnection,
    query: &PledgeSearch,
    limit: u64,
) -> AppResult<Vec<PledgeView>> {
    let mut select = pledge::Entity::find()
        .order_by_desc(pledge::Column::Id)
        .limit(limit);
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if q.chars().count() > 50 {
            return Err(AppError::field("q", "搜索词不能超过 50 个字符"));
        }
        let donors: Vec<String> = donor::Entity::find()
            .filter(donor::Column::Name.contains(q))
            .limit(1_000)
            .all(db)
            .await?
            .into_iter()
            .map(|d| d.id)
            .collect();
        // The code as a payer writes it in a transfer's note (`jl-abcd 1234` too), or a name.
        select = select.filter(
            sea_orm::Condition::any()
                .add(pledge::Column::DonorId.is_in(donors))
                .add(pledge::Column::ReferenceCode.eq(normalize_reference(q))),
        );
    }
    if let Some(amount) = query.amount_fen {
        select = select.filter(pledge::Column::AmountFen.eq(amount));
    }
    if let Some(campaign) = &query.campaign_id {
        select = select.filter(pledge::Column::CampaignId.eq(campaign));
    }
    if let Some(day) = query.created_on {
        let start = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        select = select
            .filter(pledge::Column::CreatedAt.gte(start))
            .filter(pledge::Column::CreatedAt.lt(start + chrono::Duration::days(1)));
    }
    if query.open_only {
        select = select.filter(pledge::Column::Status.is_in(["pledged", "partly_paid", "lapsed"]));
    }
    let mut views = Vec::new();
    for p in select.all(db).await? {
        views.push(view(db, p).await?);
    }
    Ok(views)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_honour_roll_shows_bands_not_amounts() {
        assert_eq!(super::amount_band(9_999), "100元以下");
        assert_eq!(super::amount_band(10_000), "100–999元");
        assert_eq!(super::amount_band(10_000_000), "10万元及以上");
    }
}
