//! The OpenAPI document, generated from the handlers' annotations. Every operation names
//! the roles it admits in `x-roles`.

use std::collections::BTreeSet;

use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::error::{PROBLEM_JSON, Problem};
use crate::idempotency::{HEADER as IDEMPOTENCY_KEY, MAX_KEY_CHARS};
use crate::pagination::{MAX_PAGE, MAX_PER_PAGE};

/// The document's frame; the paths come from the routers that register each handler.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "阳光慈善 API",
        description = "吉林市慈善总会的募捐、收据、阳光超市与救助券平台。金额一律以分（fen）为单位的整数；错误一律为 RFC 9457 application/problem+json。",
        version = "1.0.0"
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem)),
    tags(
        (name = "operations", description = "运行状态"),
        (name = "identity", description = "登录与账户"),
        (name = "reference", description = "基础数据：行政区划、阳光超市、品牌项目、规划目标"),
        (name = "fundraising", description = "募捐：活动、认捐、到账、基金、单位名单"),
        (name = "receipts", description = "捐赠收据：开具、作废、换开、验证"),
        (name = "audit", description = "审计日志"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The statuses every operation can answer besides its own, each a reusable response in
/// `components.responses`: (status, component name, Chinese description).
const SHARED_RESPONSES: [(&str, &str, &str); 12] = [
    ("400", "BadRequest", "请求无法解析（JSON 或参数格式错误）"),
    ("401", "Unauthorized", "未登录，或令牌无效、过期、已退出"),
    ("403", "Forbidden", "角色无权进行此操作"),
    ("404", "NotFound", "未找到"),
    ("409", "Conflict", "与当前状态冲突"),
    ("408", "RequestTimeout", "请求没有在规定时间内送达"),
    ("413", "PayloadTooLarge", "请求内容过大"),
    ("415", "UnsupportedMediaType", "请求内容类型不正确"),
    (
        "422",
        "ValidationFailed",
        "输入有误：errors 逐项列出字段和原因",
    ),
    (
        "429",
        "TooManyRequests",
        "请求过于频繁；Retry-After 说明几秒后可重试",
    ),
    ("500", "InternalError", "服务器内部错误"),
    (
        "503",
        "ServiceUnavailable",
        "系统繁忙或暂不可用；Retry-After 说明几秒后可重试",
    ),
];

/// Completes the merged document with what the server answers besides each handler's own
/// statuses, read from facts every operation already states (its body, its parameters,
/// its security and `x-roles`), so that no annotation has to repeat them:
///
/// - every operation: 408 (the request timeout), 500, 503 (SQLite busy, database down);
/// - a request body: 400 (unreadable), 413 (too large), 415 (wrong media type), 422;
/// - query parameters: 400 and 422 (a parameter that does not parse or is out of range);
/// - path parameters: 400 (not valid UTF-8, not a number) and 404;
/// - an `Idempotency-Key` header: 422 (a malformed key) and 409 (a key reused otherwise);
/// - a bearer token: 401; and 403 unless `x-roles` admits everyone signed in;
/// - every 429 and 503 says `Retry-After`, every 401 `WWW-Authenticate`.
///
/// It also writes the real limits of parameters (`page`, `per_page`) and of request
/// bodies' fields (lengths, patterns, amounts) from the constants and the configuration
/// the code checks them against.
pub fn complete(doc: &mut utoipa::openapi::OpenApi, max_amount_fen: i64) {
    body_limits(doc, max_amount_fen);
    let components = doc.components.get_or_insert_with(Default::default);
    for (status, name, description) in SHARED_RESPONSES {
        components.responses.insert(
            name.to_owned(),
            problem_response(status, description).into(),
        );
    }
    for (path, item) in &mut doc.paths.paths {
        for operation in operations(item) {
            complete_operation(path, operation);
        }
    }
}

fn problem_response(status: &str, description: &str) -> Response {
    let mut builder = ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        Content::new(Some(Ref::from_schema_name("Problem"))),
    );
    builder = match status {
        "401" => builder.header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .schema(Some(Object::with_type(Type::String)))
                .description(Some("Bearer"))
                .build(),
        ),
        "429" | "503" => builder.header("Retry-After", retry_after()),
        _ => builder,
    };
    builder.build()
}

fn retry_after() -> Header {
    HeaderBuilder::new()
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1)),
        ))
        .description(Some("几秒后可重试"))
        .build()
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// The statuses an operation can answer that follow from what it states.
pub fn implied_statuses(operation: &Operation) -> BTreeSet<&'static str> {
    let mut statuses: BTreeSet<&'static str> = ["408", "500", "503"].into();
    if let Some(body) = &operation.request_body {
        statuses.extend(["400", "413", "422"]);
        let json = match body {
            RefOr::T(body) => body.content.keys().any(|c| c.contains("json")),
            RefOr::Ref(_) => true,
        };
        if json {
            statuses.insert("415");
        }
    }
    for parameter in operation.parameters.iter().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        match parameter.parameter_in {
            ParameterIn::Query => statuses.extend(["400", "422"]),
            ParameterIn::Path => {
                statuses.extend(["400", "404"]);
                // A number out of its documented range is refused on the field.
                if let Some(RefOr::T(Schema::Object(schema))) = &parameter.schema
                    && (schema.minimum.is_some() || schema.maximum.is_some())
                {
                    statuses.insert("422");
                }
            }
            ParameterIn::Header if parameter.name.eq_ignore_ascii_case(IDEMPOTENCY_KEY) => {
                statuses.extend(["409", "422"])
            }
            _ => {}
        }
    }
    let (bearer, anonymous) = security(operation);
    if bearer {
        statuses.insert("401");
        // Where a caller may also come without a token, a wrong role is told no other way
        // than one without a token (404 for a pledge, say), unless the handler says 403.
        if !anonymous && !admits_everyone_signed_in(operation) {
            statuses.insert("403");
        }
    }
    statuses
}

fn complete_operation(path: &str, operation: &mut Operation) {
    parameter_limits(path, operation);
    for status in implied_statuses(operation) {
        if !operation.responses.responses.contains_key(status) {
            let name = SHARED_RESPONSES
                .iter()
                .find(|(s, _, _)| *s == status)
                .map(|(_, name, _)| *name)
                .expect("every implied status has a shared response");
            operation
                .responses
                .responses
                .insert(status.to_owned(), Ref::from_response_name(name).into());
        }
    }
    // An operation's own 429 or 503 (with its own description) says Retry-After too.
    for (status, response) in &mut operation.responses.responses {
        if let (RefOr::T(response), "429" | "503") = (response, status.as_str()) {
            response
                .headers
                .entry("Retry-After".to_owned())
                .or_insert_with(|| retry_after().into());
        }
    }
}

/// The limits of an operation's parameters, from the constants the code checks.
fn parameter_limits(path: &str, operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        if parameter.parameter_in == ParameterIn::Header
            && parameter.name.eq_ignore_ascii_case(IDEMPOTENCY_KEY)
        {
            parameter.schema = Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(MAX_KEY_CHARS))
                    .pattern(Some("^[!-~]+$"))
                    .into(),
            );
            continue;
        }
        if parameter.parameter_in == ParameterIn::Path {
            for (_, _, fewest, most) in PATH_LIMITS
                .iter()
                .filter(|(p, name, _, _)| *p == path && *name == parameter.name)
            {
                if let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() {
                    schema.minimum = Some((*fewest as isize).into());
                    schema.maximum = Some((*most as isize).into());
                }
            }
            continue;
        }
        if parameter.parameter_in != ParameterIn::Query {
            continue;
        }
        let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() else {
            continue;
        };
        // A query parameter is either absent or a value: it cannot be null.
        if let SchemaType::Array(types) = &schema.schema_type {
            let types: Vec<Type> = types
                .iter()
                .filter(|t| **t != Type::Null)
                .cloned()
                .collect();
            if types.len() == 1 {
                schema.schema_type = SchemaType::Type(types[0].clone());
            }
        }
        for (_, _, most, pattern) in QUERY_TEXT
            .iter()
            .filter(|(p, name, _, _)| *p == path && *name == parameter.name)
        {
            schema.max_length = Some(*most);
            schema.pattern = pattern.map(str::to_owned);
        }
        match parameter.name.as_str() {
            "page" => {
                schema.minimum = Some(1.into());
                schema.maximum = Some((MAX_PAGE as usize).into());
            }
            "per_page" => {
                schema.minimum = Some(1.into());
                schema.maximum = Some((MAX_PER_PAGE as usize).into());
            }
            _ => {}
        }
    }
}

/// Whether an operation takes a bearer token, and whether it may also be called without.
fn security(operation: &Operation) -> (bool, bool) {
    let Some(requirements) = &operation.security else {
        return (false, true);
    };
    let names: Vec<serde_json::Value> = requirements
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok())
        .collect();
    (
        names.iter().any(|n| n.get("bearer").is_some()),
        names
            .iter()
            .any(|n| n.as_object().is_some_and(|o| o.is_empty())),
    )
}

/// `x-roles` of an operation open to every signed-in caller say "signed in".
fn admits_everyone_signed_in(operation: &Operation) -> bool {
    operation
        .extensions
        .as_ref()
        .and_then(|e| e.get("x-roles"))
        .and_then(|roles| roles.as_array())
        .is_some_and(|roles| roles.iter().any(|r| r == "signed in"))
}

/// How the server checks a text field.
#[derive(Debug, Clone, Copy)]
enum Text {
    /// Any characters, within the length.
    Any,
    /// Not blank once trimmed.
    NonBlank,
    /// Prints as typed (`kernel::text::typed`): no control or bidirectional
    /// characters, and not made only of blanks or invisible characters; may be empty.
    Prints,
    /// Prints as typed and is not empty.
    PrintsNonBlank,
    /// A sign-in name: 3–32 of `a-z 0-9 _ . -`.
    Username,
}

/// A regular-expression class of the characters `keep` admits, written as the
/// characters themselves (ECMA-262 and Python read them alike; escapes of code points
/// beyond the BMP differ), in ranges.
fn class(keep: impl Fn(char) -> bool) -> String {
    fn push(out: &mut String, (first, last): (char, char)) {
        let escaped = |out: &mut String, c: char| {
            if "\\]^-[".contains(c) {
                out.push('\\');
            }
            out.push(c);
        };
        escaped(out, first);
        if last != first {
            if u32::from(last) > u32::from(first) + 1 {
                out.push('-');
            }
            escaped(out, last);
        }
    }
    let mut out = String::from("[");
    let mut run: Option<(char, char)> = None;
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        match run {
            Some((first, last)) if keep(c) && u32::from(last) + 1 == u32::from(c) => {
                run = Some((first, c));
            }
            _ if keep(c) => {
                if let Some(done) = run.replace((c, c)) {
                    push(&mut out, done);
                }
            }
            _ => {
                if let Some(done) = run.take() {
                    push(&mut out, done);
                }
            }
        }
    }
    if let Some(done) = run {
        push(&mut out, done);
    }
    out.push(']');
    out
}

impl Text {
    fn pattern(self) -> Option<String> {
        static PRINTS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let prints = PRINTS.get_or_init(|| {
            let may_appear = class(crate::kernel::text::may_appear);
            format!(
                "{may_appear}*{}{may_appear}*",
                class(crate::kernel::text::draws)
            )
        });
        match self {
            Self::Any => None,
            Self::NonBlank => Some(r"\S".to_owned()),
            Self::Prints => Some(format!("^(?:{prints})?$")),
            Self::PrintsNonBlank => Some(format!("^{prints}$")),
            Self::Username => Some("^[a-z0-9_.-]{3,32}$".to_owned()),
        }
    }
}

/// The text fields of request bodies as the server checks them: (schema, property,
/// fewest and most characters, rule).
const TEXT_FIELDS: &[(&str, &str, usize, usize, Text)] = {
    use crate::identity::api::MAX_CREDENTIAL_CHARS as CREDENTIAL;
    use crate::identity::password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
    &[
        ("LoginRequest", "username", 1, CREDENTIAL, Text::NonBlank),
        ("LoginRequest", "password", 1, CREDENTIAL, Text::Any),
        ("RefreshRequest", "refresh_token", 1, CREDENTIAL, Text::Any),
        ("SignUp", "username", 3, 32, Text::Username),
        (
            "SignUp",
            "password",
            MIN_PASSWORD_CHARS,
            MAX_PASSWORD_CHARS,
            Text::Any,
        ),
        ("SignUp", "display_name", 0, 64, Text::Prints),
        ("CreateUserRequest", "username", 3, 32, Text::Username),
        (
            "CreateUserRequest",
            "password",
            MIN_PASSWORD_CHARS,
            MAX_PASSWORD_CHARS,
            Text::Any,
        ),
        ("CreateUserRequest", "display_name", 0, 64, Text::Prints),
        ("NewCampaign", "name", 1, 100, Text::PrintsNonBlank),
        ("NewUnit", "name", 1, 100, Text::PrintsNonBlank),
        ("ReasonRequest", "reason", 1, 500, Text::NonBlank),
        ("ReverseRequest", "reason", 1, 500, Text::NonBlank),
        ("ReissueRequest", "reason", 1, 500, Text::NonBlank),
        ("Allocation", "reason", 1, 500, Text::NonBlank),
        ("WithdrawRequest", "reason", 0, 200, Text::Prints),
    ]
};

/// Path parameters with a range: (path, parameter, lowest, highest).
const PATH_LIMITS: &[(&str, &str, i32, i32)] = &[(
    "/api/v1/me/statements/{year}",
    "year",
    crate::receipts::statement::FIRST_YEAR,
    crate::receipts::statement::LAST_YEAR,
)];

/// Query parameters with limits of their own: (path, parameter, most characters, pattern).
const QUERY_TEXT: &[(&str, &str, usize, Option<&str>)] = &[
    ("/api/v1/payments", "q", 100, None),
    (
        "/api/v1/payments",
        "status",
        9,
        Some("^(unmatched|matched|reversal)$"),
    ),
    ("/api/v1/pledges", "q", 50, None),
];

/// Writes the limits of request bodies' fields into their schemas: the text rules above
/// and amounts from 1 fen to the configured largest (a campaign's target to its own).
fn body_limits(doc: &mut utoipa::openapi::OpenApi, max_amount_fen: i64) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let schemas = &mut components.schemas;
    for (schema, name, fewest, most, rule) in TEXT_FIELDS {
        let field = property(schemas, schema, name)
            .unwrap_or_else(|| panic!("{schema}.{name} is a documented text field"));
        if *fewest > 0 {
            field.min_length = Some(*fewest);
        }
        field.max_length = Some(*most);
        field.pattern = rule.pattern();
    }
    let max_target = crate::fundraising::campaigns::MAX_TARGET_FEN;
    for (schema, name, most) in [
        ("PledgeRequest", "amount_fen", max_amount_fen),
        ("NewPayment", "amount_fen", max_amount_fen),
        ("Allocation", "amount_fen", i64::MAX),
        ("NewCampaign", "target_fen", max_target),
    ] {
        let field = property(schemas, schema, name)
            .unwrap_or_else(|| panic!("{schema}.{name} is a documented amount"));
        field.minimum = Some(1.into());
        field.maximum = Some((most as isize).into());
    }
}

/// A property of a component schema, to write its limits into.
fn property<'a>(
    schemas: &'a mut std::collections::BTreeMap<String, RefOr<Schema>>,
    schema: &str,
    name: &str,
) -> Option<&'a mut Object> {
    let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(schema) else {
        return None;
    };
    match object.properties.get_mut(name) {
        Some(RefOr::T(Schema::Object(field))) => Some(field),
        _ => None,
    }
}
