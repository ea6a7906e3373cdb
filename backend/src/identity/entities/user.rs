//! A user account.

use sea_orm::entity::prelude::*;

/// A row of `users`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// A UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Unique sign-in name.
    pub username: String,
    /// The name shown on pages.
    pub display_name: String,
    /// An argon2id PHC string.
    pub password_hash: String,
    /// One of [`crate::identity::Role`]'s names.
    pub role: String,
    /// The store a `store_staff` user works at.
    pub store_id: Option<String>,
    /// The region a `caseworker` serves.
    pub region_code: Option<String>,
    /// The work unit a `unit_coordinator` speaks for.
    pub unit_id: Option<String>,
    /// A deactivated user cannot sign in.
    pub active: bool,
    /// When the account was made (UTC).
    pub created_at: DateTimeUtc,
    /// Failed sign-ins since the last successful one.
    pub failed_logins: i32,
    /// Until when sign-in is refused after too many failures in a row.
    pub locked_until: Option<DateTimeUtc>,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
