//! The state every handler shares: cheap handles only.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::fundraising::pledge_batch::PledgeWriter;
use crate::identity::tokens::TokenKeys;
use crate::personal_data::Vault;
use crate::rate_limit::RateLimiter;

/// Handles to the database, the configuration and the keys. Cloned per request.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// The configuration.
    pub config: Arc<Config>,
    /// Signs and checks access tokens.
    pub tokens: Arc<TokenKeys>,
    /// Encrypts personal data.
    pub vault: Arc<Vault>,
    /// Limits public pledges per client address.
    pub pledge_limiter: Arc<RateLimiter>,
    /// Limits sign-in attempts per client address (argon2 is slow; guessing is slower).
    pub login_limiter: Arc<RateLimiter>,
    /// Writes pledges in batches (PostgreSQL; SQLite writes each in its own transaction).
    pub pledge_writer: Option<PledgeWriter>,
}
