//! A staff list's remittance (汇款): one payment for the list's total pays every person's
//! gift at once, and its reversal unpays them, with the running totals and the fund
//! ledger in the same transaction.
//!
//! A remittance that is short or over the list's total is matched only by finance, by
//! hand, confirming the difference. The list is then settled by it: every person's gift
//! counts as paid (the pledges and the pledged-and-paid totals move by the list's total,
//! as the unit's list says each person gave), while the money, the fund ledger and the
//! campaign's raised amount move by what arrived. The difference stays visible between
//! the list's total and its remittance; `sunshine check` holds a list's pledges paid in
//! full exactly when its remittances add up to more than nothing.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
};

use super::entities::{campaign, campaign_donor, payment, pledge, roster};
use super::funds;
use super::payment_model::PaymentView;
use super::totals::{self, Delta};
use crate::error::{AppError, AppResult};
use crate::reference::entities::work_unit;

/// The roster a code names, if any.
pub async fn by_code(conn: &impl ConnectionTrait, code: &str) -> AppResult<Option<roster::Model>> {
    Ok(roster::Entity::find()
        .filter(roster::Column::ReferenceCode.eq(code))
        .one(conn)
        .await?)
}

/// Applies a remittance (`sign` 1) or its reversal (`sign` −1) to the list: every
/// person's gift is paid (or unpaid); the money is the payment's own amount, which a
/// remittance matched by hand may make differ from the list's total.
pub async fn apply_remittance(
    txn: &DatabaseTransaction,
    r: &roster::Model,
    pay: &payment::Model,
    by: &str,
    sign: i64,
) -> AppResult<()> {
    let paying = sign > 0;
    // A list closed with its campaign is paid by a late remittance matched by hand; one
    // unpaid after its campaign closed is closed again.
    let campaign_closed = campaign::Entity::find_by_id(&r.campaign_id)
        .one(txn)
        .await?
        .is_some_and(|c| c.status == "closed");
    let reopening = paying && r.status == "closed";
    let (status_from, status_to) = match (paying, reopening, campaign_closed) {
        (true, true, _) => ("closed", "paid"),
        (true, false, _) => ("awaiting_payment", "paid"),
        (false, _, true) => ("paid", "closed"),
        (false, _, false) => ("paid", "awaiting_payment"),
    };
    let flipped = roster::Entity::update_many()
        .col_expr(roster::Column::Status, Expr::value(status_to))
        .filter(roster::Column::Id.eq(&r.id))
        .filter(roster::Column::Status.eq(status_from))
        .exec(txn)
        .await?;
    if flipped.rows_affected != 1 {
        return Err(AppError::Conflict("该名单的汇款已登记过".into()));
    }
    let paid_expr = if paying {
        Expr::col(pledge::Column::AmountFen)
    } else {
        Expr::value(0)
    };
    pledge::Entity::update_many()
        .col_expr(pledge::Column::PaidFen, paid_expr)
        .col_expr(
            pledge::Column::Status,
            Expr::value(match (paying, campaign_closed) {
                (true, _) => "paid",
                (false, true) => "lapsed",
                (false, false) => "pledged",
            }),
        )
        .filter(pledge::Column::RosterId.eq(&r.id))
        .exec(txn)
        .await?;
    if paying {
        let select = Query::select()
            .column(pledge::Column::CampaignId)
            .column(pledge::Column::DonorId)
            .from(pledge::Entity)
            .and_where(Expr::col(pledge::Column::RosterId).eq(r.id.as_str()))
            .to_owned();
        let insert = Query::insert()
            .into_table(campaign_donor::Entity)
            .columns([
                campaign_donor::Column::CampaignId,
                campaign_donor::Column::DonorId,
            ])
            .select_from(select)
            .map_err(AppError::internal)?
            .on_conflict(
                OnConflict::columns([
                    campaign_donor::Column::CampaignId,
                    campaign_donor::Column::DonorId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .to_owned();
        txn.execute(&insert).await?;
    } else {
        let donors = Query::select()
            .column(pledge::Column::DonorId)
            .from(pledge::Entity)
            .and_where(Expr::col(pledge::Column::RosterId).eq(r.id.as_str()))
            .to_owned();
        campaign_donor::Entity::delete_many()
            .filter(campaign_donor::Column::CampaignId.eq(&r.campaign_id))
            .filter(campaign_donor::Column::DonorId.in_subquery(donors))
            .exec(txn)
            .await?;
    }
    let unit = work_unit::Entity::find_by_id(&r.unit_id).one(txn).await?;
    let region = unit.as_ref().and_then(|u| u.region_code.clone());
    if reopening {
        // Its pledges left the pledged total when the campaign closed; money brings them back.
        super::roster_status::add_pledged(txn, r, 1).await?;
    } else if !paying && campaign_closed {
        // Unpaid after its campaign closed, the list is closed as the close would have.
        super::roster_status::add_pledged(txn, r, -1).await?;
    }
    let individual_people = r.people - r.anonymous_people;
    let individual_fen = r.total_fen - r.anonymous_fen;
    // The money splits between named and anonymous staff as the list does.
    let anonymous_money = if r.total_fen == 0 {
        0
    } else {
        i64::try_from(
            i128::from(pay.amount_fen) * i128::from(r.anonymous_fen) / i128::from(r.total_fen),
        )
        .map_err(AppError::internal)?
    };
    let all_keys = totals::keys("individual", region.as_deref(), Some(&r.unit_id));
    let whole = Delta {
        money_fen: pay.amount_fen,
        pledge_paid_fen: sign * r.total_fen,
        donors: sign * r.people,
        ..Delta::default()
    };
    let shared: Vec<_> = all_keys
        .iter()
        .filter(|(d, _)| *d != "donor_kind")
        .cloned()
        .collect();
    totals::add(txn, &r.campaign_id, r.slot, &shared, whole).await?;
    for (kind, fen, money, people) in [
        (
            "individual",
            individual_fen,
            pay.amount_fen - anonymous_money,
            individual_people,
        ),
        (
            "anonymous",
            r.anonymous_fen,
            anonymous_money,
            r.anonymous_people,
        ),
    ] {
        if people == 0 {
            continue;
        }
        let delta = Delta {
            money_fen: money,
            pledge_paid_fen: sign * fen,
            donors: sign * people,
            ..Delta::default()
        };
        totals::add(
            txn,
            &r.campaign_id,
            r.slot,
            &[("donor_kind", kind.to_owned())],
            delta,
        )
        .await?;
    }
    funds::enter_payment(txn, funds::GENERAL.into(), &r.campaign_id, pay, by).await
}

/// Matches an unmatched payment to a staff list by hand. A payment that differs from the
/// list's total is matched only with `confirm_difference`; the answer says the difference.
#[tracing::instrument(skip_all)]
pub async fn match_to_roster(
    txn: &DatabaseTransaction,
    by: &str,
    payment_id: &str,
    roster_id: &str,
    confirm_difference: bool,
) -> AppResult<PaymentView> {
    use crate::kernel::Fen;
    let r = roster::Entity::find_by_id(roster_id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::field("roster_id", "名单不存在"))?;
    let pay = payment::Entity::find_by_id(payment_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound("该到账记录"))?;
    match r.status.as_str() {
        "awaiting_payment" | "closed" => {}
        "withdrawn" => {
            return Err(AppError::Conflict(format!(
                "名单 {} 已由单位撤回，不能匹配",
                r.reference_code
            )));
        }
        _ => {
            return Err(AppError::Conflict(format!(
                "名单 {} 的汇款已登记过，不能再匹配",
                r.reference_code
            )));
        }
    }
    if pay.amount_fen <= 0 || pay.reverses_id.is_some() {
        return Err(AppError::Conflict("冲正记录不能匹配".into()));
    }
    let difference = pay.amount_fen - r.total_fen;
    if difference != 0 && !confirm_difference {
        return Err(AppError::Conflict(format!(
            "本笔 {} 与名单 {} 合计 {} 相差 {}，请确认差额后再匹配",
            Fen(pay.amount_fen),
            r.reference_code,
            Fen(r.total_fen),
            Fen(difference)
        )));
    }
    // Assign the list once: only a payment matched to nothing and no reversal.
    let assigned = payment::Entity::update_many()
        .col_expr(payment::Column::RosterId, Expr::value(&r.id))
        .col_expr(payment::Column::CampaignId, Expr::value(&r.campaign_id))
        .filter(payment::Column::Id.eq(payment_id))
        .filter(payment::Column::PledgeId.is_null())
        .filter(payment::Column::RosterId.is_null())
        .filter(payment::Column::ReversesId.is_null())
        .exec(txn)
        .await?;
    if assigned.rows_affected != 1 {
        return Err(AppError::Conflict("该到账记录已匹配或是冲正记录".into()));
    }
    let reversed = payment::Entity::find()
        .filter(payment::Column::ReversesId.eq(payment_id))
        .count(txn)
        .await?;
    if reversed > 0 {
        return Err(AppError::Conflict("该到账记录已冲正，不能再匹配".into()));
    }
    let model = payment::Entity::find_by_id(payment_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound("该到账记录"))?;
    apply_remittance(txn, &r, &model, by, 1).await?;
    let note = difference_note(&r, model.amount_fen);
    let detail = format!(
        "手工匹配到名单 {}{}",
        r.reference_code,
        note.as_deref()
            .map(|n| format!("（{n}，已确认差额）"))
            .unwrap_or_default()
    );
    crate::audit::record(txn, by, "payment.match_roster", &model.id, &detail).await?;
    let mut view = PaymentView::from(model);
    if difference != 0 {
        view.difference_fen = Some(difference);
        view.note = note;
    }
    Ok(view)
}

/// The list's total against a remittance, when they differ.
pub fn difference_note(r: &roster::Model, amount_fen: i64) -> Option<String> {
    use crate::kernel::Fen;
    let difference = amount_fen - r.total_fen;
    (difference != 0).then(|| {
        format!(
            "名单 {} 合计 {}，本笔 {}，相差 {}（{}汇）",
            r.reference_code,
            Fen(r.total_fen),
            Fen(amount_fen),
            Fen(difference.abs()),
            if difference < 0 { "少" } else { "多" }
        )
    })
}

/// Matches to a list in its own transaction.
pub async fn match_to_roster_once(
    db: &sea_orm::DatabaseConnection,
    by: &str,
    payment_id: &str,
    roster_id: &str,
    confirm_difference: bool,
) -> AppResult<PaymentView> {
    let txn = crate::db::begin_write(db).await?;
    let view = match_to_roster(&txn, by, payment_id, roster_id, confirm_difference).await?;
    txn.commit().await?;
    Ok(view)
}
