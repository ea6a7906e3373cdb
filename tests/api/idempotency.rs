//! `Idempotency-Key` on pledges: a retry, sequential or concurrent, returns the first
//! answer and makes nothing twice, also after the campaign closed and for keys kept the
//! way they were before pledges kept their own; the link's token kept with a key is sealed.

use serde_json::Value;
use tests::TestApp;

use crate::fundraising::{close_campaign, individual, pledge_request, progress};
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
    assert_key_refused_for_another_pledge(&app, &campaign, "phone-retry-0001").await;
}

#[tokio::test]
async fn a_retry_after_the_campaign_closed_still_gets_the_first_answer() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("关闭后重试", 1_000_000).await;
    let body = individual(&campaign, 10_000);
    let send = || pledge_request(&app, &body, Some("retry-after-close")).send();
    let first: Value = send().await.expect("first").json().await.expect("json");
    let admin = app.token("admin").await;
    let closed = close_campaign(&app, &admin, &campaign).await;
    assert_eq!(closed.status(), 200);
    let again = send().await.expect("retry");
    assert_eq!(again.status(), 201);
    let again: Value = again.json().await.expect("json");
    assert_eq!(again, first);
    let fresh = pledge_request(&app, &body, Some("new-after-close"))
        .send()
        .await
        .expect("new key");
    assert_problem(fresh, 409).await;
}

/// The key, sent again with another pledge (of 999 元), is refused.
async fn assert_key_refused_for_another_pledge(app: &TestApp, campaign: &str, key: &str) {
    let other = pledge_request(app, &individual(campaign, 99_900), Some(key))
        .send()
        .await
        .expect("reuse");
    assert_problem(other, 409).await;
}

/// The pledge made with a key keeps the key, and its link's access token only sealed.
async fn assert_answer_kept_sealed(app: &TestApp, key: &str, answer: &Value) {
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let select = Query::select()
        .columns(["id", "access_token_sealed"])
        .from("pledges")
        .and_where(Expr::col("idempotency_key").eq(key))
        .to_owned();
    let row = app
        .state
        .db
        .query_one(&select)
        .await
        .expect("query")
        .expect("the key's pledge");
    let id: String = row.try_get("", "id").expect("an id");
    assert_eq!(answer["id"], id.as_str());
    let sealed: String = row.try_get("", "access_token_sealed").expect("a token");
    let token = answer["access_token"].as_str().expect("a token");
    assert!(!sealed.contains(token), "{sealed}");
}

/// A key that a pledge was made with before pledges kept their own keys, as it was kept
/// then: its row in `idempotency_keys`, with the whole first answer.
async fn keep_as_before(app: &TestApp, key: &str, request: &Value, answer: &Value) {
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::Query;
    let request: sunshine::fundraising::pledges::PledgeRequest =
        serde_json::from_value(request.clone()).expect("a pledge request");
    let insert = Query::insert()
        .into_table("idempotency_keys")
        .columns([
            "scope",
            "key",
            "request_hash",
            "status",
            "body",
            "created_at",
        ])
        .values_panic([
            "pledges".into(),
            key.into(),
            sunshine::idempotency::fingerprint(None, &request).into(),
            201_i16.into(),
            answer.to_string().into(),
            chrono::Utc::now().into(),
        ])
        .to_owned();
    app.state.db.execute(&insert).await.expect("insert");
}

#[tokio::test]
async fn a_key_kept_before_pledges_kept_their_own_still_replays() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("旧幂等键", 1_000_000).await;
    let body = individual(&campaign, 10_000);
    let first = serde_json::json!({
        "id": "01a00000-0000-7000-8000-0000000000aa",
        "reference_code": "JLAAAA2222",
        "access_token": "kept-token",
        "status": "pledged",
        "link": "/p/kept-token",
    });
    keep_as_before(&app, "before-upgrade-0001", &body, &first).await;

    let again = pledge_request(&app, &body, Some("before-upgrade-0001"))
        .send()
        .await
        .expect("retry");
    assert_eq!(again.status(), 201);
    let again: Value = again.json().await.expect("json");
    assert_eq!(again, first);
    assert_eq!(progress(&app, &campaign).await["pledged_unpaid_fen"], 0);
    assert_key_refused_for_another_pledge(&app, &campaign, "before-upgrade-0001").await;
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

#[tokio::test]
async fn a_signed_in_donor_sending_an_anonymous_pledges_key_gets_409_not_its_link() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("他人的幂等键", 1_000_000).await;
    let body = individual(&campaign, 10_000);
    let first: Value = pledge_request(&app, &body, Some("shared-key-01"))
        .send()
        .await
        .expect("first")
        .json()
        .await
        .expect("json");
    let donor = app.token("donor").await;
    let stolen = pledge_request(&app, &body, Some("shared-key-01"))
        .bearer_auth(&donor)
        .send()
        .await
        .expect("second");
    let problem = assert_problem(stolen, 409).await;
    let text = problem.to_string();
    let token = first["access_token"].as_str().expect("token");
    assert!(!text.contains(token), "{text}");
    assert_eq!(
        progress(&app, &campaign).await["pledged_unpaid_fen"],
        10_000
    );
}

#[tokio::test]
async fn a_payment_key_sent_by_another_finance_user_is_refused() {
    let app = TestApp::spawn().await;
    let body =
        serde_json::json!({ "amount_fen": 5_000, "channel": "cash", "received_on": "2026-11-20" });
    let send = |token: String| {
        app.client
            .post(app.url("/api/v1/payments"))
            .bearer_auth(token)
            .header("idempotency-key", "bank-line-42")
            .json(&body)
            .send()
    };
    let finance = app.token("finance").await;
    let first = send(finance.clone()).await.expect("first");
    assert_eq!(first.status(), 201);
    let again = send(finance).await.expect("retry");
    assert_eq!(again.status(), 201, "the same caller replays");
    let admin = app.token("admin").await;
    assert_problem(send(admin).await.expect("admin"), 409).await;
}
