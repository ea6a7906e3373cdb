//! 阳光慈善 (Sunshine): the platform of 吉林市慈善总会 — 双日捐 fundraising, donors'
//! pledges and payments, receipts, the 61 阳光超市 and the vouchers of people in need.
//!
//! Layers, one way: HTTP handlers (`api.rs`, `pages`) → services (`service.rs`, one
//! transaction each) → entities. See `ARCHITECTURE.md` at the root of the repository.

pub mod app;
pub mod audit;
pub mod backup;
pub mod check;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod fundraising;
pub mod idempotency;
pub mod identity;
pub mod ids;
pub mod kernel;
pub mod openapi;
pub mod ops;
pub mod pagination;
pub mod personal_data;
pub mod rate_limit;
pub mod receipts;
pub mod reference;
pub mod server;
pub mod state;
pub mod uploads;
pub mod web;

pub use app::Application;

/// mimalloc rather than glibc's allocator: each argon2 hash takes 19 MiB, and glibc kept
/// those blocks in per-thread arenas (a burst of 400 sign-ins left the server at 520 MB;
/// with mimalloc it returns to the system).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
pub use config::Config;
