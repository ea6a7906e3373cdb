//! Receipts issued at the same moment, by one server and by two server processes on one
//! database: the numbers of a year stay gapless and distinct.

use serde_json::{Value, json};
use tests::TestApp;

use crate::receipts::{issue, paid_pledge};

/// The sequence number at the end of a receipt's number (`…-000123`).
async fn seq_of(answer: reqwest::Response) -> u32 {
    assert_eq!(answer.status(), 201);
    let receipt: Value = answer.json().await.expect("json");
    receipt["number"]
        .as_str()
        .and_then(|n| n.rsplit('-').next())
        .and_then(|s| s.parse::<u32>().ok())
        .expect("seq")
}

async fn paid_pledges(app: &TestApp, campaign: &str, finance: &str, count: i64) -> Vec<String> {
    let mut payments = Vec::new();
    for i in 0..count {
        payments.push(paid_pledge(app, campaign, 100 + i, finance).await.0);
    }
    payments
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_issued_at_once_get_gapless_distinct_numbers() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("并发开票", 100_000_000).await;
    let finance = app.token("finance").await;
    let payments = paid_pledges(&app, &campaign, &finance, 20).await;
    let issues = payments.iter().map(|p| issue(&app, &finance, p));
    let mut seqs = Vec::new();
    for answer in futures::future::join_all(issues).await {
        seqs.push(seq_of(answer).await);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=20).collect::<Vec<u32>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_issuing_200_receipts_at_once_leave_no_gap() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("两个进程开票", 100_000_000).await;
    let finance = app.token("finance").await;
    let payments = paid_pledges(&app, &campaign, &finance, 200).await;
    let program = env!("CARGO_BIN_EXE_sunshine");
    let first = tests::ServerChild::start(program, &app.database).await;
    let second = tests::ServerChild::start(program, &app.database).await;
    let issues = payments.iter().enumerate().map(|(i, payment)| {
        let server = if i % 2 == 0 {
            &first.address
        } else {
            &second.address
        };
        app.client
            .post(format!("{server}/api/v1/receipts"))
            .bearer_auth(&finance)
            .json(&json!({ "payment_id": payment }))
            .send()
    });
    let mut seqs = Vec::new();
    for answer in futures::future::join_all(issues).await {
        seqs.push(seq_of(answer.expect("answer")).await);
    }
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=200).collect::<Vec<u32>>(),
        "gapless and unique across two processes"
    );
    let report = sunshine::check::run(&app.state.db).await.expect("check");
    assert_eq!(report.violations, 0, "{:#?}", report.lines);
}
