//! Signing in, tokens and their rotation.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tests::{DEMO_PASSWORD, TestApp};

use crate::helpers::assert_problem;

#[tokio::test]
async fn signing_in_with_the_right_password_returns_tokens_and_the_user() {
    let app = TestApp::spawn().await;
    let response = app.login("finance", DEMO_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let session: Value = response.json().await.expect("json");
    assert!(
        session["access_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert!(
        session["refresh_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 40)
    );
    assert_eq!(session["expires_in"], 15 * 60);
    assert_eq!(session["user"]["username"], "finance");
    assert_eq!(session["user"]["role"], "finance");

    let me = app
        .get("/api/v1/me", session["access_token"].as_str())
        .await;
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.expect("json");
    assert_eq!(me["role"], "finance");
}

#[tokio::test]
async fn a_bound_role_carries_its_binding_in_the_session() {
    let app = TestApp::spawn().await;
    let store = app.session("store").await;
    assert_eq!(store["user"]["role"], "store_staff");
    assert!(store["user"]["store_id"].as_str().is_some());
    let caseworker = app.session("caseworker").await;
    assert_eq!(caseworker["user"]["region_code"], "220202");
    let unit = app.session("unit").await;
    assert!(unit["user"]["unit_id"].as_str().is_some());
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_are_refused_alike() {
    let app = TestApp::spawn().await;
    let wrong = assert_problem(app.login("finance", "not-the-password").await, 401).await;
    let unknown = assert_problem(app.login("nobody", "not-the-password").await, 401).await;
    assert_eq!(wrong, unknown, "the answer does not tell which was wrong");
    assert_eq!(wrong["type"], "/problems/bad-credentials");
}

#[tokio::test]
async fn empty_credentials_are_a_validation_problem_naming_each_field() {
    let app = TestApp::spawn().await;
    let body = assert_problem(app.login("", "").await, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["username", "password"]);
}

#[tokio::test]
async fn me_without_a_token_asks_to_sign_in() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/me", None).await;
    assert_eq!(
        response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    let body = assert_problem(response, 401).await;
    assert_eq!(body["type"], "/problems/unauthenticated");
}

fn claims_for(session: &Value, exp_offset: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "sub": session["user"]["id"],
        "name": session["user"]["username"],
        "role": session["user"]["role"],
        "iat": now - 3600,
        "exp": now + exp_offset,
        "iss": "sunshine",
        "typ": "access",
    })
}

#[tokio::test]
async fn an_expired_token_is_refused_as_expired() {
    let app = TestApp::spawn().await;
    let session = app.session("admin").await;
    let key = EncodingKey::from_secret(app.state.config.secrets.token_key.bytes()).expect("key");
    let expired = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims_for(&session, -600),
        &key,
    )
    .expect("encode");
    let body = assert_problem(app.get("/api/v1/me", Some(&expired)).await, 401).await;
    assert_eq!(body["type"], "/problems/token-expired");
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let app = TestApp::spawn().await;
    let session = app.session("donor").await;
    let token = session["access_token"].as_str().expect("token");
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    // Promote the donor to admin without re-signing.
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).expect("b64")).expect("json");
    claims["role"] = json!("admin");
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    let tampered = parts.join(".");
    let body = assert_problem(app.get("/api/v1/users", Some(&tampered)).await, 401).await;
    assert_eq!(body["type"], "/problems/invalid-token");
}

#[tokio::test]
async fn an_alg_none_token_is_refused() {
    let app = TestApp::spawn().await;
    let session = app.session("admin").await;
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims_for(&session, 600).to_string());
    for token in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
    ] {
        let body = assert_problem(app.get("/api/v1/me", Some(&token)).await, 401).await;
        assert_eq!(body["type"], "/problems/invalid-token");
    }
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let app = TestApp::spawn().await;
    let session = app.session("admin").await;
    let key = EncodingKey::from_secret(b"a key that is not the server's key at all").expect("key");
    let forged = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims_for(&session, 600),
        &key,
    )
    .expect("encode");
    assert_problem(app.get("/api/v1/me", Some(&forged)).await, 401).await;
}

#[tokio::test]
async fn a_malformed_authorization_header_is_refused() {
    let app = TestApp::spawn().await;
    for value in ["Basic YWRtaW46eA==", "Bearer", "Bearer not.a.jwt", "token"] {
        let response = app
            .client
            .get(app.url("/api/v1/me"))
            .header("authorization", value)
            .send()
            .await
            .expect("request");
        assert_problem(response, 401).await;
    }
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/refresh",
        &json!({ "refresh_token": token }),
        None,
    )
    .await
}

#[tokio::test]
async fn refreshing_rotates_the_pair_and_the_new_access_token_works() {
    let app = TestApp::spawn().await;
    let first = app.session("finance").await;
    let response = refresh(&app, first["refresh_token"].as_str().expect("rt")).await;
    assert_eq!(response.status(), 200);
    let second: Value = response.json().await.expect("json");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let me = app.get("/api/v1/me", second["access_token"].as_str()).await;
    assert_eq!(me.status(), 200);
}

#[tokio::test]
async fn a_refresh_token_used_twice_revokes_the_whole_family() {
    let app = TestApp::spawn().await;
    let first = app.session("finance").await;
    let stolen = first["refresh_token"].as_str().expect("rt").to_owned();
    let rotated: Value = refresh(&app, &stolen).await.json().await.expect("json");
    let rotated_token = rotated["refresh_token"].as_str().expect("rt").to_owned();

    // The old token comes back: someone kept a copy.
    let body = assert_problem(refresh(&app, &stolen).await, 401).await;
    assert_eq!(body["type"], "/problems/refresh-revoked");
    // The legitimate holder's newer token is revoked too.
    let body = assert_problem(refresh(&app, &rotated_token).await, 401).await;
    assert_eq!(body["type"], "/problems/refresh-revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_refresh_token_sent_at_once_yields_at_most_one_session() {
    let app = TestApp::spawn().await;
    let session = app.session("auditor").await;
    let token = session["refresh_token"].as_str().expect("rt").to_owned();
    let attempts = (0..8).map(|_| refresh(&app, &token));
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    let granted = statuses.iter().filter(|s| **s == 200).count();
    assert!(granted <= 1, "at most one rotation wins: {statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 401),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn logging_out_revokes_the_refresh_token() {
    let app = TestApp::spawn().await;
    let session = app.session("donor").await;
    let access = session["access_token"].as_str().expect("at");
    let refresh_token = session["refresh_token"].as_str().expect("rt");
    let out = app
        .post_json(
            "/api/v1/auth/logout",
            &json!({ "refresh_token": refresh_token }),
            Some(access),
        )
        .await;
    assert_eq!(out.status(), 204);
    let body = assert_problem(refresh(&app, refresh_token).await, 401).await;
    assert_eq!(body["type"], "/problems/refresh-revoked");
}

#[tokio::test]
async fn logging_out_without_a_body_revokes_every_session_of_the_user() {
    let app = TestApp::spawn().await;
    let phone = app.session("donor").await;
    let laptop = app.session("donor").await;
    let out = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(phone["access_token"].as_str().expect("at"))
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), 204);
    for session in [phone, laptop] {
        assert_problem(
            refresh(&app, session["refresh_token"].as_str().expect("rt")).await,
            401,
        )
        .await;
    }
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_client_address() {
    let app = TestApp::spawn_with(&[("SUNSHINE_LOGINS_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        assert_problem(app.login("admin", "guess").await, 401).await;
    }
    let body = assert_problem(app.login("admin", DEMO_PASSWORD).await, 429).await;
    assert_eq!(body["type"], "/problems/rate-limited");
}
