//! Receipts (捐赠票据): gapless numbers per year, PDFs with the amount in capitals and a
//! verification QR code, voiding and reissue.

pub mod api;
pub mod certificate;
pub mod certificate_pdf;
pub mod certificates;
pub mod documents_api;
mod drawing;
pub mod entity;
mod fonts;
pub mod lookup;
pub mod pages;
pub mod pdf;
pub mod service;
mod sfnt;
pub mod statement;
