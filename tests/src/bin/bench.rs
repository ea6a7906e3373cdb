//! Benchmarks of 阳光慈善: each scenario starts the server as a child process on the
//! chosen database, drives it over HTTP with N concurrent clients for a bounded time, and
//! prints throughput, p50/p99 latency, the server's peak memory and the ratio to a
//! reference measured in the same run.
//!
//! ```text
//! cargo run --release -p tests --bin bench -- login [--database postgres://…] [--clients 8] [--seconds 10]
//! cargo run --release -p tests --bin bench -- pgbench --database postgres://…
//! cargo run --release -p tests --bin bench -- uploads
//! ```

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use serde_json::json;
use tests::TestDatabase;
use tests::bench::load::{Figures, drive};
use tests::bench::server::ServerProcess;
use tests::bench::{pgbench, scenarios};

const SERVER_FLAG: &str = "__server";

#[derive(Debug, Parser)]
#[command(name = "bench", about = "阳光慈善的基准测试")]
struct Args {
    /// What to measure.
    scenario: Scenario,
    /// A PostgreSQL server to run on (a fresh database is made and dropped); SQLite if absent.
    #[arg(long)]
    database: Option<String>,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Seconds each measurement runs.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Rows of the staff list (roster).
    #[arg(long, default_value_t = 100_000)]
    rows: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Scenario {
    /// Sign-ins per second (argon2id bound), against `/health` as the reference.
    Login,
    /// pgbench's own figures on this PostgreSQL: TPC-B and one INSERT per transaction.
    Pgbench,
    /// Pledges per second at 8 and 32 clients, against pgbench's one INSERT per transaction.
    Pledge,
    /// A 100,000-row XLSX staff list validated and imported (time and peak memory).
    Roster,
    /// Upload bombs posted to the staff-list upload: answers, times, peak memory (bar 300 MB).
    Uploads,
    /// Campaign progress read at 1,000 and at 1,000,000 payments (p50/p99 and their ratio).
    Progress,
    /// Receipt PDFs per second on one core and bytes each, against Python reportlab.
    Receipts,
    /// The server's memory at rest and at its peak under a mixed load (bars 50/100 MB).
    Memory,
}

fn main() -> ExitCode {
    let mut raw = std::env::args_os();
    let program = raw.next();
    let rest: Vec<_> = raw.collect();
    if rest.first().is_some_and(|a| a == SERVER_FLAG) {
        // Re-executed as the server under test.
        return sunshine::cli::main_with(program.into_iter().chain(rest.into_iter().skip(1)));
    }
    let args = Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match args.scenario {
        Scenario::Login => {
            let server = start_server(args.database.as_deref()).await?;
            writeln!(
                out,
                "scenario login: {} clients, {} s each, database {}",
                args.clients,
                args.seconds,
                kind(&server)
            )?;
            let duration = Duration::from_secs(args.seconds);
            let health = drive(
                "reference: GET /health",
                args.clients,
                duration,
                get(&server.base, "/health"),
            )
            .await;
            let login = drive(
                "POST /api/v1/auth/login",
                args.clients,
                duration,
                login(&server.base),
            )
            .await;
            report(&mut out, &server, &login, &health)?;
        }
        Scenario::Pledge => {
            let server = start_server(args.database.as_deref()).await?;
            let clients = if args.clients == 8 {
                vec![8, 32]
            } else {
                vec![args.clients]
            };
            scenarios::pledge(&mut out, &server, &clients, args.seconds).await?;
        }
        Scenario::Roster => {
            let server = start_server(args.database.as_deref()).await?;
            scenarios::roster(&mut out, &server, args.rows).await?;
        }
        Scenario::Uploads => {
            let server = start_server(args.database.as_deref()).await?;
            tests::bench::uploads::run(&mut out, &server).await?;
        }
        Scenario::Progress => {
            let server = start_server(args.database.as_deref()).await?;
            scenarios::progress(&mut out, &server, args.clients, args.seconds).await?;
        }
        Scenario::Memory => {
            let server = start_server(args.database.as_deref()).await?;
            tests::bench::memory::run(&mut out, &server, args.clients, args.seconds).await?;
        }
        Scenario::Receipts => {
            tests::bench::receipts::run(&mut out, args.rows.min(2_000))?;
        }
        Scenario::Pgbench => {
            let url = args
                .database
                .as_deref()
                .ok_or_else(|| anyhow::anyhow!("pgbench needs --database postgres://…"))?;
            let database = TestDatabase::create_on(Some(url)).await?;
            let tpcb = pgbench::tpcb(&database.url, args.clients, args.seconds)?;
            let insert = pgbench::single_insert(&database.url, args.clients, args.seconds)?;
            writeln!(
                out,
                "pgbench on a fresh database, {} clients, {} s each",
                args.clients, args.seconds
            )?;
            writeln!(out, "TPC-B (scale 10)                  {tpcb:>10.1} tps")?;
            writeln!(out, "one INSERT per transaction        {insert:>10.1} tps")?;
        }
    }
    Ok(())
}

async fn start_server(database: Option<&str>) -> anyhow::Result<ServerProcess> {
    let database = TestDatabase::create_on(database).await?;
    let exe = std::env::current_exe()?;
    ServerProcess::start(exe, &[SERVER_FLAG, "serve"], database).await
}

fn kind(server: &ServerProcess) -> &'static str {
    if server.database.is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap_or_default()
}

fn get(
    base: &str,
    path: &str,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>
+ Send
+ Sync
+ 'static {
    let url = format!("{base}{path}");
    let client = client();
    move |_| {
        let request = client.get(&url);
        Box::pin(async move { request.send().await.is_ok_and(|r| r.status().is_success()) })
    }
}

fn login(
    base: &str,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>
+ Send
+ Sync
+ 'static {
    let url = format!("{base}/api/v1/auth/login");
    let client = client();
    move |_| {
        let request = client
            .post(&url)
            .json(&json!({ "username": "donor", "password": tests::DEMO_PASSWORD }));
        Box::pin(async move { request.send().await.is_ok_and(|r| r.status().is_success()) })
    }
}

fn report(
    out: &mut impl Write,
    server: &ServerProcess,
    measured: &Figures,
    reference: &Figures,
) -> anyhow::Result<()> {
    let (rss, peak) = server.memory();
    writeln!(out, "{}", reference.line())?;
    writeln!(out, "{}", measured.line())?;
    writeln!(
        out,
        "ratio to reference: {:.4} ({:.1} / {:.1} req/s)",
        measured.throughput() / reference.throughput().max(1e-9),
        measured.throughput(),
        reference.throughput()
    )?;
    writeln!(
        out,
        "server memory: {:.1} MB now, {:.1} MB peak",
        mb(rss),
        mb(peak)
    )?;
    Ok(())
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}
