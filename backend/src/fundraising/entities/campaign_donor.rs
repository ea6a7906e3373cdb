//! That a donor has confirmed money in a campaign, so that each donor counts once.

use sea_orm::entity::prelude::*;

/// A row of `campaign_donors`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_donors")]
pub struct Model {
    /// The campaign.
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: String,
    /// The donor.
    #[sea_orm(primary_key, auto_increment = false)]
    pub donor_id: String,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
