//! Reference tables: regions, stores, projects, work units, programme goals.

pub mod programme_goal;
pub mod project;
pub mod region;
pub mod store;
pub mod work_unit;
