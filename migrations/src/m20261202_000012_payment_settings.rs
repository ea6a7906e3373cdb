//! Where donors pay (收款账户): the federation's account name, bank and account number, and
//! any other channels, one row that an admin edits. Empty until set (the demo fills it).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PaymentSettings {
    Table,
    Id,
    AccountName,
    BankName,
    AccountNumber,
    OtherChannels,
    UpdatedAt,
    UpdatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PaymentSettings::Table)
                    .col(
                        ColumnDef::new(PaymentSettings::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(PaymentSettings::AccountName)
                            .string_len(100)
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(PaymentSettings::BankName)
                            .string_len(100)
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(PaymentSettings::AccountNumber)
                            .string_len(40)
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(PaymentSettings::OtherChannels)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(PaymentSettings::UpdatedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(PaymentSettings::UpdatedBy).string_len(36))
                    .to_owned(),
            )
            .await?;
        let row = Query::insert()
            .into_table(PaymentSettings::Table)
            .columns([PaymentSettings::Id])
            .values_panic([1.into()])
            .to_owned();
        manager.exec_stmt(row).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PaymentSettings::Table).to_owned())
            .await
    }
}
