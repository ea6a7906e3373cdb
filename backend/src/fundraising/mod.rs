//! Fundraising: 双日捐 campaigns, donors, pledges, payments, the fund ledger and the
//! running totals that show progress toward the goals.

pub mod api;
pub mod campaign_closing;
pub mod campaign_progress;
pub mod campaigns;
pub mod entities;
pub mod funds;
pub mod pages;
pub mod pages_finance;
pub mod pages_people;
pub mod pages_settings;
pub mod pages_staff;
pub mod payment_model;
pub mod payment_queue;
pub mod payment_settings;
pub mod payments;
pub mod pledge_batch;
pub mod pledge_checks;
mod pledge_keys;
mod pledge_statement;
pub mod pledge_views;
pub mod pledges;
pub mod roster_file;
pub mod roster_remittance;
pub mod roster_status;
pub mod rosters;
pub mod totals;
pub mod units;
