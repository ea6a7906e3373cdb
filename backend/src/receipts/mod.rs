//! Receipts (捐赠收据, the federation's own acknowledgement of a gift — not a 公益事业
//! 捐赠收据): gapless numbers per year, PDFs with the amount in capitals, a verification
//! QR code and a short code to type in, voiding and reissue with corrections.

pub mod api;
pub mod certificate;
pub mod certificate_pdf;
pub mod certificates;
pub mod code;
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

/// Renders a document off the async threads, at most one per core at a time: each
/// takes a core and several MB while it runs, so more at once would only hold more
/// memory (in more threads' heaps) for the same throughput.
pub(crate) async fn render<T: Send + 'static>(
    draw: impl FnOnce() -> T + Send + 'static,
) -> crate::error::AppResult<T> {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let permits = PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        tokio::sync::Semaphore::new(cores)
    });
    let _permit = permits
        .acquire()
        .await
        .map_err(crate::error::AppError::internal)?;
    tokio::task::spawn_blocking(draw)
        .await
        .map_err(crate::error::AppError::internal)
}

/// Lets go, once a minute, of the fonts parsed for rare characters when no document
/// has used them for ten minutes (see `fonts`).
pub fn spawn_font_upkeep() {
    tokio::spawn(async {
        let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            fonts::release_idle();
        }
    });
}
