//! Where donors pay (收款账户): the one row of `payment_settings`.

use sea_orm::entity::prelude::*;

/// The row of `payment_settings` (its id is always 1).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_settings")]
pub struct Model {
    /// Always 1: there is one set of payment details.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// 户名: the account holder.
    pub account_name: String,
    /// 开户行: the bank and branch.
    pub bank_name: String,
    /// 账号: digits only.
    pub account_number: String,
    /// Other ways to give, one a line (现场、邮局汇款…).
    pub other_channels: String,
    /// When an admin last changed them.
    pub updated_at: Option<DateTimeUtc>,
    /// Who did.
    pub updated_by: Option<String>,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
