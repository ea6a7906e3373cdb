//! A staff list remembers what it was made of — the uploaded file's SHA-256 and the
//! SHA-256 of its rows in a fixed order — so that the same list uploaded twice for one
//! campaign is noticed; and a list may now be withdrawn (`status = 'withdrawn'`) or closed
//! with its campaign (`'closed'`), which needs no schema change (status is text).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Rosters {
    Table,
    CampaignId,
    FileSha256,
    RowsSha256,
}

const INDEX: &str = "idx_rosters_campaign_rows";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite alters a table one column at a time. Lists
        // imported before this have neither and are never taken for duplicates.
        for column in [Rosters::FileSha256, Rosters::RowsSha256] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Rosters::Table)
                        .add_column(ColumnDef::new(column).string_len(64).null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Rosters::Table)
                    .col(Rosters::CampaignId)
                    .col(Rosters::RowsSha256)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Rosters::Table).to_owned())
            .await?;
        for column in [Rosters::RowsSha256, Rosters::FileSha256] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Rosters::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
