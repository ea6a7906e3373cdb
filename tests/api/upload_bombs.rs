//! Upload bombs (`tests::bombs`) posted to the staff-list upload: each is refused with a
//! Chinese 422 that names the limit it passed, and the server answers after every one.

use std::time::{Duration, Instant};

use tests::TestApp;

use crate::fundraising::progress;
use crate::helpers::assert_problem;
use crate::rosters::{staff_csv, unit_id, upload};

#[tokio::test]
async fn every_bomb_is_refused_naming_its_limit_and_the_server_answers_after() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("炸弹名单", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    for bomb in tests::bombs::all() {
        let started = Instant::now();
        let answer = upload(&app, &token, &unit, &campaign, bomb.file_name, bomb.bytes).await;
        let problem = assert_problem(answer, bomb.status).await;
        let detail = problem.to_string();
        assert!(
            detail.contains(bomb.names),
            "{}: the answer should name “{}”: {detail}",
            bomb.name,
            bomb.names
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{} took {:?}",
            bomb.name,
            started.elapsed()
        );
        assert_eq!(
            app.get("/health", None).await.status(),
            200,
            "{}",
            bomb.name
        );
    }
    assert_eq!(progress(&app, &campaign).await["pledged_unpaid_fen"], 0);
    // And a good list is still read.
    let (csv, total) = staff_csv(20);
    let answer = upload(&app, &token, &unit, &campaign, "名单.csv", csv.into_bytes()).await;
    assert_eq!(answer.status(), 201);
    let body: serde_json::Value = answer.json().await.expect("json");
    assert_eq!(body["total_fen"], total);
}

#[tokio::test]
async fn a_csv_line_past_the_body_limit_is_413_and_the_server_answers_after() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("超长行", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let bomb = tests::bombs::csv_line_of_100_mb();
    let form = reqwest::multipart::Form::new()
        .text("campaign_id", campaign.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bomb.bytes).file_name(bomb.file_name),
        );
    let sent = app
        .client
        .post(app.url(&format!("/api/v1/units/{unit}/rosters")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await;
    // The server may answer 413 and close before the client has sent all of it.
    if let Ok(answer) = sent {
        assert_problem(answer, 413).await;
    }
    assert_eq!(app.get("/health", None).await.status(), 200);
}

/// A list within every limit that takes longer to read than the request may last: the
/// answer is 408, and the reading stops instead of running on.
#[tokio::test]
async fn a_reading_past_the_request_timeout_is_stopped() {
    let app = TestApp::spawn_with(&[("SUNSHINE_REQUEST_TIMEOUT_SECONDS", "1")]).await;
    let campaign = app.open_campaign("读得慢的名单", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let before = sunshine::uploads::cancelled_readings();
    let bomb = tests::bombs::slow_but_allowed();
    let answer = upload(&app, &token, &unit, &campaign, bomb.file_name, bomb.bytes).await;
    assert_problem(answer, 408).await;
    // The reading that was cut off is counted as stopped, soon after its 408.
    let deadline = Instant::now() + Duration::from_secs(10);
    while sunshine::uploads::cancelled_readings() <= before {
        assert!(
            Instant::now() < deadline,
            "the reading ran on after its 408"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.get("/health", None).await.status(), 200);
}
