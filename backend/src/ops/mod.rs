//! Operations: liveness, readiness, metrics, request ids and logs.

pub mod health;
pub mod metrics;
pub mod telemetry;
