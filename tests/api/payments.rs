//! Payments: matched by reference code or by hand, reversals, retries, who may record them.

use serde_json::{Value, json};
use tests::TestApp;

use crate::fundraising::{assert_books_balance, individual, pay, pledge, progress};
use crate::helpers::assert_problem;

#[tokio::test]
async fn an_unmatched_payment_waits_in_the_queue_until_finance_matches_it() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("手工匹配", 1_000_000).await;
    let made = pledge(&app, &individual(&campaign, 10_000)).await;
    let finance = app.token("finance").await;
    let payment = pay(&app, &finance, 10_000, None).await;
    assert_eq!(payment["status"], "unmatched");
    assert_eq!(progress(&app, &campaign).await["raised_fen"], 0);

    let queue: Value = app
        .get(
            "/api/v1/payments?status=unmatched&amount_fen=10000&q=张小明",
            Some(&finance),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(queue["total"], 1);
    let id = queue["items"][0]["id"].as_str().expect("id");
    // Finance finds the pledge by the donor's name and the amount.
    let found: Value = app
        .get(
            "/api/v1/pledges?q=小明&amount_fen=10000&open_only=true",
            Some(&finance),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert_eq!(found[0]["id"], made["id"]);
    let donor = app.token("donor").await;
    assert_problem(app.get("/api/v1/pledges?q=小明", Some(&donor)).await, 403).await;

    let matched = app
        .post_json(
            &format!("/api/v1/payments/{id}/match"),
            &json!({ "pledge_id": made["id"] }),
            Some(&finance),
        )
        .await;
    assert_eq!(matched.status(), 200);
    assert_eq!(progress(&app, &campaign).await["raised_fen"], 10_000);

    let twice = app
        .post_json(
            &format!("/api/v1/payments/{id}/match"),
            &json!({ "pledge_id": made["id"] }),
            Some(&finance),
        )
        .await;
    assert_problem(twice, 409).await;
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn a_reversal_takes_the_money_back_out_and_cannot_be_repeated() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("冲正", 1_000_000).await;
    let made = pledge(&app, &individual(&campaign, 10_000)).await;
    let finance = app.token("finance").await;
    let payment = pay(&app, &finance, 10_000, made["reference_code"].as_str()).await;
    let id = payment["id"].as_str().expect("id");

    let reversed = app
        .post_json(
            &format!("/api/v1/payments/{id}/reverse"),
            &json!({ "reason": "银行退回：账号有误" }),
            Some(&finance),
        )
        .await;
    assert_eq!(reversed.status(), 201);
    let reversal: Value = reversed.json().await.expect("json");
    assert_eq!(reversal["amount_fen"], -10_000);
    assert_eq!(reversal["status"], "reversal");

    let now = progress(&app, &campaign).await;
    assert_eq!(now["raised_fen"], 0);
    assert_eq!(now["donors"], 0);
    assert_eq!(now["pledged_unpaid_fen"], 10_000);

    let again = app
        .post_json(
            &format!("/api/v1/payments/{id}/reverse"),
            &json!({ "reason": "再来一次" }),
            Some(&finance),
        )
        .await;
    assert_problem(again, 409).await;
    let no_reason = app
        .post_json(
            &format!("/api/v1/payments/{id}/reverse"),
            &json!({ "reason": " " }),
            Some(&finance),
        )
        .await;
    assert_problem(no_reason, 422).await;

    // Both entries stay in the ledger.
    let all: Value = app
        .get("/api/v1/payments", Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(all["total"], 2);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn a_payment_retried_with_its_key_is_recorded_once() {
    let app = TestApp::spawn().await;
    let finance = app.token("finance").await;
    let body = json!({ "amount_fen": 5_000, "channel": "cash", "received_on": "2026-11-20" });
    for _ in 0..3 {
        let response = app
            .client
            .post(app.url("/api/v1/payments"))
            .bearer_auth(&finance)
            .header("idempotency-key", "import-line-7")
            .json(&body)
            .send()
            .await
            .expect("payment");
        assert_eq!(response.status(), 201);
    }
    let all: Value = app
        .get("/api/v1/payments", Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(all["total"], 1);
}

#[tokio::test]
async fn only_finance_records_payments_and_auditors_only_read_them() {
    let app = TestApp::spawn().await;
    let body = json!({ "amount_fen": 100, "channel": "cash", "received_on": "2026-11-20" });
    for who in ["donor", "auditor", "store", "unit"] {
        let token = app.token(who).await;
        assert_problem(
            app.post_json("/api/v1/payments", &body, Some(&token)).await,
            403,
        )
        .await;
    }
    let auditor = app.token("auditor").await;
    assert_eq!(
        app.get("/api/v1/payments", Some(&auditor)).await.status(),
        200
    );
    let finance = app.token("finance").await;
    let future = json!({ "amount_fen": 100, "channel": "cash", "received_on": "2099-01-01" });
    let problem = assert_problem(
        app.post_json("/api/v1/payments", &future, Some(&finance))
            .await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "received_on");
    let bad_channel =
        json!({ "amount_fen": 100, "channel": "bitcoin", "received_on": "2026-11-20" });
    assert_problem(
        app.post_json("/api/v1/payments", &bad_channel, Some(&finance))
            .await,
        422,
    )
    .await;
}
