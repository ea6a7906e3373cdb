//! A pledge's `Idempotency-Key`, kept in the pledge's own row: the key, the fingerprint of
//! the request that came with it, and the private link's token sealed with the data key.
//! A retry with the key gets the first answer again, rebuilt from that row, and makes
//! nothing; the same key with another request is refused. The unique index on the key
//! makes a second pledge with it impossible, on PostgreSQL also between batches written
//! at the same time.
//!
//! Keys that pledges were made with before they kept them (in `idempotency_keys`, with
//! the whole answer) still replay from there.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entities::pledge;
use super::pledges::{Draft, PledgeCreated, PledgeRequest};
use crate::error::{AppError, AppResult};
use crate::idempotency::{self, Stored};
use crate::personal_data::Vault;

/// Where keys of pledges made before this module were kept.
const LEGACY_SCOPE: &str = "pledges";

/// Gives the draft its key: the key, the fingerprint of the request and of the donor's
/// account that sent it (none for an anonymous pledge) and the sealed token go into its
/// row.
pub(super) fn attach(
    draft: &mut Draft,
    vault: &Vault,
    key: &str,
    donor_user_id: Option<&str>,
    request: &PledgeRequest,
) -> AppResult<()> {
    draft.pledge.idempotency_key = Some(key.to_owned());
    draft.pledge.request_hash = Some(idempotency::fingerprint(donor_user_id, request));
    draft.pledge.access_token_sealed = Some(vault.encrypt(&draft.access_token)?);
    Ok(())
}

/// The first answer for the draft's key, if a pledge was made with it already; a
/// conflict if that pledge came from another request. `None` for a draft without a key.
pub(super) async fn first_answer(
    conn: &impl ConnectionTrait,
    vault: &Vault,
    draft: &Draft,
) -> AppResult<Option<Stored>> {
    let (Some(key), Some(request_hash)) = (
        draft.pledge.idempotency_key.as_deref(),
        draft.pledge.request_hash.as_deref(),
    ) else {
        return Ok(None);
    };
    let first = pledge::Entity::find()
        .filter(pledge::Column::IdempotencyKey.eq(key))
        .one(conn)
        .await?;
    let Some(first) = first else {
        return idempotency::find(conn, vault, LEGACY_SCOPE, key, request_hash).await;
    };
    if first.request_hash.as_deref() != Some(request_hash) {
        return Err(idempotency::reused());
    }
    let sealed = first
        .access_token_sealed
        .ok_or_else(|| AppError::internal("a keyed pledge without its sealed token"))?;
    let created = PledgeCreated::new(first.id, first.reference_code, vault.decrypt(&sealed)?);
    let body = serde_json::to_string(&created).map_err(AppError::internal)?;
    Ok(Some(Stored { status: 201, body }))
}
