//! A slot of a campaign's running totals, overall (`all`) or by a dimension. Writers add
//! to one of a few slots so that they do not queue on one row; readers sum the slots.

use sea_orm::entity::prelude::*;

/// A row of `campaign_totals`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_totals")]
pub struct Model {
    /// The campaign.
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: String,
    /// `all`, `region`, `unit` or `donor_kind`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub dimension: String,
    /// The region code, unit id or donor kind (`-` for `all`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// The slot.
    #[sea_orm(primary_key, auto_increment = false)]
    pub slot: i16,
    /// Confirmed money, in fen.
    pub money_fen: i64,
    /// Pledged, in fen (cancelled pledges taken out).
    pub pledged_fen: i64,
    /// Of the pledged amount, how much is paid (never more than each pledge).
    pub pledge_paid_fen: i64,
    /// Donors with confirmed money.
    pub donors: i64,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
