//! Sessions signed out before their access tokens expire. An access token names its
//! session (the refresh token's family, `sid`); signing out revokes the family in the
//! database, and every process refuses the family's access tokens from then on: at once
//! in the process that signed out, within a second in the others, which read the
//! families revoked lately once a second (one indexed query, not one per request).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{DatabaseConnection, FromQueryResult};

/// Families revoked within the life of an access token, with when to forget them.
#[derive(Debug, Default)]
pub struct RevokedSessions {
    families: Mutex<HashMap<String, Instant>>,
    /// How long after its revocation a family's access tokens may still be presented.
    keep: Duration,
}

#[derive(FromQueryResult)]
struct Family {
    family_id: String,
}

impl RevokedSessions {
    /// Revocations are kept as long as an access token lives, and a minute more.
    pub fn new(access_ttl_seconds: i64) -> Self {
        let seconds = u64::try_from(access_ttl_seconds).unwrap_or(0) + 60;
        Self {
            families: Mutex::default(),
            keep: Duration::from_secs(seconds),
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.families
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Refuses the family's access tokens from now on, in this process.
    pub fn revoke(&self, family: &str) {
        let until = Instant::now() + self.keep;
        self.table().insert(family.to_owned(), until);
    }

    /// Whether the family was signed out.
    pub fn is_revoked(&self, family: &str) -> bool {
        self.table().contains_key(family)
    }

    /// Reads the families revoked within the keeping time (by any process) and forgets
    /// those older.
    pub async fn poll(&self, db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
        let keep = chrono::Duration::from_std(self.keep).unwrap_or_default();
        let select = Query::select()
            .distinct()
            .column("family_id")
            .from("refresh_tokens")
            .and_where(Expr::col("revoked_at").gte(Utc::now() - keep))
            .to_owned();
        let backend = db.get_database_backend();
        let families = Family::find_by_statement(backend.build(&select))
            .all(db)
            .await?;
        let now = Instant::now();
        let mut table = self.table();
        table.retain(|_, until| *until > now);
        for family in families {
            table.entry(family.family_id).or_insert(now + self.keep);
        }
        Ok(())
    }

    /// Polls once a second for as long as the process runs.
    pub fn spawn_poll(self: &Arc<Self>, db: DatabaseConnection) {
        let revoked = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(error) = revoked.poll(&db).await {
                    tracing::warn!(%error, "revoked sessions not read");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::RevokedSessions;

    #[test]
    fn a_revoked_family_is_refused_and_others_are_not() {
        let revoked = RevokedSessions::new(900);
        revoked.revoke("family-a");
        assert!(revoked.is_revoked("family-a"));
        assert!(!revoked.is_revoked("family-b"));
    }
}
