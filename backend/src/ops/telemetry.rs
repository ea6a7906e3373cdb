//! Structured logs with a request id on every line.

use axum::http::Request;
use tower_http::request_id::RequestId;
use tracing::Span;
use tracing_subscriber::EnvFilter;

use crate::config::Environment;

/// Installs the log subscriber: JSON lines in production, compact text in development.
/// The filter comes from `SUNSHINE_LOG` (default `info`).
pub fn init(environment: Environment) {
    let filter = EnvFilter::try_from_env("SUNSHINE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match environment {
        Environment::Production => builder.json().flatten_event(true).try_init(),
        Environment::Development => builder.compact().try_init(),
    };
    // A second init (tests start many servers in one process) keeps the first subscriber.
    drop(result);
}

/// The span of one request: method, route path (no query: it may hold tokens), request id.
pub fn request_span<B>(request: &Request<B>) -> Span {
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %redact_path(request.uri().path()),
        request_id = %request_id,
    )
}

/// A path fit for the log: the token after `verify/` or `v/` (receipt and voucher links)
/// is replaced, since whoever reads the log must not be able to use it.
pub fn redact_path(path: &str) -> String {
    let mut out = Vec::new();
    let mut hide_next = false;
    for segment in path.split('/') {
        if hide_next && !segment.is_empty() {
            out.push(":token");
        } else {
            out.push(segment);
        }
        hide_next = matches!(segment, "verify" | "v" | "p");
    }
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::redact_path;

    #[test]
    fn tokens_in_paths_are_redacted() {
        assert_eq!(redact_path("/verify/abc123"), "/verify/:token");
        assert_eq!(
            redact_path("/api/v1/receipts/verify/xyz"),
            "/api/v1/receipts/verify/:token"
        );
        assert_eq!(redact_path("/v/tok"), "/v/:token");
        assert_eq!(redact_path("/api/v1/me"), "/api/v1/me");
    }
}
