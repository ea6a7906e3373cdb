//! The command line, run as a real process.

use std::io::Write;
use std::process::{Command, Stdio};

use tests::TestDatabase;

fn sunshine(database: &TestDatabase) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sunshine"));
    command
        .env("DATABASE_URL", &database.url)
        .env("SUNSHINE_DATA_DIR", &database.data_dir)
        .env("SUNSHINE_ENV", "development")
        .env("SUNSHINE_LOG", "warn")
        .env("SUNSHINE_LOGINS_PER_MINUTE", "100000");
    command
}

#[tokio::test]
async fn user_create_reads_the_password_from_stdin_and_check_passes() {
    let database = TestDatabase::create().await.expect("db");
    let mut child = sunshine(&database)
        .args([
            "user",
            "create",
            "--username",
            "wang.caiwu",
            "--role",
            "finance",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a long password\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("已创建用户 wang.caiwu"));

    let check = sunshine(&database).arg("check").output().expect("check");
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{text}");
    assert!(text.contains("全部检查通过"));
}

#[tokio::test]
async fn user_create_refuses_a_store_clerk_without_a_store() {
    let database = TestDatabase::create().await.expect("db");
    let mut child = sunshine(&database)
        .args([
            "user",
            "create",
            "--username",
            "clerk",
            "--role",
            "store_staff",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a long password\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("store_id"));
}

#[tokio::test]
async fn seed_demo_prints_the_accounts_and_is_refused_in_production() {
    let database = TestDatabase::create().await.expect("db");
    let out = sunshine(&database)
        .args(["seed", "--demo"])
        .output()
        .expect("seed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for username in [
        "admin",
        "finance",
        "store",
        "caseworker",
        "unit",
        "auditor",
        "donor",
    ] {
        assert!(text.contains(username), "{username} printed");
    }
    let refused = sunshine(&database)
        .env("SUNSHINE_ENV", "production")
        .env("SUNSHINE_PUBLIC_URL", "https://cs.example.org")
        .env(
            "SUNSHINE_TOKEN_KEY",
            "c3Vuc2hpbmUtdGVzdC10b2tlbi1rZXktMDEyMzQ1Njc4OWFiY2RlZg==",
        )
        .env(
            "SUNSHINE_DATA_KEY",
            "c3Vuc2hpbmUtdGVzdC1kYXRhLWtleS0wMTIzNDU2Nzg5YWJjZGVmZw==",
        )
        .args(["seed", "--demo"])
        .output()
        .expect("seed");
    assert_eq!(refused.status.code(), Some(2));
}

#[tokio::test]
async fn production_refuses_to_start_without_its_secrets() {
    let database = TestDatabase::create().await.expect("db");
    let out = sunshine(&database)
        .env("SUNSHINE_ENV", "production")
        .env("SUNSHINE_BIND", "127.0.0.1:0")
        .arg("serve")
        .output()
        .expect("serve");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SUNSHINE_TOKEN_KEY"));
}

#[tokio::test]
async fn production_refuses_to_start_without_the_address_printed_in_qr_codes() {
    let database = TestDatabase::create().await.expect("db");
    let out = sunshine(&database)
        .env("SUNSHINE_ENV", "production")
        .env("SUNSHINE_BIND", "127.0.0.1:0")
        .env(
            "SUNSHINE_TOKEN_KEY",
            "c3Vuc2hpbmUtdGVzdC10b2tlbi1rZXktMDEyMzQ1Njc4OWFiY2RlZg==",
        )
        .env(
            "SUNSHINE_DATA_KEY",
            "c3Vuc2hpbmUtdGVzdC1kYXRhLWtleS0wMTIzNDU2Nzg5YWJjZGVmZw==",
        )
        .arg("serve")
        .output()
        .expect("serve");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SUNSHINE_PUBLIC_URL"));
}

#[tokio::test]
async fn the_server_stops_cleanly_on_sigterm() {
    let database = TestDatabase::create().await.expect("db");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut child = sunshine(&database)
        .env("SUNSHINE_BIND", format!("127.0.0.1:{port}"))
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..300 {
        let answer = client
            .get(format!("http://127.0.0.1:{port}/ready"))
            .send()
            .await;
        if answer.is_ok_and(|r| r.status() == 200) {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "the server became ready");
    // On PostgreSQL a pledge puts the batch writers to work; they hold connections of
    // their own, which must not keep the server from stopping.
    let pledge = client
        .post(format!("http://127.0.0.1:{port}/api/v1/pledges"))
        .json(&serde_json::json!({
            "campaign_id": "no-such-campaign",
            "amount_fen": 100,
            "donor": { "kind": "anonymous" },
        }))
        .send()
        .await
        .expect("pledge sent");
    assert_eq!(pledge.status(), 422);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let mut status = None;
    for _ in 0..300 {
        status = child.try_wait().expect("wait");
        if status.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let Some(status) = status else {
        child.kill().ok();
        panic!("the server did not stop within 30 s of SIGTERM");
    };
    assert!(status.success(), "exit status {status}");
}
