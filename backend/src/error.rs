//! One error type for the whole server, answered as RFC 9457 problem+json.
//!
//! Every failure a client can see goes through [`AppError`]. Its `title` and `detail`
//! are Chinese, for people; its `type` is a stable English path, for programs. Internal
//! causes (database text, panics) are logged with the request id and never shown.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A field that failed validation, named as the client sent it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name in the request (`amount_fen`, `donor.name`).
    pub field: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl FieldError {
    /// A field error with its Chinese message.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A bad row of an uploaded file, numbered as a spreadsheet shows it (the header is row 1).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct RowError {
    /// The row as a spreadsheet numbers it.
    pub row: u32,
    /// The column's header, as in the file.
    pub column: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// Why the caller is not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No credentials were sent.
    Missing,
    /// The token is malformed, forged, of the wrong kind or signed otherwise.
    Invalid,
    /// The token was good but is past its time.
    Expired,
    /// Username or password is wrong.
    BadCredentials,
    /// A refresh token that was already used or revoked.
    RefreshRevoked,
    /// The access token's session was signed out.
    SignedOut,
}

/// Everything that can go wrong in a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The body or query did not pass validation; each field is named.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// An uploaded file has bad rows; nothing was imported.
    #[error("file has bad rows")]
    BadRows(Vec<RowError>),
    /// The request could not be read (malformed JSON, bad parameter).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Not signed in, or the credentials are bad.
    #[error("unauthenticated: {0:?}")]
    Unauthorized(AuthFailure),
    /// Signed in, but not allowed to do this.
    #[error("forbidden")]
    Forbidden,
    /// A form was posted without its CSRF token, or with a wrong one.
    #[error("csrf token missing or wrong")]
    Csrf,
    /// The thing asked for does not exist (or the caller may not know it does).
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// The route exists but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request was valid but the current state refuses it.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The thing existed but is gone for good (an expired or revoked voucher).
    #[error("gone: {0}")]
    Gone(String),
    /// The body is larger than the server accepts.
    #[error("payload too large")]
    PayloadTooLarge,
    /// The body is not of a media type this endpoint reads.
    #[error("unsupported media type")]
    UnsupportedMediaType(&'static str),
    /// Too many requests from this client; when known, the seconds until it may try again.
    #[error("rate limited")]
    RateLimited(Option<u64>),
    /// Too many failed sign-ins in a row: the account refuses sign-in for a while.
    #[error("account locked for {0} s")]
    AccountLocked(u64),
    /// The request (its body) did not arrive in time.
    #[error("request timeout")]
    RequestTimeout,
    /// The database is busy (SQLite's write lock held too long): try again shortly.
    #[error("busy: {0}")]
    Busy(String),
    /// The server is not ready (database down, migrations missing).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A bug or an outage; the cause is logged, never shown.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    /// A single-field validation error.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// An internal error whose cause is kept for the log only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// What a page tells a person: each field's message for a validation error, the
    /// problem's detail otherwise.
    pub fn for_people(&self) -> String {
        match self {
            Self::Validation(errors) => errors
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join("；"),
            other => other.problem().detail,
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::BadRows(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Gone(_) => StatusCode::GONE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited(_) | Self::AccountLocked(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Unavailable(_) | Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem body a client sees.
    pub fn problem(&self) -> Problem {
        let (kind, title, detail): (&str, &str, String) = match self {
            Self::Validation(_) => (
                "validation",
                "输入有误",
                "请求中有字段未通过校验，请按提示修改。".into(),
            ),
            Self::BadRows(rows) => (
                "bad-rows",
                "文件中有错误行",
                format!(
                    "文件中有 {} 处错误，整份文件未导入，请修改后重新上传。",
                    rows.len()
                ),
            ),
            Self::BadRequest(why) => ("bad-request", "请求无法解析", why.clone()),
            Self::Unauthorized(failure) => match failure {
                AuthFailure::Missing => (
                    "unauthenticated",
                    "需要登录",
                    "请先登录，或在请求中携带访问令牌。".into(),
                ),
                AuthFailure::Invalid => (
                    "invalid-token",
                    "令牌无效",
                    "访问令牌无效，请重新登录。".into(),
                ),
                AuthFailure::Expired => (
                    "token-expired",
                    "令牌已过期",
                    "访问令牌已过期，请刷新令牌或重新登录。".into(),
                ),
                AuthFailure::BadCredentials => (
                    "bad-credentials",
                    "用户名或密码错误",
                    "用户名或密码错误，请核对后重试。".into(),
                ),
                AuthFailure::RefreshRevoked => (
                    "refresh-revoked",
                    "刷新令牌已失效",
                    "刷新令牌已被使用或已注销，请重新登录。".into(),
                ),
                AuthFailure::SignedOut => (
                    "signed-out",
                    "已退出登录",
                    "该会话已退出登录，请重新登录。".into(),
                ),
            },
            Self::Forbidden => ("forbidden", "无权操作", "您的角色无权进行此操作。".into()),
            Self::Csrf => (
                "csrf",
                "表单已失效",
                "表单校验码缺失或不正确，请刷新页面后重新提交。".into(),
            ),
            Self::NotFound(what) => ("not-found", "未找到", format!("未找到{what}。")),
            Self::MethodNotAllowed => (
                "method-not-allowed",
                "不支持的请求方法",
                "该地址不支持此请求方法。".into(),
            ),
            Self::Conflict(why) => ("conflict", "与当前状态冲突", why.clone()),
            Self::Gone(why) => ("gone", "已失效", why.clone()),
            Self::PayloadTooLarge => (
                "payload-too-large",
                "请求内容过大",
                "请求内容超过了允许的大小。".into(),
            ),
            Self::UnsupportedMediaType(expected) => (
                "unsupported-media-type",
                "不支持的内容类型",
                format!("请求内容类型不正确，应为 {expected}。"),
            ),
            Self::RateLimited(seconds) => (
                "rate-limited",
                "请求过于频繁",
                match seconds {
                    Some(s) => format!("请求过于频繁，请 {s} 秒后再试。"),
                    None => "请求过于频繁，请稍后再试。".into(),
                },
            ),
            Self::AccountLocked(seconds) => (
                "account-locked",
                "账户已暂时锁定",
                format!(
                    "该账户连续多次密码错误，已暂时锁定，请约 {} 分钟后再试；如非本人操作，请联系管理员。",
                    seconds.div_ceil(60).max(1)
                ),
            ),
            Self::RequestTimeout => (
                "request-timeout",
                "请求超时",
                "请求没有在规定时间内送达（网络较慢或内容过大），请重试。".into(),
            ),
            Self::Busy(_) => (
                "busy",
                "系统繁忙",
                "系统正忙，这次操作没有执行，请几秒后重试。".into(),
            ),
            Self::Unavailable(_) => (
                "unavailable",
                "服务暂不可用",
                "服务暂时不可用，请稍后再试。".into(),
            ),
            Self::Internal(_) => (
                "internal",
                "服务器内部错误",
                "服务器出了点问题，我们已记录，请稍后再试。".into(),
            ),
        };
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.to_owned(),
            status: self.status().as_u16(),
            detail,
            errors: match self {
                Self::Validation(fields) => Some(ProblemErrors::Fields(fields.clone())),
                Self::BadRows(rows) => Some(ProblemErrors::Rows(rows.clone())),
                _ => None,
            },
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A stable English identifier of the kind of problem, such as `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short Chinese title.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened and what to do, in Chinese.
    pub detail: String,
    /// Each bad field or each bad row of a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<ProblemErrors>,
}

/// The itemised errors of a problem.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ProblemErrors {
    /// Bad fields of a JSON body or form.
    Fields(Vec<FieldError>),
    /// Bad rows of an uploaded file.
    Rows(Vec<RowError>),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            Self::Internal(cause) | Self::Unavailable(cause) | Self::Busy(cause) => {
                tracing::error!(error = %cause, status = status.as_u16(), "request failed");
            }
            _ => tracing::debug!(error = %self, status = status.as_u16(), "request refused"),
        }
        let mut response = (status, Json(self.problem())).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Self::Unauthorized(_) = self {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        // Every 429 says when to come back.
        let retry_after = match &self {
            Self::AccountLocked(seconds) | Self::RateLimited(Some(seconds)) => Some(*seconds),
            Self::RateLimited(None) => Some(60),
            Self::Busy(_) => Some(2),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

/// The unique constraints a person can run into, by how each database names them
/// (SQLite: `table.column, …`; PostgreSQL: the constraint's or index's name), with what
/// to tell that person. A service checks these first; the constraint answers the same
/// when two requests pass the check at once.
const CLASHES: &[(&[&str], &str)] = &[
    (
        &["users.username", "users_username_key"],
        "用户名已被使用，请换一个。",
    ),
    (
        &["campaigns.name", "campaigns_name_key"],
        "已有同名的募捐活动，请换一个名称。",
    ),
    (
        &[
            "work_units.parent_id, work_units.name",
            "idx_work_units_parent_name",
        ],
        "同一上级下已有同名单位。",
    ),
    (&["stores.name", "stores_name_key"], "已有同名的阳光超市。"),
    (
        &["projects.name", "projects_name_key"],
        "已有同名的品牌项目。",
    ),
];

/// What to tell a person whose request clashed with the unique constraint that the
/// database's message names.
fn clash_message(database_says: &str) -> &'static str {
    CLASHES
        .iter()
        .find(|(names, _)| names.iter().any(|n| database_says.contains(n)))
        .map_or("该记录已存在，不能重复创建。", |(_, message)| message)
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(says)) = err.sql_err() {
            return Self::Conflict(clash_message(&says).into());
        }
        let text = err.to_string();
        // SQLite's busy timeout ran out: nothing was written, a retry will do.
        if text.contains("database is locked") || text.contains("database table is locked") {
            return Self::Busy(text);
        }
        Self::Internal(err.to_string())
    }
}

/// The result of every service and handler.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::AppError;

    #[test]
    fn a_clash_names_what_clashed_in_either_database() {
        use super::clash_message;
        for says in [
            "UNIQUE constraint failed: campaigns.name",
            r#"duplicate key value violates unique constraint "campaigns_name_key""#,
        ] {
            assert_eq!(clash_message(says), "已有同名的募捐活动，请换一个名称。");
        }
        for says in [
            "UNIQUE constraint failed: work_units.parent_id, work_units.name",
            r#"duplicate key value violates unique constraint "idx_work_units_parent_name""#,
        ] {
            assert_eq!(clash_message(says), "同一上级下已有同名单位。");
        }
        assert_eq!(
            clash_message("UNIQUE constraint failed: users.username"),
            "用户名已被使用，请换一个。"
        );
        assert_eq!(
            clash_message("UNIQUE constraint failed: receipts.year, receipts.seq"),
            "该记录已存在，不能重复创建。"
        );
    }

    #[test]
    fn a_locked_sqlite_database_is_a_busy_503_with_retry_after() {
        let locked = sea_orm::DbErr::Exec(sea_orm::RuntimeErr::Internal(
            "error returned from database: (code: 5) database is locked".into(),
        ));
        let error = AppError::from(locked);
        assert!(matches!(error, AppError::Busy(_)), "{error:?}");
        let response = axum::response::IntoResponse::into_response(error);
        assert_eq!(response.status(), 503);
        assert_eq!(
            response.headers().get("retry-after").map(|v| v.as_bytes()),
            Some(&b"2"[..])
        );
    }
}
