//! Reference data: Jilin City's regions, the 阳光超市, the branded projects, the work
//! units and the programme goals.

pub mod api;
pub mod data;
pub mod entities;
pub mod seed;
