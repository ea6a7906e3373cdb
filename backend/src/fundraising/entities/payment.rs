//! A payment (到账): money that arrived and was confirmed by finance. Append-only: a mistake is corrected by a reversing payment; only an unmatched payment's pledge is assigned, once.

use sea_orm::entity::prelude::*;

/// A row of `payments`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The amount in fen; negative for a reversal.
    pub amount_fen: i64,
    /// `bank_transfer`, `cash`, `wechat_pay`, `alipay` or `payroll`.
    pub channel: String,
    /// The day the money arrived.
    pub received_on: Date,
    /// The payer as the bank or channel names them.
    pub payer_reference: Option<String>,
    /// The reference code the payer quoted.
    pub reference_code: Option<String>,
    /// The pledge it pays, once matched.
    pub pledge_id: Option<String>,
    /// The campaign it counts for, once matched.
    pub campaign_id: Option<String>,
    /// The payment this one reverses.
    pub reverses_id: Option<String>,
    /// Why it was reversed.
    pub reason: Option<String>,
    /// The finance officer who recorded it.
    pub recorded_by: String,
    /// When it was recorded.
    pub created_at: DateTimeUtc,
    /// The staff list this remittance pays, once matched.
    pub roster_id: Option<String>,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
