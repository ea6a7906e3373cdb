//! Funds and goals: designated gifts, allocations from the general fund, programme goals.

use serde_json::{Value, json};
use tests::TestApp;

use crate::fundraising::{assert_books_balance, individual, pay, pledge};
use crate::helpers::assert_problem;

#[tokio::test]
async fn the_goal_counts_what_its_campaigns_raised() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let old: Value = app
        .post_json(
            "/api/v1/campaigns",
            &json!({ "name": "2007年双日捐", "kind": "double_day", "starts_on": "2007-05-01", "ends_on": "2007-06-30", "target_fen": 1_000_000_000 }),
            Some(&admin),
        )
        .await
        .json()
        .await
        .expect("json");
    let id = old["id"].as_str().expect("id");
    app.post_json(
        &format!("/api/v1/campaigns/{id}/open"),
        &json!({}),
        Some(&admin),
    )
    .await;
    let made = pledge(&app, &individual(id, 123_456)).await;
    let finance = app.token("finance").await;
    pay(&app, &finance, 123_456, made["reference_code"].as_str()).await;
    let goals: Value = app
        .get("/api/v1/goals", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(goals[0]["raised_fen"], 123_456);
}

#[tokio::test]
async fn a_designated_gift_goes_to_its_project_and_the_rest_can_be_allocated() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("基金", 1_000_000).await;
    let projects: Value = app
        .get("/api/v1/projects?per_page=50", None)
        .await
        .json()
        .await
        .expect("json");
    let project = projects["items"][0]["id"]
        .as_str()
        .expect("project")
        .to_owned();
    let mut designated = individual(&campaign, 30_000);
    designated["project_id"] = json!(project);
    let to_project = pledge(&app, &designated).await;
    let to_general = pledge(&app, &individual(&campaign, 50_000)).await;
    let finance = app.token("finance").await;
    pay(
        &app,
        &finance,
        30_000,
        to_project["reference_code"].as_str(),
    )
    .await;
    pay(
        &app,
        &finance,
        50_000,
        to_general["reference_code"].as_str(),
    )
    .await;

    let funds: Value = app
        .get("/api/v1/funds", Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(funds[0]["fund"], "general");
    assert_eq!(funds[0]["balance_fen"], 50_000);

    let admin = app.token("admin").await;
    let too_much =
        json!({ "project_id": project, "amount_fen": 50_001, "reason": "冬季送暖物资采购" });
    assert_problem(
        app.post_json("/api/v1/funds/allocations", &too_much, Some(&admin))
            .await,
        409,
    )
    .await;
    let enough =
        json!({ "project_id": project, "amount_fen": 20_000, "reason": "冬季送暖物资采购" });
    let done = app
        .post_json("/api/v1/funds/allocations", &enough, Some(&admin))
        .await;
    assert_eq!(done.status(), 201);
    let figures: Value = done.json().await.expect("json");
    assert_eq!(figures["money_in_fen"], 30_000);
    assert_eq!(figures["allocated_fen"], 20_000);
    assert_eq!(figures["balance_fen"], 50_000);

    let projects: Value = app
        .get("/api/v1/projects?per_page=50", None)
        .await
        .json()
        .await
        .expect("json");
    let shown = projects["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["id"] == project.as_str())
        .expect("project");
    assert_eq!(shown["balance_fen"], 50_000);
    assert_books_balance(&app).await;

    let finance_tries = app
        .post_json(
            "/api/v1/funds/allocations",
            &json!({ "project_id": project, "amount_fen": 1, "reason": "x" }),
            Some(&finance),
        )
        .await;
    assert_problem(finance_tries, 403).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_allocations_at_once_never_spend_the_general_fund_twice() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("并发拨付", 1_000_000).await;
    let made = pledge(&app, &individual(&campaign, 10_000)).await;
    let finance = app.token("finance").await;
    pay(&app, &finance, 10_000, made["reference_code"].as_str()).await;
    let projects: Value = app
        .get("/api/v1/projects", None)
        .await
        .json()
        .await
        .expect("json");
    let project = projects["items"][1]["id"]
        .as_str()
        .expect("project")
        .to_owned();
    let admin = app.token("admin").await;
    let body = json!({ "project_id": project, "amount_fen": 6_000, "reason": "同时拨付" });
    let attempts = (0..6).map(|_| app.post_json("/api/v1/funds/allocations", &body, Some(&admin)));
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    let funds: Value = app
        .get("/api/v1/funds", Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(funds[0]["balance_fen"], 4_000);
}
