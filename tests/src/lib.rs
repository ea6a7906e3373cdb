//! Helpers for the black-box tests and the benchmark: start the real server on a free
//! port with its own fresh database, and talk HTTP to it.

pub mod bench;
pub mod bombs;
pub mod database;
pub mod test_app;

pub use database::TestDatabase;
pub use test_app::{DEMO_PASSWORD, ServerChild, TestApp};
