//! The audit log (审计日志): who changed what and when, hash-chained.
//!
//! Each entry is written in the same transaction as the change it records, so a change
//! and its entry commit or roll back together. Appending takes the chain's head row
//! (one writer at a time, like receipt numbering): audited actions are people's actions
//! (finance, admins, coordinators), not the public's pledges.

pub mod api;
pub mod entity;
pub mod pages;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

#[derive(FromQueryResult)]
struct Head {
    seq: i64,
    hash: String,
}

/// The hash of an entry: SHA-256 over the previous hash and the entry's fields.
pub fn entry_hash(
    prev: &str,
    seq: i64,
    at: &DateTime<Utc>,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> String {
    let mut hasher = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        &at.to_rfc3339(),
        actor,
        action,
        subject,
        detail,
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    crate::ids::hex(&hasher.finalize())
}

/// Appends an entry in the caller's transaction.
pub async fn record(
    conn: &impl ConnectionTrait,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> AppResult<()> {
    let head = Alias::new("audit_head");
    let bump = Query::update()
        .table(head.clone())
        .value(Alias::new("seq"), Expr::col(Alias::new("seq")).add(1))
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .to_owned();
    conn.execute(&bump).await?;
    let read = Query::select()
        .columns([Alias::new("seq"), Alias::new("hash")])
        .from(head.clone())
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .to_owned();
    let backend = conn.get_database_backend();
    let current = Head::find_by_statement(backend.build(&read))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::internal("audit head missing"))?;
    // Microseconds only: both databases keep them exactly, so the hash can be recomputed.
    let at =
        DateTime::<Utc>::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap_or_default();
    let detail: String = detail.chars().take(1000).collect();
    let hash = entry_hash(
        &current.hash,
        current.seq,
        &at,
        actor,
        action,
        subject,
        &detail,
    );
    entity::ActiveModel {
        seq: Set(current.seq),
        at: Set(at),
        actor: Set(actor.chars().take(36).collect()),
        action: Set(action.to_owned()),
        subject: Set(subject.chars().take(64).collect()),
        detail: Set(detail),
        prev_hash: Set(current.hash),
        hash: Set(hash.clone()),
    }
    .insert(conn)
    .await?;
    let advance = Query::update()
        .table(head)
        .value(Alias::new("hash"), hash)
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .to_owned();
    conn.execute(&advance).await?;
    Ok(())
}

/// Entries read at a time while walking the chain.
const VERIFY_PAGE: u64 = 5_000;

/// Walks the chain a page at a time; the number of entries, or the first broken one.
pub async fn verify_chain(db: &DatabaseConnection) -> AppResult<Result<u64, i64>> {
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    let mut prev = "0".repeat(64);
    let mut expected_seq = 1;
    loop {
        let page = entity::Entity::find()
            .filter(entity::Column::Seq.gte(expected_seq))
            .order_by_asc(entity::Column::Seq)
            .limit(VERIFY_PAGE)
            .all(db)
            .await?;
        if page.is_empty() {
            return Ok(Ok(u64::try_from(expected_seq - 1).unwrap_or(0)));
        }
        for e in &page {
            let hash = entry_hash(
                &e.prev_hash,
                e.seq,
                &e.at,
                &e.actor,
                &e.action,
                &e.subject,
                &e.detail,
            );
            if e.seq != expected_seq || e.prev_hash != prev || e.hash != hash {
                return Ok(Err(e.seq));
            }
            prev.clone_from(&e.hash);
            expected_seq += 1;
        }
    }
}
