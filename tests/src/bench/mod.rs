//! The benchmark harness: a server in a child process, a load driver, and the references
//! measured in the same run.

pub mod api;
pub mod http1;
pub mod load;
pub mod memory;
pub mod pgbench;
pub mod receipts;
pub mod scenarios;
pub mod server;
pub mod uploads;
