//! Role checks: each endpoint admits only the roles it names.

use serde_json::{Value, json};
use tests::TestApp;

use crate::helpers::assert_problem;

#[tokio::test]
async fn only_admins_and_auditors_list_users() {
    let app = TestApp::spawn().await;
    for username in ["admin", "auditor"] {
        let token = app.token(username).await;
        let response = app.get("/api/v1/users", Some(&token)).await;
        assert_eq!(response.status(), 200, "{username} lists users");
        let page: Value = response.json().await.expect("json");
        assert_eq!(page["total"], 7);
    }
    for username in ["finance", "store", "caseworker", "unit", "donor"] {
        let token = app.token(username).await;
        let body = assert_problem(app.get("/api/v1/users", Some(&token)).await, 403).await;
        assert_eq!(body["type"], "/problems/forbidden");
    }
}

#[tokio::test]
async fn an_auditor_reads_but_cannot_write() {
    let app = TestApp::spawn().await;
    let token = app.token("auditor").await;
    let response = app
        .post_json(
            "/api/v1/users",
            &json!({ "username": "new_finance", "password": "long enough 1", "role": "finance" }),
            Some(&token),
        )
        .await;
    assert_problem(response, 403).await;
}

#[tokio::test]
async fn an_admin_creates_a_user_who_can_then_sign_in() {
    let app = TestApp::spawn().await;
    let token = app.token("admin").await;
    let response = app
        .post_json(
            "/api/v1/users",
            &json!({ "username": "li.kuaiji", "display_name": "李会计", "password": "long enough 1", "role": "finance" }),
            Some(&token),
        )
        .await;
    assert_eq!(response.status(), 201);
    let user: Value = response.json().await.expect("json");
    assert_eq!(user["display_name"], "李会计");
    assert_eq!(app.login("li.kuaiji", "long enough 1").await.status(), 200);

    let again = app
        .post_json(
            "/api/v1/users",
            &json!({ "username": "li.kuaiji", "password": "long enough 1", "role": "finance" }),
            Some(&token),
        )
        .await;
    assert_problem(again, 409).await;
}

#[tokio::test]
async fn a_bound_role_must_name_an_existing_binding() {
    let app = TestApp::spawn().await;
    let token = app.token("admin").await;
    let unbound = app
        .post_json(
            "/api/v1/users",
            &json!({ "username": "clerk", "password": "long enough 1", "role": "store_staff" }),
            Some(&token),
        )
        .await;
    let body = assert_problem(unbound, 422).await;
    assert_eq!(body["errors"][0]["field"], "store_id");

    let ghost = app
        .post_json(
            "/api/v1/users",
            &json!({ "username": "clerk", "password": "long enough 1", "role": "caseworker", "region_code": "999999" }),
            Some(&token),
        )
        .await;
    let body = assert_problem(ghost, 422).await;
    assert_eq!(body["errors"][0]["field"], "region_code");

    let stray = app
        .post_json(
            "/api/v1/users",
            &json!({ "username": "clerk", "password": "long enough 1", "role": "donor", "region_code": "220202" }),
            Some(&token),
        )
        .await;
    assert_problem(stray, 422).await;
}

#[tokio::test]
async fn a_weak_password_and_a_bad_username_are_both_reported() {
    let app = TestApp::spawn().await;
    let token = app.token("admin").await;
    let response = app
        .post_json(
            "/api/v1/users",
            &json!({ "username": "张三", "password": "short", "role": "donor" }),
            Some(&token),
        )
        .await;
    let body = assert_problem(response, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["username", "password"]);
}

#[tokio::test]
async fn an_unknown_role_is_refused() {
    let app = TestApp::spawn().await;
    let token = app.token("admin").await;
    let response = app
        .post_json(
            "/api/v1/users",
            &json!({ "username": "root", "password": "long enough 1", "role": "superuser" }),
            Some(&token),
        )
        .await;
    let body = assert_problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "role");
}
