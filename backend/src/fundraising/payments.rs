//! Payments (到账): recorded by finance, matched to pledges by reference code or by hand,
//! corrected only by reversing entries. Every step updates the pledge, the campaign's
//! running totals and the fund ledger in the same transaction.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Set,
};

use super::entities::{campaign_donor, payment, pledge};
use super::funds;
use super::payment_model::check;
pub use super::payment_model::{Channel, NewPayment, PaymentView};
use super::payment_queue::roster_note;
pub use super::payment_queue::{PaymentFilter, list};
use super::pledges::donor_kind_of;
use super::totals::{self, Delta};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;

/// Records a payment and, when it quotes a live pledge's code, matches it at once.
#[tracing::instrument(skip_all)]
pub async fn record(
    txn: &DatabaseTransaction,
    recorded_by: &str,
    new: &NewPayment,
    max_fen: i64,
) -> AppResult<PaymentView> {
    let (payer_reference, reference_code) = check(new, max_fen)?;
    let target = match &reference_code {
        Some(code) => {
            pledge::Entity::find()
                .filter(pledge::Column::ReferenceCode.eq(code))
                .filter(pledge::Column::Status.ne("cancelled"))
                .one(txn)
                .await?
        }
        None => None,
    };
    let roster = match (&target, &reference_code) {
        (None, Some(code)) => super::roster_remittance::by_code(txn, code).await?,
        _ => None,
    };
    let roster_match = roster
        .as_ref()
        .filter(|r| r.status == "awaiting_payment" && r.total_fen == new.amount_fen);
    let campaign_id = target
        .as_ref()
        .map(|p| p.campaign_id.clone())
        .or_else(|| roster_match.map(|r| r.campaign_id.clone()));
    let model = payment::ActiveModel {
        id: Set(new_id()),
        amount_fen: Set(new.amount_fen),
        channel: Set(new.channel.as_str().into()),
        received_on: Set(new.received_on),
        payer_reference: Set(payer_reference),
        reference_code: Set(reference_code),
        pledge_id: Set(target.as_ref().map(|p| p.id.clone())),
        campaign_id: Set(campaign_id),
        reverses_id: Set(None),
        reason: Set(None),
        recorded_by: Set(recorded_by.into()),
        created_at: Set(Utc::now()),
        roster_id: Set(roster_match.map(|r| r.id.clone())),
    }
    .insert(txn)
    .await?;
    if let Some(target) = target {
        apply(txn, &target, &model, recorded_by).await?;
    }
    if let Some(r) = roster_match {
        super::roster_remittance::apply_remittance(txn, r, &model, recorded_by, 1).await?;
    }
    let detail = format!(
        "登记到账 {}（{}）{}",
        crate::kernel::Fen(model.amount_fen),
        Channel::label(&model.channel),
        if model.pledge_id.is_some() || model.roster_id.is_some() {
            "，已自动匹配"
        } else {
            "，待匹配"
        }
    );
    crate::audit::record(txn, recorded_by, "payment.record", &model.id, &detail).await?;
    let mut view = PaymentView::from(model);
    if roster_match.is_none() {
        view.note = roster.as_ref().and_then(|r| roster_note(r, new.amount_fen));
    }
    super::payment_queue::warn_overpaid(txn, &mut view).await?;
    Ok(view)
}

/// Matches an unmatched payment to a pledge by hand.
#[tracing::instrument(skip_all)]
pub async fn match_to(
    txn: &DatabaseTransaction,
    by: &str,
    payment_id: &str,
    pledge_id: &str,
) -> AppResult<PaymentView> {
    let target = pledge::Entity::find_by_id(pledge_id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::field("pledge_id", "认捐不存在"))?;
    if target.status == "cancelled" {
        return Err(AppError::Conflict("该认捐已取消，不能匹配".into()));
    }
    // Assign the pledge once: only a payment that is still unmatched and no reversal.
    let assigned = payment::Entity::update_many()
        .col_expr(payment::Column::PledgeId, Expr::value(pledge_id))
        .col_expr(
            payment::Column::CampaignId,
            Expr::value(&target.campaign_id),
        )
        .filter(payment::Column::Id.eq(payment_id))
        .filter(payment::Column::PledgeId.is_null())
        .filter(payment::Column::RosterId.is_null())
        .filter(payment::Column::ReversesId.is_null())
        .exec(txn)
        .await?;
    let model = payment::Entity::find_by_id(payment_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound("该到账记录"))?;
    if assigned.rows_affected != 1 {
        return Err(AppError::Conflict(already_matched(&model)));
    }
    let reversed = payment::Entity::find()
        .filter(payment::Column::ReversesId.eq(payment_id))
        .count(txn)
        .await?;
    if reversed > 0 {
        return Err(AppError::Conflict("该到账记录已冲正，不能再匹配".into()));
    }
    apply(txn, &target, &model, by).await?;
    crate::audit::record(
        txn,
        by,
        "payment.match",
        &model.id,
        &format!("手工匹配到认捐 {}", target.reference_code),
    )
    .await?;
    let mut view = PaymentView::from(model);
    super::payment_queue::warn_overpaid(txn, &mut view).await?;
    Ok(view)
}

/// Why a payment cannot be matched (again), in the words finance reads.
fn already_matched(p: &payment::Model) -> String {
    if p.reverses_id.is_some() {
        "这是一笔冲正记录，不能匹配".into()
    } else if p.roster_id.is_some() {
        "该到账记录已匹配到单位职工名单，不能再匹配到认捐".into()
    } else {
        "该到账记录已匹配过，不能重复匹配".into()
    }
}

/// Reverses a payment with a reason: a new, negative payment; the original stays.
#[tracing::instrument(skip_all)]
pub async fn reverse(
    txn: &DatabaseTransaction,
    by: &str,
    payment_id: &str,
    reason: &str,
) -> AppResult<PaymentView> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::field("reason", "请填写冲正原因（不超过 500 字）"));
    }
    // The payment's row lock (PostgreSQL; SQLite's write transaction is exclusive)
    // orders a reversal and a receipt issued for the same payment: whichever comes
    // second sees the other.
    let original = payment::Entity::find_by_id(payment_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(AppError::NotFound("该到账记录"))?;
    if original.reverses_id.is_some() {
        return Err(AppError::Conflict("冲正记录本身不能再冲正".into()));
    }
    let reversal = payment::ActiveModel {
        id: Set(new_id()),
        amount_fen: Set(-original.amount_fen),
        channel: Set(original.channel.clone()),
        received_on: Set(Utc::now().date_naive()),
        payer_reference: Set(original.payer_reference.clone()),
        reference_code: Set(original.reference_code.clone()),
        pledge_id: Set(original.pledge_id.clone()),
        campaign_id: Set(original.campaign_id.clone()),
        reverses_id: Set(Some(original.id.clone())),
        reason: Set(Some(reason.to_owned())),
        recorded_by: Set(by.into()),
        created_at: Set(Utc::now()),
        roster_id: Set(original.roster_id.clone()),
    }
    .insert(txn)
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::Conflict("该到账记录已冲正过".into()),
        other => other,
    })?;
    if let Some(roster_id) = &original.roster_id {
        let r = super::entities::roster::Entity::find_by_id(roster_id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::internal("matched roster missing"))?;
        super::roster_remittance::apply_remittance(txn, &r, &reversal, by, -1).await?;
    }
    if let Some(pledge_id) = &original.pledge_id {
        let target = pledge::Entity::find_by_id(pledge_id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::internal("matched pledge missing"))?;
        apply(txn, &target, &reversal, by).await?;
    }
    let detail = format!(
        "冲正到账 {}，金额 {}：{reason}",
        original.id,
        crate::kernel::Fen(original.amount_fen)
    );
    crate::audit::record(txn, by, "payment.reverse", &reversal.id, &detail).await?;
    // A receipt must not outlive the money it acknowledges: it is voided with the reversal.
    let voided = crate::receipts::service::void_for_reversal(txn, by, &original.id).await?;
    let mut view = PaymentView::from(reversal);
    if !voided.is_empty() {
        view.note = Some(format!("收据 {} 已随冲正作废", voided.join("、")));
    }
    Ok(view)
}

/// Applies a matched payment (or reversal) to its pledge, the totals and the fund ledger.
async fn apply(
    txn: &DatabaseTransaction,
    target: &pledge::Model,
    pay: &payment::Model,
    by: &str,
) -> AppResult<()> {
    // The update takes the pledge's row lock: payments to one pledge queue here.
    pledge::Entity::update_many()
        .col_expr(
            pledge::Column::PaidFen,
            Expr::col(pledge::Column::PaidFen).add(pay.amount_fen),
        )
        .filter(pledge::Column::Id.eq(&target.id))
        .exec(txn)
        .await?;
    let now = pledge::Entity::find_by_id(&target.id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("pledge vanished"))?;
    let new_paid = now.paid_fen;
    let old_paid = new_paid - pay.amount_fen;
    let status = if new_paid >= now.amount_fen {
        "paid"
    } else if new_paid > 0 {
        "partly_paid"
    } else if now.status == "lapsed" || now.status == "paid" || now.status == "partly_paid" {
        // A reversal back to nothing: pledged again while the campaign runs.
        "pledged"
    } else {
        now.status.as_str()
    };
    pledge::Entity::update_many()
        .col_expr(pledge::Column::Status, Expr::value(status))
        .filter(pledge::Column::Id.eq(&target.id))
        .exec(txn)
        .await?;
    let capped = |paid: i64| paid.clamp(0, now.amount_fen);
    let was_lapsed = now.status == "lapsed";
    let mut delta = Delta {
        money_fen: pay.amount_fen,
        pledge_paid_fen: capped(new_paid) - capped(old_paid),
        ..Delta::default()
    };
    if was_lapsed && new_paid > 0 {
        // A lapsed pledge left the pledged total when its campaign closed; money brings it back.
        delta.pledged_fen += now.amount_fen;
    }
    delta.donors = donor_change(txn, &now, old_paid, new_paid).await?;
    let donor_kind = donor_kind_of(txn, &now.donor_id).await?;
    let keys = totals::keys(
        &donor_kind,
        now.region_code.as_deref(),
        now.unit_id.as_deref(),
    );
    totals::add(txn, &now.campaign_id, now.slot, &keys, delta).await?;
    let fund = now
        .project_id
        .clone()
        .unwrap_or_else(|| funds::GENERAL.into());
    funds::enter_payment(txn, fund, &now.campaign_id, pay, by).await
}

/// +1 when a donor's first money in the campaign arrives, −1 when their last is reversed.
async fn donor_change(
    txn: &DatabaseTransaction,
    p: &pledge::Model,
    old_paid: i64,
    new_paid: i64,
) -> AppResult<i64> {
    if old_paid <= 0 && new_paid > 0 {
        let exists =
            campaign_donor::Entity::find_by_id((p.campaign_id.clone(), p.donor_id.clone()))
                .one(txn)
                .await?
                .is_some();
        if exists {
            return Ok(0);
        }
        campaign_donor::ActiveModel {
            campaign_id: Set(p.campaign_id.clone()),
            donor_id: Set(p.donor_id.clone()),
        }
        .insert(txn)
        .await?;
        return Ok(1);
    }
    if old_paid > 0 && new_paid <= 0 {
        let others = pledge::Entity::find()
            .filter(pledge::Column::CampaignId.eq(&p.campaign_id))
            .filter(pledge::Column::DonorId.eq(&p.donor_id))
            .filter(pledge::Column::PaidFen.gt(0))
            .count(txn)
            .await?;
        if others == 0 {
            campaign_donor::Entity::delete_by_id((p.campaign_id.clone(), p.donor_id.clone()))
                .exec(txn)
                .await?;
            return Ok(-1);
        }
    }
    Ok(0)
}

/// Records a payment in its own transaction; with an idempotency key, a retry returns
/// the first answer and records nothing.
pub async fn record_once(
    state: &crate::state::AppState,
    recorded_by: &str,
    new: &NewPayment,
    key: Option<&str>,
) -> AppResult<crate::idempotency::Outcome<PaymentView>> {
    use crate::idempotency::{self, Outcome};
    let vault = &state.vault;
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(first) = idempotency::begin(&txn, vault, "payments", key, recorded_by, new).await? {
        return Ok(Outcome::Replayed(first));
    }
    let recorded = record(&txn, recorded_by, new, state.config.max_amount_fen).await?;
    idempotency::finish(&txn, vault, "payments", key, 201, &recorded).await?;
    txn.commit().await?;
    Ok(Outcome::Fresh(recorded))
}

/// Matches by hand in its own transaction.
pub async fn match_once(
    db: &sea_orm::DatabaseConnection,
    by: &str,
    payment_id: &str,
    pledge_id: &str,
) -> AppResult<PaymentView> {
    let txn = crate::db::begin_write(db).await?;
    let view = match_to(&txn, by, payment_id, pledge_id).await?;
    txn.commit().await?;
    Ok(view)
}

/// Reverses in its own transaction.
pub async fn reverse_once(
    db: &sea_orm::DatabaseConnection,
    by: &str,
    payment_id: &str,
    reason: &str,
) -> AppResult<PaymentView> {
    let txn = crate::db::begin_write(db).await?;
    let view = reverse(&txn, by, payment_id, reason).await?;
    txn.commit().await?;
    Ok(view)
}
