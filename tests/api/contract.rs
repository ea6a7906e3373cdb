//! The OpenAPI document says what the server does: every status an operation answers is
//! documented for it, with a problem body, and the shared parameters carry their limits.

use reqwest::Method;
use serde_json::Value;
use sunshine::pagination::MAX_PER_PAGE;
use tests::TestApp;

/// The demo accounts, one per role.
const USERNAMES: [&str; 7] = [
    "admin",
    "finance",
    "store",
    "caseworker",
    "unit",
    "auditor",
    "donor",
];

async fn document(app: &TestApp) -> Value {
    app.get("/api/openapi.json", None)
        .await
        .json()
        .await
        .expect("the document is JSON")
}

/// Every operation as (path, method, operation), sign-out last: it ends the tokens.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            all.push((path.clone(), method.clone(), operation.clone()));
        }
    }
    all.sort_by_key(|(path, _, _)| path.ends_with("/logout"));
    all
}

/// The path with each parameter replaced by something that names nothing.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    for segment in path.split('/') {
        if !out.is_empty() || path.starts_with('/') {
            out.push('/');
        }
        out.push_str(if segment.starts_with('{') {
            "x0"
        } else {
            segment
        });
    }
    out.replacen("//", "/", 1)
}

/// Asks `method path` in the ways a client gets wrong, each with and without a token of
/// each role, and checks that every status answered is documented for the operation and
/// every error is a problem.
#[tokio::test]
async fn every_status_an_operation_answers_is_documented() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let mut tokens: Vec<Option<String>> = vec![None];
    for username in USERNAMES {
        tokens.push(Some(app.token(username).await));
    }
    let mut undocumented = Vec::new();
    for (path, method, operation) in operations(&doc) {
        let documented = operation["responses"].as_object().expect("responses");
        let url = app.url(&concrete(&path));
        let method: Method = method.to_uppercase().parse().expect("method");
        let has_body = operation.get("requestBody").is_some();
        let has_query = operation["parameters"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["in"] == "query"));
        let mut attempts: Vec<(&str, reqwest::RequestBuilder)> = Vec::new();
        for token in &tokens {
            let request = |builder: reqwest::RequestBuilder| match token {
                Some(t) => builder.bearer_auth(t),
                None => builder,
            };
            attempts.push(("plain", request(app.client.request(method.clone(), &url))));
            if has_body {
                attempts.push((
                    "malformed JSON",
                    request(app.client.request(method.clone(), &url))
                        .header("content-type", "application/json")
                        .body("{"),
                ));
                attempts.push((
                    "text instead of JSON",
                    request(app.client.request(method.clone(), &url))
                        .header("content-type", "text/plain")
                        .body("hello"),
                ));
                attempts.push((
                    "empty object",
                    request(app.client.request(method.clone(), &url))
                        .header("content-type", "application/json")
                        .body("{}"),
                ));
            }
            if has_query {
                attempts.push((
                    "bad query",
                    request(
                        app.client
                            .request(method.clone(), format!("{url}?page=x&per_page=0")),
                    ),
                ));
            }
            if path.contains('{') {
                attempts.push((
                    "path not UTF-8",
                    request(
                        app.client
                            .request(method.clone(), url.replace("/x0", "/%FF")),
                    ),
                ));
            }
        }
        // The optional-token operations must also answer a malformed Authorization.
        attempts.push((
            "malformed Authorization",
            app.client
                .request(method.clone(), &url)
                .header("authorization", "Basic eA=="),
        ));
        for (what, attempt) in attempts {
            let response = attempt.send().await.expect("the server answers");
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            if !documented.contains_key(&status.to_string()) {
                undocumented.push(format!("{method} {path} ({what}) answered {status}"));
            }
            if status >= 400 && !content_type.starts_with("application/problem+json") {
                undocumented.push(format!(
                    "{method} {path} ({what}) answered {status} as {content_type}"
                ));
            }
        }
    }
    undocumented.dedup();
    assert!(
        undocumented.is_empty(),
        "answers the document does not list:\n{}",
        undocumented.join("\n")
    );
}

/// What each operation states implies statuses: a token 401 (and 403 for some roles
/// only), a body 400/413/415/422, a path 404; every 429 and 503 says `Retry-After`; every
/// error is a problem.
#[tokio::test]
async fn every_operation_documents_what_its_form_implies() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    assert!(
        doc["components"]["schemas"]["Problem"].is_object(),
        "a Problem schema"
    );
    let shared = &doc["components"]["responses"];
    let resolve = |response: &Value| -> Value {
        match response["$ref"].as_str() {
            Some(r) => shared[r.trim_start_matches("#/components/responses/")].clone(),
            None => response.clone(),
        }
    };
    let mut missing = Vec::new();
    let all = operations(&doc);
    for (path, method, operation) in &all {
        let responses = operation["responses"].as_object().expect("responses");
        let security: Vec<Value> = operation["security"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let bearer = security.iter().any(|s| s.get("bearer").is_some());
        let anonymous = security.is_empty()
            || security
                .iter()
                .any(|s| s.as_object().is_some_and(|o| o.is_empty()));
        let roles = operation["x-roles"].as_array().expect("x-roles");
        let mut expected = vec!["408", "500", "503"];
        if bearer {
            expected.push("401");
            if !anonymous && !roles.iter().any(|r| r == "signed in") {
                expected.push("403");
            }
        }
        if operation.get("requestBody").is_some() {
            expected.extend(["400", "413", "422"]);
        }
        if path.contains('{') {
            expected.extend(["400", "404"]);
        }
        for status in expected {
            if !responses.contains_key(status) {
                missing.push(format!("{method} {path} lacks {status}"));
            }
        }
        for (status, response) in responses {
            let response = resolve(response);
            if status.starts_with(['4', '5'])
                && response["content"]["application/problem+json"].is_null()
            {
                missing.push(format!("{method} {path}: {status} is not a problem"));
            }
            if (status == "429" || status == "503") && response["headers"]["Retry-After"].is_null()
            {
                missing.push(format!("{method} {path}: {status} without Retry-After"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    // Those that take credentials in the body refuse bad ones with 401.
    for path in ["/api/v1/auth/login", "/api/v1/auth/refresh"] {
        assert!(
            doc["paths"][path]["post"]["responses"]["401"].is_object(),
            "post {path} documents 401"
        );
    }
    // The limited operations say so.
    for (path, method) in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/pledges", "post"),
        ("/api/v1/donors/signup", "post"),
        ("/api/v1/receipts/verify", "get"),
    ] {
        assert!(
            doc["paths"][path][method]["responses"]["429"].is_object(),
            "{method} {path} documents 429"
        );
    }
}

/// `page` and `per_page` carry the limits `PageQuery` checks, from its constant.
#[tokio::test]
async fn paged_lists_document_their_limits() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let mut seen = 0;
    for (path, method, operation) in operations(&doc) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let schema = &parameter["schema"];
            match parameter["name"].as_str() {
                Some("page") => {
                    assert_eq!(schema["minimum"], 1, "{method} {path} page");
                    seen += 1;
                }
                Some("per_page") => {
                    assert_eq!(schema["minimum"], 1, "{method} {path} per_page");
                    assert_eq!(schema["maximum"], MAX_PER_PAGE, "{method} {path} per_page");
                }
                _ => {}
            }
        }
    }
    assert!(seen >= 5, "the paged lists ({seen})");
    // The limit documented is the limit kept.
    let token = app.token("admin").await;
    let at_limit = app
        .get(
            &format!("/api/v1/payments?per_page={MAX_PER_PAGE}"),
            Some(&token),
        )
        .await;
    assert_eq!(at_limit.status(), 200);
    let over = app
        .get(
            &format!("/api/v1/payments?per_page={}", MAX_PER_PAGE + 1),
            Some(&token),
        )
        .await;
    assert_eq!(over.status(), 422);
}

/// What schemathesis found, each kept from coming back.
mod found_by_schemathesis {
    use serde_json::{Value, json};
    use sunshine::pagination::MAX_PAGE;
    use tests::TestApp;

    use super::document;
    use crate::helpers::assert_problem;

    /// `page=9223372036854775808` made an offset past the databases' integers: a 500.
    #[tokio::test]
    async fn a_page_past_the_last_possible_is_refused_not_a_server_error() {
        let app = TestApp::spawn().await;
        for page in [MAX_PAGE + 1, 9_223_372_036_854_775_808, u64::MAX] {
            let response = app
                .get(&format!("/api/v1/campaigns?page={page}"), None)
                .await;
            let problem = assert_problem(response, 422).await;
            assert_eq!(problem["errors"][0]["field"], "page", "page={page}");
        }
        let last = app
            .get(
                &format!("/api/v1/campaigns?page={MAX_PAGE}&per_page=500"),
                None,
            )
            .await;
        assert_eq!(last.status(), 200, "the last page allowed is an empty page");
        let body: Value = last.json().await.expect("json");
        assert_eq!(body["items"], json!([]));
    }

    /// The document says 256 characters; the server counted bytes, so 100 Chinese
    /// characters (300 bytes) were refused as too long instead of checked.
    #[tokio::test]
    async fn credentials_are_measured_in_characters_as_documented() {
        let app = TestApp::spawn().await;
        let doc = document(&app).await;
        let limit = &doc["components"]["schemas"]["LoginRequest"]["properties"]["password"];
        assert_eq!(limit["maxLength"], 256);
        let password = "密".repeat(256);
        let response = app
            .post_json(
                "/api/v1/auth/login",
                &json!({ "username": "admin", "password": password }),
                None,
            )
            .await;
        assert_problem(response, 401).await;
        let too_long = "密".repeat(257);
        let response = app
            .post_json(
                "/api/v1/auth/login",
                &json!({ "username": "admin", "password": too_long }),
                None,
            )
            .await;
        assert_problem(response, 422).await;
    }

    /// A statement's year outside 2000–2100 is refused with 422, which the document
    /// did not list (nor the range).
    #[tokio::test]
    async fn a_statement_year_has_its_range_and_its_refusal_documented() {
        let app = TestApp::spawn().await;
        let doc = document(&app).await;
        let operation = &doc["paths"]["/api/v1/me/statements/{year}"]["get"];
        let year = &operation["parameters"][0]["schema"];
        assert_eq!(year["minimum"], sunshine::receipts::statement::FIRST_YEAR);
        assert_eq!(year["maximum"], sunshine::receipts::statement::LAST_YEAR);
        assert!(operation["responses"]["422"].is_object());
        let token = app.token("donor").await;
        let response = app.get("/api/v1/me/statements/2101", Some(&token)).await;
        assert_problem(response, 422).await;
    }

    /// A second unit of the same name under one parent is 409, undocumented before.
    #[tokio::test]
    async fn a_unit_named_twice_is_a_documented_conflict() {
        let app = TestApp::spawn().await;
        let doc = document(&app).await;
        assert!(doc["paths"]["/api/v1/units"]["post"]["responses"]["409"].is_object());
        let token = app.token("admin").await;
        let parent: Value = app
            .post_json(
                "/api/v1/units",
                &json!({ "name": "吉林市第一中学" }),
                Some(&token),
            )
            .await
            .json()
            .await
            .expect("json");
        let branch = json!({ "name": "工会", "parent_id": parent["id"] });
        let first = app.post_json("/api/v1/units", &branch, Some(&token)).await;
        assert_eq!(first.status(), 201);
        let again = app.post_json("/api/v1/units", &branch, Some(&token)).await;
        assert_problem(again, 409).await;
    }

    /// The `Idempotency-Key` header was documented as any string; non-ASCII keys and
    /// keys over 100 characters are refused with 422.
    #[tokio::test]
    async fn the_idempotency_key_is_documented_as_the_server_reads_it() {
        let app = TestApp::spawn().await;
        let doc = document(&app).await;
        let parameter = doc["paths"]["/api/v1/pledges"]["post"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == "Idempotency-Key")
            .cloned()
            .expect("the key is documented");
        assert_eq!(parameter["schema"]["maxLength"], 100);
        assert_eq!(parameter["schema"]["pattern"], "^[!-~]+$");
        let response = app
            .client
            .post(app.url("/api/v1/pledges"))
            .header("idempotency-key", "k".repeat(101))
            .json(&json!({}))
            .send()
            .await
            .expect("answer");
        assert_problem(response, 422).await;
    }
}
