//! A branded charity project (品牌慈善项目).

use sea_orm::entity::prelude::*;

/// A row of `projects`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Its name, such as 慈善救助、圆梦大学.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Person-times (人次) helped so far.
    pub people_helped: i64,
    /// Made-up demo data.
    pub is_demo: bool,
    /// When it was registered.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
