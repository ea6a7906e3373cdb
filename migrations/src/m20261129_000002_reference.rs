//! Reference data: the administrative regions, the stores, the branded projects, the work
//! units and the programme goals.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
    Name,
    Level,
    ParentCode,
    IsDemo,
}

#[derive(DeriveIden)]
enum Stores {
    Table,
    Id,
    Name,
    RegionCode,
    Kind,
    Address,
    IsDemo,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    Name,
    Description,
    PeopleHelped,
    IsDemo,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WorkUnits {
    Table,
    Id,
    Name,
    ParentId,
    RegionCode,
    IsDemo,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProgrammeGoals {
    Table,
    Id,
    Name,
    StartsOn,
    EndsOn,
    TargetFen,
    TargetPeopleTimes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Regions::Table)
                    .col(
                        ColumnDef::new(Regions::Code)
                            .string_len(12)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Regions::Name).string_len(64).not_null())
                    .col(ColumnDef::new(Regions::Level).small_integer().not_null())
                    .col(ColumnDef::new(Regions::ParentCode).string_len(12).null())
                    .col(
                        ColumnDef::new(Regions::IsDemo)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Regions::Table, Regions::ParentCode)
                            .to(Regions::Table, Regions::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_regions_parent")
                    .table(Regions::Table)
                    .col(Regions::ParentCode)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Stores::Table)
                    .col(
                        ColumnDef::new(Stores::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Stores::Name)
                            .string_len(100)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Stores::RegionCode).string_len(12).not_null())
                    .col(ColumnDef::new(Stores::Kind).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Stores::Address)
                            .string_len(200)
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Stores::IsDemo)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(Stores::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Stores::Table, Stores::RegionCode)
                            .to(Regions::Table, Regions::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Projects::Table)
                    .col(
                        ColumnDef::new(Projects::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Projects::Name)
                            .string_len(100)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Projects::Description)
                            .string_len(1000)
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(Projects::PeopleHelped)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Projects::IsDemo)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(Projects::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WorkUnits::Table)
                    .col(
                        ColumnDef::new(WorkUnits::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(WorkUnits::Name).string_len(100).not_null())
                    .col(ColumnDef::new(WorkUnits::ParentId).string_len(36).null())
                    .col(ColumnDef::new(WorkUnits::RegionCode).string_len(12).null())
                    .col(
                        ColumnDef::new(WorkUnits::IsDemo)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(WorkUnits::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WorkUnits::Table, WorkUnits::ParentId)
                            .to(WorkUnits::Table, WorkUnits::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WorkUnits::Table, WorkUnits::RegionCode)
                            .to(Regions::Table, Regions::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_work_units_parent_name")
                    .table(WorkUnits::Table)
                    .col(WorkUnits::ParentId)
                    .col(WorkUnits::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProgrammeGoals::Table)
                    .col(
                        ColumnDef::new(ProgrammeGoals::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ProgrammeGoals::Name)
                            .string_len(100)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(ProgrammeGoals::StartsOn).date().not_null())
                    .col(ColumnDef::new(ProgrammeGoals::EndsOn).date().not_null())
                    .col(
                        ColumnDef::new(ProgrammeGoals::TargetFen)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ProgrammeGoals::TargetPeopleTimes)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ProgrammeGoals::Table.into_iden(),
            WorkUnits::Table.into_iden(),
            Projects::Table.into_iden(),
            Stores::Table.into_iden(),
            Regions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
