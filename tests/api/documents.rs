//! Certificates of thanks and yearly statements.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tests::TestApp;

use crate::helpers::{assert_problem, pdf_text};

#[tokio::test]
async fn a_paid_staff_list_gets_one_certificate_page_per_person_numbered_once() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("证书", 100_000_000).await;
    let coordinator = app.session("unit").await;
    let token = coordinator["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let unit = coordinator["user"]["unit_id"]
        .as_str()
        .expect("unit")
        .to_owned();
    let mut csv = String::from("姓名,部门,金额(元),是否匿名\n");
    for i in 0..40 {
        csv.push_str(&format!(
            "职工{i:03},一车间,100,{}\n",
            if i == 0 { "是" } else { "否" }
        ));
    }
    let form = Form::new()
        .text("campaign_id", campaign.clone())
        .part("file", Part::bytes(csv.into_bytes()).file_name("名单.csv"));
    let roster: Value = app
        .client
        .post(app.url(&format!("/api/v1/units/{unit}/rosters")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let roster_id = roster["id"].as_str().expect("id");
    let path = format!("/api/v1/units/{unit}/rosters/{roster_id}/certificates.pdf");
    assert_problem(app.get(&path, Some(&token)).await, 409).await;

    let finance = app.token("finance").await;
    app.post_json(
        "/api/v1/payments",
        &json!({ "amount_fen": 400_000, "channel": "bank_transfer", "received_on": "2026-11-20", "reference_code": roster["reference_code"] }),
        Some(&finance),
    )
    .await;
    let first = app.get(&path, Some(&token)).await;
    assert_eq!(first.status(), 200);
    let first = first.bytes().await.expect("pdf");
    let artifacts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts");
    std::fs::create_dir_all(&artifacts).ok();
    std::fs::write(artifacts.join("certificates.pdf"), &first).ok();
    if let Some(text) = pdf_text(&first) {
        assert_eq!(
            text.matches("CERTIFICATE OF DONATION").count(),
            40,
            "one page per person"
        );
        assert!(text.contains("职工001") && text.contains("爱心人士"));
        assert!(text.contains("JLZS-") && text.contains("000040"));
        let again = app
            .get(&path, Some(&token))
            .await
            .bytes()
            .await
            .expect("pdf");
        let again = pdf_text(&again).expect("text");
        assert!(
            !again.contains("000041"),
            "asking again makes no new numbers"
        );
    }
    let other = app.token("donor").await;
    assert_problem(app.get(&path, Some(&other)).await, 403).await;
}

#[tokio::test]
async fn a_donor_gets_a_certificate_and_a_yearly_statement_with_the_receipt_number() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("年度汇总", 100_000_000).await;
    let session: Value = app
        .post_json("/api/v1/donors/signup", &json!({ "username": "wang.lh", "password": "a long password", "display_name": "王丽华" }), None)
        .await
        .json()
        .await
        .expect("json");
    let donor = session["access_token"].as_str().expect("token").to_owned();
    let made: Value = app
        .post_json(
            "/api/v1/pledges",
            &json!({ "campaign_id": campaign, "amount_fen": 50_000, "donor": { "kind": "individual", "name": "王丽华", "phone": "13904321234" }, "receipt_requested": true }),
            Some(&donor),
        )
        .await
        .json()
        .await
        .expect("json");
    let pledge_id = made["id"].as_str().expect("id");
    let certificate = format!(
        "/api/v1/pledges/{pledge_id}/certificate.pdf?token={}",
        made["access_token"].as_str().expect("t")
    );
    assert_problem(app.get(&certificate, None).await, 409).await;

    let finance = app.token("finance").await;
    let payment: Value = app
        .post_json("/api/v1/payments", &json!({ "amount_fen": 50_000, "channel": "alipay", "received_on": "2026-11-20", "reference_code": made["reference_code"] }), Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    let receipt: Value = app
        .post_json(
            "/api/v1/receipts",
            &json!({ "payment_id": payment["id"] }),
            Some(&finance),
        )
        .await
        .json()
        .await
        .expect("json");

    let pdf = app.get(&certificate, None).await;
    assert_eq!(pdf.status(), 200);
    if let Some(text) = pdf_text(&pdf.bytes().await.expect("pdf")) {
        assert!(
            text.contains("王丽华") && text.contains("伍佰元整"),
            "{text}"
        );
    }
    let statement = app.get("/api/v1/me/statements/2026", Some(&donor)).await;
    assert_eq!(statement.status(), 200);
    if let Some(text) = pdf_text(&statement.bytes().await.expect("pdf")) {
        assert!(text.contains("2026年度捐赠汇总"));
        assert!(
            text.contains(receipt["number"].as_str().expect("number")),
            "{text}"
        );
        assert!(text.contains("¥500.00"));
    }
    assert_problem(
        app.get("/api/v1/me/statements/1800", Some(&donor)).await,
        422,
    )
    .await;
    assert_problem(
        app.get("/api/v1/me/statements/2026", Some(&finance)).await,
        403,
    )
    .await;
    assert_problem(
        app.get(
            &format!("/api/v1/pledges/{pledge_id}/certificate.pdf?token=wrong"),
            None,
        )
        .await,
        404,
    )
    .await;
}
