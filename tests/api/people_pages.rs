//! The pages people use to give and to find their way: where to pay, forms that keep what
//! was typed, one clear answer for a page of another role, navigation to real pages.

use reqwest::Client;
use serde_json::{Value, json};
use tests::{DEMO_PASSWORD, TestApp};

use crate::fundraising::{individual, pledge};
use crate::helpers::assert_problem;

fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The CSRF token in a page's forms.
fn csrf_in(html: &str) -> String {
    let marker = r#"name="csrf_token" value=""#;
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..].split('"').next().expect("token").to_owned()
}

async fn page_csrf(app: &TestApp, browser: &Client, path: &str) -> String {
    let page = browser.get(app.url(path)).send().await.expect("page");
    csrf_in(&page.text().await.expect("html"))
}

async fn signed_in(app: &TestApp, username: &str) -> Client {
    let browser = browser();
    let csrf = page_csrf(app, &browser, "/login").await;
    let response = browser
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", username),
            ("password", DEMO_PASSWORD),
            ("next", "/home"),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), 303, "{username} signs in");
    browser
}

/// Follows redirects by hand: the statuses and places seen, at most `limit` hops.
async fn walk(app: &TestApp, browser: &Client, path: &str, limit: usize) -> Vec<(u16, String)> {
    let mut seen = Vec::new();
    let mut at = path.to_owned();
    for _ in 0..=limit {
        let response = browser
            .get(app.url(&at))
            .header("accept", "text/html")
            .send()
            .await
            .expect("page");
        let status = response.status().as_u16();
        let next = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        seen.push((status, at.clone()));
        match next {
            Some(location) if (300..400).contains(&status) => at = location,
            _ => break,
        }
    }
    seen
}

/// Every page a signed-in person may open by its address, with who may open it.
const PAGES: &[(&str, &[&str])] = &[
    (
        "/home",
        &[
            "admin",
            "finance",
            "store",
            "caseworker",
            "unit",
            "auditor",
            "donor",
        ],
    ),
    (
        "/",
        &[
            "admin",
            "finance",
            "store",
            "caseworker",
            "unit",
            "auditor",
            "donor",
        ],
    ),
    (
        "/signup",
        &[
            "admin",
            "finance",
            "store",
            "caseworker",
            "unit",
            "auditor",
            "donor",
        ],
    ),
    ("/my/gifts", &["donor"]),
    ("/my/statements/2026", &["donor"]),
    ("/unit", &["unit"]),
    ("/unit/template.xlsx", &["unit"]),
    ("/admin/campaigns", &["admin", "finance", "auditor"]),
    ("/admin/payment-settings", &["admin"]),
    ("/finance/payments", &["finance", "admin", "auditor"]),
    ("/finance/receipts", &["finance", "admin", "auditor"]),
    ("/audit", &["auditor", "admin"]),
];

#[tokio::test]
async fn every_role_gets_each_page_or_the_403_page_and_never_a_redirect() {
    let app = TestApp::spawn().await;
    let roles = [
        "admin",
        "finance",
        "store",
        "caseworker",
        "unit",
        "auditor",
        "donor",
    ];
    // The public pages with ids: a campaign, a pledge's private link.
    let campaign = app.open_campaign("每个页面", 1_000_000).await;
    let made = pledge(&app, &individual(&campaign, 10_000)).await;
    let token = made["access_token"].as_str().expect("token");
    let public = [format!("/campaigns/{campaign}"), format!("/p/{token}")];
    for role in roles {
        let browser = signed_in(&app, role).await;
        for path in &public {
            let seen = walk(&app, &browser, path, 5).await;
            assert_eq!(seen, [(200, path.clone())], "{role} at {path}");
        }
        for (path, allowed) in PAGES {
            let seen = walk(&app, &browser, path, 5).await;
            assert_eq!(seen.len(), 1, "{role} at {path} was sent on: {seen:?}");
            let expected = if allowed.contains(&role) { 200 } else { 403 };
            assert_eq!(seen[0].0, expected, "{role} at {path}");
        }
        // Sign-in, for a signed-in person, leads once to a page they may see or to 403.
        for next in ["/unit", "/my/gifts", "/audit"] {
            let seen = walk(&app, &browser, &format!("/login?next={next}"), 5).await;
            assert_eq!(seen.len(), 2, "{role} signing in for {next}: {seen:?}");
            assert!([200, 403].contains(&seen[1].0), "{role}: {seen:?}");
        }
    }
    // Without a session each page asks to sign in, once, and comes back after.
    let anonymous = browser();
    for (path, _) in PAGES.iter().filter(|(p, _)| !["/", "/signup"].contains(p)) {
        let seen = walk(&app, &anonymous, path, 5).await;
        assert_eq!(seen.len(), 2, "{path}: {seen:?}");
        assert!(seen[1].1.starts_with("/login"), "{path}: {seen:?}");
        assert_eq!(seen[1].0, 200);
    }
}

#[tokio::test]
async fn the_header_shows_the_persons_name_not_the_username() {
    let app = TestApp::spawn().await;
    let browser = signed_in(&app, "finance").await;
    let html = browser
        .get(app.url("/home"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains(r#"<span class="name">示例财务</span>"#),
        "{html}"
    );
}

#[tokio::test]
async fn home_pages_and_menus_lead_only_to_pages_that_exist() {
    let app = TestApp::spawn().await;
    for role in [
        "admin",
        "finance",
        "store",
        "caseworker",
        "unit",
        "auditor",
        "donor",
    ] {
        let browser = signed_in(&app, role).await;
        let html = browser
            .get(app.url("/home"))
            .send()
            .await
            .expect("home")
            .text()
            .await
            .expect("html");
        assert!(!html.contains("暂无内容"), "{role} sees an empty panel");
        for unbuilt in ["阳光超市</h2>", "救助券</h2>", "品牌项目</h2>", "扫码发放"]
        {
            assert!(!html.contains(unbuilt), "{role} sees {unbuilt}");
        }
        // Every link of the page leads to a page this person may open.
        let links: Vec<String> = html
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .filter(|href| href.starts_with('/') && !href.starts_with("/static/"))
            .map(str::to_owned)
            .collect();
        assert!(links.len() >= 2, "{role}: {links:?}");
        for href in links {
            let path = href.split('#').next().expect("path");
            let seen = walk(&app, &browser, path, 3).await;
            let (status, _) = seen.last().expect("an answer");
            assert_eq!(*status, 200, "{role}: {href} {seen:?}");
        }
    }
    let auditor = signed_in(&app, "auditor").await;
    let home = auditor
        .get(app.url("/home"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("html");
    for page in [
        "/finance/payments",
        "/finance/receipts",
        "/admin/campaigns",
        "/audit",
    ] {
        assert!(
            home.contains(&format!(r#"href="{page}""#)),
            "the auditor's menu leads to {page}"
        );
    }
}

#[tokio::test]
async fn an_auditor_sees_the_books_without_buttons_they_may_not_use() {
    let app = TestApp::spawn().await;
    app.open_campaign("审计只读", 1_000_000).await;
    let auditor = signed_in(&app, "auditor").await;
    for path in ["/finance/payments", "/finance/receipts", "/admin/campaigns"] {
        let html = auditor
            .get(app.url(path))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        let posts = html.matches(r#"method="post""#).count();
        let sign_out = html.matches(r#"method="post" action="/logout""#).count();
        assert_eq!(posts, sign_out, "{path} offers a form besides signing out");
    }
    let admin = signed_in(&app, "admin").await;
    let html = admin
        .get(app.url("/admin/campaigns"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    // Closing starts from a link to its confirmation (what becomes of unpaid pledges).
    assert!(html.contains("新建募捐活动") && html.contains(">结束…</a>"));
}

#[tokio::test]
async fn the_audit_log_page_lists_changes_newest_first_and_filters_by_action() {
    let app = TestApp::spawn().await;
    app.open_campaign("审计日志页", 1_000_000).await;
    let auditor = signed_in(&app, "auditor").await;
    let html = auditor
        .get(app.url("/audit"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("审计日志"));
    let created = html.find("创建募捐活动：审计日志页").expect("the creation");
    let opened = html.find("campaign.status").expect("the opening");
    assert!(opened < created, "newest first");
    assert!(html.contains("示例慈善总会管理员（admin）"), "who did it");
    let filtered = auditor
        .get(app.url("/audit?action=campaign.create"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(filtered.contains("创建募捐活动：审计日志页"));
    assert!(!filtered.contains("<code>campaign.status</code>"));
}

#[tokio::test]
async fn a_campaign_page_shows_its_target_in_wan_yuan_with_the_share_reached() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("万元目标", 12_500_000).await;
    let html = browser()
        .get(app.url(&format!("/campaigns/{campaign}")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("12.5万元"), "target in 万元");
    assert!(html.contains("已达成 0%"), "share reached");
}

#[tokio::test]
async fn pages_have_a_favicon() {
    let app = TestApp::spawn().await;
    let html = browser()
        .get(app.url("/"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains(r#"rel="icon" href="/static/favicon.svg""#));
    for path in ["/static/favicon.svg", "/favicon.ico"] {
        let icon = browser().get(app.url(path)).send().await.expect("icon");
        assert_eq!(icon.status(), 200, "{path}");
        assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    }
}

/// Posts the pledge form of a campaign's page with these fields.
async fn post_pledge_form(
    app: &TestApp,
    browser: &Client,
    campaign: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = page_csrf(app, browser, &format!("/campaigns/{campaign}")).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", csrf.as_str())];
    form.extend_from_slice(fields);
    browser
        .post(app.url(&format!("/campaigns/{campaign}/pledge")))
        .form(&form)
        .send()
        .await
        .expect("pledge form")
}

#[tokio::test]
async fn a_pledge_form_with_an_error_comes_back_with_what_was_typed_and_the_error_beside_the_field()
{
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("保留输入", 1_000_000).await;
    let browser = browser();
    let response = post_pledge_form(
        &app,
        &browser,
        &campaign,
        &[
            ("amount_yuan", "200"),
            ("donor_kind", "individual"),
            ("name", "王美丽"),
            ("phone", "1380000"),
            ("id_number", "220204199003078814"),
            ("region_code", "220211"),
            ("public_name_consent", "on"),
            ("public_name", "王女士"),
            ("receipt_requested", "on"),
            ("receipt_title", "王美丽"),
        ],
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.expect("html");
    for kept in [
        r#"name="amount_yuan" id="amount""#,
        r#"value="200""#,
        r#"value="王美丽""#,
        r#"value="1380000""#,
        r#"value="220204199003078814""#,
        r#"value="王女士""#,
        r#"<option value="220211" selected>丰满区"#,
        r#"name="public_name_consent" checked"#,
        r#"name="receipt_requested" checked"#,
    ] {
        assert!(html.contains(kept), "kept {kept}");
    }
    let phone_field = html.find(r#"name="phone""#).expect("phone field");
    let error = html.find(r#"id="phone-error""#).expect("the phone's error");
    let next_field = html.find(r#"name="id_number""#).expect("next field");
    assert!(
        phone_field < error && error < next_field,
        "the error is beside the phone field"
    );
    // An organisation's form comes back as an organisation's.
    let response = post_pledge_form(
        &app,
        &browser,
        &campaign,
        &[
            ("amount_yuan", "1.234"),
            ("donor_kind", "organization"),
            ("name", "吉林化纤集团"),
            ("credit_code", "91220200MA0Y3XQ12K"),
        ],
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.expect("html");
    assert!(html.contains(r#"value="organization" checked"#));
    assert!(html.contains(r#"value="1.234""#) && html.contains(r#"id="amount_yuan-error""#));
    assert!(html.contains(r#"value="吉林化纤集团""#));
}

#[tokio::test]
async fn a_pledge_in_full_width_digits_is_read_like_ascii() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("全角数字", 1_000_000).await;
    let browser = browser();
    let response = post_pledge_form(
        &app,
        &browser,
        &campaign,
        &[
            ("amount_yuan", "２００．５０"),
            ("donor_kind", "individual"),
            ("name", "李四"),
            ("phone", "13800001234"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303, "pledged");
    let link = response.headers()["location"]
        .to_str()
        .expect("link")
        .to_owned();
    let html = browser
        .get(app.url(&link))
        .send()
        .await
        .expect("pledge page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("¥200.50"), "the amount read");
}

#[tokio::test]
async fn a_refused_pledge_keeps_the_form_and_says_how_many_seconds_to_wait() {
    let app = TestApp::spawn_with(&[
        ("SUNSHINE_PLEDGES_PER_MINUTE", "2"),
        ("SUNSHINE_PLEDGE_BURST", "2"),
    ])
    .await;
    let campaign = app.open_campaign("办公室", 1_000_000).await;
    let browser = browser();
    let fields = [
        ("amount_yuan", "100"),
        ("donor_kind", "individual"),
        ("name", "赵六"),
        ("phone", "13800001234"),
    ];
    for _ in 0..2 {
        let ok = post_pledge_form(&app, &browser, &campaign, &fields).await;
        assert_eq!(ok.status(), 303);
    }
    let refused = post_pledge_form(&app, &browser, &campaign, &fields).await;
    assert_eq!(refused.status(), 429);
    let seconds: u64 = refused.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=30).contains(&seconds), "{seconds}");
    let html = refused.text().await.expect("html");
    assert!(html.contains(&format!("请 {seconds} 秒后")), "says when");
    assert!(html.contains(r#"value="赵六""#) && html.contains(r#"value="100""#));
}

#[tokio::test]
async fn sign_up_with_an_error_keeps_the_names_typed_with_the_error_beside_the_field() {
    let app = TestApp::spawn().await;
    let browser = browser();
    let csrf = page_csrf(&app, &browser, "/signup").await;
    let response = browser
        .post(app.url("/signup"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", "wang.ml"),
            ("display_name", "王美丽"),
            ("password", "short"),
        ])
        .send()
        .await
        .expect("sign up");
    assert_eq!(response.status(), 422);
    let html = response.text().await.expect("html");
    assert!(html.contains(r#"value="wang.ml""#) && html.contains(r#"value="王美丽""#));
    let field = html.find(r#"name="password""#).expect("password field");
    let error = html.find(r#"id="password-error""#).expect("its error");
    assert!(field < error);
    // A taken name is the username's error.
    let csrf = page_csrf(&app, &browser, "/signup").await;
    let response = browser
        .post(app.url("/signup"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("username", "donor"),
            ("display_name", "另一位"),
            ("password", "a long password"),
        ])
        .send()
        .await
        .expect("sign up");
    assert_eq!(response.status(), 422);
    let html = response.text().await.expect("html");
    assert!(html.contains(r#"id="username-error""#) && html.contains("已被使用"));
    assert!(html.contains(r#"value="另一位""#));
}

#[tokio::test]
async fn the_new_campaign_form_keeps_what_was_typed_after_an_error() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, "admin").await;
    let csrf = page_csrf(&app, &admin, "/admin/campaigns").await;
    let response = admin
        .post(app.url("/admin/campaigns"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "2027年应急募捐"),
            ("kind", "emergency"),
            ("starts_on", "2027-03-01"),
            ("ends_on", "2027-02-01"),
            ("target_yuan", "５０００００"),
        ])
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), 422);
    let html = response.text().await.expect("html");
    for kept in [
        r#"value="2027年应急募捐""#,
        r#"<option value="emergency" selected>"#,
        r#"value="2027-03-01""#,
        r#"value="2027-02-01""#,
        r#"value="５０００００""#,
    ] {
        assert!(html.contains(kept), "kept {kept}");
    }
    let field = html.find(r#"name="ends_on""#).expect("end field");
    let error = html.find(r#"id="ends_on-error""#).expect("its error");
    assert!(field < error && html[error..].contains("结束日期不能早于开始日期"));
    // Fixed, it is made, full-width target and all.
    let csrf = csrf_in(&html);
    let response = admin
        .post(app.url("/admin/campaigns"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "2027年应急募捐"),
            ("kind", "emergency"),
            ("starts_on", "2027-03-01"),
            ("ends_on", "2027-04-01"),
            ("target_yuan", "５０００００"),
        ])
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), 303);
    let list: Value = app
        .get("/api/v1/campaigns", None)
        .await
        .json()
        .await
        .expect("json");
    let made = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["name"] == "2027年应急募捐")
        .expect("made");
    assert_eq!(made["target_fen"], 50_000_000);
}

#[tokio::test]
async fn the_pledge_page_and_the_unit_page_say_where_to_pay_with_the_code_for_the_note() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("如何付款", 1_000_000).await;
    let made = pledge(&app, &individual(&campaign, 20_000)).await;
    let code = made["reference_code"].as_str().expect("code");
    let token = made["access_token"].as_str().expect("token");
    let html = browser()
        .get(app.url(&format!("/p/{token}")))
        .send()
        .await
        .expect("pledge page")
        .text()
        .await
        .expect("html");
    let how = html.find("如何付款").expect("where to pay");
    for shown in [
        "吉林市慈善总会",
        "中国工商银行吉林市分行营业部",
        "0802 0200 0902 4567 891",
        "现场捐款",
    ] {
        assert!(html[how..].contains(shown), "shows {shown}");
    }
    assert!(html[how..].contains(&format!("<strong>{code}</strong>")));
    let unit = signed_in(&app, "unit").await;
    let html = unit
        .get(app.url("/unit"))
        .send()
        .await
        .expect("unit page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("如何汇款") && html.contains("0802 0200 0902 4567 891"));
}

#[tokio::test]
async fn anyone_reads_the_payment_details_and_only_an_admin_changes_them_audited() {
    let app = TestApp::spawn().await;
    let read: Value = app
        .get("/api/v1/payment-settings", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(read["configured"], true);
    assert_eq!(read["account_name"], "吉林市慈善总会");
    assert_eq!(read["account_number"], "0802020009024567891");
    let change = json!({
        "account_name": "吉林市慈善总会",
        "bank_name": "中国建设银行吉林市分行",
        "account_number": "2205 0162 0100 0000 1234",
        "other_channels": ["邮局汇款：吉林市慈善总会收"],
    });
    let finance = app.token("finance").await;
    let refused = app
        .client
        .put(app.url("/api/v1/payment-settings"))
        .bearer_auth(&finance)
        .json(&change)
        .send()
        .await
        .expect("put");
    assert_problem(refused, 403).await;
    let admin = app.token("admin").await;
    let bad = app
        .client
        .put(app.url("/api/v1/payment-settings"))
        .bearer_auth(&admin)
        .json(&json!({ "account_name": "", "bank_name": "某银行", "account_number": "12ab" }))
        .send()
        .await
        .expect("put");
    let problem = assert_problem(bad, 422).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["account_name", "account_number"]);
    let saved = app
        .client
        .put(app.url("/api/v1/payment-settings"))
        .bearer_auth(&admin)
        .json(&change)
        .send()
        .await
        .expect("put");
    assert_eq!(saved.status(), 200);
    let read: Value = app
        .get("/api/v1/payment-settings", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(read["account_number"], "22050162010000001234");
    assert_eq!(
        read["other_channels"],
        json!(["邮局汇款：吉林市慈善总会收"])
    );
    let log: Value = app
        .get("/api/v1/audit?action=payment_settings.update", Some(&admin))
        .await
        .json()
        .await
        .expect("json");
    let newest = &log["items"][0];
    assert!(
        newest["detail"]
            .as_str()
            .expect("detail")
            .contains("中国建设银行吉林市分行")
    );
}

#[tokio::test]
async fn the_admin_edits_the_payment_details_on_a_page_that_keeps_a_bad_entry() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, "admin").await;
    let csrf = page_csrf(&app, &admin, "/admin/payment-settings").await;
    let bad = admin
        .post(app.url("/admin/payment-settings"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("account_name", "吉林市慈善总会"),
            ("bank_name", "中国银行吉林分行"),
            ("account_number", "1234５"),
            ("other_channels", "现场捐款"),
        ])
        .send()
        .await
        .expect("save");
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.expect("html");
    assert!(html.contains(r#"value="1234５""#) && html.contains(r#"id="account_number-error""#));
    assert!(html.contains(r#"value="中国银行吉林分行""#));
    let good = admin
        .post(app.url("/admin/payment-settings"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("account_name", "吉林市慈善总会"),
            ("bank_name", "中国银行吉林分行"),
            ("account_number", "1234 5678 9012"),
            ("other_channels", "现场捐款\n\n邮局汇款"),
        ])
        .send()
        .await
        .expect("save");
    assert_eq!(good.status(), 200);
    let read: Value = app
        .get("/api/v1/payment-settings", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(read["bank_name"], "中国银行吉林分行");
    assert_eq!(read["other_channels"], json!(["现场捐款", "邮局汇款"]));
}

#[tokio::test]
async fn the_unit_page_links_each_list_to_its_download() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("名单下载", 100_000_000).await;
    let token = app.token("unit").await;
    let unit = crate::rosters::unit_id(&app).await;
    let (csv, _) = crate::rosters::staff_csv(3);
    let list: Value =
        crate::rosters::upload(&app, &token, &unit, &campaign, "三人.csv", csv.into_bytes())
            .await
            .json()
            .await
            .expect("json");
    let link = format!(
        "/unit/rosters/{}/staff.xlsx",
        list["id"].as_str().expect("id")
    );
    let coordinator = signed_in(&app, "unit").await;
    let page = coordinator
        .get(app.url("/unit"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains(&link), "the unit page links the download");
    let file = coordinator.get(app.url(&link)).send().await.expect("xlsx");
    assert_eq!(file.status(), 200);
    assert!(
        file.bytes().await.expect("bytes").starts_with(b"PK"),
        "an XLSX (zip)"
    );
}
