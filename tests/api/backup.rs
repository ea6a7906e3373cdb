//! Backup and restore: an online copy of a database in use, put in place of an empty one,
//! holds the same books and passes `sunshine check`; a backup never overwrites a file and
//! a restore never overwrites data without `--force`.

use std::process::Command;

use sea_orm::{ConnectionTrait, Database, Statement};
use tests::{TestApp, TestDatabase};

use crate::receipts::{issue, paid_pledge};

fn sunshine(database: &TestDatabase) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sunshine"));
    command
        .env("DATABASE_URL", &database.url)
        .env("SUNSHINE_DATA_DIR", &database.data_dir)
        .env("SUNSHINE_ENV", "development")
        .env("SUNSHINE_LOG", "warn");
    command
}

async fn count(url: &str, table: &str) -> i64 {
    let db = Database::connect(url).await.expect("connect");
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"),
        ))
        .await
        .expect("count")
        .expect("row");
    let n: i64 = row.try_get("", "n").expect("n");
    db.close().await.ok();
    n
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_a_new_database_that_passes_check() {
    let app = TestApp::spawn().await;
    let campaign = app.open_campaign("备份", 100_000_000).await;
    let finance = app.token("finance").await;
    for amount in [1_000, 2_000, 3_000] {
        let (payment, _) = paid_pledge(&app, &campaign, amount, &finance).await;
        assert_eq!(issue(&app, &finance, &payment).await.status(), 201);
    }
    let file = app.database.data_dir.join("sunshine.backup");
    let made = sunshine(&app.database)
        .arg("backup")
        .arg(&file)
        .output()
        .expect("backup");
    let said = String::from_utf8_lossy(&made.stdout);
    assert!(
        made.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(
        said.contains("备份完成") && said.contains("检查通过"),
        "{said}"
    );
    // The same file again is refused: a backup never overwrites another.
    let again = sunshine(&app.database)
        .arg("backup")
        .arg(&file)
        .output()
        .expect("again");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("已存在"));

    let target = TestDatabase::create().await.expect("target");
    let restored = sunshine(&target)
        .arg("restore")
        .arg(&file)
        .output()
        .expect("restore");
    let said = String::from_utf8_lossy(&restored.stdout);
    assert!(
        restored.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&restored.stderr)
    );
    assert!(
        said.contains("恢复完成") && said.contains("检查通过"),
        "{said}"
    );
    for table in ["pledges", "payments", "receipts", "audit_log", "users"] {
        assert_eq!(
            count(&target.url, table).await,
            count(&app.database.url, table).await,
            "{table}"
        );
    }
    let checked = sunshine(&target).arg("check").output().expect("check");
    assert!(checked.status.success());

    // A database with data is not overwritten without --force.
    let refused = sunshine(&target)
        .arg("restore")
        .arg(&file)
        .output()
        .expect("refused");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    let forced = sunshine(&target)
        .args(["restore", "--force"])
        .arg(&file)
        .output()
        .expect("forced");
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
}
