//! A staff list's remittance (汇款): one payment for the list's total pays every person's
//! gift at once, and its reversal unpays them, with the running totals and the fund
//! ledger in the same transaction.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::entities::{campaign_donor, payment, pledge, roster};
use super::funds;
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

/// Applies a remittance equal to the roster's total: every person's gift is paid.
pub async fn apply_remittance(
    txn: &DatabaseTransaction,
    r: &roster::Model,
    pay: &payment::Model,
    by: &str,
    sign: i64,
) -> AppResult<()> {
    let paying = sign > 0;
    let (status_from, status_to) = if paying {
        ("awaiting_payment", "paid")
    } else {
        ("paid", "awaiting_payment")
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
            Expr::value(if paying { "paid" } else { "pledged" }),
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
    let individual_people = r.people - r.anonymous_people;
    let individual_fen = r.total_fen - r.anonymous_fen;
    let all_keys = totals::keys("individual", region.as_deref(), Some(&r.unit_id));
    let whole = Delta {
        money_fen: sign * r.total_fen,
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
    for (kind, fen, people) in [
        ("individual", individual_fen, individual_people),
        ("anonymous", r.anonymous_fen, r.anonymous_people),
    ] {
        if people == 0 {
            continue;
        }
        let delta = Delta {
            money_fen: sign * fen,
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
