//! Receipts: issue once, gapless numbers, void keeps the number, reissue, verification,
//! the PDF's text and its QR code.

use serde_json::{Value, json};
use tests::TestApp;

use crate::helpers::{assert_problem, pdf_text};

/// A paid pledge; returns (payment id, pledge access token).
pub(crate) async fn paid_pledge(
    app: &TestApp,
    campaign: &str,
    amount_fen: i64,
    finance: &str,
) -> (String, String) {
    let made: Value = app
        .post_json(
            "/api/v1/pledges",
            &json!({
                "campaign_id": campaign,
                "amount_fen": amount_fen,
                "donor": { "kind": "individual", "name": "张小明", "phone": "13800001234", "id_number": "220204199003078814" },
                "receipt_requested": true,
            }),
            None,
        )
        .await
        .json()
        .await
        .expect("pledge");
    let payment: Value = app
        .post_json(
            "/api/v1/payments",
            &json!({ "amount_fen": amount_fen, "channel": "bank_transfer", "received_on": "2026-11-20", "reference_code": made["reference_code"] }),
            Some(finance),
        )
        .await
        .json()
        .await
        .expect("payment");
    (
        payment["id"].as_str().expect("id").to_owned(),
        made["access_token"].as_str().expect("token").to_owned(),
    )
}

pub(crate) async fn issue(app: &TestApp, finance: &str, payment_id: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/receipts",
        &json!({ "payment_id": payment_id }),
        Some(finance),
    )
    .await
}

#[tokio::test]
async fn a_payment_gets_one_receipt_with_a_number_of_this_year() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("票据", 100_000_000).await;
    let finance = app.token("finance").await;
    let (payment, _) = paid_pledge(&app, &campaign, 123_456, &finance).await;
    let first = issue(&app, &finance, &payment).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("json");
    let number = first["number"].as_str().expect("number");
    assert!(
        number.starts_with("JLCS-20") && number.ends_with("-000001"),
        "{number}"
    );
    assert!(
        first["verify_url"]
            .as_str()
            .is_some_and(|u| u.contains("/verify/"))
    );
    let again = issue(&app, &finance, &payment).await;
    assert_eq!(again.status(), 200, "issuing is idempotent");
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["id"], first["id"]);
}

#[tokio::test]
async fn an_unmatched_or_reversed_payment_gets_no_receipt() {
    let app = TestApp::spawn().await;
    let finance = app.token("finance").await;
    let unmatched: Value = app
        .post_json(
            "/api/v1/payments",
            &json!({ "amount_fen": 100, "channel": "cash", "received_on": "2026-11-20" }),
            Some(&finance),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_problem(
        issue(&app, &finance, unmatched["id"].as_str().expect("id")).await,
        409,
    )
    .await;
    assert_problem(issue(&app, &finance, "no-such-payment").await, 422).await;
    let donor = app.token("donor").await;
    assert_problem(
        issue(&app, &donor, unmatched["id"].as_str().expect("id")).await,
        403,
    )
    .await;
}

#[tokio::test]
async fn voiding_keeps_the_number_and_verification_says_so() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("作废", 100_000_000).await;
    let finance = app.token("finance").await;
    let (payment, _) = paid_pledge(&app, &campaign, 5_000, &finance).await;
    let receipt: Value = issue(&app, &finance, &payment)
        .await
        .json()
        .await
        .expect("json");
    let id = receipt["id"].as_str().expect("id");
    let token = receipt["verify_url"]
        .as_str()
        .expect("url")
        .rsplit('/')
        .next()
        .expect("token")
        .to_owned();

    let live: Value = app
        .get(&format!("/api/v1/receipts/verify/{token}"), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(live["valid"], true);
    assert_eq!(live["donor_masked"], "张*明");
    assert_eq!(live["amount_fen"], 5_000);

    let voided = app
        .post_json(
            &format!("/api/v1/receipts/{id}/void"),
            &json!({ "reason": "抬头有误" }),
            Some(&finance),
        )
        .await;
    assert_eq!(voided.status(), 200);
    let after: Value = app
        .get(&format!("/api/v1/receipts/verify/{token}"), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(after["valid"], false);
    assert_eq!(after["voided"], true);
    assert_eq!(
        after["number"], receipt["number"],
        "the number stays with the voided receipt"
    );
    assert_problem(
        app.post_json(
            &format!("/api/v1/receipts/{id}/void"),
            &json!({ "reason": "再次" }),
            Some(&finance),
        )
        .await,
        409,
    )
    .await;

    let page = app
        .client
        .get(app.url(&format!("/verify/{token}")))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("html").contains("已作废"));
    let unknown = app
        .client
        .get(app.url("/verify/not-a-real-token"))
        .send()
        .await
        .expect("page");
    assert_eq!(unknown.status(), 404);
    let html = unknown.text().await.expect("html");
    assert!(html.contains("未找到该收据") && !html.contains("JLCS"));
    assert_problem(
        app.get("/api/v1/receipts/verify/not-a-real-token", None)
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn a_reissue_gets_the_next_number_and_refers_to_the_old_one() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("换开", 100_000_000).await;
    let finance = app.token("finance").await;
    let (payment, _) = paid_pledge(&app, &campaign, 8_800, &finance).await;
    let old: Value = issue(&app, &finance, &payment)
        .await
        .json()
        .await
        .expect("json");
    let id = old["id"].as_str().expect("id");
    let new = app
        .post_json(
            &format!("/api/v1/receipts/{id}/reissue"),
            &json!({ "reason": "捐赠人要求换开抬头" }),
            Some(&finance),
        )
        .await;
    assert_eq!(new.status(), 201);
    let new: Value = new.json().await.expect("json");
    assert!(
        new["number"]
            .as_str()
            .is_some_and(|n| n.ends_with("-000002"))
    );
    assert_eq!(new["replaces_id"], old["id"]);
    let again: Value = issue(&app, &finance, &payment)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        again["id"], new["id"],
        "the payment's live receipt is the new one"
    );
}

#[tokio::test]
async fn the_pdf_holds_the_donor_the_capitals_and_the_number() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("PDF票据", 100_000_000).await;
    let finance = app.token("finance").await;
    let (payment, pledge_token) = paid_pledge(&app, &campaign, 123_456, &finance).await;
    let receipt: Value = issue(&app, &finance, &payment)
        .await
        .json()
        .await
        .expect("json");
    let id = receipt["id"].as_str().expect("id");

    // The donor downloads with the pledge's link token; strangers cannot.
    assert_problem(
        app.get(&format!("/api/v1/receipts/{id}/pdf"), None).await,
        404,
    )
    .await;
    let response = app
        .get(
            &format!("/api/v1/receipts/{id}/pdf?token={pledge_token}"),
            None,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let bytes = response.bytes().await.expect("pdf");
    assert!(bytes.starts_with(b"%PDF"));
    // Kept as an artefact, to look at (`pdftoppm -png target/artifacts/receipt.pdf`).
    let artifacts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts");
    std::fs::create_dir_all(&artifacts).ok();
    std::fs::write(artifacts.join("receipt.pdf"), &bytes).ok();
    assert!(
        bytes.len() < 60_000,
        "a subset font keeps it small: {} bytes",
        bytes.len()
    );
    let text = pdf_text(&bytes);
    if let Some(text) = text {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for expected in [
            "张小明",
            "壹仟贰佰叁拾肆元伍角陆分",
            receipt["number"].as_str().expect("number"),
            "¥1,234.56",
        ] {
            assert!(
                compact.contains(expected),
                "{expected} in the PDF text: {compact}"
            );
        }
    }
    let second = app
        .get(&format!("/api/v1/receipts/{id}/pdf"), Some(&finance))
        .await;
    assert_eq!(second.status(), 200);
    let second = second.bytes().await.expect("pdf");
    std::fs::write(artifacts.join("receipt-copy.pdf"), &second).ok();
    if let Some(text) = pdf_text(&second) {
        assert!(
            text.contains("副本"),
            "a second download is marked as a copy"
        );
    }
}

/// The first page of a PDF as greyscale pixels, by `pdftoppm -gray` (a PGM file).
/// The first page in grey at 200 dpi; `None` (said on stderr, a failure on CI) when
/// poppler is not installed. A PDF that cannot be rendered fails the test.
fn pdf_page_grey(bytes: &[u8]) -> Option<(usize, usize, Vec<u8>)> {
    let dir = std::env::temp_dir().join(format!("sunshine-qr-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let pdf = dir.join("r.pdf");
    std::fs::write(&pdf, bytes).expect("a temporary file for the PDF");
    let status = match std::process::Command::new("pdftoppm")
        .args(["-gray", "-r", "200", "-singlefile"])
        .arg(&pdf)
        .arg(dir.join("page"))
        .status()
    {
        Ok(status) => status,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tests::skipped_without("pdftoppm (poppler-utils)");
            return None;
        }
        Err(e) => panic!("pdftoppm could not be run: {e}"),
    };
    assert!(status.success(), "pdftoppm renders the receipt");
    let pgm = std::fs::read(dir.join("page.pgm")).expect("pdftoppm wrote the page");
    std::fs::remove_dir_all(&dir).ok();
    // P5\n<w> <h>\n255\n<pixels>
    let mut fields = Vec::new();
    let mut start = 0;
    for (i, b) in pgm.iter().enumerate() {
        if b.is_ascii_whitespace() {
            if i > start {
                fields.push(String::from_utf8_lossy(&pgm[start..i]).into_owned());
            }
            start = i + 1;
            if fields.len() == 4 {
                break;
            }
        }
    }
    let (w, h): (usize, usize) = (
        fields[1].parse().expect("the page's width"),
        fields[2].parse().expect("the page's height"),
    );
    Some((w, h, pgm[start..].to_vec()))
}

#[tokio::test]
async fn the_qr_code_on_the_pdf_opens_the_verify_link() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("二维码", 100_000_000).await;
    let finance = app.token("finance").await;
    let (payment, _) = paid_pledge(&app, &campaign, 2_000, &finance).await;
    let receipt: Value = issue(&app, &finance, &payment)
        .await
        .json()
        .await
        .expect("json");
    let id = receipt["id"].as_str().expect("id");
    let pdf = app
        .get(&format!("/api/v1/receipts/{id}/pdf"), Some(&finance))
        .await
        .bytes()
        .await
        .expect("pdf");
    let Some((w, h, pixels)) = pdf_page_grey(&pdf) else {
        return;
    };
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the receipt");
    let (_, content) = grids[0].decode().expect("the QR code decodes");
    assert_eq!(content, receipt["verify_url"].as_str().expect("url"));
    assert!(
        content.starts_with(&app.address),
        "the link names the server's real address"
    );
    let page = app.client.get(&content).send().await.expect("verify page");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("html").contains("有效收据"));
}
