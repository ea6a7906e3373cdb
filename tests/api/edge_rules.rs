//! Rules at the edge: impossible birth dates, landline numbers as China numbers them, and
//! a long personal name masked as a person's.

use serde_json::{Value, json};
use tests::TestApp;

use crate::fundraising::{individual, pay, pledge};
use crate::helpers::assert_problem;
use crate::receipts::issue;

/// The 17 digits with their right check character (GB 11643-1999).
fn id_number(digits: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = digits
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    format!(
        "{digits}{}",
        "10X98765432".as_bytes()[(sum % 11) as usize] as char
    )
}

async fn refused_field(app: &TestApp, body: &Value) -> Vec<String> {
    let problem = assert_problem(app.post_json("/api/v1/pledges", body, None).await, 422).await;
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn an_id_number_born_in_the_future_or_before_1900_is_refused() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("出生日期", 1_000_000).await;
    for digits in [
        "22020421000101001",
        "22020418991231001",
        "22020420991231001",
    ] {
        let mut body = individual(&campaign, 100);
        body["donor"]["id_number"] = json!(id_number(digits));
        assert_eq!(
            refused_field(&app, &body).await,
            ["donor.id_number"],
            "{digits}"
        );
    }
    let mut body = individual(&campaign, 100);
    body["donor"]["id_number"] = json!(id_number("22020419000101001"));
    assert_eq!(
        app.post_json("/api/v1/pledges", &body, None).await.status(),
        201
    );
}

#[tokio::test]
async fn landlines_follow_the_area_code_pattern() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("座机", 1_000_000).await;
    for good in [
        "0432-62345678",
        "0432-6234567",
        "010-65432109",
        "138-0000-1234",
    ] {
        let mut body = individual(&campaign, 100);
        body["donor"]["phone"] = json!(good);
        let answer = app.post_json("/api/v1/pledges", &body, None).await;
        assert_eq!(answer.status(), 201, "{good}");
    }
    for bad in [
        "0432-0234567",
        "010-6543210",
        "0110-6543210",
        "04-3262345678",
    ] {
        let mut body = individual(&campaign, 100);
        body["donor"]["phone"] = json!(bad);
        assert_eq!(refused_field(&app, &body).await, ["donor.phone"], "{bad}");
    }
}

#[tokio::test]
async fn a_five_character_personal_name_is_masked_as_a_persons() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("复姓", 1_000_000).await;
    let mut body = individual(&campaign, 2_000);
    body["donor"]["name"] = json!("欧阳娜娜子");
    let made = pledge(&app, &body).await;
    let finance = app.token("finance").await;
    let payment = pay(&app, &finance, 2_000, made["reference_code"].as_str()).await;
    let receipt: Value = issue(&app, &finance, payment["id"].as_str().expect("id"))
        .await
        .json()
        .await
        .expect("json");
    let token = receipt["verify_url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("token");
    let verified: Value = app
        .get(&format!("/api/v1/receipts/verify/{token}"), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(verified["donor_masked"], "欧阳***");
}

#[tokio::test]
async fn names_with_direction_tricks_or_only_invisible_characters_are_refused() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("不可见字符", 1_000_000).await;
    for name in [
        "张\u{202E}三",
        "\u{2067}李四\u{2069}",
        "\u{200B}\u{200B}",
        "\u{3164}",
    ] {
        let mut body = individual(&campaign, 100);
        body["donor"]["name"] = json!(name);
        let fields = refused_field(&app, &body).await;
        assert!(
            fields.contains(&"donor.name".to_owned()),
            "{name:?}: {fields:?}"
        );
    }
    let mut titled = individual(&campaign, 100);
    titled["receipt_title"] = json!("某某\u{202D}公司");
    assert_eq!(refused_field(&app, &titled).await, ["receipt_title"]);
    let mut fine = individual(&campaign, 100);
    fine["donor"]["name"] = json!("𠮷田·阿依古丽");
    assert_eq!(
        app.post_json("/api/v1/pledges", &fine, None).await.status(),
        201
    );
}

#[tokio::test]
async fn characters_no_receipt_font_can_print_are_refused_by_name() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("无法打印的字符", 1_000_000).await;
    for (name, named) in [
        ("张三😀", "“😀”（U+1F600）"),
        ("王\u{E000}五", "（U+E000）"),
        ("李\u{1F1E8}\u{1F1F3}", "（U+1F1E8）"),
    ] {
        let mut body = individual(&campaign, 100);
        body["donor"]["name"] = json!(name);
        let problem =
            assert_problem(app.post_json("/api/v1/pledges", &body, None).await, 422).await;
        let error = &problem["errors"][0];
        assert_eq!(error["field"], "donor.name", "{name:?}");
        let message = error["message"].as_str().expect("message");
        assert!(message.contains(named), "{name:?}: {message}");
    }
    let admin = app.token("admin").await;
    let unit = app
        .post_json(
            "/api/v1/units",
            &json!({ "name": "吉林市🎉有限公司" }),
            Some(&admin),
        )
        .await;
    let problem = assert_problem(unit, 422).await;
    assert_eq!(problem["errors"][0]["field"], "name");
    // Rare characters that Noto Sans SC or the fallback font print are kept.
    for name in ["王䶮", "𠮷田", "𪚥"] {
        let mut fine = individual(&campaign, 100);
        fine["donor"]["name"] = json!(name);
        assert_eq!(
            app.post_json("/api/v1/pledges", &fine, None).await.status(),
            201,
            "{name}"
        );
    }
}
