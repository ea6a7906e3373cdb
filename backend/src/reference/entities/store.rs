//! A 阳光超市 (sunshine charity store) or the central warehouse (调剂中心).

use sea_orm::entity::prelude::*;

/// A row of `stores`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stores")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where it is.
    pub region_code: String,
    /// `store` or `warehouse`.
    pub kind: String,
    /// Street address.
    pub address: String,
    /// Made-up demo data.
    pub is_demo: bool,
    /// When it was registered.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
