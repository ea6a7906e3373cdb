//! The fundraising tables.

pub mod campaign;
pub mod campaign_donor;
pub mod campaign_total;
pub mod donor;
pub mod fund_entry;
pub mod payment;
pub mod payment_setting;
pub mod pledge;
pub mod roster;
