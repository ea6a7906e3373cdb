//! Chinese only, and the right status: serde's English never reaches people, a body sent
//! too slowly is a 408 problem, and both databases answer a race alike.

use serde_json::{Value, json};
use tests::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::fundraising::individual;
use crate::helpers::{assert_problem, has_chinese};
use crate::receipts::{issue, paid_pledge};

#[tokio::test]
async fn parser_complaints_reach_people_in_chinese() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("中文提示", 1_000_000).await;
    let mut fractional = individual(&campaign, 100);
    fractional["amount_fen"] = json!(1.0);
    let mut variant = individual(&campaign, 100);
    variant["donor"]["kind"] = json!("robot");
    let duplicate = format!(
        r#"{{"campaign_id":"{campaign}","amount_fen":100,"amount_fen":200,"donor":{{"kind":"anonymous"}}}}"#
    );
    let mut answers = vec![
        app.post_json("/api/v1/pledges", &fractional, None).await,
        app.post_json("/api/v1/pledges", &variant, None).await,
    ];
    answers.push(
        app.client
            .post(app.url("/api/v1/pledges"))
            .header("content-type", "application/json")
            .body(duplicate)
            .send()
            .await
            .expect("duplicate"),
    );
    let finance = app.token("finance").await;
    answers.push(
        app.get("/api/v1/payments?per_page=abc", Some(&finance))
            .await,
    );
    for answer in answers {
        let problem = assert_problem(answer, 422).await;
        let text = problem["errors"].to_string();
        for english in [
            "expected",
            "invalid",
            "unknown",
            "duplicate",
            "floating",
            "string",
        ] {
            assert!(!text.contains(english), "{english} in {text}");
        }
        assert!(has_chinese(&text), "{text}");
    }
    let problem = assert_problem(
        app.post_json("/api/v1/pledges", &fractional, None).await,
        422,
    )
    .await;
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("整数") && m.contains("分")),
        "{problem}"
    );
}

#[tokio::test]
async fn a_body_sent_too_slowly_gets_a_408_problem() {
    let app = TestApp::spawn_with(&[("SUNSHINE_REQUEST_TIMEOUT_SECONDS", "1")]).await;
    let authority = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&authority)
        .await
        .expect("connect");
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nAccept: application/json\r\n\r\n{{\"username\":"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("answered")
    .ok();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let problem: Value = serde_json::from_str(body.trim()).expect("problem json");
    assert_eq!(problem["status"], 408);
    assert!(has_chinese(problem["detail"].as_str().unwrap_or_default()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_payments_receipt_asked_for_twice_at_once_is_one_receipt_answered_to_both() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("同时开票", 100_000_000).await;
    let finance = app.token("finance").await;
    for round in 0..8 {
        let (payment, _) = paid_pledge(&app, &campaign, 100 + round, &finance).await;
        let (a, b) = tokio::join!(
            issue(&app, &finance, &payment),
            issue(&app, &finance, &payment)
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 201], "round {round}");
        let a: Value = a.json().await.expect("json");
        let b: Value = b.json().await.expect("json");
        assert_eq!(a["number"], b["number"]);
    }
}
