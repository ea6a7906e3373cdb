//! Yearly statements (年度捐赠汇总): the whole year, whatever the number of payments.

use serde_json::{Value, json};
use tests::TestApp;

use crate::fundraising::assert_books_balance;
use crate::helpers::pdf_text;

#[tokio::test]
async fn a_statement_of_505_payments_adds_up_all_of_them() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("逐月捐", 100_000_000).await;
    let session: Value = app
        .post_json(
            "/api/v1/donors/signup",
            &json!({ "username": "li.monthly", "password": "a long password", "display_name": "李月捐" }),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    let donor = session["access_token"].as_str().expect("token").to_owned();
    let made: Value = app
        .post_json(
            "/api/v1/pledges",
            &json!({ "campaign_id": campaign, "amount_fen": 1_000_000, "donor": { "kind": "individual", "name": "李月捐", "phone": "13904325678" } }),
            Some(&donor),
        )
        .await
        .json()
        .await
        .expect("json");
    let finance = app.token("finance").await;
    let code = made["reference_code"].as_str().expect("code");
    // 505 part-payments of ¥1.00 to ¥5.05 this year, and one the year before.
    let mut total = 0;
    for i in 1..=505_i64 {
        let body = json!({ "amount_fen": 100 + (i % 6), "channel": "wechat_pay", "received_on": format!("2026-{:02}-{:02}", 1 + i % 11, 1 + i % 28), "reference_code": code });
        let answer = app
            .post_json("/api/v1/payments", &body, Some(&finance))
            .await;
        assert_eq!(answer.status(), 201);
        total += 100 + (i % 6);
    }
    let earlier = json!({ "amount_fen": 7_700, "channel": "cash", "received_on": "2025-12-31", "reference_code": code });
    assert_eq!(
        app.post_json("/api/v1/payments", &earlier, Some(&finance))
            .await
            .status(),
        201
    );

    let statement = app.get("/api/v1/me/statements/2026", Some(&donor)).await;
    assert_eq!(statement.status(), 200);
    let bytes = statement.bytes().await.expect("pdf");
    if let Some(text) = pdf_text(&bytes) {
        let printed = sunshine::kernel::Fen(total).display();
        assert!(
            text.contains(&format!("全年合计：{printed}")),
            "{printed} in {text}"
        );
        assert!(text.contains("第 17 / 17 页"), "505 lines at 30 a page");
    }
    let last_year = app.get("/api/v1/me/statements/2025", Some(&donor)).await;
    if let Some(text) = pdf_text(&last_year.bytes().await.expect("pdf")) {
        assert!(text.contains("全年合计：¥77.00"), "{text}");
    }
    let report = sunshine::check::run(&app.state.db).await.expect("check");
    assert!(
        report
            .lines
            .iter()
            .any(|l| l.contains("2 份年度捐赠汇总的合计等于当年到账")),
        "{:#?}",
        report.lines
    );
    assert_books_balance(&app).await;
}
