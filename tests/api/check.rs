//! `sunshine check`: each invariant holds on books kept by the platform, and each is
//! found broken once the database is altered behind the platform's back.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tests::TestApp;

use crate::fundraising::{individual, pay, pledge};
use crate::receipts::{issue, paid_pledge};
use crate::rosters::{staff_csv, unit_id, upload};

/// The check's lines that failed; fails the test if any check fails before tampering.
async fn failed(app: &TestApp) -> Vec<String> {
    let report = sunshine::check::run(&app.state.db)
        .await
        .expect("check runs");
    let failed: Vec<String> = report
        .lines
        .iter()
        .filter(|l| l.starts_with('✗'))
        .cloned()
        .collect();
    assert_eq!(failed.len(), report.violations, "{:#?}", report.lines);
    failed
}

async fn tamper(app: &TestApp, sql: &str) {
    app.state.db.execute_unprepared(sql).await.expect("tamper");
}

/// Only the one check naming `what` fails, and it says `detail`.
async fn assert_only_broken(app: &TestApp, what: &str, detail: &str) {
    let failed = failed(app).await;
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(
        failed[0].contains(what) && failed[0].contains(detail),
        "{failed:#?}"
    );
}

#[tokio::test]
async fn the_check_finds_totals_that_disagree_with_the_ledger() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("篡改", 1_000_000).await;
    let made = pledge(&app, &individual(&campaign, 100)).await;
    let finance = app.token("finance").await;
    pay(&app, &finance, 100, made["reference_code"].as_str()).await;
    assert_eq!(failed(&app).await, Vec::<String>::new());
    tamper(
        &app,
        "UPDATE campaign_totals SET money_fen = money_fen + 1 WHERE dimension = 'all'",
    )
    .await;
    assert_only_broken(&app, "已筹金额", "累计 ¥1.01 ≠ 到账合计 ¥1.00").await;
}

#[tokio::test]
async fn the_check_finds_a_pledge_paid_other_than_by_its_payments() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("认捐已付", 1_000_000).await;
    let finance = app.token("finance").await;
    for amount in [100, 250] {
        let made = pledge(&app, &individual(&campaign, amount)).await;
        pay(&app, &finance, amount, made["reference_code"].as_str()).await;
    }
    pledge(&app, &individual(&campaign, 300)).await;
    assert_eq!(failed(&app).await, Vec::<String>::new());
    tamper(
        &app,
        "UPDATE pledges SET paid_fen = 300 WHERE amount_fen = 300",
    )
    .await;
    assert_only_broken(&app, "3 笔认捐", "不符：1").await;
}

#[tokio::test]
async fn the_check_finds_a_staff_list_paid_other_than_by_its_remittance() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("名单已付", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let (csv, total) = staff_csv(5);
    let roster: Value = upload(&app, &token, &unit, &campaign, "名单.csv", csv.into_bytes())
        .await
        .json()
        .await
        .expect("roster");
    let finance = app.token("finance").await;
    pay(&app, &finance, total, roster["reference_code"].as_str()).await;
    assert_eq!(failed(&app).await, Vec::<String>::new());
    let one = "(SELECT id FROM pledges WHERE roster_id IS NOT NULL ORDER BY id LIMIT 1)";
    tamper(
        &app,
        &format!("UPDATE pledges SET paid_fen = paid_fen - 1 WHERE id = {one}"),
    )
    .await;
    assert_only_broken(&app, "1 份名单", "不符：1").await;
}

#[tokio::test]
async fn the_check_finds_a_gift_missing_from_the_fund_ledger_and_an_unbalanced_allocation() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("台账", 1_000_000).await;
    let made = pledge(&app, &individual(&campaign, 50_000)).await;
    let finance = app.token("finance").await;
    pay(&app, &finance, 50_000, made["reference_code"].as_str()).await;
    let projects: Value = app
        .get("/api/v1/projects?per_page=1", None)
        .await
        .json()
        .await
        .expect("projects");
    let project = projects["items"][0]["id"].as_str().expect("project");
    let admin = app.token("admin").await;
    let allocation =
        json!({ "project_id": project, "amount_fen": 20_000, "reason": "冬季送暖物资采购" });
    let done = app
        .post_json("/api/v1/funds/allocations", &allocation, Some(&admin))
        .await;
    assert_eq!(done.status(), 201);
    assert_eq!(failed(&app).await, Vec::<String>::new());

    tamper(
        &app,
        "UPDATE fund_ledger SET amount_fen = amount_fen - 1 WHERE kind <> 'allocation'",
    )
    .await;
    assert_only_broken(&app, "基金台账", "¥499.99 等于已匹配到账合计 ¥500.00").await;
    tamper(
        &app,
        "UPDATE fund_ledger SET amount_fen = amount_fen + 1 WHERE kind <> 'allocation'",
    )
    .await;
    tamper(
        &app,
        "UPDATE fund_ledger SET amount_fen = 19999 WHERE amount_fen = 20000 AND kind = 'allocation'",
    )
    .await;
    assert_only_broken(&app, "拨付分录", "合计 -¥0.01").await;
}

#[tokio::test]
async fn the_check_finds_a_gap_a_repeat_and_a_payment_with_two_live_receipts() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("票据号", 1_000_000).await;
    let finance = app.token("finance").await;
    let mut payments = Vec::new();
    for amount in [100, 200, 300] {
        let (payment, _) = paid_pledge(&app, &campaign, amount, &finance).await;
        assert_eq!(issue(&app, &finance, &payment).await.status(), 201);
        payments.push(payment);
    }
    assert_eq!(failed(&app).await, Vec::<String>::new());

    tamper(&app, "UPDATE receipts SET seq = 4 WHERE seq = 3").await;
    assert_only_broken(&app, "3 张收据", "有缺号或重号").await;
    // The unique indexes forbid what follows; the check must still see it on a database
    // that lost them.
    tamper(&app, "DROP INDEX ux_receipts_year_seq").await;
    tamper(&app, "UPDATE receipts SET seq = 2 WHERE seq = 4").await;
    assert_only_broken(&app, "3 张收据", "有缺号或重号").await;
    tamper(&app, "UPDATE receipts SET seq = 3 WHERE amount_fen = 300").await;
    assert_eq!(failed(&app).await, Vec::<String>::new());

    tamper(&app, "DROP INDEX ux_receipts_live_payment").await;
    tamper(
        &app,
        &format!(
            "UPDATE receipts SET payment_id = '{}' WHERE payment_id = '{}'",
            payments[0], payments[1]
        ),
    )
    .await;
    assert_only_broken(&app, "至多一张有效收据", "重复：1").await;
}

#[tokio::test]
async fn the_check_finds_a_payment_matched_to_a_pledge_and_a_staff_list() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("重复匹配", 100_000_000).await;
    let token = app.token("unit").await;
    let (csv, total) = staff_csv(3);
    let list: Value = upload(
        &app,
        &token,
        &unit_id(&app).await,
        &campaign,
        "名单.csv",
        csv.into_bytes(),
    )
    .await
    .json()
    .await
    .expect("json");
    let finance = app.token("finance").await;
    pay(&app, &finance, total, list["reference_code"].as_str()).await;
    let made = pledge(&app, &individual(&campaign, 100)).await;
    assert_eq!(failed(&app).await, Vec::<String>::new());
    let id = made["id"].as_str().expect("id");
    tamper(
        &app,
        &format!("UPDATE payments SET pledge_id = '{id}' WHERE roster_id IS NOT NULL"),
    )
    .await;
    let failed = failed(&app).await;
    assert!(
        failed
            .iter()
            .any(|l| l.contains("至多匹配一次") && l.contains("名单：1")),
        "{failed:#?}"
    );
}

#[tokio::test]
async fn the_check_finds_a_live_receipt_of_a_reversed_payment() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("冲正票据", 100_000_000).await;
    let finance = app.token("finance").await;
    let (payment, _) = paid_pledge(&app, &campaign, 500, &finance).await;
    assert_eq!(issue(&app, &finance, &payment).await.status(), 201);
    let reversed = app
        .post_json(
            &format!("/api/v1/payments/{payment}/reverse"),
            &json!({ "reason": "退回" }),
            Some(&finance),
        )
        .await;
    assert_eq!(reversed.status(), 201);
    assert_eq!(failed(&app).await, Vec::<String>::new());
    tamper(&app, "UPDATE receipts SET status = 'live'").await;
    assert_only_broken(&app, "款项均未冲正", "已冲正仍有效：1").await;
}
