//! A pledge keeps its own idempotency key: the key, the fingerprint of the request that
//! came with it, and the private link's token sealed with the data key — all a retry
//! needs to be given the first answer again. Until now each keyed pledge also wrote a
//! row of `idempotency_keys` holding its whole answer, sealed: a second table, a second
//! index and a few hundred bytes more per pledge. Keys already kept there still replay
//! from there; payments keep theirs there.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Pledges {
    Table,
    IdempotencyKey,
    RequestHash,
    AccessTokenSealed,
}

const INDEX: &str = "idx_pledges_idempotency_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite alters a table one column at a time.
        for column in [
            Pledges::IdempotencyKey,
            Pledges::RequestHash,
            Pledges::AccessTokenSealed,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Pledges::Table)
                        .add_column(ColumnDef::new(column).text().null())
                        .to_owned(),
                )
                .await?;
        }
        // Only keyed pledges have an entry; the same statement on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE UNIQUE INDEX {INDEX} ON pledges (idempotency_key) \
                 WHERE idempotency_key IS NOT NULL"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX {INDEX}"))
            .await?;
        for column in [
            Pledges::AccessTokenSealed,
            Pledges::RequestHash,
            Pledges::IdempotencyKey,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Pledges::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
