//! Work units' staff lists: the template, whole-or-nothing imports, the remittance.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tests::TestApp;

use crate::fundraising::progress;
use crate::helpers::assert_problem;

pub(crate) async fn unit_id(app: &TestApp) -> String {
    app.session("unit").await["user"]["unit_id"]
        .as_str()
        .expect("unit")
        .to_owned()
}

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    unit: &str,
    campaign: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = Form::new()
        .text("campaign_id", campaign.to_owned())
        .part("file", Part::bytes(bytes).file_name(name.to_owned()));
    app.client
        .post(app.url(&format!("/api/v1/units/{unit}/rosters")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

pub(crate) fn staff_csv(people: usize) -> (String, i64) {
    let mut text = String::from("姓名,部门,金额(元),是否匿名,备注\n");
    let mut total = 0;
    for i in 0..people {
        let yuan = 50 + (i % 20) * 10;
        total += i64::try_from(yuan).unwrap_or(0) * 100;
        let anonymous = if i % 10 == 0 { "是" } else { "否" };
        text.push_str(&format!("职工{i:05},第{}车间,{yuan},{anonymous},\n", i % 7));
    }
    (text, total)
}

#[tokio::test]
async fn a_coordinator_downloads_the_template() {
    let app = TestApp::spawn().await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let response = app
        .get(
            &format!("/api/v1/units/{unit}/roster-template.xlsx"),
            Some(&token),
        )
        .await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"PK"), "an XLSX file");
    let donor = app.token("donor").await;
    assert_problem(
        app.get(
            &format!("/api/v1/units/{unit}/roster-template.xlsx"),
            Some(&donor),
        )
        .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn a_list_with_bad_rows_imports_nothing_and_names_every_row() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("名单校验", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let csv = "姓名,部门,金额(元),是否匿名,备注\n张三,财务科,200,否,\n李四,财务科,两百,否,\n,办公室,100,否,\n张三,财务科,50,否,\n王五,工会,80,否,\n";
    let body = assert_problem(
        upload(
            &app,
            &token,
            &unit,
            &campaign,
            "名单.csv",
            csv.as_bytes().to_vec(),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["type"], "/problems/bad-rows");
    let rows: Vec<(i64, &str)> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["column"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(rows, [(3, "金额(元)"), (4, "姓名"), (5, "姓名")]);
    let now = progress(&app, &campaign).await;
    assert_eq!(now["pledged_unpaid_fen"], 0, "nothing was imported");
    let lists: Value = app
        .get(&format!("/api/v1/units/{unit}/rosters"), Some(&token))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(lists.as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_clean_list_of_1000_is_imported_and_paid_by_one_remittance() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("千人名单", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let (csv, total) = staff_csv(1000);
    let response = upload(
        &app,
        &token,
        &unit,
        &campaign,
        "一车间.csv",
        csv.into_bytes(),
    )
    .await;
    assert_eq!(response.status(), 201);
    let roster: Value = response.json().await.expect("json");
    assert_eq!(roster["people"], 1000);
    assert_eq!(roster["total_fen"], total);
    assert_eq!(roster["status"], "awaiting_payment");
    let code = roster["reference_code"].as_str().expect("code").to_owned();

    let listed = progress(&app, &campaign).await;
    assert_eq!(listed["pledged_unpaid_fen"], total);
    assert_eq!(listed["by_unit"][0]["key"], unit.as_str());

    // A remittance that falls short is not matched; finance sees the difference.
    let finance = app.token("finance").await;
    let short: Value = app
        .post_json("/api/v1/payments", &json!({ "amount_fen": total - 100, "channel": "bank_transfer", "received_on": "2026-11-20", "reference_code": code }), Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(short["status"], "unmatched");
    assert!(
        short["note"].as_str().is_some_and(|n| n.contains("相差")),
        "{short}"
    );
    assert_eq!(progress(&app, &campaign).await["raised_fen"], 0);

    let paid: Value = app
        .post_json("/api/v1/payments", &json!({ "amount_fen": total, "channel": "bank_transfer", "received_on": "2026-11-21", "reference_code": code }), Some(&finance))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(paid["status"], "matched");
    let after = progress(&app, &campaign).await;
    assert_eq!(after["raised_fen"], total);
    assert_eq!(after["pledged_unpaid_fen"], 0);
    assert_eq!(after["donors"], 1000);
    let kinds = after["by_donor_kind"].as_array().expect("kinds");
    let anonymous = kinds
        .iter()
        .find(|k| k["key"] == "anonymous")
        .expect("anonymous share");
    assert_eq!(anonymous["donors"], 100);

    let totals: Value = app
        .get(
            &format!("/api/v1/units/{unit}/totals?campaign_id={campaign}"),
            Some(&token),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(totals["people_listed"], 1000);
    assert_eq!(totals["money_fen"], total);
    assert_eq!(totals["rosters_paid"], 1);
    let report = sunshine::check::run(&app.state.db).await.expect("check");
    assert_eq!(report.violations, 0, "{:#?}", report.lines);

    // Reversing the remittance puts everything back.
    let id = paid["id"].as_str().expect("id");
    let reversed = app
        .post_json(
            &format!("/api/v1/payments/{id}/reverse"),
            &json!({ "reason": "汇款退回" }),
            Some(&finance),
        )
        .await;
    assert_eq!(reversed.status(), 201);
    let back = progress(&app, &campaign).await;
    assert_eq!(back["raised_fen"], 0);
    assert_eq!(back["donors"], 0);
    assert_eq!(back["pledged_unpaid_fen"], total);
    let report = sunshine::check::run(&app.state.db).await.expect("check");
    assert_eq!(report.violations, 0, "{:#?}", report.lines);
}

#[tokio::test]
async fn an_xlsx_list_is_read_like_a_csv() {
    use rust_xlsxwriter::Workbook;
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("XLSX名单", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, h) in ["姓名", "部门", "金额（元）", "是否匿名", "备注"]
        .iter()
        .enumerate()
    {
        sheet
            .write_string(0, u16::try_from(col).unwrap_or(0), *h)
            .expect("header");
    }
    sheet.write_string(1, 0, "刘一").expect("cell");
    sheet.write_number(1, 2, 200.5).expect("cell");
    sheet.write_string(2, 0, "陈二").expect("cell");
    sheet.write_string(2, 2, "abc").expect("cell");
    let bytes = workbook.save_to_buffer().expect("xlsx");
    let body = assert_problem(
        upload(&app, &token, &unit, &campaign, "名单.xlsx", bytes).await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["row"], 3);
    assert_eq!(body["errors"][0]["column"], "金额(元)");
}

#[tokio::test]
async fn a_coordinator_cannot_upload_for_another_unit() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("越权", 100_000_000).await;
    let admin = app.token("admin").await;
    let other: Value = app
        .post_json(
            "/api/v1/units",
            &json!({ "name": "另一家单位", "region_code": "220203" }),
            Some(&admin),
        )
        .await
        .json()
        .await
        .expect("json");
    let token = app.token("unit").await;
    let (csv, _) = staff_csv(3);
    let response = upload(
        &app,
        &token,
        other["id"].as_str().expect("id"),
        &campaign,
        "x.csv",
        csv.into_bytes(),
    )
    .await;
    assert_problem(response, 403).await;
    // Its own sub-unit (a union branch) is fine.
    let unit = unit_id(&app).await;
    let branch = app
        .post_json(
            "/api/v1/units",
            &json!({ "name": "工会第二分会", "parent_id": unit }),
            Some(&token),
        )
        .await;
    assert_eq!(branch.status(), 201);
    let branch: Value = branch.json().await.expect("json");
    let (csv, _) = staff_csv(3);
    let response = upload(
        &app,
        &token,
        branch["id"].as_str().expect("id"),
        &campaign,
        "x.csv",
        csv.into_bytes(),
    )
    .await;
    assert_eq!(response.status(), 201);
    let units: Value = app
        .get("/api/v1/units", Some(&token))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        units.as_array().map(Vec::len),
        Some(3),
        "own unit, demo branch, new branch"
    );
}

#[tokio::test]
async fn an_upload_without_a_file_or_campaign_is_named() {
    let app = TestApp::spawn().await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let form = Form::new().text("campaign_id", "x");
    let response = app
        .client
        .post(app.url(&format!("/api/v1/units/{unit}/rosters")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let body = assert_problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "file");
}

#[tokio::test]
async fn a_list_downloads_as_imported_with_formulas_written_as_text() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("名单导出", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    let csv = "姓名,部门,金额(元),是否匿名,备注\n=cmd|' /C calc'!A0,@SUM(A1),100,否,\n张三,财务科,50,否,\n李四,工会,20,是,\n";
    let list: Value = upload(
        &app,
        &token,
        &unit,
        &campaign,
        "导出.csv",
        csv.as_bytes().to_vec(),
    )
    .await
    .json()
    .await
    .expect("json");
    let path = format!(
        "/api/v1/units/{unit}/rosters/{}/staff.xlsx",
        list["id"].as_str().expect("id")
    );
    let answer = app.get(&path, Some(&token)).await;
    assert_eq!(answer.status(), 200);
    let bytes = answer.bytes().await.expect("xlsx");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0)
        .expect("sheet")
        .expect("range");
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(cells[0], ["姓名", "部门", "金额(元)", "是否匿名"]);
    assert_eq!(cells[1][0], "'=cmd|' /C calc'!A0", "a formula stays text");
    assert_eq!(cells[1][1], "'@SUM(A1)");
    assert_eq!(cells[2][0], "张三");
    assert_eq!(cells[3][0], "", "an anonymous name was never kept");
    assert_eq!(cells[3][3], "是");
    // Another unit's coordinator and a donor may not read it.
    let donor = app.token("donor").await;
    assert_problem(app.get(&path, Some(&donor)).await, 403).await;
    let finance = app.token("finance").await;
    assert_eq!(app.get(&path, Some(&finance)).await.status(), 200);
}

#[tokio::test]
async fn a_sheet_reaching_xfd1048576_or_a_csv_past_the_row_limit_is_refused_unread() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("超大表格", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = unit_id(&app).await;
    // 6 KB on disk; read as written it is a range of 17 billion cells.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in ["姓名", "金额(元)"].iter().enumerate() {
        sheet
            .write_string(0, u16::try_from(col).expect("col"), *header)
            .expect("header");
    }
    sheet.write_string(1, 0, "张三").expect("name");
    sheet.write_number(1, 1, 100.0).expect("amount");
    sheet
        .write_string(1_048_575, 16_383, "远")
        .expect("far cell");
    let bytes = book.save_to_buffer().expect("xlsx");
    let refused = assert_problem(
        upload(&app, &token, &unit, &campaign, "远.xlsx", bytes).await,
        422,
    )
    .await;
    let text = refused.to_string();
    assert!(
        text.contains("1048576") && text.contains("200000 行"),
        "{text}"
    );

    let mut csv = String::from("姓名,金额(元)\n");
    for _ in 0..200_002 {
        csv.push_str("a,1\n");
    }
    let refused = assert_problem(
        upload(&app, &token, &unit, &campaign, "长.csv", csv.into_bytes()).await,
        422,
    )
    .await;
    assert!(refused.to_string().contains("200000 行"), "{refused}");
    assert_eq!(progress(&app, &campaign).await["pledged_unpaid_fen"], 0);
}
