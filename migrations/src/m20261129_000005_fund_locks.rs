//! A lock row per fund, taken by allocations so that two admins allocating at once
//! cannot both spend the same balance. Donations never touch it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FundLocks {
    Table,
    Fund,
    Allocations,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FundLocks::Table)
                    .col(
                        ColumnDef::new(FundLocks::Fund)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(FundLocks::Allocations)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        let seed = Query::insert()
            .into_table(FundLocks::Table)
            .columns([FundLocks::Fund, FundLocks::Allocations])
            .values_panic(["general".into(), 0i64.into()])
            .to_owned();
        manager.exec_stmt(seed).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FundLocks::Table).to_owned())
            .await
    }
}
