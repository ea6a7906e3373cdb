//! Indexes over columns that are empty for most rows cover only the rows that have a
//! value: an online pledge has no staff list, and most donors have no account and gave no
//! 身份证号. Every lookup by these columns asks for a value, so a partial index serves it,
//! and a pledge no longer writes three index entries that nobody reads.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index, table, column): the same statements run on SQLite and PostgreSQL.
const SPARSE: [(&str, &str, &str); 3] = [
    ("idx_pledges_roster", "pledges", "roster_id"),
    ("idx_donors_user", "donors", "user_id"),
    ("idx_donors_id_number_hash", "donors", "id_number_hash"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (index, table, column) in SPARSE {
            // One call, so one connection: on SQLite another pooled connection could still
            // see the dropped index in its cached schema and refuse to create it again.
            db.execute_unprepared(&format!(
                "DROP INDEX {index}; \
                 CREATE INDEX {index} ON {table} ({column}) WHERE {column} IS NOT NULL"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (index, table, column) in SPARSE {
            db.execute_unprepared(&format!(
                "DROP INDEX {index}; CREATE INDEX {index} ON {table} ({column})"
            ))
            .await?;
        }
        Ok(())
    }
}
