//! Reference data of Jilin City.

use serde_json::Value;
use tests::TestApp;

async fn all(app: &TestApp, path: &str) -> Vec<Value> {
    let page: Value = app
        .get(&format!("{path}?per_page=500"), None)
        .await
        .json()
        .await
        .expect("json");
    page["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn the_four_districts_and_five_counties_have_their_real_codes() {
    let app = TestApp::spawn().await;
    let regions = all(&app, "/api/v1/regions").await;
    let level2: Vec<(String, String)> = regions
        .iter()
        .filter(|r| r["level"] == 2)
        .map(|r| {
            (
                r["code"].as_str().unwrap_or_default().to_owned(),
                r["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("220202", "昌邑区"),
        ("220203", "龙潭区"),
        ("220204", "船营区"),
        ("220211", "丰满区"),
        ("220221", "永吉县"),
        ("220281", "蛟河市"),
        ("220282", "桦甸市"),
        ("220283", "舒兰市"),
        ("220284", "磐石市"),
    ];
    assert_eq!(level2.len(), 9);
    for (code, name) in expected {
        assert!(
            level2.contains(&(code.to_owned(), name.to_owned())),
            "{name} {code}"
        );
    }
    assert!(
        regions
            .iter()
            .any(|r| r["level"] == 1 && r["name"] == "吉林市")
    );
    for level in [3, 4] {
        let below: Vec<&Value> = regions.iter().filter(|r| r["level"] == level).collect();
        assert!(!below.is_empty());
        assert!(
            below.iter().all(|r| r["is_demo"] == true),
            "level {level} is marked demo"
        );
    }
}

#[tokio::test]
async fn there_are_61_stores_and_one_warehouse() {
    let app = TestApp::spawn().await;
    let stores = all(&app, "/api/v1/stores").await;
    assert_eq!(stores.iter().filter(|s| s["kind"] == "store").count(), 61);
    assert_eq!(
        stores.iter().filter(|s| s["kind"] == "warehouse").count(),
        1
    );
}

#[tokio::test]
async fn there_are_17_projects_of_which_the_plan_names_four() {
    let app = TestApp::spawn().await;
    let projects = all(&app, "/api/v1/projects").await;
    assert_eq!(projects.len(), 17);
    let real: Vec<&str> = projects
        .iter()
        .filter(|p| p["is_demo"] == false)
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(real.len(), 4);
    assert!(real.contains(&"慈善救助、圆梦大学"));
}

#[tokio::test]
async fn the_programme_goal_is_80_million_yuan_and_100_thousand_person_times() {
    let app = TestApp::spawn().await;
    let goals: Value = app
        .get("/api/v1/goals", None)
        .await
        .json()
        .await
        .expect("json");
    let goal = &goals[0];
    assert_eq!(goal["target_fen"], 8_000_000_000_i64);
    assert_eq!(goal["target_people_times"], 100_000);
    assert_eq!(goal["starts_on"], "2006-01-01");
    assert_eq!(goal["ends_on"], "2010-12-31");
}

#[tokio::test]
async fn lists_are_paginated() {
    let app = TestApp::spawn().await;
    let page: Value = app
        .get("/api/v1/stores?page=2&per_page=10", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["page"], 2);
    assert_eq!(page["per_page"], 10);
    assert_eq!(page["total"], 62);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(10));
}

#[tokio::test]
async fn the_invariant_check_passes_on_a_fresh_database() {
    let app = TestApp::spawn().await;
    let report = sunshine::check::run(&app.state.db)
        .await
        .expect("check runs");
    assert_eq!(report.violations, 0, "{:?}", report.lines);
}
