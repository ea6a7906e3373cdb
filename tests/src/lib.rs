//! Helpers for the black-box tests and the benchmark: start the real server on a free
//! port with its own fresh database, and talk HTTP to it.

pub mod bench;
pub mod bombs;
pub mod database;
pub mod test_app;

pub use database::TestDatabase;

/// Says on stderr that a check is skipped because `what` is not installed here, and
/// fails instead when `CI` is set: CI installs every tool, so a skip there would be a
/// test passing by doing nothing.
pub fn skipped_without(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} is not installed, and CI must run every check"
    );
    eprintln!("skipped: {what} is not installed here (CI installs it)");
}
pub use test_app::{DEMO_PASSWORD, ServerChild, TestApp};
