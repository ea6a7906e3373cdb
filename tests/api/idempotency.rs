//! `Idempotency-Key` on pledges: a retry, sequential or concurrent, returns the first
//! answer and makes nothing twice; the answer kept for a key is sealed.

use serde_json::Value;
use tests::TestApp;

use crate::fundraising::{individual, pledge_request, progress};
use crate::helpers::assert_problem;

#[tokio::test]
async fn the_same_idempotency_key_twice_makes_one_pledge() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("幂等", 1_000_000).await;
    let body = individual(&campaign, 10_000);
    let send = || pledge_request(&app, &body, Some("phone-retry-0001")).send();
    let first: Value = send().await.expect("first").json().await.expect("json");
    let second = send().await.expect("second");
    assert_eq!(second.status(), 201);
    assert_eq!(
        second
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let second: Value = second.json().await.expect("json");
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["access_token"], second["access_token"]);
    assert_answer_kept_sealed(&app, "phone-retry-0001", &first).await;
    assert_eq!(
        progress(&app, &campaign).await["pledged_unpaid_fen"],
        10_000
    );

    let other_body = pledge_request(
        &app,
        &individual(&campaign, 99_900),
        Some("phone-retry-0001"),
    )
    .send()
    .await
    .expect("reuse");
    assert_problem(other_body, 409).await;
}

/// The answer kept for a pledge's idempotency key does not hold its link's access token
/// (nor anything else of it) in clear.
async fn assert_answer_kept_sealed(app: &TestApp, key: &str, answer: &Value) {
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let select = Query::select()
        .column("body")
        .from("idempotency_keys")
        .and_where(Expr::col("scope").eq("pledges"))
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    let row = app
        .state
        .db
        .query_one(&select)
        .await
        .expect("query")
        .expect("the key's row");
    let body: String = row.try_get("", "body").expect("a stored answer");
    let token = answer["access_token"].as_str().expect("a token");
    let code = answer["reference_code"].as_str().expect("a code");
    assert!(!body.contains(token) && !body.contains(code), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_idempotency_key_sent_at_once_makes_one_pledge() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("并发幂等", 1_000_000).await;
    let body = individual(&campaign, 10_000);
    let attempts = (0..8).map(|_| pledge_request(&app, &body, Some("same-key-at-once")).send());
    let answers = futures::future::join_all(attempts).await;
    let mut ids = Vec::new();
    for answer in answers {
        let answer = answer.expect("answer");
        let status = answer.status().as_u16();
        assert!(status == 201 || status == 409, "status {status}");
        if status == 201 {
            let v: Value = answer.json().await.expect("json");
            ids.push(v["id"].as_str().expect("id").to_owned());
        }
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one pledge, however many answers");
    assert_eq!(
        progress(&app, &campaign).await["pledged_unpaid_fen"],
        10_000
    );
}
