//! Running totals of each campaign, kept in slots: a writer adds to the slot of its
//! pledge, so writers to one campaign rarely wait on one row; a reader sums a few rows,
//! however many payments there are.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entities::campaign_total;
use crate::error::AppResult;

/// How many slots each key has.
pub const SLOTS: i16 = 8;

/// A change to the totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delta {
    /// Confirmed money, fen.
    pub money_fen: i64,
    /// Pledged amount, fen.
    pub pledged_fen: i64,
    /// Paid part of the pledged amount, fen.
    pub pledge_paid_fen: i64,
    /// Donors with confirmed money.
    pub donors: i64,
}

impl Delta {
    fn is_zero(self) -> bool {
        self == Delta::default()
    }
}

/// The dimensions a pledge counts under: overall, by donor kind, by region, by unit.
pub fn keys(
    donor_kind: &str,
    region_code: Option<&str>,
    unit_id: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut keys = vec![
        ("all", "-".to_owned()),
        ("donor_kind", donor_kind.to_owned()),
    ];
    if let Some(region) = region_code {
        keys.push(("region", region.to_owned()));
    }
    if let Some(unit) = unit_id {
        keys.push(("unit", unit.to_owned()));
    }
    keys
}

/// Adds `delta` to slot `slot` of each key, in the caller's transaction.
pub async fn add(
    conn: &impl ConnectionTrait,
    campaign_id: &str,
    slot: i16,
    keys: &[(&'static str, String)],
    delta: Delta,
) -> AppResult<()> {
    if delta.is_zero() {
        return Ok(());
    }
    let table = Alias::new("campaign_totals");
    let excluded = Alias::new("excluded");
    let sum = |column: &'static str| {
        Expr::col((table.clone(), Alias::new(column)))
            .add(Expr::col((excluded.clone(), Alias::new(column))))
    };
    // One statement for every key: a round trip per key is what a pledge would wait on.
    let mut statement = Query::insert();
    statement.into_table(table.clone()).columns(
        [
            "campaign_id",
            "dimension",
            "key",
            "slot",
            "money_fen",
            "pledged_fen",
            "pledge_paid_fen",
            "donors",
        ]
        .map(Alias::new),
    );
    for (dimension, key) in keys {
        statement.values_panic([
            campaign_id.into(),
            (*dimension).into(),
            key.clone().into(),
            slot.into(),
            delta.money_fen.into(),
            delta.pledged_fen.into(),
            delta.pledge_paid_fen.into(),
            delta.donors.into(),
        ]);
    }
    statement.on_conflict(
        OnConflict::columns(["campaign_id", "dimension", "key", "slot"].map(Alias::new))
            .value(Alias::new("money_fen"), sum("money_fen"))
            .value(Alias::new("pledged_fen"), sum("pledged_fen"))
            .value(Alias::new("pledge_paid_fen"), sum("pledge_paid_fen"))
            .value(Alias::new("donors"), sum("donors"))
            .to_owned(),
    );
    if !keys.is_empty() {
        conn.execute(&statement).await?;
    }
    Ok(())
}

/// The totals of one key of a campaign, summed over its slots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sum {
    /// `all`, `donor_kind`, `region` or `unit`.
    pub dimension: String,
    /// The key within the dimension.
    pub key: String,
    /// Confirmed money.
    pub money_fen: i64,
    /// Pledged (not cancelled or lapsed).
    pub pledged_fen: i64,
    /// The paid part of the pledged amount.
    pub pledge_paid_fen: i64,
    /// Donors with confirmed money.
    pub donors: i64,
}

/// Every key of a campaign, each summed over its slots (a few dozen rows at most).
pub async fn read(conn: &impl ConnectionTrait, campaign_id: &str) -> AppResult<Vec<Sum>> {
    let rows = campaign_total::Entity::find()
        .filter(campaign_total::Column::CampaignId.eq(campaign_id))
        .all(conn)
        .await?;
    let mut sums: Vec<Sum> = Vec::new();
    for row in rows {
        let index = match sums
            .iter()
            .position(|s| s.dimension == row.dimension && s.key == row.key)
        {
            Some(i) => i,
            None => {
                sums.push(Sum {
                    dimension: row.dimension.clone(),
                    key: row.key.clone(),
                    ..Sum::default()
                });
                sums.len() - 1
            }
        };
        let sum = &mut sums[index];
        sum.money_fen += row.money_fen;
        sum.pledged_fen += row.pledged_fen;
        sum.pledge_paid_fen += row.pledge_paid_fen;
        sum.donors += row.donors;
    }
    Ok(sums)
}
