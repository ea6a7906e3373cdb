//! Receipts and certificates as an accountant reads them: an honest title, the day the
//! money arrived, 复核人 and 备注, a code to type in where the QR code cannot be scanned,
//! a staff list's unit code and 员工明细, reissues that correct, names that fit and print
//! whatever their characters, the first copy as the original, certificates that show
//! what was paid.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tests::TestApp;

use crate::helpers::{assert_problem, pdf_text};
use crate::receipts::{issue, paid_pledge};

/// The PDF's text without white space (pdftotext breaks lines and spaces glyphs).
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn keep(name: &str, bytes: &[u8]) {
    let artifacts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts");
    std::fs::create_dir_all(&artifacts).ok();
    std::fs::write(artifacts.join(name), bytes).ok();
}

/// A word of a PDF page and where it ends.
struct Word {
    right: f32,
    bottom: f32,
    width: f32,
    height: f32,
    text: String,
}

async fn pdf(app: &TestApp, path: &str, token: Option<&str>) -> Vec<u8> {
    let response = app.get(path, token).await;
    assert_eq!(response.status(), 200, "{path}");
    response.bytes().await.expect("pdf").to_vec()
}

/// Every word's right and bottom edges and the page's width and height, in points (y
/// down from the top), by `pdftotext -bbox`.
fn word_edges(bytes: &[u8]) -> Option<Vec<Word>> {
    let path = std::env::temp_dir().join(format!("sunshine-bbox-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&path, bytes).ok()?;
    let out = std::process::Command::new("pdftotext")
        .args(["-bbox", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    std::fs::remove_file(&path).ok();
    let html = String::from_utf8_lossy(&out.stdout).into_owned();
    let (mut width, mut height) = (0.0, 0.0);
    let mut words = Vec::new();
    for line in html.lines() {
        let attr = |name: &str| -> Option<f32> {
            let start = line.find(&format!("{name}=\""))? + name.len() + 2;
            let end = start + line[start..].find('"')?;
            line[start..end].parse().ok()
        };
        if line.trim_start().starts_with("<page") {
            width = attr("width")?;
            height = attr("height")?;
        }
        if line.trim_start().starts_with("<word") {
            let text = line
                .split('>')
                .nth(1)
                .and_then(|t| t.split('<').next())
                .unwrap_or_default()
                .to_owned();
            words.push(Word {
                right: attr("xMax")?,
                bottom: attr("yMax")?,
                width,
                height,
                text,
            });
        }
    }
    Some(words)
}

#[tokio::test]
async fn the_receipt_calls_itself_a_donation_receipt_and_not_a_finance_supervised_form() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("标题", 100_000_000).await;
    let finance = app.token("finance").await;
    let (payment, token) = paid_pledge(&app, &campaign, 10_000, &finance).await;
    let receipt: Value = issue(&app, &finance, &payment)
        .await
        .json()
        .await
        .expect("json");
    let id = receipt["id"].as_str().expect("id");
    let bytes = pdf(
        &app,
        &format!("/api/v1/receipts/{id}/pdf?token={token}"),
        None,
    )
    .await;
    if let Some(text) = pdf_text(&bytes) {
        let text = compact(&text);
        assert!(text.contains("捐赠收据"), "{text}");
        assert!(!text.contains("票据"), "no 票据 on the receipt: {text}");
    }
    let page = app
        .client
        .get(receipt["verify_url"].as_str().expect("url"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains("有效收据") && !page.contains("票据"));
    let docs = app
        .get("/api/openapi.json", None)
        .await
        .text()
        .await
        .expect("docs");
    assert!(!docs.contains("公益事业捐赠票据") && !docs.contains("票据"));
    assert!(docs.contains("捐赠收据"));
}

#[tokio::test]
async fn a_receipt_prints_the_day_the_money_arrived_the_reviewer_a_note_and_a_code_to_type_in() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("会计", 100_000_000).await;
    let finance = app.token("finance").await;
    let (payment, _) = paid_pledge(&app, &campaign, 10_000, &finance).await;
    assert_problem(
        app.post_json(
            "/api/v1/receipts",
            &json!({ "payment_id": payment, "note": "注".repeat(61) }),
            Some(&finance),
        )
        .await,
        422,
    )
    .await;
    let made = app
        .post_json(
            "/api/v1/receipts",
            &json!({ "payment_id": payment, "reviewer_name": "李复核", "note": "2026年度双日捐" }),
            Some(&finance),
        )
        .await;
    assert_eq!(made.status(), 201);
    let receipt: Value = made.json().await.expect("json");
    let code = receipt["verify_code"].as_str().expect("a short code");
    assert_eq!(code.len(), 11, "{code}");
    let id = receipt["id"].as_str().expect("id");
    let bytes = pdf(&app, &format!("/api/v1/receipts/{id}/pdf"), Some(&finance)).await;
    keep("receipt-fields.pdf", &bytes);
    if let Some(text) = pdf_text(&bytes) {
        let text = compact(&text);
        for expected in [
            "到账日期",
            "2026年11月20日",
            "开具日期",
            "复核人：李复核",
            "经办人：",
            "备注2026年度双日捐",
            &format!("核验码{code}"),
            &format!("{}/verify", app.address),
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
    }

    // Without a reviewer the line is left to sign.
    let (payment, _) = paid_pledge(&app, &campaign, 20_000, &finance).await;
    let plain: Value = issue(&app, &finance, &payment)
        .await
        .json()
        .await
        .expect("json");
    let bytes = pdf(
        &app,
        &format!("/api/v1/receipts/{}/pdf", plain["id"].as_str().expect("id")),
        Some(&finance),
    )
    .await;
    if let Some(text) = pdf_text(&bytes) {
        assert!(compact(&text).contains("复核人：___"), "{text}");
    }
}

#[tokio::test]
async fn the_code_under_the_qr_code_finds_the_receipt_however_it_is_typed() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("核验码", 100_000_000).await;
    let finance = app.token("finance").await;
    let (payment, _) = paid_pledge(&app, &campaign, 3_000, &finance).await;
    let receipt: Value = issue(&app, &finance, &payment)
        .await
        .json()
        .await
        .expect("json");
    let code = receipt["verify_code"].as_str().expect("code").to_owned();
    let typed = code.replace('-', " ").to_lowercase();

    let found = app
        .get(&format!("/api/v1/receipts/verify?code={typed}"), None)
        .await;
    assert_eq!(found.status(), 200);
    let found: Value = found.json().await.expect("json");
    assert_eq!(found["number"], receipt["number"]);
    assert_eq!(found["valid"], true);
    assert_eq!(found["received_on"], "2026-11-20");

    // One character wrong: its check character says so before any look-up.
    let mut wrong: Vec<char> = code.chars().collect();
    wrong[0] = if wrong[0] == '7' { '8' } else { '7' };
    let wrong: String = wrong.into_iter().collect();
    let refused = assert_problem(
        app.get(&format!("/api/v1/receipts/verify?code={wrong}"), None)
            .await,
        422,
    )
    .await;
    assert!(refused.to_string().contains("核验码"));
    // A well-formed code of no receipt.
    assert_problem(
        app.get("/api/v1/receipts/verify?code=00000-00000", None)
            .await,
        404,
    )
    .await;

    // The page: a form, the answer, and a mistyped code shown again with the error.
    let form = app
        .client
        .get(app.url("/verify"))
        .send()
        .await
        .expect("page");
    assert_eq!(form.status(), 200);
    assert!(form.text().await.expect("html").contains("name=\"code\""));
    let answer = app
        .client
        .get(app.url(&format!("/verify?code={typed}")))
        .send()
        .await
        .expect("page");
    assert_eq!(answer.status(), 200);
    let html = answer.text().await.expect("html");
    assert!(html.contains("有效收据") && html.contains(receipt["number"].as_str().expect("n")));
    let mistyped = app
        .client
        .get(app.url(&format!("/verify?code={wrong}")))
        .send()
        .await
        .expect("page");
    assert_eq!(mistyped.status(), 422);
    let html = mistyped.text().await.expect("html");
    assert!(html.contains("请核对") && html.contains(&format!("value=\"{wrong}\"")));
}

#[tokio::test]
async fn a_staff_list_receipt_carries_the_units_credit_code_and_every_person_on_staff_pages() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("名单收据", 100_000_000).await;
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
    let people = 130;
    for i in 0..people {
        // Some names as long as a staff list allows (50 characters).
        let name = if i % 25 == 7 {
            format!("{}{i:03}", "长".repeat(47))
        } else {
            format!("员工{i:03}")
        };
        csv.push_str(&format!("{name},一车间,10,否\n"));
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
    let finance = app.token("finance").await;
    let payment: Value = app
        .post_json(
            "/api/v1/payments",
            &json!({ "amount_fen": people * 1_000, "channel": "bank_transfer", "received_on": "2026-11-21", "reference_code": roster["reference_code"] }),
            Some(&finance),
        )
        .await
        .json()
        .await
        .expect("payment");
    let receipt = issue(&app, &finance, payment["id"].as_str().expect("id")).await;
    assert_eq!(receipt.status(), 201);
    let receipt: Value = receipt.json().await.expect("json");
    let bytes = pdf(
        &app,
        &format!(
            "/api/v1/receipts/{}/pdf",
            receipt["id"].as_str().expect("id")
        ),
        Some(&finance),
    )
    .await;
    keep("receipt-roster.pdf", &bytes);
    let Some(text) = pdf_text(&bytes) else {
        return;
    };
    let flat = compact(&text);
    assert!(
        flat.contains("统一社会信用代码91220201MA14X2B7DJ"),
        "{flat}"
    );
    assert!(flat.contains("员工明细"));
    for i in 0..people {
        let name = if i % 25 == 7 {
            format!("{}{i:03}", "长".repeat(47))
        } else {
            format!("员工{i:03}")
        };
        assert!(flat.contains(&name), "{name} on the staff pages");
    }
    let pages = text.matches('\u{c}').count();
    assert!(
        pages >= 3,
        "the receipt and at least two staff pages: {pages}"
    );
    assert!(flat.contains(&format!("名单合计{people}人")));
    assert!(flat.contains(&format!("共{}页", pages - 1)), "{flat}");
}

#[tokio::test]
async fn a_reissue_corrects_the_title_and_id_number_and_the_voided_receipt_points_to_it() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("更正", 100_000_000).await;
    let finance = app.token("finance").await;
    let (payment, token) = paid_pledge(&app, &campaign, 6_600, &finance).await;
    let old: Value = issue(&app, &finance, &payment)
        .await
        .json()
        .await
        .expect("json");
    let id = old["id"].as_str().expect("id");
    let path = format!("/api/v1/receipts/{id}/reissue");
    // Checked as at entry: a wrong check digit, and a credit code for a person.
    let bad = assert_problem(
        app.post_json(
            &path,
            &json!({ "reason": "证件号码有误", "id_number": "220204199003078815" }),
            Some(&finance),
        )
        .await,
        422,
    )
    .await;
    assert!(bad.to_string().contains("id_number"), "{bad}");
    assert_problem(
        app.post_json(
            &path,
            &json!({ "reason": "证件号码有误", "credit_code": "91350100M000100Y43" }),
            Some(&finance),
        )
        .await,
        422,
    )
    .await;
    let old_live: Value = app
        .get(
            &format!(
                "/api/v1/receipts/verify?code={}",
                old["verify_code"].as_str().expect("c")
            ),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(old_live["valid"], true, "a refused reissue voids nothing");

    let new = app
        .post_json(
            &path,
            &json!({ "reason": "抬头与证件号码有误", "title": "张小明（吉林）", "id_number": "22020219800101123X" }),
            Some(&finance),
        )
        .await;
    assert_eq!(new.status(), 201);
    let new: Value = new.json().await.expect("json");
    let bytes = pdf(
        &app,
        &format!(
            "/api/v1/receipts/{}/pdf?token={token}",
            new["id"].as_str().expect("id")
        ),
        None,
    )
    .await;
    keep("receipt-reissued.pdf", &bytes);
    if let Some(text) = pdf_text(&bytes) {
        let text = compact(&text);
        assert!(text.contains("张小明（吉林）"), "{text}");
        assert!(text.contains("2202**********123X"), "{text}");
        assert!(
            text.contains(&format!(
                "原收据{}已作废",
                old["number"].as_str().expect("n")
            )),
            "{text}"
        );
    }
    let voided = pdf(&app, &format!("/api/v1/receipts/{id}/pdf"), Some(&finance)).await;
    keep("receipt-voided.pdf", &voided);
    if let Some(text) = pdf_text(&voided) {
        assert!(
            compact(&text).contains("作废原因：换开：抬头与证件号码有误"),
            "{text}"
        );
    }
    // The voided receipt points to its replacement, on the API and on its page.
    let old_token = old["verify_url"]
        .as_str()
        .expect("url")
        .rsplit('/')
        .next()
        .expect("t")
        .to_owned();
    let verified: Value = app
        .get(&format!("/api/v1/receipts/verify/{old_token}"), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(verified["valid"], false);
    assert_eq!(verified["replaced_by_number"], new["number"]);
    let new_token = new["verify_url"]
        .as_str()
        .expect("url")
        .rsplit('/')
        .next()
        .expect("t")
        .to_owned();
    assert_eq!(verified["replaced_by_link"], format!("/verify/{new_token}"));
    let page = app
        .client
        .get(app.url(&format!("/verify/{old_token}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains(&format!("href=\"/verify/{new_token}\"")),
        "{page}"
    );
    let replacement: Value = app
        .get(&format!("/api/v1/receipts/verify/{new_token}"), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(replacement["replaces_number"], old["number"]);

    // Audited, with the ID only masked; the next receipt of the pledge keeps the title.
    let auditor = app.token("auditor").await;
    let log: Value = app
        .get(
            &format!("/api/v1/audit?subject={}", new["id"].as_str().expect("id")),
            Some(&auditor),
        )
        .await
        .json()
        .await
        .expect("json");
    let detail = log["items"][0]["detail"]
        .as_str()
        .expect("detail")
        .to_owned();
    assert!(
        detail.contains("抬头") && detail.contains("身份证号"),
        "{detail}"
    );
    assert!(!detail.contains("22020219800101123X"), "{detail}");
}

#[tokio::test]
async fn a_donors_first_download_is_the_original_whoever_previewed_it() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("首份原件", 100_000_000).await;
    let finance = app.token("finance").await;
    let (payment, token) = paid_pledge(&app, &campaign, 1_000, &finance).await;
    let receipt: Value = issue(&app, &finance, &payment)
        .await
        .json()
        .await
        .expect("json");
    let id = receipt["id"].as_str().expect("id");
    let staff = format!("/api/v1/receipts/{id}/pdf");
    let donor = format!("/api/v1/receipts/{id}/pdf?token={token}");
    let copies = [
        (
            pdf(&app, &staff, Some(&finance)).await,
            false,
            "finance's preview",
        ),
        (
            pdf(&app, &staff, Some(&finance)).await,
            false,
            "finance's second preview",
        ),
        (
            pdf(&app, &donor, None).await,
            false,
            "the donor's first download",
        ),
        (
            pdf(&app, &donor, None).await,
            true,
            "the donor's second download",
        ),
        (
            pdf(&app, &staff, Some(&finance)).await,
            true,
            "finance after the donor",
        ),
    ];
    for (i, (bytes, copy, what)) in copies.into_iter().enumerate() {
        keep(&format!("receipt-download-{i}.pdf"), &bytes);
        if let Some(text) = pdf_text(&bytes) {
            assert_eq!(text.contains("副本"), copy, "{what}");
        }
    }
}

#[tokio::test]
async fn the_longest_names_wrap_inside_the_page_and_rare_characters_come_back_from_the_pdf() {
    let app = TestApp::spawn().await;
    let long_campaign = format!("𠮷{}", "慈善救助双日捐".repeat(14));
    let campaign = app.open_campaign(&long_campaign, 100_000_000).await;
    // As long as a pledge accepts (100 characters), with characters beyond the font.
    let name = format!("𠮷𡈼{}", "吉林市长名字测试单位".repeat(10))
        .chars()
        .take(100)
        .collect::<String>();
    let made: Value = app
        .post_json(
            "/api/v1/pledges",
            &json!({
                "campaign_id": campaign,
                "amount_fen": 8_800,
                "donor": { "kind": "organization", "name": name, "credit_code": "91350100M000100Y43", "contact": "王经理" },
                "receipt_requested": true,
            }),
            None,
        )
        .await
        .json()
        .await
        .expect("pledge");
    assert!(made["id"].is_string(), "{made}");
    // A finance officer whose name is as long as a user's may be (64 characters), and a
    // reviewer's as long as a receipt takes (20).
    let admin = app.token("admin").await;
    let officer = app
        .post_json(
            "/api/v1/users",
            &json!({ "username": "longname", "display_name": "财".repeat(63) + "𠮷", "password": "a-long-enough-password-2026", "role": "finance" }),
            Some(&admin),
        )
        .await;
    assert_eq!(officer.status(), 201);
    let finance = app
        .login("longname", "a-long-enough-password-2026")
        .await
        .json::<Value>()
        .await
        .expect("session")["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let payment: Value = app
        .post_json(
            "/api/v1/payments",
            &json!({ "amount_fen": 8_800, "channel": "bank_transfer", "received_on": "2026-11-20", "reference_code": made["reference_code"] }),
            Some(&finance),
        )
        .await
        .json()
        .await
        .expect("payment");
    let receipt: Value = app
        .post_json(
            "/api/v1/receipts",
            &json!({ "payment_id": payment["id"], "reviewer_name": "审".repeat(20), "note": "备".repeat(60) }),
            Some(&finance),
        )
        .await
        .json()
        .await
        .expect("json");
    let token = made["access_token"].as_str().expect("token");
    let receipt_pdf = pdf(
        &app,
        &format!(
            "/api/v1/receipts/{}/pdf?token={token}",
            receipt["id"].as_str().expect("id")
        ),
        None,
    )
    .await;
    keep("receipt-long-name.pdf", &receipt_pdf);
    let certificate = pdf(
        &app,
        &format!(
            "/api/v1/pledges/{}/certificate.pdf?token={token}",
            made["id"].as_str().expect("id")
        ),
        None,
    )
    .await;
    keep("certificate-long-name.pdf", &certificate);
    for (what, bytes) in [("receipt", &receipt_pdf), ("certificate", &certificate)] {
        let Some(text) = pdf_text(bytes) else {
            return;
        };
        let text = compact(&text);
        assert!(text.contains(&name), "the whole name on the {what}: {text}");
        if what == "receipt" {
            for whole in [
                format!("经办人：{}𠮷", "财".repeat(63)),
                format!("复核人：{}", "审".repeat(20)),
                "备".repeat(60),
            ] {
                assert!(text.contains(&whole), "{whole} on the receipt: {text}");
            }
        }
        assert!(
            text.contains(&long_campaign),
            "the campaign on the {what}: {text}"
        );
        let words = word_edges(bytes).expect("bbox");
        for w in words {
            // Inside the frame: 8 mm on the receipt, 10 mm on the certificate.
            assert!(
                w.right <= w.width - 22.0 && w.bottom <= w.height - 22.0,
                "{} runs off the {what}: ({}, {}) of ({}, {})",
                w.text,
                w.right,
                w.bottom,
                w.width,
                w.height
            );
        }
        if std::path::Path::new("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf").exists() {
            let fonts = std::process::Command::new("pdffonts")
                .arg({
                    let p = std::env::temp_dir()
                        .join(format!("sunshine-fonts-{}.pdf", uuid::Uuid::new_v4()));
                    std::fs::write(&p, bytes).expect("write");
                    p
                })
                .output()
                .expect("pdffonts");
            let listed = String::from_utf8_lossy(&fonts.stdout);
            assert!(
                listed.contains("HanaMinB"),
                "the fallback font is embedded: {listed}"
            );
        }
    }
}

#[tokio::test]
async fn a_certificate_shows_what_was_paid_when_it_is_downloaded() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("证书金额", 100_000_000).await;
    let made: Value = app
        .post_json(
            "/api/v1/pledges",
            &json!({ "campaign_id": campaign, "amount_fen": 10_000, "donor": { "kind": "individual", "name": "王分期", "phone": "13800001234" } }),
            None,
        )
        .await
        .json()
        .await
        .expect("pledge");
    let finance = app.token("finance").await;
    let pay = |fen: i64| {
        let body = json!({ "amount_fen": fen, "channel": "cash", "received_on": "2026-11-20", "reference_code": made["reference_code"] });
        let app = &app;
        let finance = finance.clone();
        async move {
            let paid = app
                .post_json("/api/v1/payments", &body, Some(&finance))
                .await;
            assert_eq!(paid.status(), 201);
        }
    };
    pay(4_000).await;
    let path = format!(
        "/api/v1/pledges/{}/certificate.pdf?token={}",
        made["id"].as_str().expect("id"),
        made["access_token"].as_str().expect("token")
    );
    let first = pdf(&app, &path, None).await;
    pay(6_000).await;
    let second = pdf(&app, &path, None).await;
    let (Some(first), Some(second)) = (pdf_text(&first), pdf_text(&second)) else {
        return;
    };
    let (first, second) = (compact(&first), compact(&second));
    assert!(first.contains("¥40.00"), "{first}");
    assert!(
        second.contains("¥100.00") && second.contains("壹佰元整"),
        "{second}"
    );
    let number = |t: &str| t.find("JLZS-").map(|i| t[i..i + 16].to_owned());
    assert_eq!(
        number(&first),
        number(&second),
        "the same certificate, made again"
    );
}

#[tokio::test]
async fn a_units_credit_code_is_checked_when_it_is_registered() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let refused = assert_problem(
        app.post_json(
            "/api/v1/units",
            &json!({ "name": "吉林市校验位有误公司", "credit_code": "91350100M000100Y44" }),
            Some(&admin),
        )
        .await,
        422,
    )
    .await;
    assert!(
        refused.to_string().contains("credit_code") && refused.to_string().contains("校验位"),
        "{refused}"
    );
    let made = app
        .post_json(
            "/api/v1/units",
            &json!({ "name": "吉林市信用代码公司", "credit_code": "91350100m000100y43" }),
            Some(&admin),
        )
        .await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.expect("json");
    assert_eq!(made["credit_code"], "91350100M000100Y43");
}

#[tokio::test]
async fn guessing_codes_is_limited_per_address_like_sign_in_attempts() {
    let app = TestApp::spawn_with(&[("SUNSHINE_LOGINS_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        assert_problem(
            app.get("/api/v1/receipts/verify?code=00000-00000", None)
                .await,
            404,
        )
        .await;
    }
    let limited = assert_problem(
        app.get("/api/v1/receipts/verify?code=00000-00000", None)
            .await,
        429,
    )
    .await;
    assert!(limited.to_string().contains("频繁"), "{limited}");
    let page = app
        .client
        .get(app.url("/verify?code=00000-00000"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 429);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("尝试过于频繁") && html.contains("秒后再试"),
        "{html}"
    );
}
