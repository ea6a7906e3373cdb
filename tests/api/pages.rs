//! The pages: sign in with a form, cookies, CSRF, each role's home.

use reqwest::Client;
use tests::{DEMO_PASSWORD, TestApp};

use crate::helpers::assert_problem;

fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The CSRF token in a page's forms.
fn csrf_in(html: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..].split('"').next().expect("token").to_owned()
}

async fn sign_in(
    app: &TestApp,
    browser: &Client,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let page = browser
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page");
    let csrf = csrf_in(&page.text().await.expect("html"));
    browser
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", username),
            ("password", password),
            ("next", "/home"),
        ])
        .send()
        .await
        .expect("sign in")
}

#[tokio::test]
async fn the_sign_in_page_is_chinese_and_mobile_ready() {
    let app = TestApp::spawn().await;
    let response = browser().get(app.url("/login")).send().await.expect("page");
    assert_eq!(response.status(), 200);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sunshine_csrf="))
        .map(str::to_owned)
        .expect("csrf cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let html = response.text().await.expect("html");
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    assert!(html.contains("width=device-width"));
    assert!(html.contains("登录"));
}

#[tokio::test]
async fn each_role_signs_in_on_the_page_and_sees_its_home() {
    let app = TestApp::spawn().await;
    for (username, heading) in [
        ("admin", "慈善总会管理员工作台"),
        ("finance", "财务工作台"),
        ("store", "阳光超市店员工作台"),
        ("caseworker", "社区工作人员工作台"),
        ("unit", "单位联络员工作台"),
        ("auditor", "审计工作台"),
        ("donor", "捐赠人工作台"),
    ] {
        let browser = browser();
        let response = sign_in(&app, &browser, username, DEMO_PASSWORD).await;
        assert_eq!(response.status(), 303, "{username} is sent on");
        let cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        assert!(
            cookies.iter().any(|c| c.starts_with("sunshine_access=")
                && c.contains("HttpOnly")
                && c.contains("SameSite=Lax")),
            "{cookies:?}"
        );
        let home = browser.get(app.url("/home")).send().await.expect("home");
        assert_eq!(home.status(), 200);
        let html = home.text().await.expect("html");
        assert!(html.contains(heading), "{username} sees {heading}");
    }
}

#[tokio::test]
async fn a_wrong_password_on_the_page_says_so_in_chinese() {
    let app = TestApp::spawn().await;
    let browser = browser();
    let response = sign_in(&app, &browser, "admin", "wrong password").await;
    assert_eq!(response.status(), 401);
    let html = response.text().await.expect("html");
    assert!(html.contains("用户名或密码错误"));
    assert!(html.contains(r#"value="admin""#), "the username is kept");
}

#[tokio::test]
async fn a_form_posted_without_its_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let browser = browser();
    browser.get(app.url("/login")).send().await.expect("page");
    let missing = browser
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .expect("post");
    let body = assert_problem(missing, 403).await;
    assert_eq!(body["type"], "/problems/csrf");

    let wrong = browser
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", "forged-token"),
            ("username", "admin"),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_problem(wrong, 403).await;

    // A token without the cookie (another site's form) fails as well.
    let page = browser.get(app.url("/login")).send().await.expect("page");
    let csrf = csrf_in(&page.text().await.expect("html"));
    let cross_site = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", "admin"),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_problem(cross_site, 403).await;
}

#[tokio::test]
async fn the_home_page_without_a_session_sends_to_sign_in() {
    let app = TestApp::spawn().await;
    let response = browser().get(app.url("/home")).send().await.expect("home");
    assert_eq!(response.status(), 303);
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/login?next=/home")
    );
}

#[tokio::test]
async fn signing_out_on_the_page_ends_the_session() {
    let app = TestApp::spawn().await;
    let browser = browser();
    sign_in(&app, &browser, "finance", DEMO_PASSWORD).await;
    let home = browser.get(app.url("/home")).send().await.expect("home");
    let csrf = csrf_in(&home.text().await.expect("html"));
    let out = browser
        .post(app.url("/logout"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), 303);
    let after = browser.get(app.url("/home")).send().await.expect("home");
    assert_eq!(after.status(), 303, "signed out");
}

#[tokio::test]
async fn an_expired_page_session_is_renewed_with_the_refresh_cookie() {
    let app = TestApp::spawn().await;
    let session = app.session("caseworker").await;
    let browser = browser();
    let jar_cookie = format!(
        "sunshine_access=expired.token.value; sunshine_refresh={}",
        session["refresh_token"].as_str().expect("rt")
    );
    let response = browser
        .get(app.url("/home"))
        .header("cookie", jar_cookie)
        .send()
        .await
        .expect("home");
    assert_eq!(response.status(), 200);
    let renewed = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with("sunshine_refresh="));
    assert!(renewed, "a new refresh cookie replaces the used one");
}

#[tokio::test]
async fn sign_in_never_sends_a_person_to_another_site() {
    let app = TestApp::spawn().await;
    let browser = browser();
    let page = browser.get(app.url("/login")).send().await.expect("page");
    let csrf = csrf_in(&page.text().await.expect("html"));
    let response = browser
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", "donor"),
            ("password", DEMO_PASSWORD),
            ("next", "//evil.example/phish"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/home")
    );
}

#[tokio::test]
async fn finance_finds_a_pledge_by_name_on_the_payments_page() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("页面查找", 1_000_000).await;
    let made: serde_json::Value = app
        .post_json(
            "/api/v1/pledges",
            &serde_json::json!({ "campaign_id": campaign, "amount_fen": 5_000, "donor": { "kind": "individual", "name": "欧阳小明", "phone": "13800001234" } }),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    let finance = browser();
    sign_in(&app, &finance, "finance", DEMO_PASSWORD).await;
    let page = finance
        .get(app.url("/finance/payments?q=欧阳"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains(made["reference_code"].as_str().expect("code")),
        "the pledge's code is shown"
    );
    let donor_browser = browser();
    sign_in(&app, &donor_browser, "donor", DEMO_PASSWORD).await;
    let refused = donor_browser
        .get(app.url("/finance/payments?q=欧阳"))
        .send()
        .await
        .expect("page");
    assert_eq!(refused.status(), 403);
}
