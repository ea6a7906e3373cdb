//! Identity: users, roles, passwords, sessions, and the extractors that check them.

pub mod api;
pub mod entities;
pub mod extract;
pub mod password;
pub mod revoked;
mod role;
pub mod service;
mod sessions;
pub mod tokens;
pub mod users_api;

pub use extract::{AllowedRoles, Authorized, CurrentUser};
pub use role::{Binding, Role};
