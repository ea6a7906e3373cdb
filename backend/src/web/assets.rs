//! Static files (CSS, JavaScript, vendored libraries), compiled into the binary.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "../frontend/static"]
struct Static;

/// Serves a file from `frontend/static`.
pub async fn serve(Path(path): Path<String>) -> Result<Response, AppError> {
    let file = Static::get(&path).ok_or(AppError::NotFound("该文件"))?;
    let mime = mime_for(&path);
    Ok((
        [
            (CONTENT_TYPE, mime),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        file.data,
    )
        .into_response())
}

/// `/favicon.ico`, for the clients that ask for it without reading the page's icon link.
pub async fn favicon() -> Result<Response, AppError> {
    serve(Path("favicon.svg".to_owned())).await
}

fn mime_for(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
