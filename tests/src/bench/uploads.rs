//! The upload bombs (`crate::bombs`) posted one after another to a server in its own
//! process: each file's answer and time, and the server's peak resident memory (VmHWM)
//! over the whole set, against the bar of 300 MB. A real staff list of the row limit is
//! posted last, to show what a good file costs.

use std::io::Write;
use std::time::{Duration, Instant};

use super::api::{open_campaign, token};
use super::scenarios::staff_list;
use super::server::ServerProcess;
use crate::bombs::{self, Bomb};

/// The most the server may hold resident while it reads the set.
const BAR_BYTES: u64 = 300 * 1024 * 1024;

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// Posts every bomb and a 200,000-row list; fails when an answer is not the one expected
/// or the peak passes the bar.
pub async fn run(out: &mut impl Write, server: &ServerProcess) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let admin = token(&http, &server.base, "admin").await?;
    let coordinator = token(&http, &server.base, "unit").await?;
    let me: serde_json::Value = http
        .get(format!("{}/api/v1/me", server.base))
        .bearer_auth(&coordinator)
        .send()
        .await?
        .json()
        .await?;
    let unit = me["unit_id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no unit"))?
        .to_owned();
    let mut set = bombs::all();
    set.push(bombs::csv_line_of_100_mb());
    set.push(bombs::slow_but_allowed());
    let (list, _, _) = staff_list(200_000)?;
    set.push(Bomb {
        name: "真实名单：200000 行（行数上限）",
        file_name: "名单.xlsx",
        bytes: list,
        status: 201,
        names: "",
    });
    let (rss, before) = server.memory();
    writeln!(
        out,
        "scenario uploads: {} files to the staff-list upload, database {}; server before: {:.1} MB resident, peak {:.1} MB",
        set.len(),
        if server.database.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        mb(rss),
        mb(before)
    )?;
    let mut wrong = Vec::new();
    for bomb in set {
        // Each file in a campaign of its own: a good list imported is not a duplicate.
        let campaign = open_campaign(&http, &server.base, &admin, bomb.file_name).await?;
        let size = bomb.bytes.len();
        let form = reqwest::multipart::Form::new()
            .text("campaign_id", campaign)
            .part(
                "file",
                reqwest::multipart::Part::bytes(bomb.bytes).file_name(bomb.file_name),
            );
        let started = Instant::now();
        let sent = http
            .post(format!("{}/api/v1/units/{unit}/rosters", server.base))
            .bearer_auth(&coordinator)
            .multipart(form)
            .timeout(Duration::from_secs(300))
            .send()
            .await;
        let elapsed = started.elapsed();
        let (status, detail) = match sent {
            Ok(answer) => {
                let status = answer.status().as_u16();
                let body: serde_json::Value = answer.json().await.unwrap_or_default();
                // A refusal names its limit on the field; other problems in `detail`.
                let detail = body["errors"][0]["message"]
                    .as_str()
                    .or_else(|| body["detail"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                (Some(status), detail)
            }
            Err(e) => (None, format!("连接被关闭：{e}")),
        };
        let (_, peak) = server.memory();
        let expected = match status {
            Some(status) => status == bomb.status && detail.contains(bomb.names),
            // Past the body limit the server may close while the client still sends.
            None => bomb.status == 413,
        };
        let shown: String = detail.chars().take(70).collect();
        writeln!(
            out,
            "{:<44} {:>7.1} MB  {:>4}  {:>7.2} s  peak {:>6.1} MB  {}",
            bomb.name,
            size as f64 / 1_048_576.0,
            status.map_or_else(|| "—".to_owned(), |s| s.to_string()),
            elapsed.as_secs_f64(),
            mb(peak),
            shown
        )?;
        if !expected {
            wrong.push(format!("{}: {status:?} {detail}", bomb.name));
        }
        let health = http.get(format!("{}/health", server.base)).send().await?;
        anyhow::ensure!(
            health.status().is_success(),
            "server stopped answering after {}",
            bomb.name
        );
    }
    let (rss, peak) = server.memory();
    writeln!(
        out,
        "server peak memory over the set: {:.1} MB (bar {:.0} MB: {}); resident after: {:.1} MB",
        mb(peak),
        mb(BAR_BYTES),
        if peak <= BAR_BYTES { "under" } else { "OVER" },
        mb(rss)
    )?;
    anyhow::ensure!(wrong.is_empty(), "unexpected answers: {wrong:#?}");
    anyhow::ensure!(peak <= BAR_BYTES, "peak memory over the bar");
    Ok(())
}
