//! `bench receipts`: receipts rendered per second on one core and bytes per receipt,
//! against the same receipt drawn by Python reportlab with the same font.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use sunshine::receipts::entity::Model as Receipt;

fn sample(n: i64) -> Receipt {
    Receipt {
        id: format!("bench-{n}"),
        number: format!("JLCS-2026-{n:06}"),
        year: 2026,
        seq: n,
        payment_id: None,
        kind: "money".into(),
        donor_name: "张小明".into(),
        donor_id_masked: Some("2202**********8814".into()),
        amount_fen: 123_456,
        campaign_name: "2026年慈善救助双日捐".into(),
        purpose: "非定向（慈善救助）".into(),
        channel: "bank_transfer".into(),
        issued_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default(),
        issued_by: "bench".into(),
        handler_name: "示例财务".into(),
        status: "live".into(),
        void_reason: None,
        voided_at: None,
        replaces_id: None,
        verify_token: "x".repeat(43),
        downloads: 0,
        created_at: chrono::Utc::now(),
        received_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 20),
        reviewer_name: Some("示例复核".into()),
        note: None,
        verify_code: Some("7K3QDM2X9P".into()),
        donor_downloads: 0,
    }
}

/// Renders `count` receipts on this thread, then runs the reportlab reference.
pub fn run(out: &mut impl Write, count: usize) -> anyhow::Result<()> {
    let link = sunshine::receipts::pdf::Extra {
        verify_base: "http://127.0.0.1:8080/verify",
        replaces_number: None,
        copy: false,
        staff: None,
    };
    // Warm-up: the font is parsed once, as the server does at start.
    sunshine::receipts::pdf::render(&sample(0), &link).map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let mut bytes = 0;
    for i in 0..count {
        let receipt = sample(i64::try_from(i)? + 1);
        bytes = sunshine::receipts::pdf::render(&receipt, &link)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .len();
    }
    let seconds = started.elapsed().as_secs_f64();
    let per = seconds / count as f64 * 1000.0;
    writeln!(out, "scenario receipts: {count} receipts on one core")?;
    writeln!(
        out,
        "printpdf    {:>8.1} receipts/s   {per:>6.2} ms each   {bytes} bytes",
        count as f64 / seconds
    )?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let font = root.join("backend/assets/fonts/NotoSansSC-Regular.ttf");
    let script = root.join("tests/bench/receipt_reportlab.py");
    let reference = std::process::Command::new("python3")
        .arg(&script)
        .arg(&font)
        .arg((count / 5).max(20).to_string())
        .output()?;
    let text = String::from_utf8_lossy(&reference.stdout);
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name))
            .and_then(|v| v.parse::<f64>().ok())
    };
    certificates(out, 1_000)?;
    match (field("per_receipt_ms="), field("bytes=")) {
        (Some(ref_ms), Some(ref_bytes)) => {
            writeln!(
                out,
                "reportlab   {:>8.1} receipts/s   {ref_ms:>6.2} ms each   {ref_bytes} bytes",
                1000.0 / ref_ms
            )?;
            writeln!(
                out,
                "ratio: {:.1}× faster than reportlab; size {:.2}× of reportlab's",
                ref_ms / per,
                bytes as f64 / ref_bytes
            )?;
        }
        _ => writeln!(
            out,
            "reportlab reference did not run ({}): pip install reportlab",
            String::from_utf8_lossy(&reference.stderr)
                .lines()
                .last()
                .unwrap_or("no output")
        )?,
    }
    Ok(())
}

/// A staff list's certificates, all in one PDF.
fn certificates(out: &mut impl Write, count: usize) -> anyhow::Result<()> {
    let list: Vec<sunshine::receipts::certificate::Model> = (0..count)
        .map(|i| sunshine::receipts::certificate::Model {
            id: format!("c{i}"),
            number: format!("JLZS-2026-{:06}", i + 1),
            year: 2026,
            seq: i64::try_from(i).unwrap_or(0) + 1,
            pledge_id: format!("p{i}"),
            name: format!("职工{i:04}"),
            amount_fen: 10_000 + i64::try_from(i % 30).unwrap_or(0) * 1_000,
            campaign_name: "2026年慈善救助双日捐".into(),
            issued_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default(),
            created_at: chrono::Utc::now(),
        })
        .collect();
    let started = Instant::now();
    let bytes =
        sunshine::receipts::certificate_pdf::render(&list).map_err(|e| anyhow::anyhow!("{e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    writeln!(
        out,
        "certificates: {count} in one PDF in {seconds:.2} s ({:.1} MB, goal under 3 s)",
        bytes.len() as f64 / 1_048_576.0
    )?;
    Ok(())
}
