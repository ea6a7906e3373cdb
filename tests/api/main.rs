//! Black-box tests: each starts the real server on a free port with a fresh database
//! (SQLite by default, PostgreSQL when `TEST_DATABASE_URL` is set) and talks HTTP to it.

mod audit;
mod backup;
mod check;
mod cli;
mod connections;
mod contract;
mod documents;
mod edge_rules;
mod errors;
mod fundraising;
mod funds;
mod headers;
mod helpers;
mod idempotency;
mod identity;
mod ops;
mod pages;
mod payment_states;
mod payments;
mod people_pages;
mod plain_answers;
mod pledges_at_once;
mod receipt_documents;
mod receipts;
mod receipts_at_once;
mod reference;
mod roles;
mod rosters;
mod sign_in_guard;
mod staff;
mod statements;
mod upload_bombs;
