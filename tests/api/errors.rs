//! Every kind of bad input gets a 4xx problem+json in Chinese, never a 500 or internals.

use serde_json::json;
use tests::TestApp;

use crate::helpers::assert_problem;

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(r#"{"username": "admin", "password": "#)
        .send()
        .await
        .expect("request");
    let body = assert_problem(response, 400).await;
    assert_eq!(body["type"], "/problems/bad-request");
}

#[tokio::test]
async fn a_wrong_content_type_is_unsupported() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "text/plain")
        .body(r#"{"username":"admin","password":"sunshine2026"}"#)
        .send()
        .await
        .expect("request");
    let body = assert_problem(response, 415).await;
    assert_eq!(body["type"], "/problems/unsupported-media-type");
}

#[tokio::test]
async fn an_oversized_body_is_refused_whole() {
    let app = TestApp::spawn().await;
    let huge = "字".repeat(400_000);
    let response = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "username": huge, "password": "x" }),
            None,
        )
        .await;
    let body = assert_problem(response, 413).await;
    assert_eq!(body["type"], "/problems/payload-too-large");
}

#[tokio::test]
async fn a_missing_field_is_named() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json("/api/v1/auth/login", &json!({ "username": "admin" }), None)
        .await;
    let body = assert_problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "password");
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_named() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json(
            "/api/v1/auth/login",
            &json!({ "username": 42, "password": "x" }),
            None,
        )
        .await;
    let body = assert_problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "username");
}

#[tokio::test]
async fn an_unknown_route_is_not_found_for_programs_and_people() {
    let app = TestApp::spawn().await;
    let body = assert_problem(app.get("/api/v1/no-such-thing", None).await, 404).await;
    assert_eq!(body["type"], "/problems/not-found");
    assert_problem(app.get("/no-such-page", None).await, 404).await;

    let page = app
        .client
        .get(app.url("/no-such-page"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("request");
    assert_eq!(page.status(), 404);
    let html = page.text().await.expect("html");
    assert!(html.contains("未找到"), "a person gets a page in Chinese");
}

#[tokio::test]
async fn a_wrong_method_is_not_allowed() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .delete(app.url("/api/v1/me"))
        .send()
        .await
        .expect("request");
    assert_problem(response, 405).await;
}

#[tokio::test]
async fn a_bad_query_parameter_is_named() {
    let app = TestApp::spawn().await;
    let body = assert_problem(app.get("/api/v1/regions?page=abc", None).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "page");
    let body = assert_problem(app.get("/api/v1/regions?per_page=100000", None).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "per_page");
}

#[tokio::test]
async fn a_missing_static_file_is_not_found() {
    let app = TestApp::spawn().await;
    assert_problem(app.get("/static/../../Cargo.toml", None).await, 404).await;
    assert_problem(app.get("/static/nothing.css", None).await, 404).await;
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/nothing", None).await;
    let id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert!(id.is_some_and(|id| id.len() >= 32));
    let mine = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .expect("request");
    assert_eq!(
        mine.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("trace-me-123")
    );
}
