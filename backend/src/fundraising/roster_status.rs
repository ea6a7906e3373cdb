//! A staff list's life after its import, short of its remittance: the coordinator
//! withdraws it before any money arrives, or its campaign closes while it still awaits
//! the remittance. Either way its pledged amount leaves the campaign's totals, in the
//! same transaction as the list's status.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};

use super::entities::{payment, pledge, roster};
use super::rosters::{RosterView, may_act_for};
use super::totals::{self, Delta};
use crate::error::{AppError, AppResult};
use crate::identity::tokens::Claims;
use crate::kernel::Fen;
use crate::reference::entities::work_unit;

/// Adds `sign` × the list's pledged amount to its campaign's totals, split by donor kind
/// as the import added it.
pub(super) async fn add_pledged(
    conn: &impl ConnectionTrait,
    r: &roster::Model,
    sign: i64,
) -> AppResult<()> {
    let unit = work_unit::Entity::find_by_id(&r.unit_id).one(conn).await?;
    let region = unit.as_ref().and_then(|u| u.region_code.clone());
    let shared: Vec<_> = totals::keys("individual", region.as_deref(), Some(&r.unit_id))
        .into_iter()
        .filter(|(dimension, _)| *dimension != "donor_kind")
        .collect();
    let pledged = |fen: i64| Delta {
        pledged_fen: sign * fen,
        ..Delta::default()
    };
    totals::add(conn, &r.campaign_id, r.slot, &shared, pledged(r.total_fen)).await?;
    for (kind, fen) in [
        ("individual", r.total_fen - r.anonymous_fen),
        ("anonymous", r.anonymous_fen),
    ] {
        totals::add(
            conn,
            &r.campaign_id,
            r.slot,
            &[("donor_kind", kind.to_owned())],
            pledged(fen),
        )
        .await?;
    }
    Ok(())
}

/// Withdraws a list that no money has arrived for: its pledges are cancelled and leave
/// the totals. A list with a remittance (matched, or waiting in finance's queue with its
/// code) is refused with 409.
#[tracing::instrument(skip_all)]
pub async fn withdraw(
    db: &DatabaseConnection,
    user: &Claims,
    unit_id: &str,
    roster_id: &str,
    reason: Option<&str>,
) -> AppResult<RosterView> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if let Some(Err(message)) = reason.map(|r| crate::kernel::text::typed("撤回原因", r, 1..=200))
    {
        return Err(AppError::field("reason", message));
    }
    may_act_for(db, user, unit_id).await?;
    let txn = crate::db::begin_write(db).await?;
    let r = roster::Entity::find_by_id(roster_id)
        .filter(roster::Column::UnitId.eq(unit_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("该名单"))?;
    let reversed = sea_orm::sea_query::Query::select()
        .column(payment::Column::ReversesId)
        .from(payment::Entity)
        .and_where(Expr::col(payment::Column::ReversesId).is_not_null())
        .to_owned();
    let waiting = payment::Entity::find()
        .filter(payment::Column::ReferenceCode.eq(&r.reference_code))
        .filter(payment::Column::PledgeId.is_null())
        .filter(payment::Column::RosterId.is_null())
        .filter(payment::Column::ReversesId.is_null())
        .filter(payment::Column::Id.not_in_subquery(reversed))
        .count(&txn)
        .await?;
    if waiting > 0 {
        return Err(AppError::Conflict(format!(
            "已有引用汇款编号 {} 的到账待财务确认，名单不能撤回；如有差错请联系财务。",
            r.reference_code
        )));
    }
    let flipped = roster::Entity::update_many()
        .col_expr(roster::Column::Status, Expr::value("withdrawn"))
        .filter(roster::Column::Id.eq(&r.id))
        .filter(roster::Column::Status.eq("awaiting_payment"))
        .exec(&txn)
        .await?;
    if flipped.rows_affected != 1 {
        return Err(AppError::Conflict(
            match r.status.as_str() {
                "paid" => "该名单的汇款已到账，不能撤回；如有差错请联系财务冲正。",
                "withdrawn" => "该名单已撤回过。",
                "closed" => "活动已结束，该名单已随活动关闭，不能撤回。",
                _ => "该名单当前不能撤回。",
            }
            .into(),
        ));
    }
    pledge::Entity::update_many()
        .col_expr(pledge::Column::Status, Expr::value("cancelled"))
        .filter(pledge::Column::RosterId.eq(&r.id))
        .filter(pledge::Column::Status.eq("pledged"))
        .exec(&txn)
        .await?;
    add_pledged(&txn, &r, -1).await?;
    let detail = format!(
        "撤回名单“{}”（{} 人，合计 {}，汇款编号 {}）{}",
        r.file_name,
        r.people,
        Fen(r.total_fen),
        r.reference_code,
        reason.map(|r| format!("：{r}")).unwrap_or_default()
    );
    crate::audit::record(&txn, &user.sub, "roster.withdraw", &r.id, &detail).await?;
    txn.commit().await?;
    let mut view = RosterView::from(r);
    view.status = "withdrawn".into();
    Ok(view)
}

/// What closing a campaign does to its lists still awaiting a remittance.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClosedLists {
    /// Lists closed.
    pub lists: i64,
    /// People on them.
    pub people: i64,
    /// Their pledged total, fen.
    pub fen: i64,
}

/// Closes, with their campaign, the lists still awaiting a remittance: their pledges
/// lapse and leave the pledged total, one statement a list rather than one a person.
pub(super) async fn close_with_campaign(
    conn: &impl ConnectionTrait,
    campaign_id: &str,
) -> AppResult<ClosedLists> {
    let waiting = roster::Entity::find()
        .filter(roster::Column::CampaignId.eq(campaign_id))
        .filter(roster::Column::Status.eq("awaiting_payment"))
        .all(conn)
        .await?;
    let mut closed = ClosedLists::default();
    for r in waiting {
        let flipped = roster::Entity::update_many()
            .col_expr(roster::Column::Status, Expr::value("closed"))
            .filter(roster::Column::Id.eq(&r.id))
            .filter(roster::Column::Status.eq("awaiting_payment"))
            .exec(conn)
            .await?;
        if flipped.rows_affected != 1 {
            continue;
        }
        pledge::Entity::update_many()
            .col_expr(pledge::Column::Status, Expr::value("lapsed"))
            .filter(pledge::Column::RosterId.eq(&r.id))
            .filter(pledge::Column::Status.eq("pledged"))
            .exec(conn)
            .await?;
        add_pledged(conn, &r, -1).await?;
        closed.lists += 1;
        closed.people += r.people;
        closed.fen += r.total_fen;
    }
    Ok(closed)
}
