//! A receipt (捐赠收据).

use sea_orm::entity::prelude::*;

/// A row of `receipts`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "receipts")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `JLCS-2026-000123`.
    pub number: String,
    /// The year of the numbering.
    pub year: i32,
    /// The number within the year: gapless from 1.
    pub seq: i64,
    /// The payment it acknowledges.
    pub payment_id: Option<String>,
    /// `money` (goods come with the inventory capability).
    pub kind: String,
    /// The name (or receipt title) as printed.
    pub donor_name: String,
    /// The masked 身份证号 or the 统一社会信用代码.
    pub donor_id_masked: Option<String>,
    /// Fen.
    pub amount_fen: i64,
    /// The campaign's name.
    pub campaign_name: String,
    /// `非定向（慈善救助）` or the project's name.
    pub purpose: String,
    /// The payment channel.
    pub channel: String,
    /// The day it was issued (Asia/Shanghai).
    pub issued_on: Date,
    /// The finance officer's user id.
    pub issued_by: String,
    /// The finance officer's name, printed as 经办人.
    pub handler_name: String,
    /// `live` or `voided`.
    pub status: String,
    /// Why it was voided.
    pub void_reason: Option<String>,
    /// When it was voided.
    pub voided_at: Option<DateTimeUtc>,
    /// The receipt this one replaces (换开).
    pub replaces_id: Option<String>,
    /// The token of its verification link, printed as a QR code.
    pub verify_token: String,
    /// How many times it was downloaded by anyone.
    pub downloads: i64,
    /// When it was made.
    pub created_at: DateTimeUtc,
    /// The day the money arrived (到账日期); `None` only if its payment is gone.
    pub received_on: Option<Date>,
    /// Who reviewed it before it was issued (复核人), if finance named one.
    pub reviewer_name: Option<String>,
    /// 备注, as finance wrote it on issue.
    pub note: Option<String>,
    /// The short code printed under the QR code (10 characters, Crockford base32, the
    /// last a check character); given to receipts made before it on their next download.
    pub verify_code: Option<String>,
    /// How many times its donor downloaded it: every copy after the donor's first is
    /// marked 副本; staff downloads before then are previews and are not counted.
    pub donor_downloads: i64,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
