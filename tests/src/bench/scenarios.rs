//! The fundraising scenarios: pledges against pgbench, a 100,000-row staff list, and
//! campaign progress at a thousand and at a million payments.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};
use serde_json::json;

use super::api::{histogram, open_campaign, token};
use super::load::{Figures, drive};
use super::server::ServerProcess;
use super::{http1, pgbench};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap_or_default()
}

fn postgres_url(server: &ServerProcess) -> anyhow::Result<&str> {
    if server.database.is_postgres() {
        Ok(&server.database.url)
    } else {
        anyhow::bail!("this scenario compares with pgbench: run it with --database postgres://…")
    }
}

/// Turns the pledges and the reference take at each client count.
const ROUNDS: u64 = 3;

/// Pledges per second at each client count, against one INSERT per transaction in pgbench.
pub async fn pledge(
    out: &mut impl Write,
    server: &ServerProcess,
    clients: &[usize],
    seconds: u64,
) -> anyhow::Result<()> {
    let url = postgres_url(server)?.to_owned();
    let http = client();
    let admin = token(&http, &server.base, "admin").await?;
    let campaign = open_campaign(&http, &server.base, &admin, "基准测试：认捐").await?;
    writeln!(
        out,
        "scenario pledge: {seconds} s per measurement, PostgreSQL"
    )?;
    let slice = Duration::from_secs((seconds / ROUNDS).max(1));
    for &n in clients {
        let counter = Arc::new(AtomicU64::new(0));
        // One keep-alive connection per client, held by that client alone.
        let connections = (0..n)
            .map(|_| http1::Connection::new(&server.base).map(tokio::sync::Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        let connections = Arc::new(connections);
        let batches_before = histogram(&http, &server.base, "pledge_batch_size").await?;
        let seconds_before = histogram(&http, &server.base, "pledge_batch_seconds").await?;
        let mut figures: Option<Figures> = None;
        let mut references = Vec::new();
        // Pledges and pgbench take turns, so that both see the machine alike even when
        // its speed drifts (here it halved and came back within an hour).
        for _ in 0..ROUNDS {
            let (counter, connections, campaign) =
                (counter.clone(), connections.clone(), campaign.clone());
            let round = drive(&format!("POST /api/v1/pledges ×{n}"), n, slice, move |c| {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let body = json!({
                    "campaign_id": campaign,
                    "amount_fen": 5_000 + (i % 50) * 1_000,
                    "donor": { "kind": "individual", "name": format!("捐赠人{i}"), "phone": "13904321234" },
                    "public_name_consent": i.is_multiple_of(3),
                    "region_code": "220202",
                });
                let connections = connections.clone();
                async move {
                    let key = format!("bench-{n}-{c}-{i}");
                    let mut connection = connections[c].lock().await;
                    connection
                        .post_json("/api/v1/pledges", &[("idempotency-key", &key)], body.to_string().as_bytes())
                        .await
                        .is_ok_and(|answer| answer.status == 201)
                }
            })
            .await;
            figures = Some(match figures {
                Some(before) => before.merge(round),
                None => round,
            });
            references.push(pgbench::single_insert(&url, n, slice.as_secs())?);
        }
        let figures = figures.ok_or_else(|| anyhow::anyhow!("no rounds"))?;
        let reference = references.iter().sum::<f64>() / references.len().max(1) as f64;
        let batches = histogram(&http, &server.base, "pledge_batch_size").await?;
        let batch_seconds = histogram(&http, &server.base, "pledge_batch_seconds").await?;
        writeln!(out, "{}", figures.line())?;
        let (pledges, count) = (batches.0 - batches_before.0, batches.1 - batches_before.1);
        writeln!(
            out,
            "{:<28} {:>10.0} batches of {:.1} pledges on average, written in {:.2} ms",
            "batches",
            count,
            pledges / count.max(1.0),
            1_000.0 * (batch_seconds.0 - seconds_before.0) / count.max(1.0)
        )?;
        writeln!(
            out,
            "{:<28} {:>10.1} tps (pgbench, one INSERT per transaction, {n} clients; rounds {})",
            "reference",
            reference,
            references
                .iter()
                .map(|r| format!("{r:.0}"))
                .collect::<Vec<_>>()
                .join(" ")
        )?;
        writeln!(
            out,
            "ratio to reference: {:.3}",
            figures.throughput() / reference.max(1e-9)
        )?;
    }
    let (_, peak) = server.memory();
    writeln!(
        out,
        "server peak memory: {:.1} MB",
        peak as f64 / 1_048_576.0
    )?;
    Ok(())
}

/// A 100,000-row XLSX staff list, validated and imported in one request.
pub async fn roster(
    out: &mut impl Write,
    server: &ServerProcess,
    rows: usize,
) -> anyhow::Result<()> {
    let http = client();
    let admin = token(&http, &server.base, "admin").await?;
    let campaign = open_campaign(&http, &server.base, &admin, "基准测试：名单").await?;
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
    let started = Instant::now();
    let (xlsx, csv, total_fen) = staff_list(rows)?;
    writeln!(
        out,
        "scenario roster: {rows} rows, XLSX {:.1} MB (made in {:.1} s), database {}",
        xlsx.len() as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64(),
        if server.database.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    )?;
    let (_, before) = server.memory();
    let form = reqwest::multipart::Form::new()
        .text("campaign_id", campaign.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(xlsx).file_name("名单.xlsx"),
        );
    let started = Instant::now();
    let response = http
        .post(format!("{}/api/v1/units/{unit}/rosters", server.base))
        .bearer_auth(&coordinator)
        .multipart(form)
        .timeout(Duration::from_secs(600))
        .send()
        .await?;
    let elapsed = started.elapsed();
    let status = response.status();
    let body: serde_json::Value = response.json().await?;
    anyhow::ensure!(status.as_u16() == 201, "import failed: {status} {body}");
    anyhow::ensure!(body["total_fen"] == total_fen, "total differs: {body}");
    let (_, peak) = server.memory();
    writeln!(
        out,
        "import: {:.2} s for {rows} rows ({:.0} rows/s)",
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64()
    )?;
    writeln!(
        out,
        "server peak memory: {:.1} MB (before the upload {:.1} MB)",
        peak as f64 / 1_048_576.0,
        before as f64 / 1_048_576.0
    )?;
    if server.database.is_postgres() {
        let reference = copy_reference(&server.database.url, &csv).await?;
        writeln!(
            out,
            "reference: psql \\copy of the same {rows} rows into a plain table: {:.2} s",
            reference.as_secs_f64()
        )?;
        writeln!(
            out,
            "ratio to reference: {:.1}× the time of a bare COPY",
            elapsed.as_secs_f64() / reference.as_secs_f64().max(1e-9)
        )?;
    }
    Ok(())
}

pub(crate) fn staff_list(rows: usize) -> anyhow::Result<(Vec<u8>, String, i64)> {
    use rust_xlsxwriter::Workbook;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, h) in ["姓名", "部门", "金额(元)", "是否匿名", "备注"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, u16::try_from(col)?, *h)?;
    }
    let mut csv = String::with_capacity(rows * 32);
    let mut total = 0i64;
    for i in 0..rows {
        let row = u32::try_from(i + 1)?;
        let yuan = 50 + (i % 30) * 10;
        total += i64::try_from(yuan)? * 100;
        let name = format!("职工{i:06}");
        let dept = format!("第{}车间", i % 40);
        sheet.write_string(row, 0, &name)?;
        sheet.write_string(row, 1, &dept)?;
        sheet.write_number(row, 2, yuan as f64)?;
        sheet.write_string(row, 3, if i % 10 == 0 { "是" } else { "否" })?;
        csv.push_str(&format!("{name},{dept},{yuan}\n"));
    }
    Ok((workbook.save_to_buffer()?, csv, total))
}

async fn copy_reference(url: &str, csv: &str) -> anyhow::Result<Duration> {
    let db = Database::connect(url).await?;
    db.execute_unprepared("DROP TABLE IF EXISTS bench_roster; CREATE TABLE bench_roster (name text, department text, amount numeric)").await?;
    db.close().await?;
    let path = std::env::temp_dir().join(format!("sunshine-roster-{}.csv", std::process::id()));
    std::fs::write(&path, csv)?;
    let mut args: Vec<String> = pgbench::connection_args(url)?;
    let database = args.pop().unwrap_or_default();
    args.extend([
        "-d".into(),
        database,
        "-q".into(),
        "-c".into(),
        format!("\\copy bench_roster FROM '{}' CSV", path.display()),
    ]);
    let started = Instant::now();
    let status = std::process::Command::new("psql").args(&args).status()?;
    let elapsed = started.elapsed();
    std::fs::remove_file(path).ok();
    anyhow::ensure!(status.success(), "psql \\copy failed");
    Ok(elapsed)
}

/// Progress read at 1,000 and at 1,000,000 payments: the running totals make the two
/// the same work.
pub async fn progress(
    out: &mut impl Write,
    server: &ServerProcess,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<()> {
    let http = client();
    let admin = token(&http, &server.base, "admin").await?;
    let small = open_campaign(&http, &server.base, &admin, "基准测试：一千笔").await?;
    let large = open_campaign(&http, &server.base, &admin, "基准测试：一百万笔").await?;
    let started = Instant::now();
    seed_payments(&server.database.url, &small, 1_000).await?;
    seed_payments(&server.database.url, &large, 1_000_000).await?;
    writeln!(
        out,
        "scenario progress: seeded 1,000 and 1,000,000 payments in {:.1} s; {clients} clients, {seconds} s each",
        started.elapsed().as_secs_f64()
    )?;
    let read = |campaign: String, label: &str| {
        let url = format!("{}/api/v1/campaigns/{campaign}/progress", server.base);
        let http = http.clone();
        let label = label.to_owned();
        async move {
            drive(&label, clients, Duration::from_secs(seconds), move |_| {
                let request = http.get(&url);
                async move { request.send().await.is_ok_and(|r| r.status().is_success()) }
            })
            .await
        }
    };
    let at_thousand = read(small, "progress at 1,000").await;
    let at_million = read(large, "progress at 1,000,000").await;
    writeln!(out, "{}", at_thousand.line())?;
    writeln!(out, "{}", at_million.line())?;
    let p99 = |f: &Figures| f.percentile(0.99).as_secs_f64() * 1000.0;
    writeln!(
        out,
        "ratio of p99 (million / thousand): {:.2}",
        p99(&at_million) / p99(&at_thousand).max(1e-9)
    )?;
    writeln!(
        out,
        "ratio of throughput (million / thousand): {:.2}",
        at_million.throughput() / at_thousand.throughput().max(1e-9)
    )?;
    let check = server.run_command(&["check"])?;
    writeln!(
        out,
        "sunshine check over 1,001,000 payments: {:.2} s, peak memory {:.1} MB, {}",
        check.elapsed.as_secs_f64(),
        check.peak_bytes as f64 / 1e6,
        if check.succeeded {
            "all checks held"
        } else {
            "FAILED"
        }
    )?;
    if !check.succeeded {
        anyhow::bail!("sunshine check failed:\n{}", check.stdout);
    }
    Ok(())
}

/// Inserts `count` confirmed payments for a campaign and adds them to its totals, as
/// recording them one by one would.
async fn seed_payments(url: &str, campaign: &str, count: u64) -> anyhow::Result<()> {
    let db = Database::connect(url).await?;
    let postgres = url.starts_with("postgres");
    let id = if postgres {
        "gen_random_uuid()::text"
    } else {
        "lower(hex(randomblob(16)))"
    };
    let series = if postgres {
        format!("generate_series(1, {count}) AS s(n)")
    } else {
        format!(
            "(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {count}) SELECT n FROM c) AS s"
        )
    };
    db.execute_unprepared(&format!(
        "INSERT INTO payments (id, amount_fen, channel, received_on, recorded_by, created_at, campaign_id) \
         SELECT {id}, 100, 'cash', '2026-11-20', 'bench', CURRENT_TIMESTAMP, '{campaign}' FROM {series}"
    ))
    .await?;
    db.execute_unprepared(&format!(
        "INSERT INTO campaign_totals (campaign_id, dimension, key, slot, money_fen, pledged_fen, pledge_paid_fen, donors) \
         VALUES ('{campaign}', 'all', '-', 0, {}, 0, 0, 0)",
        count * 100
    ))
    .await?;
    db.close().await?;
    Ok(())
}
