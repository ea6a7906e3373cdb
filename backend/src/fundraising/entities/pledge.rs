//! A pledge (认捐): a promise of an amount, before the money arrives.

use sea_orm::entity::prelude::*;

/// A row of `pledges`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pledges")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The campaign.
    pub campaign_id: String,
    /// The project it is designated to (定向), if any.
    pub project_id: Option<String>,
    /// Who pledged.
    pub donor_id: String,
    /// The amount promised, in fen.
    pub amount_fen: i64,
    /// Confirmed money matched to it so far, in fen.
    pub paid_fen: i64,
    /// `pledged`, `partly_paid`, `paid`, `cancelled` or `lapsed`.
    pub status: String,
    /// The code to quote on a bank transfer.
    pub reference_code: String,
    /// SHA-256 of the private link token.
    pub access_token_hash: String,
    /// Whether the donor may be named in public (光荣榜).
    pub public_name_consent: bool,
    /// The name to show in public, as the donor chose it.
    pub public_name: Option<String>,
    /// Whether a receipt is wanted.
    pub receipt_requested: bool,
    /// The title to put on the receipt.
    pub receipt_title: Option<String>,
    /// The district or county it is counted under.
    pub region_code: Option<String>,
    /// The work unit it came through.
    pub unit_id: Option<String>,
    /// The running-totals slot its updates go to.
    pub slot: i16,
    /// When it was made.
    pub created_at: DateTimeUtc,
    /// The staff list it came from.
    pub roster_id: Option<String>,
    /// The department named on the staff list.
    pub department: Option<String>,
    /// The `Idempotency-Key` it was made with, if any: a retry with it gets the first
    /// answer again.
    pub idempotency_key: Option<String>,
    /// The fingerprint of the request that came with the key.
    pub request_hash: Option<String>,
    /// The private link token, sealed with the data key, for the answer to a retry; kept
    /// only with a key.
    pub access_token_sealed: Option<String>,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
