//! What an accountant looks for on a receipt: the day the money arrived, the reviewer
//! (复核人), a note (备注) and a short verification code to type in where the QR code
//! cannot be scanned; the donor's own downloads counted apart from staff previews; a work
//! unit's 统一社会信用代码 for its staff lists' receipts.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Receipts {
    Table,
    ReceivedOn,
    ReviewerName,
    Note,
    VerifyCode,
    DonorDownloads,
}

#[derive(DeriveIden)]
enum WorkUnits {
    Table,
    CreditCode,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite alters one thing at a time.
        let columns = [
            ColumnDef::new(Receipts::ReceivedOn)
                .date()
                .null()
                .to_owned(),
            ColumnDef::new(Receipts::ReviewerName)
                .string_len(64)
                .null()
                .to_owned(),
            ColumnDef::new(Receipts::Note)
                .string_len(200)
                .null()
                .to_owned(),
            ColumnDef::new(Receipts::VerifyCode)
                .string_len(10)
                .null()
                .to_owned(),
            ColumnDef::new(Receipts::DonorDownloads)
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Receipts::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ux_receipts_verify_code")
                    .table(Receipts::Table)
                    .col(Receipts::VerifyCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Receipts made before this keep the day their payment arrived.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE receipts SET received_on = \
                 (SELECT payments.received_on FROM payments WHERE payments.id = receipts.payment_id) \
                 WHERE received_on IS NULL",
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(WorkUnits::Table)
                    .add_column(ColumnDef::new(WorkUnits::CreditCode).string_len(18).null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(WorkUnits::Table)
                    .drop_column(WorkUnits::CreditCode)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_receipts_verify_code")
                    .table(Receipts::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Receipts::DonorDownloads,
            Receipts::VerifyCode,
            Receipts::Note,
            Receipts::ReviewerName,
            Receipts::ReceivedOn,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Receipts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
