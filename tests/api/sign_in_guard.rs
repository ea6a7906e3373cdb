//! Sign-in under attack and signing out: an account guessed at from many addresses is
//! locked for a while, with the reason and the time to wait; signing out ends the access
//! token at once, for the API and, in another server process, within a second.

use serde_json::{Value, json};
use tests::TestApp;

use crate::helpers::assert_problem;

async fn wrong_password(app: &TestApp) -> reqwest::Response {
    app.post_json(
        "/api/v1/auth/login",
        &json!({ "username": "finance", "password": "not the password" }),
        None,
    )
    .await
}

#[tokio::test]
async fn ten_wrong_passwords_in_a_row_lock_the_account_even_for_the_right_one() {
    let app = TestApp::spawn().await;
    for _ in 0..9 {
        assert_problem(wrong_password(&app).await, 401).await;
    }
    let locked = wrong_password(&app).await;
    assert_eq!(locked.status(), 429);
    let seconds: u64 = locked
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((840..=900).contains(&seconds), "{seconds}");
    let problem: Value = locked.json().await.expect("json");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("锁定") && d.contains("15 分钟")),
        "{problem}"
    );
    // The right password is refused too while the lock lasts.
    let right = app.login("finance", "sunshine2026").await;
    assert_eq!(right.status(), 429);
    assert!(right.headers().contains_key("retry-after"));
    // Other accounts are not affected, and the audit log says what happened.
    assert_eq!(app.login("admin", "sunshine2026").await.status(), 200);
    let auditor = app.token("auditor").await;
    let audit: Value = app
        .get("/api/v1/audit?action=user.lock", Some(&auditor))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(audit["total"], 1, "{audit}");
}

#[tokio::test]
async fn a_right_password_clears_the_count_of_failures() {
    let app = TestApp::spawn().await;
    for _ in 0..9 {
        assert_problem(wrong_password(&app).await, 401).await;
    }
    assert_eq!(app.login("finance", "sunshine2026").await.status(), 200);
    for _ in 0..9 {
        assert_problem(wrong_password(&app).await, 401).await;
    }
    assert_eq!(app.login("finance", "sunshine2026").await.status(), 200);
}

#[tokio::test]
async fn signing_out_ends_the_access_token_at_once_in_every_process() {
    let app = TestApp::spawn().await;
    let program = env!("CARGO_BIN_EXE_sunshine");
    let other = tests::ServerChild::start(program, &app.database).await;
    let session = app.session("finance").await;
    let access = session["access_token"].as_str().expect("access").to_owned();
    let refresh = session["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let me = |base: String| {
        let client = app.client.clone();
        let access = access.clone();
        async move {
            client
                .get(format!("{base}/api/v1/me"))
                .bearer_auth(access)
                .send()
                .await
                .expect("me")
                .status()
                .as_u16()
        }
    };
    assert_eq!(me(app.address.clone()).await, 200);
    assert_eq!(me(other.address.clone()).await, 200);
    let out = app
        .post_json(
            "/api/v1/auth/logout",
            &json!({ "refresh_token": refresh }),
            Some(&access),
        )
        .await;
    assert_eq!(out.status(), 204);
    assert_eq!(
        me(app.address.clone()).await,
        401,
        "the same process refuses at once"
    );
    // The other process reads revocations once a second.
    let mut refused = false;
    for _ in 0..50 {
        if me(other.address.clone()).await == 401 {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        refused,
        "the other process still accepts a signed-out token"
    );
    // Another session of the same user goes on.
    let second = app.token("finance").await;
    assert_eq!(app.get("/api/v1/me", Some(&second)).await.status(), 200);
}
