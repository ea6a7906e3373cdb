//! Headers: a Content-Security-Policy on every page with no inline script or style to
//! need an exception, and nothing private kept in a cache.

use serde_json::Value;
use tests::TestApp;

use crate::fundraising::{individual, pledge};
use crate::receipts::{issue, paid_pledge};

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_page_has_a_strict_policy_and_nothing_inline_that_it_would_block() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("内容安全策略", 1_000_000).await;
    let made = pledge(&app, &individual(&campaign, 100)).await;
    let link = format!("/p/{}", made["access_token"].as_str().expect("token"));
    for path in [
        "/",
        "/login",
        "/signup",
        &format!("/campaigns/{campaign}"),
        &link,
    ] {
        let page = app.get(path, None).await;
        let policy = header(&page, "content-security-policy").to_owned();
        assert!(
            policy.contains("script-src 'self';")
                && policy.contains("style-src 'self';")
                && policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert_eq!(header(&page, "cache-control"), "no-store", "{path}");
        let html = page.text().await.expect("html");
        assert!(!html.contains("style=\""), "{path} has an inline style");
        for script in html.split("<script").skip(1) {
            assert!(
                script.trim_start().starts_with("src="),
                "{path} has an inline script"
            );
        }
    }
    // Static files may be cached; the production header is not sent in development.
    let css = app.get("/static/app.css", None).await;
    assert_ne!(header(&css, "cache-control"), "no-store");
    assert!(css.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn private_answers_are_never_stored() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("不缓存", 1_000_000).await;
    let finance = app.token("finance").await;
    let (payment, _) = paid_pledge(&app, &campaign, 500, &finance).await;
    let receipt: Value = issue(&app, &finance, &payment)
        .await
        .json()
        .await
        .expect("json");
    let pdf = format!(
        "/api/v1/receipts/{}/pdf",
        receipt["id"].as_str().expect("id")
    );
    for path in ["/api/v1/me", "/api/v1/payments", pdf.as_str()] {
        let answer = app.get(path, Some(&finance)).await;
        assert_eq!(answer.status(), 200, "{path}");
        assert_eq!(header(&answer, "cache-control"), "no-store", "{path}");
    }
}
