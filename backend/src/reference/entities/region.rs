//! An administrative region (行政区划) at one of four levels.

use sea_orm::entity::prelude::*;

/// A row of `regions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regions")]
pub struct Model {
    /// The GB/T 2260 code (city and district/county); demo codes below that.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    /// Its Chinese name.
    pub name: String,
    /// 1 city, 2 district or county, 3 street or town, 4 community or village.
    pub level: i16,
    /// The region it belongs to.
    pub parent_code: Option<String>,
    /// Made-up demo data rather than the city's real list.
    pub is_demo: bool,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
