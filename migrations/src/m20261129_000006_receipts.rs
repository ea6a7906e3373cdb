//! Receipts (捐赠票据): numbered gaplessly per year, voided but never deleted.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReceiptCounters {
    Table,
    Year,
    Last,
}

#[derive(DeriveIden)]
enum Receipts {
    Table,
    Id,
    Number,
    Year,
    Seq,
    PaymentId,
    Kind,
    DonorName,
    DonorIdMasked,
    AmountFen,
    CampaignName,
    Purpose,
    Channel,
    IssuedOn,
    IssuedBy,
    HandlerName,
    Status,
    VoidReason,
    VoidedAt,
    ReplacesId,
    VerifyToken,
    Downloads,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReceiptCounters::Table)
                    .col(
                        ColumnDef::new(ReceiptCounters::Year)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ReceiptCounters::Last)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Receipts::Table)
                    .col(
                        ColumnDef::new(Receipts::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Receipts::Number)
                            .string_len(24)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Receipts::Year).integer().not_null())
                    .col(ColumnDef::new(Receipts::Seq).big_integer().not_null())
                    .col(ColumnDef::new(Receipts::PaymentId).string_len(36).null())
                    .col(ColumnDef::new(Receipts::Kind).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Receipts::DonorName)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Receipts::DonorIdMasked)
                            .string_len(24)
                            .null(),
                    )
                    .col(ColumnDef::new(Receipts::AmountFen).big_integer().not_null())
                    .col(
                        ColumnDef::new(Receipts::CampaignName)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Receipts::Purpose).string_len(100).not_null())
                    .col(ColumnDef::new(Receipts::Channel).string_len(16).not_null())
                    .col(ColumnDef::new(Receipts::IssuedOn).date().not_null())
                    .col(ColumnDef::new(Receipts::IssuedBy).string_len(36).not_null())
                    .col(
                        ColumnDef::new(Receipts::HandlerName)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Receipts::Status).string_len(16).not_null())
                    .col(ColumnDef::new(Receipts::VoidReason).string_len(500).null())
                    .col(
                        ColumnDef::new(Receipts::VoidedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Receipts::ReplacesId).string_len(36).null())
                    .col(
                        ColumnDef::new(Receipts::VerifyToken)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Receipts::Downloads)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Receipts::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_receipts_year_seq")
                    .table(Receipts::Table)
                    .col(Receipts::Year)
                    .col(Receipts::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One live receipt per payment: a partial unique index (same syntax on both).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_receipts_live_payment ON receipts (payment_id) WHERE status = 'live'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Receipts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ReceiptCounters::Table).to_owned())
            .await
    }
}
