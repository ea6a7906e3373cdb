//! A refresh token, stored as its hash. Tokens of one sign-in form a family; a rotated
//! token presented again means it was stolen, and the whole family is revoked.

use sea_orm::entity::prelude::*;

/// A row of `refresh_tokens`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_tokens")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Whose session this is.
    pub user_id: String,
    /// All tokens rotated from one sign-in share this.
    pub family_id: String,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// After this the token is refused.
    pub expires_at: DateTimeUtc,
    /// Set when the token was exchanged for a new pair.
    pub used_at: Option<DateTimeUtc>,
    /// Set on logout or when reuse revoked the family.
    pub revoked_at: Option<DateTimeUtc>,
    /// When it was issued.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
