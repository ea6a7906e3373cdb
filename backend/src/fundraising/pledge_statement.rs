//! The statement that writes a batch of pledges on PostgreSQL, how much one batch may
//! hold, its input rows and what it answers for each. How batches are gathered, retried
//! and answered is in `pledge_batch`.

use std::collections::HashSet;

use sea_orm::sqlx::postgres::{PgConnection, PgRow};
use sea_orm::sqlx::{self, Row as _};
use serde::Serialize;

use super::pledges::Draft;
use crate::error::{AppError, AppResult};

/// `$1` the batch as a JSON array, `$2` now, `$3` the totals slot of the batch.
const SQL: &str = r#"
WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS i (
        campaign_id text, project_id text, key text, request_hash text, token_sealed text,
        donor_id text, kind text, name text, phone text, id_number_cipher text,
        id_number_hash text, id_number_masked text, credit_code text, contact text,
        user_id text, pledge_id text, amount_fen bigint, reference_code text,
        access_token_hash text, public_name_consent boolean, public_name text,
        receipt_requested boolean, receipt_title text, region_code text)
), checked AS (
    SELECT i.*, c.status AS campaign_status, COALESCE(i.project_id, c.project_id) AS project,
           (COALESCE(i.project_id, c.project_id) IS NULL OR p.id IS NOT NULL) AS project_known
    FROM input i
    LEFT JOIN campaigns c ON c.id = i.campaign_id
    LEFT JOIN projects p ON p.id = COALESCE(i.project_id, c.project_id)
), accepted AS (
    -- A key kept in `idempotency_keys` is one a pledge was made with before pledges kept
    -- their own: its pledge replays from there.
    SELECT * FROM checked
    WHERE campaign_status = 'open' AND project_known
      AND (key IS NULL OR NOT EXISTS (
          SELECT 1 FROM idempotency_keys k WHERE k.scope = 'pledges' AND k.key = checked.key))
), new_pledge AS (
    -- The donor's row is written after the pledge that refers to it; the reference is
    -- checked at the end of the statement. A key taken already makes nothing: that
    -- pledge's first answer is the answer.
    INSERT INTO pledges (id, campaign_id, project_id, donor_id, amount_fen, paid_fen, status,
                         reference_code, access_token_hash, public_name_consent, public_name,
                         receipt_requested, receipt_title, region_code, unit_id, slot,
                         created_at, roster_id, department, idempotency_key, request_hash,
                         access_token_sealed)
    SELECT pledge_id, campaign_id, project, donor_id, amount_fen, 0, 'pledged',
           reference_code, access_token_hash, public_name_consent, public_name,
           receipt_requested, receipt_title, region_code, NULL, $3, $2, NULL,
           NULL, key, request_hash, token_sealed
    FROM accepted
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING id
), go AS (
    SELECT accepted.* FROM accepted JOIN new_pledge ON new_pledge.id = accepted.pledge_id
), new_donor AS (
    INSERT INTO donors (id, kind, name, phone, id_number_cipher, id_number_hash,
                        id_number_masked, credit_code, contact, user_id, created_at)
    SELECT donor_id, kind, name, phone, id_number_cipher, id_number_hash, id_number_masked,
           credit_code, contact, user_id, $2
    FROM go
), counted AS (
    INSERT INTO campaign_totals (campaign_id, dimension, key, slot, money_fen, pledged_fen,
                                 pledge_paid_fen, donors)
    SELECT go.campaign_id, k.dimension, k.key, $3, 0, sum(go.amount_fen), 0, 0
    FROM go CROSS JOIN LATERAL (VALUES ('all', '-'), ('donor_kind', go.kind),
                               ('region', go.region_code)) AS k (dimension, key)
    WHERE k.key IS NOT NULL
    GROUP BY go.campaign_id, k.dimension, k.key
    ORDER BY go.campaign_id, k.dimension, k.key
    ON CONFLICT (campaign_id, dimension, key, slot)
    DO UPDATE SET pledged_fen = campaign_totals.pledged_fen + excluded.pledged_fen
    RETURNING 1
)
SELECT checked.pledge_id, checked.campaign_status, checked.project_known,
       new_pledge.id IS NOT NULL AS made
FROM checked LEFT JOIN new_pledge ON new_pledge.id = checked.pledge_id
"#;

/// The most bytes of rows in one batch. With the few bytes around them the statement
/// stays within one TLS record (16 KiB): where `db::nodelay` cannot turn Nagle's algorithm
/// off (sqlx 0.9.0 leaves it on), a second record would wait 40 ms for the server's
/// delayed ACK. Batches are seldom longer at 32 clients.
pub(super) const MAX_BATCH_BYTES: usize = 16_000;

/// The most pledges in one batch.
pub(super) const MAX_BATCH: usize = 64;

/// How much a batch being gathered holds: pledges, their rows' bytes, and their
/// idempotency keys (one pledge per key).
#[derive(Default)]
pub(super) struct BatchSize {
    pledges: usize,
    bytes: usize,
    keys: HashSet<String>,
}

impl BatchSize {
    pub(super) fn is_full(&self) -> bool {
        self.pledges >= MAX_BATCH || self.bytes >= MAX_BATCH_BYTES
    }

    /// Counts a pledge with a row of `bytes` and `key` in, if it fits. The first always
    /// fits, however long its row.
    pub(super) fn admits(&mut self, bytes: usize, key: Option<&str>) -> bool {
        let total = self.bytes + bytes + 1;
        if self.pledges > 0 && (self.pledges >= MAX_BATCH || total > MAX_BATCH_BYTES) {
            return false;
        }
        if let Some(key) = key
            && !self.keys.insert(key.to_owned())
        {
            return false;
        }
        self.pledges += 1;
        self.bytes = total;
        true
    }
}

/// One pledge as a row of the batch.
#[derive(Serialize)]
struct Row<'a> {
    campaign_id: &'a str,
    project_id: Option<&'a str>,
    key: Option<&'a str>,
    request_hash: Option<&'a str>,
    token_sealed: Option<&'a str>,
    donor_id: &'a str,
    kind: &'a str,
    name: Option<&'a str>,
    phone: Option<&'a str>,
    id_number_cipher: Option<&'a str>,
    id_number_hash: Option<&'a str>,
    id_number_masked: Option<&'a str>,
    credit_code: Option<&'a str>,
    contact: Option<&'a str>,
    user_id: Option<&'a str>,
    pledge_id: &'a str,
    amount_fen: i64,
    reference_code: &'a str,
    access_token_hash: &'a str,
    public_name_consent: bool,
    public_name: Option<&'a str>,
    receipt_requested: bool,
    receipt_title: Option<&'a str>,
    region_code: Option<&'a str>,
}

/// What the statement found for one row.
#[derive(Debug)]
pub(super) struct Answer {
    pub(super) pledge_id: String,
    pub(super) campaign_status: Option<String>,
    pub(super) project_known: Option<bool>,
    pub(super) made: bool,
}

impl Answer {
    fn read(row: &PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            pledge_id: row.try_get("pledge_id")?,
            campaign_status: row.try_get("campaign_status")?,
            project_known: row.try_get("project_known")?,
            made: row.try_get("made")?,
        })
    }
}

/// A pledge as one JSON row of a batch: made by the request's own task, so the writers
/// only join them.
pub(super) fn encode(draft: &Draft) -> AppResult<String> {
    serde_json::to_string(&row(draft))
        .map_err(|e| AppError::internal(format!("cannot encode the pledge: {e}")))
}

/// Writes the `rows` in one statement, committed on return, counting them in the totals'
/// `slot`, and reads what happened to each, by its pledge's id.
pub(super) async fn run(
    conn: &mut PgConnection,
    rows: &[&str],
    slot: i16,
) -> Result<Vec<Answer>, sqlx::Error> {
    let mut batch = String::with_capacity(rows.iter().map(|r| r.len() + 1).sum::<usize>() + 1);
    batch.push('[');
    for (n, row) in rows.iter().enumerate() {
        if n > 0 {
            batch.push(',');
        }
        batch.push_str(row);
    }
    batch.push(']');
    let found = sqlx::query(SQL)
        .bind(batch)
        .bind(chrono::Utc::now())
        .bind(slot)
        .fetch_all(conn)
        .await?;
    found.iter().map(Answer::read).collect()
}

fn row(draft: &Draft) -> Row<'_> {
    let (donor, pledge) = (&draft.donor, &draft.pledge);
    Row {
        campaign_id: &pledge.campaign_id,
        project_id: pledge.project_id.as_deref(),
        key: pledge.idempotency_key.as_deref(),
        request_hash: pledge.request_hash.as_deref(),
        token_sealed: pledge.access_token_sealed.as_deref(),
        donor_id: &donor.id,
        kind: &donor.kind,
        name: donor.name.as_deref(),
        phone: donor.phone.as_deref(),
        id_number_cipher: donor.id_number_cipher.as_deref(),
        id_number_hash: donor.id_number_hash.as_deref(),
        id_number_masked: donor.id_number_masked.as_deref(),
        credit_code: donor.credit_code.as_deref(),
        contact: donor.contact.as_deref(),
        user_id: donor.user_id.as_deref(),
        pledge_id: &pledge.id,
        amount_fen: pledge.amount_fen,
        reference_code: &pledge.reference_code,
        access_token_hash: &pledge.access_token_hash,
        public_name_consent: pledge.public_name_consent,
        public_name: pledge.public_name.as_deref(),
        receipt_requested: pledge.receipt_requested,
        receipt_title: pledge.receipt_title.as_deref(),
        region_code: pledge.region_code.as_deref(),
    }
}

#[cfg(test)]
mod tests {
    use super::{BatchSize, MAX_BATCH, MAX_BATCH_BYTES};

    #[test]
    fn a_batch_ends_before_its_rows_outgrow_one_tls_record() {
        let mut size = BatchSize::default();
        assert!(size.admits(MAX_BATCH_BYTES / 2, None));
        assert!(
            !size.admits(MAX_BATCH_BYTES / 2, None),
            "two halves and a comma"
        );
        assert!(size.admits(MAX_BATCH_BYTES / 4, None));
        let mut alone = BatchSize::default();
        assert!(
            alone.admits(2 * MAX_BATCH_BYTES, None),
            "the first always fits"
        );
        assert!(alone.is_full());
    }

    #[test]
    fn a_batch_holds_each_key_once_and_at_most_its_count() {
        let mut size = BatchSize::default();
        assert!(size.admits(10, Some("a")));
        assert!(!size.admits(10, Some("a")));
        assert!(size.admits(10, Some("b")));
        while size.admits(10, None) {}
        assert_eq!(size.pledges, MAX_BATCH);
        assert!(size.is_full());
    }
}
