//! A certificate of thanks (捐赠证书), one per gift.

use sea_orm::entity::prelude::*;

/// A row of `certificates`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `JLZS-2026-000123`.
    pub number: String,
    /// The year of the numbering.
    pub year: i32,
    /// The number within the year.
    pub seq: i64,
    /// The gift it thanks for.
    pub pledge_id: String,
    /// The name printed (爱心人士 for anonymous donors).
    pub name: String,
    /// The amount given, fen.
    pub amount_fen: i64,
    /// The campaign's name.
    pub campaign_name: String,
    /// The day it was made.
    pub issued_on: Date,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
