//! A fundraising campaign (募捐活动), such as the yearly 双日捐.

use sea_orm::entity::prelude::*;

/// A row of `campaigns`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Its name.
    pub name: String,
    /// `double_day`, `emergency` or `project`.
    pub kind: String,
    /// First day of collection.
    pub starts_on: Date,
    /// Last day of collection.
    pub ends_on: Date,
    /// What it aims to raise, in fen.
    pub target_fen: i64,
    /// `draft`, `open` or `closed`.
    pub status: String,
    /// The project a `project` campaign raises for.
    pub project_id: Option<String>,
    /// When it was made.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
