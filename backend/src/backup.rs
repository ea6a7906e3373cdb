//! `sunshine backup FILE` and `sunshine restore FILE`. SQLite: an online, consistent copy
//! (`VACUUM INTO`, while the server runs), restored by replacing the database file with a
//! checked copy. PostgreSQL: the documented way, `pg_dump --format=custom` and
//! `pg_restore` (the client programs must be on `PATH`). Either way the copy is checked
//! with `sunshine check` before it is called good, and a restore is checked after.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sea_orm::ConnectionTrait;

use crate::{check, db};

/// What a backup or a restore left, for the person at the terminal.
pub struct Done {
    /// Where.
    pub file: PathBuf,
    /// How large the copy is.
    pub bytes: u64,
    /// The check's lines on the copy (or the restored database) and how many failed.
    pub report: check::Report,
}

/// The file of a `sqlite://…` URL; `None` for another database.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    Some(PathBuf::from(path))
}

fn sqlite_url(file: &Path, mode: &str) -> String {
    format!("sqlite://{}?mode={mode}", file.display())
}

/// Copies the database into `file`, which must not exist yet.
pub async fn backup(database_url: &str, file: &Path) -> anyhow::Result<Done> {
    if file.exists() {
        bail!(
            "备份文件 {} 已存在，请换一个文件名（不会覆盖已有备份）",
            file.display()
        );
    }
    if sqlite_file(database_url).is_some() {
        let db = db::connect(database_url).await?;
        let target = file.display().to_string().replace('\'', "''");
        // A consistent snapshot taken inside one read transaction: writers go on.
        db.execute_unprepared(&format!("VACUUM INTO '{target}'"))
            .await
            .context("SQLite 备份失败")?;
        db.close().await.ok();
        let copy = db::connect(&sqlite_url(file, "rw")).await?;
        let report = check::run(&copy).await?;
        copy.close().await.ok();
        return Ok(Done {
            file: file.to_owned(),
            bytes: std::fs::metadata(file)?.len(),
            report,
        });
    }
    let status = tokio::process::Command::new("pg_dump")
        .arg("--format=custom")
        .arg("--no-owner")
        .arg(format!("--file={}", file.display()))
        .arg(format!("--dbname={database_url}"))
        .status()
        .await
        .context("无法运行 pg_dump（请安装 PostgreSQL 客户端程序并加入 PATH）")?;
    if !status.success() {
        bail!("pg_dump 失败（{status}）");
    }
    let db = db::connect(database_url).await?;
    let report = check::run(&db).await?;
    Ok(Done {
        file: file.to_owned(),
        bytes: std::fs::metadata(file)?.len(),
        report,
    })
}

/// Puts the backup in `file` in place of the database. The server must be stopped; a
/// database that holds data is replaced only with `force`.
pub async fn restore(database_url: &str, file: &Path, force: bool) -> anyhow::Result<Done> {
    if !file.is_file() {
        bail!("找不到备份文件 {}", file.display());
    }
    if let Some(target) = sqlite_file(database_url) {
        if target.exists() && !force {
            bail!(
                "数据库 {} 已存在；确认要用备份覆盖它时请加 --force（请先停止服务）",
                target.display()
            );
        }
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        // Check a copy first (the backup itself stays untouched): a bad backup never
        // replaces a good database.
        let staging = target.with_extension("restoring");
        std::fs::copy(file, &staging)?;
        let copy = db::connect(&sqlite_url(&staging, "rw")).await?;
        let before = check::run(&copy).await?;
        copy.close().await.ok();
        if before.violations > 0 {
            std::fs::remove_file(&staging).ok();
            bail!(
                "备份文件未通过检查（{} 处违反不变量），未恢复",
                before.violations
            );
        }
        for suffix in ["-wal", "-shm"] {
            for base in [&target, &staging] {
                let mut side = base.clone().into_os_string();
                side.push(suffix);
                std::fs::remove_file(PathBuf::from(side)).ok();
            }
        }
        std::fs::rename(&staging, &target)?;
    } else {
        let db = db::connect(database_url).await?;
        let has_data = db
            .execute_unprepared("SELECT 1 FROM users LIMIT 1")
            .await
            .map(|r| r.rows_affected() > 0)
            .unwrap_or(false);
        db.close().await.ok();
        if has_data && !force {
            bail!("目标数据库中已有数据；确认要用备份覆盖它时请加 --force（请先停止服务）");
        }
        let status = tokio::process::Command::new("pg_restore")
            .arg("--clean")
            .arg("--if-exists")
            .arg("--no-owner")
            .arg("--single-transaction")
            .arg(format!("--dbname={database_url}"))
            .arg(file)
            .status()
            .await
            .context("无法运行 pg_restore（请安装 PostgreSQL 客户端程序并加入 PATH）")?;
        if !status.success() {
            bail!("pg_restore 失败（{status}）");
        }
    }
    let db = db::connect(database_url).await?;
    let report = check::run(&db).await?;
    Ok(Done {
        file: file.to_owned(),
        bytes: std::fs::metadata(file)?.len(),
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn the_sqlite_file_is_read_from_the_url() {
        assert_eq!(
            sqlite_file("sqlite://data/sunshine.db?mode=rwc"),
            Some("data/sunshine.db".into())
        );
        assert_eq!(sqlite_file("postgres://postgres@127.0.0.1/x"), None);
    }
}
