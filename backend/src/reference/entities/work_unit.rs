//! A work unit (单位) that collects the 双日捐 from its staff, or one of its sub-units.

use sea_orm::entity::prelude::*;

/// A row of `work_units`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_units")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Its name.
    pub name: String,
    /// The unit it belongs to (a union branch 分工会 belongs to its company).
    pub parent_id: Option<String>,
    /// Where it is.
    pub region_code: Option<String>,
    /// Made-up demo data.
    pub is_demo: bool,
    /// When it was registered.
    pub created_at: DateTimeUtc,
    /// Its 统一社会信用代码, printed on its staff lists' receipts.
    pub credit_code: Option<String>,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
