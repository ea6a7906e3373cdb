//! Extractors that answer bad input with the app's problem+json instead of axum's text.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};

/// A JSON body; malformed JSON, a wrong content type and an oversized body get problems.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            AppError::UnsupportedMediaType("application/json")
        }
        JsonRejection::JsonSyntaxError(_) => {
            AppError::BadRequest("请求体不是有效的 JSON，请检查括号、引号和逗号。".into())
        }
        JsonRejection::JsonDataError(err) => {
            AppError::Validation(vec![data_error(&err.body_text())])
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        _ => AppError::BadRequest("无法读取请求体。".into()),
    }
}

/// Turns serde's message ("Failed to deserialize the JSON body into the target type:
/// donor.kind: unknown variant `x` …") into a field and a Chinese message.
fn data_error(text: &str) -> FieldError {
    let detail = text
        .split_once("target type: ")
        .map(|(_, rest)| rest)
        .unwrap_or(text);
    let (field, what) = match detail.split_once(": ") {
        Some((path, what)) if !path.contains(' ') => (path.to_owned(), what),
        _ => ("body".to_owned(), detail),
    };
    let message = if let Some(rest) = what.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        return FieldError::new(
            if field == "body" {
                name.to_owned()
            } else {
                format!("{field}.{name}")
            },
            "缺少必填字段",
        );
    } else if what.starts_with("invalid type") {
        format!("类型不正确（{}）", clean(what))
    } else if what.starts_with("unknown variant") {
        format!("取值不在允许范围内（{}）", clean(what))
    } else if what.starts_with("unknown field") {
        format!("不认识的字段（{}）", clean(what))
    } else {
        format!("取值无效（{}）", clean(what))
    };
    FieldError::new(field, message)
}

/// Keeps serde's explanation but drops the position, which means nothing to a person.
fn clean(what: &str) -> &str {
    what.split(" at line ").next().unwrap_or(what)
}

/// A query string; a malformed one gets a problem naming the parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(err)) => {
                let text = err.body_text();
                let detail = text
                    .split_once("query string: ")
                    .map_or(text.as_str(), |(_, r)| r);
                let (field, why) = match detail.split_once(": ") {
                    Some((field, why)) if !field.contains(' ') => (field, why),
                    _ => ("query", detail),
                };
                Err(AppError::Validation(vec![FieldError::new(
                    field,
                    format!("查询参数取值无效（{why}）"),
                )]))
            }
            Err(_) => Err(AppError::BadRequest("查询参数无法解析。".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::data_error;

    #[test]
    fn a_missing_field_is_named() {
        let e = data_error(
            "Failed to deserialize the JSON body into the target type: missing field `password` at line 1 column 20",
        );
        assert_eq!(e.field, "password");
        assert_eq!(e.message, "缺少必填字段");
    }

    #[test]
    fn a_nested_bad_value_names_its_path() {
        let e = data_error(
            "Failed to deserialize the JSON body into the target type: donor.kind: unknown variant `x`, expected `individual` at line 1 column 9",
        );
        assert_eq!(e.field, "donor.kind");
        assert!(e.message.starts_with("取值不在允许范围内"));
        assert!(!e.message.contains("line 1"));
    }
}
