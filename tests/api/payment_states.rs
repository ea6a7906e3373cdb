//! A finished step repeated: a payment matched once (to a pledge or to a staff list),
//! and a receipted payment reversed, alone and at the same moment as its receipt.

use serde_json::{Value, json};
use tests::TestApp;

use crate::fundraising::{assert_books_balance, individual, pay, pledge, progress};
use crate::helpers::assert_problem;
use crate::receipts::{issue, paid_pledge};
use crate::rosters::{staff_csv, unit_id, upload};

async fn unmatched_queue(app: &TestApp, finance: &str) -> Value {
    app.get("/api/v1/payments?status=unmatched", Some(finance))
        .await
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn a_remittance_matched_to_its_staff_list_cannot_be_matched_again_to_a_pledge() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("名单已匹配", 100_000_000).await;
    let unit = app.token("unit").await;
    let (csv, total) = staff_csv(10);
    let list: Value = upload(
        &app,
        &unit,
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
    let remittance = pay(&app, &finance, total, list["reference_code"].as_str()).await;
    assert_eq!(remittance["status"], "matched");
    assert!(remittance["roster_id"].is_string(), "{remittance}");

    // The queue holds only payments that are truly unmatched.
    assert_eq!(unmatched_queue(&app, &finance).await["total"], 0);
    let matched: Value = app
        .get("/api/v1/payments?status=matched", Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(matched["total"], 1);

    let personal = pledge(&app, &individual(&campaign, total)).await;
    let again = app
        .post_json(
            &format!(
                "/api/v1/payments/{}/match",
                remittance["id"].as_str().expect("id")
            ),
            &json!({ "pledge_id": personal["id"] }),
            Some(&finance),
        )
        .await;
    let problem = assert_problem(again, 409).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("名单")),
        "{problem}"
    );
    let now = progress(&app, &campaign).await;
    assert_eq!(now["raised_fen"], total);
    let seen: Value = app
        .get(
            &format!("/api/v1/pledges/{}", personal["id"].as_str().expect("id")),
            Some(&finance),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(seen["paid_fen"], 0);
    assert_eq!(seen["status"], "pledged");
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn a_payment_matched_by_its_code_cannot_be_matched_to_another_pledge() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("认捐已匹配", 1_000_000).await;
    let first = pledge(&app, &individual(&campaign, 5_000)).await;
    let second = pledge(&app, &individual(&campaign, 5_000)).await;
    let finance = app.token("finance").await;
    let payment = pay(&app, &finance, 5_000, first["reference_code"].as_str()).await;
    let again = app
        .post_json(
            &format!(
                "/api/v1/payments/{}/match",
                payment["id"].as_str().expect("id")
            ),
            &json!({ "pledge_id": second["id"] }),
            Some(&finance),
        )
        .await;
    assert_problem(again, 409).await;
    assert_eq!(progress(&app, &campaign).await["raised_fen"], 5_000);
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn reversing_a_receipted_payment_voids_its_receipt_for_everyone_who_verifies_it() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("冲正作废", 100_000_000).await;
    let finance = app.token("finance").await;
    let (payment, _) = paid_pledge(&app, &campaign, 20_000, &finance).await;
    let receipt: Value = issue(&app, &finance, &payment)
        .await
        .json()
        .await
        .expect("json");
    let number = receipt["number"].as_str().expect("number");
    let token = receipt["verify_url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("token")
        .to_owned();

    let reversed = app
        .post_json(
            &format!("/api/v1/payments/{payment}/reverse"),
            &json!({ "reason": "银行退票" }),
            Some(&finance),
        )
        .await;
    assert_eq!(reversed.status(), 201);
    let reversal: Value = reversed.json().await.expect("json");
    assert!(
        reversal["note"]
            .as_str()
            .is_some_and(|n| n.contains(number)),
        "{reversal}"
    );

    let verified: Value = app
        .get(&format!("/api/v1/receipts/verify/{token}"), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(verified["valid"], false);
    assert_eq!(verified["voided"], true);
    assert_eq!(verified["voided_because"], "款项冲正");
    let page = app
        .get(&format!("/verify/{token}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("已作废") && page.contains("款项冲正"),
        "{page}"
    );

    // The number stays used, the audit log says why, and no new receipt can be made.
    let audit: Value = app
        .get(
            "/api/v1/audit?action=receipt.void",
            Some(&app.token("auditor").await),
        )
        .await
        .json()
        .await
        .expect("json");
    assert!(audit.to_string().contains("款项冲正"), "{audit}");
    assert_problem(issue(&app, &finance, &payment).await, 409).await;
    let reissued = app
        .post_json(
            &format!(
                "/api/v1/receipts/{}/reissue",
                receipt["id"].as_str().expect("id")
            ),
            &json!({ "reason": "重开" }),
            Some(&finance),
        )
        .await;
    assert_problem(reissued, 409).await;
    assert_books_balance(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_issued_while_its_payment_is_reversed_never_stays_valid() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("冲正与开票同时", 100_000_000).await;
    let finance = app.token("finance").await;
    let program = env!("CARGO_BIN_EXE_sunshine");
    let first = tests::ServerChild::start(program, &app.database).await;
    let second = tests::ServerChild::start(program, &app.database).await;
    for round in 0..12 {
        let (payment, _) = paid_pledge(&app, &campaign, 1_000 + round, &finance).await;
        let (issuer, reverser) = if round % 2 == 0 {
            (&first.address, &second.address)
        } else {
            (&second.address, &first.address)
        };
        let issued = app
            .client
            .post(format!("{issuer}/api/v1/receipts"))
            .bearer_auth(&finance)
            .json(&json!({ "payment_id": payment }))
            .send();
        let reversed = app
            .client
            .post(format!("{reverser}/api/v1/payments/{payment}/reverse"))
            .bearer_auth(&finance)
            .json(&json!({ "reason": "同时冲正" }))
            .send();
        let (issued, reversed) = tokio::join!(issued, reversed);
        let issued = issued.expect("issue answer").status().as_u16();
        assert_eq!(reversed.expect("reverse answer").status(), 201);
        // Either the receipt came first (and the reversal voided it) or it was refused.
        assert!(issued == 201 || issued == 409, "round {round}: {issued}");
    }
    assert_books_balance(&app).await;
}

#[tokio::test]
async fn two_matches_of_one_payment_at_once_apply_it_once() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("同时匹配", 1_000_000).await;
    let first = pledge(&app, &individual(&campaign, 3_000)).await;
    let second = pledge(&app, &individual(&campaign, 3_000)).await;
    let finance = app.token("finance").await;
    let payment = pay(&app, &finance, 3_000, None).await;
    let path = format!(
        "/api/v1/payments/{}/match",
        payment["id"].as_str().expect("id")
    );
    let (to_first, to_second) = (
        json!({ "pledge_id": first["id"] }),
        json!({ "pledge_id": second["id"] }),
    );
    let (a, b) = tokio::join!(
        app.post_json(&path, &to_first, Some(&finance)),
        app.post_json(&path, &to_second, Some(&finance)),
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(progress(&app, &campaign).await["raised_fen"], 3_000);
    assert_books_balance(&app).await;
}
