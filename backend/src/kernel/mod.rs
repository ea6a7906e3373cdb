//! The shared kernel: small validated types every part uses.

pub mod cells;
pub mod china_time;
pub mod credit_code;
pub mod fonts;
pub mod id_card;
pub mod money;
pub mod phone;
pub mod text;

pub use credit_code::CreditCode;
pub use id_card::IdCardNo;
pub use money::Fen;
pub use phone::Phone;
