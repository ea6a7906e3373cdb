//! Small API helpers the scenarios share.

use serde_json::{Value, json};

/// Signs in as a demo account; the access token.
pub async fn token(client: &reqwest::Client, base: &str, username: &str) -> anyhow::Result<String> {
    let session: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "username": username, "password": crate::DEMO_PASSWORD }))
        .send()
        .await?
        .json()
        .await?;
    session["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no access token for {username}"))
}

/// Creates and opens a campaign; its id.
pub async fn open_campaign(
    client: &reqwest::Client,
    base: &str,
    admin: &str,
    name: &str,
) -> anyhow::Result<String> {
    let campaign: Value = client
        .post(format!("{base}/api/v1/campaigns"))
        .bearer_auth(admin)
        .json(&json!({ "name": name, "kind": "double_day", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "target_fen": 8_000_000_000_i64 }))
        .send()
        .await?
        .json()
        .await?;
    let id = campaign["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("campaign not created: {campaign}"))?
        .to_owned();
    client
        .post(format!("{base}/api/v1/campaigns/{id}/open"))
        .bearer_auth(admin)
        .json(&json!({}))
        .send()
        .await?
        .error_for_status()?;
    Ok(id)
}

/// The sum and count of a Prometheus histogram on the server's `/metrics` (zero if the
/// server has not recorded it yet).
pub async fn histogram(
    client: &reqwest::Client,
    base: &str,
    name: &str,
) -> anyhow::Result<(f64, f64)> {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let read = |suffix: &str| {
        let metric = format!("{name}_{suffix} ");
        text.lines()
            .find_map(|line| line.strip_prefix(&metric))
            .and_then(|value| value.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    Ok((read("sum"), read("count")))
}
