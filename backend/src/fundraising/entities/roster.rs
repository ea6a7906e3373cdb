//! A work unit's staff list (双日捐名单) for one campaign, and the remittance expected
//! for its total.

use sea_orm::entity::prelude::*;

/// A row of `rosters`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rosters")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The work unit (or sub-unit) that collected.
    pub unit_id: String,
    /// The campaign.
    pub campaign_id: String,
    /// The coordinator who uploaded it.
    pub uploaded_by: String,
    /// The uploaded file's name.
    pub file_name: String,
    /// People on the list.
    pub people: i64,
    /// Of them, anonymous.
    pub anonymous_people: i64,
    /// The total to remit, in fen.
    pub total_fen: i64,
    /// Of it, from anonymous staff.
    pub anonymous_fen: i64,
    /// The code to quote on the remittance.
    pub reference_code: String,
    /// `awaiting_payment`, `paid`, `closed` (its campaign ended unpaid) or `withdrawn`.
    pub status: String,
    /// The running-totals slot its payment goes to.
    pub slot: i16,
    /// When it was uploaded.
    pub created_at: DateTimeUtc,
    /// SHA-256 of the uploaded file (absent on lists imported before it was kept).
    pub file_sha256: Option<String>,
    /// SHA-256 of its rows, sorted: the same people and amounts in any order or file.
    pub rows_sha256: Option<String>,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
