//! Fundraising: campaigns, pledges, idempotency and progress; the helpers the payment and
//! fund tests share.

use serde_json::{Value, json};
use tests::TestApp;

use crate::helpers::assert_problem;

pub(crate) fn individual(campaign_id: &str, amount_fen: i64) -> Value {
    json!({
        "campaign_id": campaign_id,
        "amount_fen": amount_fen,
        "donor": { "kind": "individual", "name": "张小明", "phone": "13800001234", "id_number": "220204199003078814" },
        "public_name_consent": true,
        "public_name": "张先生",
        "receipt_requested": true,
        "region_code": "220204",
    })
}

pub(crate) async fn pledge(app: &TestApp, body: &Value) -> Value {
    let response = app.post_json("/api/v1/pledges", body, None).await;
    assert_eq!(response.status(), 201, "pledge made");
    response.json().await.expect("json")
}

/// A pledge's request, with an idempotency key if given, to send when the test chooses.
pub(crate) fn pledge_request(
    app: &TestApp,
    body: &Value,
    key: Option<&str>,
) -> reqwest::RequestBuilder {
    let request = app.client.post(app.url("/api/v1/pledges")).json(body);
    match key {
        Some(key) => request.header("idempotency-key", key),
        None => request,
    }
}

/// An admin closes the campaign; the answer as given.
pub(crate) async fn close_campaign(
    app: &TestApp,
    admin: &str,
    campaign: &str,
) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/campaigns/{campaign}/close"),
        &json!({}),
        Some(admin),
    )
    .await
}

pub(crate) async fn progress(app: &TestApp, campaign_id: &str) -> Value {
    app.get(&format!("/api/v1/campaigns/{campaign_id}/progress"), None)
        .await
        .json()
        .await
        .expect("json")
}

pub(crate) async fn pay(
    app: &TestApp,
    finance: &str,
    amount_fen: i64,
    reference_code: Option<&str>,
) -> Value {
    let response = app
        .post_json(
            "/api/v1/payments",
            &json!({
                "amount_fen": amount_fen,
                "channel": "bank_transfer",
                "received_on": "2026-11-20",
                "payer_reference": "张小明 工商银行",
                "reference_code": reference_code,
            }),
            Some(finance),
        )
        .await;
    assert_eq!(response.status(), 201, "payment recorded");
    response.json().await.expect("json")
}

pub(crate) async fn assert_books_balance(app: &TestApp) {
    let report = sunshine::check::run(&app.state.db)
        .await
        .expect("check runs");
    assert_eq!(report.violations, 0, "{:#?}", report.lines);
}

#[tokio::test]
async fn a_pledge_paid_by_its_reference_code_is_paid_and_counted() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("2026年慈善救助双日捐", 100_000_000).await;
    let made = pledge(&app, &individual(&campaign, 20_000)).await;
    let code = made["reference_code"].as_str().expect("code");
    assert!(code.starts_with("JL") && code.len() == 10, "{code}");
    assert_eq!(made["status"], "pledged");
    let before = progress(&app, &campaign).await;
    assert_eq!(before["pledged_unpaid_fen"], 20_000);
    assert_eq!(before["raised_fen"], 0);

    let finance = app.token("finance").await;
    // People type codes as they like; the match still holds.
    let typed = format!("{}-{}", &code[..6], code[6..].to_lowercase());
    let payment = pay(&app, &finance, 20_000, Some(&typed)).await;
    assert_eq!(payment["status"], "matched");

    let token = made["access_token"].as_str().expect("token");
    let mine: Value = app
        .get(
            &format!(
                "/api/v1/pledges/{}?token={token}",
                made["id"].as_str().expect("id")
            ),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(mine["status"], "paid");
    assert_eq!(mine["paid_fen"], 20_000);
    assert_eq!(mine["payments"].as_array().map(Vec::len), Some(1));

    let after = progress(&app, &campaign).await;
    assert_eq!(after["raised_fen"], 20_000);
    assert_eq!(after["money_fen"], 20_000);
    assert_eq!(after["pledged_unpaid_fen"], 0);
    assert_eq!(after["donors"], 1);
    assert_eq!(after["by_region"][0]["name"], "船营区");
    assert_eq!(after["by_donor_kind"][0]["key"], "individual");
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn a_new_installation_in_development_has_this_years_campaign_open_for_pledges() {
    let app = TestApp::spawn().await;
    let list: Value = app
        .get("/api/v1/campaigns", None)
        .await
        .json()
        .await
        .expect("json");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{list}");
    let demo = &items[0];
    assert_eq!(demo["status"], "open");
    assert_eq!(demo["kind"], "double_day");
    assert!(
        demo["name"]
            .as_str()
            .is_some_and(|n| n.ends_with("年慈善救助双日捐（示例）")),
        "{demo}"
    );
    let id = demo["id"].as_str().expect("id");
    let made = pledge(&app, &individual(id, 20_000)).await;
    assert!(made["reference_code"].is_string(), "{made}");
    assert_eq!(progress(&app, id).await["pledged_unpaid_fen"], 20_000);
}

#[tokio::test]
async fn a_partial_payment_leaves_the_rest_pledged() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("部分付款", 1_000_000).await;
    let made = pledge(&app, &individual(&campaign, 50_000)).await;
    let finance = app.token("finance").await;
    pay(&app, &finance, 20_000, made["reference_code"].as_str()).await;
    let now = progress(&app, &campaign).await;
    assert_eq!(now["raised_fen"], 20_000);
    assert_eq!(now["pledged_unpaid_fen"], 30_000);
    let view: Value = app
        .get(
            &format!("/api/v1/pledges/{}", made["id"].as_str().expect("id")),
            Some(&finance),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(view["status"], "partly_paid");
}

#[tokio::test]
async fn bad_donor_details_are_named_field_by_field() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("校验", 1_000_000).await;
    let mut body = individual(&campaign, 0);
    body["donor"]["id_number"] = json!("220204199003078815");
    body["donor"]["phone"] = json!("12345");
    let problem = assert_problem(app.post_json("/api/v1/pledges", &body, None).await, 422).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["amount_fen", "donor.phone", "donor.id_number"]);

    let org = json!({
        "campaign_id": campaign, "amount_fen": 100,
        "donor": { "kind": "organization", "name": "示例公司", "credit_code": "91350100M000100Y44" },
    });
    let problem = assert_problem(app.post_json("/api/v1/pledges", &org, None).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "donor.credit_code");

    let named_anonymous = json!({
        "campaign_id": campaign, "amount_fen": 100,
        "donor": { "kind": "anonymous" }, "public_name_consent": true,
    });
    assert_problem(
        app.post_json("/api/v1/pledges", &named_anonymous, None)
            .await,
        422,
    )
    .await;

    let too_much = individual(&campaign, 10_000_000_001);
    assert_problem(app.post_json("/api/v1/pledges", &too_much, None).await, 422).await;

    let mut long_name = individual(&campaign, 100);
    long_name["donor"]["name"] = json!("长".repeat(101));
    assert_problem(
        app.post_json("/api/v1/pledges", &long_name, None).await,
        422,
    )
    .await;
}

#[tokio::test]
async fn an_organization_and_an_anonymous_donor_may_pledge() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("单位与匿名", 1_000_000).await;
    let org = json!({
        "campaign_id": campaign, "amount_fen": 1_000_000,
        "donor": { "kind": "organization", "name": "示例公司", "credit_code": "91350100m000100y43", "contact": "李经理" },
        "receipt_requested": true,
    });
    pledge(&app, &org).await;
    let anonymous =
        json!({ "campaign_id": campaign, "amount_fen": 5_000, "donor": { "kind": "anonymous" } });
    pledge(&app, &anonymous).await;
    assert_eq!(
        progress(&app, &campaign).await["pledged_unpaid_fen"],
        1_005_000
    );
}

#[tokio::test]
async fn pledges_are_refused_unless_the_campaign_is_open() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let draft: Value = app
        .post_json(
            "/api/v1/campaigns",
            &json!({ "name": "草稿活动", "kind": "emergency", "starts_on": "2026-11-01", "ends_on": "2026-11-30", "target_fen": 100 }),
            Some(&admin),
        )
        .await
        .json()
        .await
        .expect("json");
    let id = draft["id"].as_str().expect("id");
    assert_problem(
        app.post_json("/api/v1/pledges", &individual(id, 100), None)
            .await,
        409,
    )
    .await;
    let unknown = individual("no-such-campaign", 100);
    assert_problem(app.post_json("/api/v1/pledges", &unknown, None).await, 422).await;
}

#[tokio::test]
async fn closing_a_campaign_lapses_its_unpaid_pledges() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("结束", 1_000_000).await;
    let paid = pledge(&app, &individual(&campaign, 10_000)).await;
    let unpaid = pledge(&app, &individual(&campaign, 7_000)).await;
    let finance = app.token("finance").await;
    pay(&app, &finance, 10_000, paid["reference_code"].as_str()).await;
    let admin = app.token("admin").await;
    let closed = close_campaign(&app, &admin, &campaign).await;
    assert_eq!(closed.status(), 200);
    let now = progress(&app, &campaign).await;
    assert_eq!(now["pledged_unpaid_fen"], 0);
    assert_eq!(now["raised_fen"], 10_000);
    let lapsed: Value = app
        .get(
            &format!("/api/v1/pledges/{}", unpaid["id"].as_str().expect("id")),
            Some(&finance),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(lapsed["status"], "lapsed");
    let again = close_campaign(&app, &admin, &campaign).await;
    assert_problem(again, 409).await;
    assert_problem(
        app.post_json("/api/v1/pledges", &individual(&campaign, 100), None)
            .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn a_pledge_is_hidden_from_anyone_without_its_token() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("私密链接", 1_000_000).await;
    let made = pledge(&app, &individual(&campaign, 100)).await;
    let id = made["id"].as_str().expect("id");
    assert_problem(app.get(&format!("/api/v1/pledges/{id}"), None).await, 404).await;
    assert_problem(
        app.get(&format!("/api/v1/pledges/{id}?token=guess"), None)
            .await,
        404,
    )
    .await;
    let donor = app.token("donor").await;
    assert_problem(
        app.get(&format!("/api/v1/pledges/{id}"), Some(&donor))
            .await,
        404,
    )
    .await;
    let token = made["access_token"].as_str().expect("token");
    assert_eq!(
        app.get(&format!("/api/v1/pledges/{id}"), Some(token))
            .await
            .status(),
        200
    );
    let auditor = app.token("auditor").await;
    assert_eq!(
        app.get(&format!("/api/v1/pledges/{id}"), Some(&auditor))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn public_pledges_are_limited_per_client_address_with_the_seconds_to_wait() {
    let app = TestApp::spawn_with(&[
        ("SUNSHINE_PLEDGES_PER_MINUTE", "3"),
        ("SUNSHINE_PLEDGE_BURST", "3"),
    ])
    .await;
    let campaign = app.open_campaign("限流", 1_000_000).await;
    for _ in 0..3 {
        pledge(&app, &individual(&campaign, 100)).await;
    }
    let refused = app
        .post_json("/api/v1/pledges", &individual(&campaign, 100), None)
        .await;
    let retry_after: u64 = refused
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header in seconds");
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    let problem = assert_problem(refused, 429).await;
    assert_eq!(problem["type"], "/problems/rate-limited");
    let detail = problem["detail"].as_str().expect("detail");
    assert!(
        detail.contains(&format!("{retry_after} 秒后再试")),
        "{detail}"
    );
}

#[tokio::test]
async fn an_office_of_two_hundred_and_fifty_staff_pledges_from_one_address_by_default() {
    // The defaults, not the tests' generous limit: 20 a minute refused an office.
    let app = TestApp::spawn_with(&[
        ("SUNSHINE_PLEDGES_PER_MINUTE", "60"),
        ("SUNSHINE_PLEDGE_BURST", "300"),
    ])
    .await;
    let campaign = app.open_campaign("办公室认捐", 100_000_000).await;
    for i in 0..250 {
        let response = app
            .post_json("/api/v1/pledges", &individual(&campaign, 100), None)
            .await;
        assert_eq!(response.status(), 201, "pledge {i} from the office");
    }
}

#[tokio::test]
async fn a_donor_who_signs_up_sees_every_gift_made_while_signed_in() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("我的捐赠", 1_000_000).await;
    let signed_up = app
        .post_json("/api/v1/donors/signup", &json!({ "username": "zhang.xm", "password": "a long password", "display_name": "张小明" }), None)
        .await;
    assert_eq!(signed_up.status(), 201);
    let session: Value = signed_up.json().await.expect("json");
    assert_eq!(session["user"]["role"], "donor");
    let token = session["access_token"].as_str().expect("token");
    for amount in [10_000, 20_000] {
        let response = app
            .post_json(
                "/api/v1/pledges",
                &individual(&campaign, amount),
                Some(token),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    pledge(&app, &individual(&campaign, 99)).await;
    let mine: Value = app
        .get("/api/v1/me/pledges", Some(token))
        .await
        .json()
        .await
        .expect("json");
    let amounts: Vec<i64> = mine
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["amount_fen"].as_i64())
        .collect();
    assert_eq!(amounts, [20_000, 10_000], "newest first, only mine");
    let again = app
        .post_json(
            "/api/v1/donors/signup",
            &json!({ "username": "zhang.xm", "password": "another password" }),
            None,
        )
        .await;
    assert_problem(again, 409).await;
    let finance = app.token("finance").await;
    assert_problem(app.get("/api/v1/me/pledges", Some(&finance)).await, 403).await;
}
