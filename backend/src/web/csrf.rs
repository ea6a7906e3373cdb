//! CSRF protection for forms: every posted form repeats the browser's CSRF cookie in a
//! hidden field `csrf_token`; a form without it, or with another, is refused.

use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::session::CsrfToken;
use crate::error::AppError;

/// A form body whose CSRF token was checked.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct CsrfField {
    csrf_token: Option<String>,
}

impl<T, S> FromRequest<S> for CsrfForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let expected = request
            .extensions()
            .get::<CsrfToken>()
            .cloned()
            .ok_or(AppError::Csrf)?;
        let is_form = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::UnsupportedMediaType(
                "application/x-www-form-urlencoded",
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::Csrf)?;
        let given = field.csrf_token.unwrap_or_default();
        if given.is_empty() || !bool::from(given.as_bytes().ct_eq(expected.0.as_bytes())) {
            return Err(AppError::Csrf);
        }
        let value = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::BadRequest("表单内容无法解析，请刷新页面后重试。".into()))?;
        Ok(Self(value))
    }
}
