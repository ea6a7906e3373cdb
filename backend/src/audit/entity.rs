//! An entry of the audit log.

use sea_orm::entity::prelude::*;

/// A row of `audit_log`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    /// Its place in the chain, from 1.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    /// When (UTC).
    pub at: DateTimeUtc,
    /// The user's id.
    pub actor: String,
    /// What was done, such as `receipt.void`.
    pub action: String,
    /// The id of what it was done to.
    pub subject: String,
    /// A short description, with no personal data.
    pub detail: String,
    /// The hash of the entry before.
    pub prev_hash: String,
    /// SHA-256 over the previous hash and this entry's fields.
    pub hash: String,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
