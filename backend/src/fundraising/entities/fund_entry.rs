//! An entry of the fund ledger: money into the general fund or a project's restricted fund, or an allocation between them.

use sea_orm::entity::prelude::*;

/// A row of `fund_ledger`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fund_ledger")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `general` or a project id.
    pub fund: String,
    /// The campaign the money came through.
    pub campaign_id: Option<String>,
    /// Signed amount in fen.
    pub amount_fen: i64,
    /// `donation`, `reversal` or `allocation`.
    pub kind: String,
    /// The payment behind it.
    pub payment_id: Option<String>,
    /// Why (allocations and reversals).
    pub reason: Option<String>,
    /// Who made it.
    pub created_by: Option<String>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
