//! `Idempotency-Key`: a retried request returns the first answer and changes nothing again.
//!
//! The key is claimed inside the same transaction as the work it guards: a second request
//! with the same key waits for the first to commit (PostgreSQL's unique index, SQLite's
//! write lock), then finds the stored answer and replays it.
//!
//! Pledges keep their key in their own row instead (`fundraising::pledge_keys`); keys a
//! pledge was made with before that still replay from here.
//!
//! Answers are stored sealed with the data key (`Vault`): those kept for pledges before
//! carry the access token of a private link, which the database must not hold in clear. Answers
//! stored in clear before they were sealed (JSON, so they begin with `{`) still replay.

use axum::http::HeaderMap;
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::personal_data::Vault;

/// The header's name.
pub const HEADER: &str = "idempotency-key";

/// The longest key accepted, in (visible ASCII) characters.
pub const MAX_KEY_CHARS: usize = 100;

/// A stored first answer.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Its HTTP status.
    pub status: u16,
    /// Its JSON body.
    pub body: String,
}

/// Reads and checks the header: 1–100 visible ASCII characters.
pub fn key_from(headers: &HeaderMap) -> AppResult<Option<String>> {
    let Some(value) = headers.get(HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| {
            !k.is_empty() && k.len() <= MAX_KEY_CHARS && k.chars().all(|c| c.is_ascii_graphic())
        })
        .ok_or_else(|| AppError::field("Idempotency-Key", "幂等键须为 1–100 个可见 ASCII 字符"))?;
    Ok(Some(key.to_owned()))
}

/// A fingerprint of who sent the request and its body, so that a key reused for another
/// request, or sent by someone else, is refused rather than answered with the first
/// answer (which may hold a private link's token). A request with no caller (an anonymous
/// pledge) is fingerprinted by its body alone, as every key was before callers counted.
pub fn fingerprint(caller: Option<&str>, body: &impl serde::Serialize) -> String {
    let json = serde_json::to_vec(body).unwrap_or_default();
    let mut hash = Sha256::new();
    if let Some(caller) = caller {
        hash.update(b"caller:");
        hash.update(caller.as_bytes());
        hash.update(b"\n");
    }
    hash.update(&json);
    crate::ids::hex(&hash.finalize())
}

#[derive(FromQueryResult)]
struct Row {
    request_hash: String,
    status: Option<i16>,
    body: Option<String>,
}

/// Claims `key` in `scope` for this transaction. `Some` is the first answer to replay.
pub async fn claim(
    txn: &DatabaseTransaction,
    vault: &Vault,
    scope: &str,
    key: &str,
    request_hash: &str,
) -> AppResult<Option<Stored>> {
    let insert = Query::insert()
        .into_table("idempotency_keys")
        .columns(["scope", "key", "request_hash", "created_at"])
        .values_panic([
            scope.into(),
            key.into(),
            request_hash.into(),
            Utc::now().into(),
        ])
        .on_conflict(
            OnConflict::columns(["scope", "key"])
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    let inserted = txn.execute(&insert).await?;
    if inserted.rows_affected() == 1 {
        return Ok(None);
    }
    stored(txn, vault, scope, key, request_hash).await.map(Some)
}

/// The first answer kept for `key`, once its request has committed; a conflict if the
/// key came with another request, or if its first request has not finished.
pub async fn stored(
    conn: &impl ConnectionTrait,
    vault: &Vault,
    scope: &str,
    key: &str,
    request_hash: &str,
) -> AppResult<Stored> {
    find(conn, vault, scope, key, request_hash)
        .await?
        .ok_or_else(|| AppError::internal("idempotency row vanished"))
}

/// The first answer kept for `key`, if the key is kept in `scope`; a conflict as in
/// `stored`.
pub async fn find(
    conn: &impl ConnectionTrait,
    vault: &Vault,
    scope: &str,
    key: &str,
    request_hash: &str,
) -> AppResult<Option<Stored>> {
    let select = Query::select()
        .columns(["request_hash", "status", "body"])
        .from("idempotency_keys")
        .and_where(Expr::col("scope").eq(scope))
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    let backend = conn.get_database_backend();
    let Some(row) = Row::find_by_statement(backend.build(&select))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if row.request_hash != request_hash {
        return Err(reused());
    }
    match (row.status, row.body) {
        (Some(status), Some(body)) => Ok(Some(Stored {
            status: u16::try_from(status).unwrap_or(200),
            body: unseal(vault, body)?,
        })),
        _ => Err(AppError::Conflict(
            "相同的请求正在处理，请稍后重试。".into(),
        )),
    }
}

/// The answer when a key comes again with another request.
pub fn reused() -> AppError {
    AppError::Conflict("该幂等键已用于另一个请求（或由其他人使用），请换一个新的幂等键。".into())
}

/// Stores the answer for the claimed key, in the same transaction as the work.
pub async fn store(
    txn: &DatabaseTransaction,
    vault: &Vault,
    scope: &str,
    key: &str,
    status: u16,
    body: &str,
) -> AppResult<()> {
    let update = Query::update()
        .table("idempotency_keys")
        .value("status", i16::try_from(status).unwrap_or(200))
        .value("body", seal(vault, body)?)
        .and_where(Expr::col("scope").eq(scope))
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    txn.execute(&update).await?;
    Ok(())
}

/// What an idempotent operation gives: its own result, or the first answer again.
#[derive(Debug)]
pub enum Outcome<T> {
    /// The work was done now.
    Fresh(T),
    /// The key was used before: the first answer, unchanged.
    Replayed(Stored),
}

/// Claims the key (if any) for `caller` at the start of `txn`; `Some` is an answer to
/// replay at once.
pub async fn begin(
    txn: &DatabaseTransaction,
    vault: &Vault,
    scope: &str,
    key: Option<&str>,
    caller: &str,
    request: &impl serde::Serialize,
) -> AppResult<Option<Stored>> {
    match key {
        Some(key) => claim(txn, vault, scope, key, &fingerprint(Some(caller), request)).await,
        None => Ok(None),
    }
}

/// Stores the answer for the key (if any) before `txn` commits.
pub async fn finish(
    txn: &DatabaseTransaction,
    vault: &Vault,
    scope: &str,
    key: Option<&str>,
    status: u16,
    answer: &impl serde::Serialize,
) -> AppResult<()> {
    if let Some(key) = key {
        let body = serde_json::to_string(answer).map_err(AppError::internal)?;
        store(txn, vault, scope, key, status, &body).await?;
    }
    Ok(())
}

/// An answer as it is stored.
pub fn seal(vault: &Vault, body: &str) -> AppResult<String> {
    vault.encrypt(body)
}

/// A stored answer as it was given.
fn unseal(vault: &Vault, stored: String) -> AppResult<String> {
    if stored.starts_with('{') {
        Ok(stored)
    } else {
        vault.decrypt(&stored)
    }
}
