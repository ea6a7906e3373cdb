//! The database: connecting (SQLite or PostgreSQL), migrating, and write transactions.

pub mod nodelay;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// Connects to the database named by `url`, creating a SQLite file and its folder if needed.
///
/// SQLite runs in WAL mode with foreign keys on and a busy timeout, so that readers never
/// wait for the writer and writers queue instead of failing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(10))
        // A pooled connection is checked with a round trip only after it sat idle: under
        // load a check before every query doubled the round trips of a one-query request.
        .test_before_acquire_if_idle_for(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        let dir = sqlite_path(url).and_then(|p| p.parent().map(ToOwned::to_owned));
        if let Some(dir) = dir.filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(&dir)
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
        }
        options.max_connections(8).min_connections(1);
        options.map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(15))
        });
    } else {
        options.max_connections(32).min_connections(2);
        options.map_sqlx_postgres_pool_opts(|pool| {
            pool.after_connect(|conn, _| {
                Box::pin(async move {
                    nodelay::set(conn).await;
                    Ok(())
                })
            })
        });
    }
    Database::connect(options).await
}

fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

/// Applies every migration that is not applied yet.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Whether every migration the binary knows is applied.
pub async fn migrations_applied(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(Migrator::get_pending_migrations(db).await?.is_empty())
}

/// Begins a transaction that will write.
///
/// On SQLite this is `BEGIN IMMEDIATE`: a deferred transaction that reads and then writes
/// fails at once with `database is locked` when another connection wrote in between, and
/// the busy timeout does not help with a lock upgrade. Taking the write lock first makes
/// writers queue. On PostgreSQL it is a plain `BEGIN`.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Whether the database answers.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_path_is_read_from_the_url() {
        assert_eq!(
            sqlite_path("sqlite://data/sunshine.db?mode=rwc"),
            Some("data/sunshine.db".into())
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
