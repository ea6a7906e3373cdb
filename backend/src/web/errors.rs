//! Error answers that fit the asker: problem+json for programs, an HTML page for people.
//!
//! Every response of 400 or more that is not already problem+json is turned into one
//! (axum's own rejections are plain text); a browser asking for a page gets the same
//! problem rendered as a page.

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::views::{ErrorPage, Layout};
use crate::error::{AppError, PROBLEM_JSON};

/// The fallback for unknown routes.
pub async fn not_found() -> AppError {
    AppError::NotFound("该页面或接口")
}

/// The fallback for a known route with an unknown method.
pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

/// Rewrites error responses into the app's shapes.
pub async fn negotiate(request: Request, next: Next) -> Response {
    let wants_page = !request.uri().path().starts_with("/api")
        && request
            .headers()
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let response = next.run(request).await;
    let status = response.status();
    if status.as_u16() < 400 {
        return response;
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type.starts_with("text/html") {
        return response;
    }
    let problem = if content_type.starts_with(PROBLEM_JSON) {
        let (parts, body) = response.into_parts();
        if !wants_page {
            return Response::from_parts(parts, body);
        }
        match axum::body::to_bytes(body, 64 * 1024).await {
            Ok(bytes) => serde_json::from_slice::<serde_json::Value>(&bytes).ok(),
            Err(_) => None,
        }
    } else {
        None
    };
    let generic = generic_error(status);
    if !wants_page {
        let mut out = generic.into_response();
        *out.status_mut() = status;
        return out;
    }
    let fallback = generic.problem();
    let text = |key: &str, default: &str| {
        problem
            .as_ref()
            .and_then(|p| p.get(key))
            .and_then(|v| v.as_str())
            .unwrap_or(default)
            .to_owned()
    };
    let page = ErrorPage {
        layout: Layout::new(text("title", &fallback.title), None, ""),
        status: status.as_u16(),
        heading: text("title", &fallback.title),
        detail: text("detail", &fallback.detail),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => {
            let mut out = Response::new(Body::from(fallback.detail));
            *out.status_mut() = status;
            out.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            out
        }
    }
}

/// The app's error for a bare status from a layer or an axum rejection.
fn generic_error(status: StatusCode) -> AppError {
    match status {
        StatusCode::NOT_FOUND => AppError::NotFound("该页面或接口"),
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType("application/json"),
        StatusCode::UNAUTHORIZED => AppError::Unauthorized(crate::error::AuthFailure::Missing),
        StatusCode::FORBIDDEN => AppError::Forbidden,
        StatusCode::TOO_MANY_REQUESTS => AppError::RateLimited(None),
        StatusCode::REQUEST_TIMEOUT => AppError::RequestTimeout,
        s if s.is_client_error() => AppError::BadRequest("请求无法处理，请检查后重试。".into()),
        StatusCode::SERVICE_UNAVAILABLE => AppError::Unavailable("layer".into()),
        _ => AppError::Internal(format!("bare {status} from a layer")),
    }
}
