//! The schema of 阳光慈善. One migration per change; a landed migration is never edited.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_identity;
mod m20261129_000002_reference;
mod m20261129_000003_fundraising;
mod m20261129_000004_rosters;
mod m20261129_000005_fund_locks;
mod m20261129_000006_receipts;
mod m20261129_000007_certificates;
mod m20261129_000008_audit;
mod m20261130_000009_sparse_indexes;
mod m20261130_000010_pledge_keys;
mod m20261202_000011_receipt_fields;
mod m20261202_000012_payment_settings;
mod m20261202_000013_roster_withdrawal;
mod m20261202_000014_sign_in_guard;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_identity::Migration),
            Box::new(m20261129_000002_reference::Migration),
            Box::new(m20261129_000003_fundraising::Migration),
            Box::new(m20261129_000004_rosters::Migration),
            Box::new(m20261129_000005_fund_locks::Migration),
            Box::new(m20261129_000006_receipts::Migration),
            Box::new(m20261129_000007_certificates::Migration),
            Box::new(m20261129_000008_audit::Migration),
            Box::new(m20261130_000009_sparse_indexes::Migration),
            Box::new(m20261130_000010_pledge_keys::Migration),
            Box::new(m20261202_000011_receipt_fields::Migration),
            Box::new(m20261202_000012_payment_settings::Migration),
            Box::new(m20261202_000013_roster_withdrawal::Migration),
            Box::new(m20261202_000014_sign_in_guard::Migration),
        ]
    }
}
