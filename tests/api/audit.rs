//! The audit log: each change by a person is recorded, chained, and readable by auditors.

use serde_json::{Value, json};
use tests::TestApp;

use crate::helpers::assert_problem;

#[tokio::test]
async fn every_step_of_a_receipt_is_in_the_chained_audit_log() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("审计", 100_000_000).await;
    let made: Value = app
        .post_json(
            "/api/v1/pledges",
            &json!({ "campaign_id": campaign, "amount_fen": 10_000, "donor": { "kind": "individual", "name": "张小明", "phone": "13800001234" } }),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    let finance = app.token("finance").await;
    let payment: Value = app
        .post_json("/api/v1/payments", &json!({ "amount_fen": 10_000, "channel": "cash", "received_on": "2026-11-20", "reference_code": made["reference_code"] }), Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    let receipt: Value = app
        .post_json(
            "/api/v1/receipts",
            &json!({ "payment_id": payment["id"] }),
            Some(&finance),
        )
        .await
        .json()
        .await
        .expect("json");
    let id = receipt["id"].as_str().expect("id");
    app.post_json(
        &format!("/api/v1/receipts/{id}/void"),
        &json!({ "reason": "抬头有误" }),
        Some(&finance),
    )
    .await;

    let auditor = app.token("auditor").await;
    let log: Value = app
        .get("/api/v1/audit?per_page=50", Some(&auditor))
        .await
        .json()
        .await
        .expect("json");
    let actions: Vec<&str> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions[..5],
        [
            "receipt.void",
            "receipt.issue",
            "payment.record",
            "campaign.status",
            "campaign.create"
        ]
    );
    assert_eq!(
        actions[5..8],
        [
            "payment_settings.update",
            "campaign.status",
            "campaign.create"
        ],
        "the demo campaign, opened, and the demo's payment details"
    );
    assert_eq!(
        actions[8..],
        ["user.create"; 7],
        "the seven demo accounts come first"
    );
    let text = log.to_string();
    assert!(
        !text.contains("13800001234") && !text.contains("张小明"),
        "no personal data in the log"
    );
    let about: Value = app
        .get(&format!("/api/v1/audit?subject={id}"), Some(&auditor))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(about["total"], 2);
    assert_problem(app.get("/api/v1/audit", Some(&finance)).await, 403).await;

    let report = sunshine::check::run(&app.state.db).await.expect("check");
    assert_eq!(report.violations, 0, "{:#?}", report.lines);
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_unprepared("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 9")
        .await
        .expect("tamper");
    let report = sunshine::check::run(&app.state.db).await.expect("check");
    assert!(
        report.lines.iter().any(|l| l.contains("第 9 条")),
        "{:#?}",
        report.lines
    );
}
