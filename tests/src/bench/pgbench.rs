//! The reference for database-bound throughput: pgbench on the same PostgreSQL, in the
//! same run.

use std::process::Command;

/// Parses `postgres://user@host:port/db` into pgbench's connection flags.
pub fn connection_args(url: &str) -> anyhow::Result<Vec<String>> {
    let rest = url
        .split_once("://")
        .map(|(_, r)| r)
        .ok_or_else(|| anyhow::anyhow!("not a postgres URL"))?;
    let rest = rest.split('?').next().unwrap_or(rest);
    let (authority, database) = rest.split_once('/').unwrap_or((rest, "postgres"));
    let (user, host_port) = match authority.rsplit_once('@') {
        Some((user, hp)) => (Some(user.split(':').next().unwrap_or(user)), hp),
        None => (None, authority),
    };
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "5432"));
    let mut args = vec!["-h".into(), host.into(), "-p".into(), port.into()];
    if let Some(user) = user {
        args.extend(["-U".into(), user.into()]);
    }
    args.push(database.into());
    Ok(args)
}

fn run(args: &[String]) -> anyhow::Result<String> {
    let out = Command::new("pgbench").args(args).output()?;
    if !out.status.success() {
        anyhow::bail!("pgbench failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn tps(output: &str) -> anyhow::Result<f64> {
    output
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.trim_start_matches("tps = ").split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no tps in pgbench output"))
}

/// TPC-B at scale 10 with `clients` clients for `seconds`: transactions per second.
pub fn tpcb(url: &str, clients: usize, seconds: u64) -> anyhow::Result<f64> {
    let conn = connection_args(url)?;
    let mut init = vec!["-i".into(), "-q".into(), "-s".into(), "10".into()];
    init.extend(conn.clone());
    run(&init)?;
    let mut bench = vec![
        "-n".into(),
        "-c".into(),
        clients.to_string(),
        "-j".into(),
        "2".into(),
        "-T".into(),
        seconds.to_string(),
    ];
    bench.extend(conn);
    tps(&run(&bench)?)
}

/// One INSERT of a pledge-sized row per transaction, `clients` clients for `seconds`:
/// the reference that write scenarios compare against.
pub fn single_insert(url: &str, clients: usize, seconds: u64) -> anyhow::Result<f64> {
    let conn = connection_args(url)?;
    let mut setup = vec!["-i".into(), "-q".into(), "-I".into(), "d".into()];
    setup.extend(conn.clone());
    run(&setup)?;
    let psql = |sql: &str| -> anyhow::Result<()> {
        let mut args = vec![
            "-q".to_owned(),
            "-v".into(),
            "ON_ERROR_STOP=1".into(),
            "-c".into(),
            sql.into(),
        ];
        args.extend(psql_conn(&conn));
        let out = Command::new("psql").args(&args).output()?;
        if !out.status.success() {
            anyhow::bail!("psql failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    };
    psql(
        "DROP TABLE IF EXISTS bench_insert; CREATE TABLE bench_insert (id bigserial PRIMARY KEY, campaign_id text NOT NULL, amount_fen bigint NOT NULL, reference_code text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
    )?;
    let script = std::env::temp_dir().join(format!("sunshine-insert-{}.sql", std::process::id()));
    std::fs::write(
        &script,
        "INSERT INTO bench_insert (campaign_id, amount_fen, reference_code) VALUES ('c', 10000, md5(random()::text));\n",
    )?;
    let mut bench = vec![
        "-n".into(),
        "-f".into(),
        script.display().to_string(),
        "-c".into(),
        clients.to_string(),
        "-j".into(),
        "2".into(),
        "-T".into(),
        seconds.to_string(),
    ];
    bench.extend(conn);
    let result = run(&bench).and_then(|o| tps(&o));
    std::fs::remove_file(script).ok();
    result
}

/// pgbench's flags rewritten for psql (`-d` before the database name).
fn psql_conn(conn: &[String]) -> Vec<String> {
    let mut out = conn.to_vec();
    if let Some(db) = out.pop() {
        out.extend(["-d".into(), db]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_becomes_pgbench_flags() {
        assert_eq!(
            connection_args("postgres://postgres@127.0.0.1:5432/bench").expect("args"),
            ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "bench"]
        );
        assert_eq!(
            connection_args("postgres://localhost/x?sslmode=disable").expect("args"),
            ["-h", "localhost", "-p", "5432", "x"]
        );
    }

    #[test]
    fn tps_is_read_from_pgbench_output() {
        let out = "number of failed transactions: 0 (0.000%)\ntps = 7412.338 (without initial connection time)\n";
        assert!((tps(out).expect("tps") - 7412.338).abs() < 1e-6);
    }
}
