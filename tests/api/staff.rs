//! Finance and coordinators finish every case: a remittance short of or over its staff
//! list, a payment beyond what its pledge owes, a list uploaded twice or withdrawn, a
//! campaign closed with unpaid pledges and lists — and `sunshine check` agrees after each.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tests::TestApp;

use crate::fundraising::{assert_books_balance, close_campaign, individual, pay, pledge, progress};
use crate::helpers::assert_problem;
use crate::rosters::{staff_csv, unit_id, upload};

async fn upload_second(
    app: &TestApp,
    token: &str,
    unit: &str,
    campaign: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = Form::new()
        .text("campaign_id", campaign.to_owned())
        .text("second_list", "true")
        .part("file", Part::bytes(bytes).file_name(name.to_owned()));
    app.client
        .post(app.url(&format!("/api/v1/units/{unit}/rosters")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

async fn roster(app: &TestApp, token: &str, unit: &str, campaign: &str, csv: &str) -> Value {
    let response = upload(
        app,
        token,
        unit,
        campaign,
        "名单.csv",
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(response.status(), 201, "list imported");
    response.json().await.expect("json")
}

async fn withdraw(app: &TestApp, token: &str, unit: &str, roster: &Value) -> reqwest::Response {
    let id = roster["id"].as_str().expect("id");
    app.post_json(
        &format!("/api/v1/units/{unit}/rosters/{id}/withdraw"),
        &json!({ "reason": "上传错了活动" }),
        Some(token),
    )
    .await
}

async fn match_roster(
    app: &TestApp,
    finance: &str,
    payment: &Value,
    body: &Value,
) -> reqwest::Response {
    let id = payment["id"].as_str().expect("id");
    app.post_json(
        &format!("/api/v1/payments/{id}/match-roster"),
        body,
        Some(finance),
    )
    .await
}

#[tokio::test]
async fn the_same_staff_list_uploaded_twice_is_refused_naming_the_first_unless_confirmed_as_another()
 {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("重复名单", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let (csv, total) = staff_csv(6);
    let first = upload(
        &app,
        &token,
        &unit,
        &campaign,
        "十一月.csv",
        csv.clone().into_bytes(),
    )
    .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("json");
    let code = first["reference_code"].as_str().expect("code");

    // The same file again.
    let again = upload(
        &app,
        &token,
        &unit,
        &campaign,
        "十一月.csv",
        csv.clone().into_bytes(),
    )
    .await;
    let body = assert_problem(again, 409).await;
    let detail = body["detail"].as_str().expect("detail");
    assert!(
        detail.contains("十一月.csv") && detail.contains(code),
        "{detail}"
    );

    // The same rows in another order and under another name.
    let mut lines: Vec<&str> = csv.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let reordered = format!("{header}\n{}\n", lines.join("\n"));
    let body = assert_problem(
        upload(
            &app,
            &token,
            &unit,
            &campaign,
            "副本.csv",
            reordered.clone().into_bytes(),
        )
        .await,
        409,
    )
    .await;
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains(code)),
        "{body}"
    );
    assert_eq!(progress(&app, &campaign).await["pledged_unpaid_fen"], total);

    // Confirmed as a second list, it is imported.
    let second = upload_second(
        &app,
        &token,
        &unit,
        &campaign,
        "副本.csv",
        reordered.into_bytes(),
    )
    .await;
    assert_eq!(second.status(), 201);
    assert_eq!(
        progress(&app, &campaign).await["pledged_unpaid_fen"],
        2 * total
    );

    // The same list for another campaign is no duplicate.
    let other = app.open_campaign("另一个活动", 100_000_000).await;
    let elsewhere = upload(&app, &token, &unit, &other, "十一月.csv", csv.into_bytes()).await;
    assert_eq!(elsewhere.status(), 201);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn the_same_list_uploaded_twice_at_once_is_imported_once() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("同时上传", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let (csv, total) = staff_csv(300);
    let (a, b) = tokio::join!(
        upload(
            &app,
            &token,
            &unit,
            &campaign,
            "甲.csv",
            csv.clone().into_bytes()
        ),
        upload(&app, &token, &unit, &campaign, "乙.csv", csv.into_bytes()),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(progress(&app, &campaign).await["pledged_unpaid_fen"], total);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn a_list_withdrawn_before_its_remittance_leaves_the_totals_and_one_with_money_is_refused() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("撤回名单", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let finance = app.token("finance").await;
    let wrong = roster(
        &app,
        &token,
        &unit,
        &campaign,
        "姓名,金额(元)\n张三,100\n李四,50\n",
    )
    .await;
    let kept = roster(&app, &token, &unit, &campaign, "姓名,金额(元)\n王五,300\n").await;
    let queued = roster(&app, &token, &unit, &campaign, "姓名,金额(元)\n赵六,80\n").await;
    assert_eq!(
        progress(&app, &campaign).await["pledged_unpaid_fen"],
        53_000
    );

    let response = withdraw(&app, &token, &unit, &wrong).await;
    assert_eq!(response.status(), 200);
    let withdrawn: Value = response.json().await.expect("json");
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_eq!(
        progress(&app, &campaign).await["pledged_unpaid_fen"],
        38_000
    );
    assert_problem(withdraw(&app, &token, &unit, &wrong).await, 409).await;

    // Money arrived for one list, matched; for another, waiting in finance's queue.
    pay(&app, &finance, 30_000, kept["reference_code"].as_str()).await;
    let body = assert_problem(withdraw(&app, &token, &unit, &kept).await, 409).await;
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("已到账")),
        "{body}"
    );
    let short = pay(&app, &finance, 7_000, queued["reference_code"].as_str()).await;
    assert_eq!(short["status"], "unmatched");
    assert_problem(withdraw(&app, &token, &unit, &queued).await, 409).await;

    // Only the unit's coordinator (or an admin) withdraws.
    assert_problem(withdraw(&app, &finance, &unit, &queued).await, 403).await;

    // A remittance quoting the withdrawn list is not matched to it.
    let late = pay(&app, &finance, 15_000, wrong["reference_code"].as_str()).await;
    assert_eq!(late["status"], "unmatched");
    assert!(
        late["note"].as_str().is_some_and(|n| n.contains("撤回")),
        "{late}"
    );
    let refused = match_roster(
        &app,
        &finance,
        &late,
        &json!({ "roster_id": wrong["id"], "confirm_difference": true }),
    )
    .await;
    assert_problem(refused, 409).await;

    let admin = app.token("admin").await;
    let id = wrong["id"].as_str().expect("id");
    let audit: Value = app
        .get(&format!("/api/v1/audit?subject={id}"), Some(&admin))
        .await
        .json()
        .await
        .expect("json");
    assert!(audit.to_string().contains("roster.withdraw"), "{audit}");
    assert!(audit.to_string().contains("上传错了活动"), "{audit}");

    // Withdrawn, the same file may be uploaded again.
    roster(
        &app,
        &token,
        &unit,
        &campaign,
        "姓名,金额(元)\n张三,100\n李四,50\n",
    )
    .await;
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn a_short_or_over_remittance_is_matched_to_its_list_only_once_the_difference_is_confirmed() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("差额汇款", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let finance = app.token("finance").await;
    let (csv, total) = staff_csv(20);
    let list = roster(&app, &token, &unit, &campaign, &csv).await;
    let code = list["reference_code"].as_str().expect("code");

    let short = pay(&app, &finance, total - 1_000, Some(code)).await;
    assert_eq!(short["status"], "unmatched");
    let unconfirmed =
        match_roster(&app, &finance, &short, &json!({ "reference_code": code })).await;
    let body = assert_problem(unconfirmed, 409).await;
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("相差")),
        "{body}"
    );
    assert_eq!(progress(&app, &campaign).await["raised_fen"], 0);

    let matched = match_roster(
        &app,
        &finance,
        &short,
        &json!({ "reference_code": code, "confirm_difference": true }),
    )
    .await;
    assert_eq!(matched.status(), 200);
    let matched: Value = matched.json().await.expect("json");
    assert_eq!(matched["status"], "matched");
    assert_eq!(matched["roster_id"], list["id"]);
    assert_eq!(matched["difference_fen"], -1_000);
    let after = progress(&app, &campaign).await;
    assert_eq!(after["raised_fen"], total - 1_000, "the money that arrived");
    assert_eq!(after["pledged_unpaid_fen"], 0, "the list is settled");
    assert_eq!(after["donors"], 20);
    let queue: Value = app
        .get("/api/v1/payments?status=unmatched", Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        queue["total"], 0,
        "matched to the list, it leaves the queue"
    );
    let matched_list: Value = app
        .get("/api/v1/payments?status=matched", Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(matched_list["total"], 1);
    assert_books_balance(&app).await;

    // Matched once: again, or to the list again, is refused.
    let twice = match_roster(
        &app,
        &finance,
        &short,
        &json!({ "roster_id": list["id"], "confirm_difference": true }),
    )
    .await;
    assert_problem(twice, 409).await;
    let other = pay(&app, &finance, total, None).await;
    let paid_list = match_roster(
        &app,
        &finance,
        &other,
        &json!({ "roster_id": list["id"], "confirm_difference": true }),
    )
    .await;
    assert_problem(paid_list, 409).await;

    // Reversed, the list awaits its remittance again and the books still agree.
    let id = matched["id"].as_str().expect("id");
    let reversed = app
        .post_json(
            &format!("/api/v1/payments/{id}/reverse"),
            &json!({ "reason": "金额不符，退回单位" }),
            Some(&finance),
        )
        .await;
    assert_eq!(reversed.status(), 201);
    let back = progress(&app, &campaign).await;
    assert_eq!(back["raised_fen"], 0);
    assert_eq!(back["pledged_unpaid_fen"], total);
    assert_books_balance(&app).await;

    // Over the total: the whole remittance counts as money.
    let over = match_roster(&app, &finance, &other, &json!({ "roster_id": list["id"] })).await;
    assert_eq!(over.status(), 200, "equal amounts need no confirmation");
    let extra = roster(&app, &token, &unit, &campaign, "姓名,金额(元)\n孙七,100\n").await;
    let more = pay(&app, &finance, 12_345, None).await;
    let over = match_roster(
        &app,
        &finance,
        &more,
        &json!({ "roster_id": extra["id"], "confirm_difference": true }),
    )
    .await;
    let over: Value = over.json().await.expect("json");
    assert_eq!(over["difference_fen"], 2_345);
    let end = progress(&app, &campaign).await;
    assert_eq!(end["raised_fen"], total + 12_345);
    assert_eq!(end["pledged_unpaid_fen"], 0);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn a_payment_beyond_what_its_pledge_owes_is_kept_whole_with_a_warning_saying_by_how_much() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("多付", 100_000_000).await;
    let finance = app.token("finance").await;
    let made = pledge(&app, &individual(&campaign, 10_000)).await;
    let code = made["reference_code"].as_str();
    let first = pay(&app, &finance, 6_000, code).await;
    assert_eq!(first["overpaid_fen"], Value::Null);
    assert_eq!(first["warning"], Value::Null);
    let second = pay(&app, &finance, 6_000, code).await;
    assert_eq!(second["status"], "matched");
    assert_eq!(second["overpaid_fen"], 2_000);
    assert!(
        second["warning"]
            .as_str()
            .is_some_and(|w| w.contains("多付 ¥20.00")),
        "{second}"
    );
    assert_eq!(progress(&app, &campaign).await["raised_fen"], 12_000);

    // Matched by hand, the same warning.
    let other = pledge(&app, &individual(&campaign, 5_000)).await;
    let unmatched = pay(&app, &finance, 8_000, None).await;
    let id = unmatched["id"].as_str().expect("id");
    let matched: Value = app
        .post_json(
            &format!("/api/v1/payments/{id}/match"),
            &json!({ "pledge_id": other["id"] }),
            Some(&finance),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(matched["overpaid_fen"], 3_000, "{matched}");
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn finance_finds_a_pledge_by_its_reference_code_as_well_as_by_name() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("查找", 100_000_000).await;
    let made = pledge(&app, &individual(&campaign, 10_000)).await;
    pledge(&app, &individual(&campaign, 20_000)).await;
    let code = made["reference_code"].as_str().expect("code");
    let finance = app.token("finance").await;
    let typed = format!("{}-{}", &code[..4].to_lowercase(), &code[4..]);
    let found: Value = app
        .get(&format!("/api/v1/pledges?q={typed}"), Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    let found = found.as_array().expect("list");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["id"], made["id"]);
    let by_name: Value = app
        .get("/api/v1/pledges?q=张小", Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(by_name.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn closing_a_campaign_says_before_and_after_what_becomes_of_its_unpaid_pledges_and_lists() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("结束活动", 100_000_000).await;
    let finance = app.token("finance").await;
    let admin = app.token("admin").await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    pledge(&app, &individual(&campaign, 10_000)).await;
    let partly = pledge(&app, &individual(&campaign, 20_000)).await;
    pay(&app, &finance, 5_000, partly["reference_code"].as_str()).await;
    let waiting = roster(
        &app,
        &token,
        &unit,
        &campaign,
        "姓名,金额(元)\n张三,100\n李四,50\n",
    )
    .await;
    let paid = roster(&app, &token, &unit, &campaign, "姓名,金额(元)\n王五,300\n").await;
    pay(&app, &finance, 30_000, paid["reference_code"].as_str()).await;

    let preview: Value = app
        .get(
            &format!("/api/v1/campaigns/{campaign}/closing"),
            Some(&admin),
        )
        .await
        .json()
        .await
        .expect("json");
    let expected = json!({
        "unpaid_pledges": 1, "unpaid_fen": 10_000,
        "partly_paid_pledges": 1, "partly_paid_owed_fen": 15_000,
        "rosters": 1, "roster_people": 2, "roster_fen": 15_000,
    });
    assert_eq!(preview, expected);
    assert_problem(
        app.get(
            &format!("/api/v1/campaigns/{campaign}/closing"),
            Some(&finance),
        )
        .await,
        403,
    )
    .await;

    let closed = close_campaign(&app, &admin, &campaign).await;
    assert_eq!(closed.status(), 200);
    let closed: Value = closed.json().await.expect("json");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["closing"], expected, "what it did is what it said");
    let lists: Value = app
        .get(&format!("/api/v1/units/{unit}/rosters"), Some(&token))
        .await
        .json()
        .await
        .expect("json");
    let status_of = |id: &Value| {
        lists
            .as_array()
            .and_then(|l| l.iter().find(|r| &r["id"] == id))
            .map(|r| r["status"].clone())
    };
    assert_eq!(status_of(&waiting["id"]), Some(json!("closed")));
    assert_eq!(status_of(&paid["id"]), Some(json!("paid")));
    assert_eq!(
        progress(&app, &campaign).await["pledged_unpaid_fen"],
        15_000
    );
    assert_problem(withdraw(&app, &token, &unit, &waiting).await, 409).await;
    assert_books_balance(&app).await;

    // A late remittance for the closed list waits for finance, who matches it by hand.
    let late = pay(&app, &finance, 15_000, waiting["reference_code"].as_str()).await;
    assert_eq!(late["status"], "unmatched");
    assert!(
        late["note"].as_str().is_some_and(|n| n.contains("关闭")),
        "{late}"
    );
    let matched = match_roster(
        &app,
        &finance,
        &late,
        &json!({ "roster_id": waiting["id"] }),
    )
    .await;
    assert_eq!(matched.status(), 200);
    let end = progress(&app, &campaign).await;
    assert_eq!(end["raised_fen"], 5_000 + 30_000 + 15_000);
    assert_eq!(end["pledged_unpaid_fen"], 15_000);
    assert_books_balance(&app).await;

    // Reversed after the close, the list is closed again and owes nothing more.
    let id = late["id"].as_str().expect("id");
    let reversed = app
        .post_json(
            &format!("/api/v1/payments/{id}/reverse"),
            &json!({ "reason": "汇错单位" }),
            Some(&finance),
        )
        .await;
    assert_eq!(reversed.status(), 201);
    let lists: Value = app
        .get(&format!("/api/v1/units/{unit}/rosters"), Some(&token))
        .await
        .json()
        .await
        .expect("json");
    let again = lists
        .as_array()
        .and_then(|l| l.iter().find(|r| r["id"] == waiting["id"]))
        .map(|r| r["status"].clone());
    assert_eq!(again, Some(json!("closed")));
    let back = progress(&app, &campaign).await;
    assert_eq!(back["raised_fen"], 5_000 + 30_000);
    assert_eq!(back["pledged_unpaid_fen"], 15_000);
    assert_books_balance(&app).await;
}
