//! Certificates of thanks (捐赠证书), numbered per year apart from receipts.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CertificateCounters {
    Table,
    Year,
    Last,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    Number,
    Year,
    Seq,
    PledgeId,
    Name,
    AmountFen,
    CampaignName,
    IssuedOn,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertificateCounters::Table)
                    .col(
                        ColumnDef::new(CertificateCounters::Year)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(CertificateCounters::Last)
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
                    .table(Certificates::Table)
                    .col(
                        ColumnDef::new(Certificates::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Certificates::Number)
                            .string_len(24)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Certificates::Year).integer().not_null())
                    .col(ColumnDef::new(Certificates::Seq).big_integer().not_null())
                    .col(
                        ColumnDef::new(Certificates::PledgeId)
                            .string_len(36)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Certificates::Name)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Certificates::AmountFen)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Certificates::CampaignName)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Certificates::IssuedOn).date().not_null())
                    .col(
                        ColumnDef::new(Certificates::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Certificates::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CertificateCounters::Table).to_owned())
            .await
    }
}
