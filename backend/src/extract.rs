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
    if let Some(rest) = what.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        return FieldError::new(
            if field == "body" {
                name.to_owned()
            } else {
                format!("{field}.{name}")
            },
            "缺少必填字段",
        );
    }
    let message = in_chinese(clean(what), &field);
    FieldError::new(field, message)
}

/// Keeps nothing of serde's English: what was expected and what came, said in Chinese.
/// The values quoted (a variant, a field's name) stay as they were sent.
fn in_chinese(what: &str, field: &str) -> String {
    let quoted = |text: &str| text.split('`').nth(1).unwrap_or_default().to_owned();
    if let Some(rest) = what.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        if field.ends_with("_fen") && got.starts_with("floating point") {
            return format!(
                "金额以“分”为单位，须为整数（如 100 表示 1 元），不能是 {}",
                quoted(got)
            );
        }
        return format!(
            "类型不正确：应为{}，收到的是{}",
            kind_of(expected),
            kind_of(got)
        );
    }
    if let Some(rest) = what.strip_prefix("invalid value: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!(
            "取值无效：应为{}，收到的是{}",
            kind_of(expected),
            kind_of(got)
        );
    }
    if what.starts_with("unknown variant") {
        return format!("“{}”不是允许的取值{}", quoted(what), choices(what));
    }
    if what.starts_with("unknown field") {
        return format!("不认识的字段“{}”{}", quoted(what), choices(what));
    }
    if what.starts_with("duplicate field") {
        return format!("字段“{}”重复出现", quoted(what));
    }
    if what.starts_with("invalid length") {
        return "元素个数不正确".into();
    }
    if what.contains("out of range") || what.contains("too large") {
        return "数值超出范围".into();
    }
    "取值无效，请检查格式".into()
}

/// `, expected one of `a`, `b`` → `（可选：a、b）`.
fn choices(what: &str) -> String {
    let Some((_, list)) = what.split_once("expected ") else {
        return String::new();
    };
    let names: Vec<&str> = list.split('`').skip(1).step_by(2).collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("（可选：{}）", names.join("、"))
    }
}

/// serde's name of a kind of value, or of a value, in Chinese.
fn kind_of(text: &str) -> String {
    let text = text.trim();
    let value = text.split('`').nth(1);
    let with = |kind: &str| match value {
        Some(v) => format!("{kind} {v}"),
        None => kind.to_owned(),
    };
    if text.starts_with("floating point") {
        with("小数")
    } else if text.starts_with("integer") {
        with("整数")
    } else if text.starts_with("string") || text.starts_with("a string") {
        "文字".into()
    } else if text.starts_with("boolean") || text == "a boolean" {
        with("true/false")
    } else if text == "null" || text == "unit value" {
        "空值 null".into()
    } else if text.starts_with("sequence") || text.starts_with("a sequence") {
        "数组".into()
    } else if text.starts_with("map") || text.starts_with("struct") || text.contains("map") {
        "对象".into()
    } else if [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize",
    ]
    .contains(&text)
    {
        "整数".into()
    } else if text == "f32" || text == "f64" {
        "数字".into()
    } else if text.starts_with("a valid date") || text.contains("date") {
        "日期（YYYY-MM-DD）".into()
    } else {
        "规定的格式".into()
    }
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
                    query_message(why),
                )]))
            }
            Err(_) => Err(AppError::BadRequest("查询参数无法解析。".into())),
        }
    }
}

/// What a query parameter's parser said, in Chinese.
fn query_message(why: &str) -> String {
    if why.contains("invalid digit") || why.contains("invalid float") {
        "查询参数应为数字".into()
    } else if why.contains("empty string") {
        "查询参数不能为空".into()
    } else if why.contains("too large") || why.contains("too small") {
        "查询参数的数值超出范围".into()
    } else if why.contains("provided string was not `true` or `false`") {
        "查询参数应为 true 或 false".into()
    } else if why.contains("input") || why.contains("premature end") {
        "查询参数的日期格式应为 YYYY-MM-DD".into()
    } else {
        format!("查询参数取值无效{}", {
            let c = choices(why);
            if c.is_empty() { String::new() } else { c }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{data_error, query_message};

    fn message(serde: &str) -> super::FieldError {
        data_error(&format!(
            "Failed to deserialize the JSON body into the target type: {serde} at line 1 column 9"
        ))
    }

    #[test]
    fn serde_s_english_never_reaches_people() {
        for serde in [
            "amount_fen: invalid type: floating point `1.5`, expected i64",
            "amount_fen: invalid type: floating point `1.0`, expected i64",
            "donor.kind: unknown variant `x`, expected one of `individual`, `organization`, `anonymous`",
            "name: invalid type: integer `5`, expected a string",
            "duplicate field `amount_fen`",
            "per_page: invalid value: integer `-1`, expected u64",
            "public_name_consent: invalid type: string \"yes\", expected a boolean",
            "unknown field `amount`, expected one of `campaign_id`, `amount_fen`",
            "received_on: input contains invalid characters",
        ] {
            let e = message(serde);
            assert!(
                !e.message.contains("expected")
                    && !e.message.contains("invalid")
                    && !e.message.contains("unknown")
                    && !e.message.contains("duplicate"),
                "{serde} → {}",
                e.message
            );
        }
        let fen = message("amount_fen: invalid type: floating point `1.0`, expected i64");
        assert!(
            fen.message.contains("整数") && fen.message.contains("分"),
            "{}",
            fen.message
        );
        let kind =
            message("donor.kind: unknown variant `x`, expected one of `individual`, `anonymous`");
        assert_eq!(
            kind.message,
            "“x”不是允许的取值（可选：individual、anonymous）"
        );
        for why in [
            "invalid digit found in string",
            "cannot parse integer from empty string",
            "input contains invalid characters",
            "number too large to fit in target type",
        ] {
            let said = query_message(why);
            assert!(
                !said.contains("invalid") && !said.contains("string"),
                "{why} → {said}"
            );
        }
    }

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
        assert!(e.message.contains("不是允许的取值"), "{}", e.message);
        assert!(!e.message.contains("line 1"));
    }
}
