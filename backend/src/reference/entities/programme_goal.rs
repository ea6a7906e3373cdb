//! A programme goal (规划目标) spanning campaigns, such as 8000万元 and 10万人次 for 2006–2010.

use sea_orm::entity::prelude::*;

/// A row of `programme_goals`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_goals")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Its name.
    pub name: String,
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// Money and valued goods to raise, in fen.
    pub target_fen: i64,
    /// Person-times (人次) to help.
    pub target_people_times: i64,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
