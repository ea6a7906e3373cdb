//! The server's resident memory at rest (started, its document font cut, no request yet)
//! and at its peak under a mixed load of what people do all day: the home page, pledges,
//! campaign progress, receipt PDFs downloaded by finance and sign-ins. The bars are the
//! issue's: under 50 MB at rest, under 100 MB under the load.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::api::{open_campaign, token};
use super::load::drive;
use super::server::ServerProcess;

const AT_REST_BAR_MB: f64 = 50.0;
const UNDER_LOAD_BAR_MB: f64 = 100.0;

pub async fn run(
    out: &mut impl Write,
    server: &ServerProcess,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<()> {
    let at_rest = settled(server).await;
    writeln!(
        out,
        "scenario memory: database {}; {clients} clients, {seconds} s of mixed load",
        if server.database.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    )?;
    writeln!(
        out,
        "at rest, before the first request: {:>6.1} MB (bar {AT_REST_BAR_MB} MB, ratio {:.2})",
        mb(at_rest),
        mb(at_rest) / AT_REST_BAR_MB
    )?;

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let base = server.base.clone();
    let admin = token(&http, &base, "admin").await?;
    let finance = token(&http, &base, "finance").await?;
    let campaign = open_campaign(&http, &base, &admin, "基准测试：内存").await?;
    let receipt = receipted_payment(&http, &base, &campaign, &finance).await?;

    server.reset_peak()?;
    let sent = Arc::new(AtomicU64::new(0));
    let figures = {
        let (http, base, campaign, finance) = (http.clone(), base, campaign, finance);
        drive("mixed", clients, Duration::from_secs(seconds), move |_| {
            let n = sent.fetch_add(1, Ordering::Relaxed);
            let request = match n % 10 {
                0 | 1 => http.get(format!("{base}/")),
                2 | 3 => http.get(format!("{base}/api/v1/campaigns/{campaign}/progress")),
                4..=6 => http.post(format!("{base}/api/v1/pledges")).json(&json!({
                    "campaign_id": campaign,
                    "amount_fen": 5_000 + (n % 1_000) as i64,
                    "donor": { "kind": "individual", "name": "王小红", "phone": "13900001234" },
                })),
                7 | 8 => http
                    .get(format!("{base}/api/v1/receipts/{receipt}/pdf"))
                    .bearer_auth(&finance),
                _ => http
                    .post(format!("{base}/api/v1/auth/login"))
                    .json(&json!({ "username": "donor", "password": crate::DEMO_PASSWORD })),
            };
            Box::pin(async move {
                match request.send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            })
        })
        .await
    };
    let (_, peak) = server.memory();
    writeln!(out, "{}", figures.line())?;
    writeln!(
        out,
        "peak under the mixed load:          {:>6.1} MB (bar {UNDER_LOAD_BAR_MB} MB, ratio {:.2})",
        mb(peak),
        mb(peak) / UNDER_LOAD_BAR_MB
    )?;
    let after = settled(server).await;
    writeln!(
        out,
        "at rest again after the load:       {:>6.1} MB",
        mb(after)
    )?;
    Ok(())
}

/// The resident memory once it has stopped changing (within 1 % for three seconds in a
/// row), or after 30 s.
async fn settled(server: &ServerProcess) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = server.memory().0;
    let mut steady = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = server.memory().0;
        steady = if now.abs_diff(last) * 100 <= last {
            steady + 1
        } else {
            0
        };
        if steady == 3 || Instant::now() > deadline {
            return now;
        }
        last = now;
    }
}

/// A pledge, paid and receipted; the receipt's id.
async fn receipted_payment(
    http: &reqwest::Client,
    base: &str,
    campaign: &str,
    finance: &str,
) -> anyhow::Result<String> {
    let pledge: Value = http
        .post(format!("{base}/api/v1/pledges"))
        .json(&json!({
            "campaign_id": campaign,
            "amount_fen": 123_456,
            "donor": { "kind": "individual", "name": "张小明", "phone": "13800001234" },
            "receipt_requested": true,
        }))
        .send()
        .await?
        .json()
        .await?;
    let payment: Value = http
        .post(format!("{base}/api/v1/payments"))
        .bearer_auth(finance)
        .json(&json!({ "amount_fen": 123_456, "channel": "bank_transfer", "received_on": "2026-11-20", "reference_code": pledge["reference_code"] }))
        .send()
        .await?
        .json()
        .await?;
    let receipt: Value = http
        .post(format!("{base}/api/v1/receipts"))
        .bearer_auth(finance)
        .json(&json!({ "payment_id": payment["id"] }))
        .send()
        .await?
        .json()
        .await?;
    receipt["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no receipt: {receipt}"))
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}
