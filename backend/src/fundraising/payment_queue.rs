//! Finance's view of payments: the list and the unmatched queue, with the reason a
//! staff-list remittance did not match.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

use super::entities::payment;
use super::payments::PaymentView;
use crate::error::{AppError, AppResult};

/// Filters for the payment list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentFilter {
    /// `unmatched`, `matched` or `reversal`.
    pub status: Option<String>,
    /// Exact amount in fen.
    pub amount_fen: Option<i64>,
    /// The day it arrived.
    pub received_on: Option<NaiveDate>,
    /// Part of the payer's reference.
    pub q: Option<String>,
    /// Page number, from 1.
    pub page: Option<u64>,
    /// Items per page, 1 to 500.
    pub per_page: Option<u64>,
}

/// A page of payments, newest first.
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &PaymentFilter,
    page: u64,
    per_page: u64,
) -> AppResult<(Vec<PaymentView>, u64)> {
    let mut query = payment::Entity::find().order_by_desc(payment::Column::Id);
    match filter.status.as_deref() {
        Some("unmatched") => {
            query = query
                .filter(payment::Column::PledgeId.is_null())
                .filter(payment::Column::RosterId.is_null())
                .filter(payment::Column::ReversesId.is_null());
        }
        Some("matched") => {
            query = query
                .filter(
                    sea_orm::Condition::any()
                        .add(payment::Column::PledgeId.is_not_null())
                        .add(payment::Column::RosterId.is_not_null()),
                )
                .filter(payment::Column::ReversesId.is_null());
        }
        Some("reversal") => query = query.filter(payment::Column::ReversesId.is_not_null()),
        Some(_) => {
            return Err(AppError::field(
                "status",
                "状态须为 unmatched、matched 或 reversal",
            ));
        }
        None => {}
    }
    if let Some(amount) = filter.amount_fen {
        query = query.filter(payment::Column::AmountFen.eq(amount));
    }
    if let Some(day) = filter.received_on {
        query = query.filter(payment::Column::ReceivedOn.eq(day));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if q.chars().count() > 100 {
            return Err(AppError::field("q", "搜索词不能超过 100 个字符"));
        }
        query = query.filter(payment::Column::PayerReference.contains(q));
    }
    let pages = query.paginate(conn, per_page);
    let total = pages.num_items().await?;
    let mut items: Vec<PaymentView> = pages
        .fetch_page(page)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    for item in items.iter_mut().filter(|i| i.status == "unmatched") {
        let Some(code) = &item.reference_code else {
            continue;
        };
        if let Some(r) = super::roster_remittance::by_code(conn, code).await? {
            item.note = roster_note(&r, item.amount_fen);
        }
    }
    Ok((items, total))
}

/// What finance is told when a remittance quotes a staff list but does not match it.
pub(super) fn roster_note(r: &super::entities::roster::Model, amount_fen: i64) -> Option<String> {
    match r.status.as_str() {
        "awaiting_payment" => super::roster_remittance::difference_note(r, amount_fen)
            .map(|n| format!("{n}；核对后可按差额匹配到该名单")),
        "closed" => Some(format!(
            "名单 {} 已随活动结束关闭；核对后可手工匹配到该名单",
            r.reference_code
        )),
        "withdrawn" => Some(format!("名单 {} 已由单位撤回", r.reference_code)),
        _ => Some(format!("名单 {} 的汇款已登记过", r.reference_code)),
    }
}

/// Says, on a payment just matched to a pledge, how much it paid beyond what the pledge
/// still owed: the payment is kept whole, and finance is told.
pub(super) async fn warn_overpaid(
    conn: &impl ConnectionTrait,
    view: &mut PaymentView,
) -> AppResult<()> {
    let Some(pledge_id) = view.pledge_id.as_deref() else {
        return Ok(());
    };
    if view.amount_fen <= 0 {
        return Ok(());
    }
    let Some(p) = super::entities::pledge::Entity::find_by_id(pledge_id)
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    let owed_before = (p.amount_fen - (p.paid_fen - view.amount_fen)).max(0);
    let overpaid = view.amount_fen - owed_before;
    if overpaid > 0 {
        use crate::kernel::Fen;
        view.overpaid_fen = Some(overpaid);
        view.warning = Some(format!(
            "本笔 {} 超过认捐 {} 尚欠的 {}，多付 {}；款项已全额入账",
            Fen(view.amount_fen),
            p.reference_code,
            Fen(owed_before),
            Fen(overpaid)
        ));
    }
    Ok(())
}

/// Of these payments, those a reversal already reverses.
pub async fn reversed_among(
    conn: &impl ConnectionTrait,
    ids: &[String],
) -> AppResult<std::collections::HashSet<String>> {
    if ids.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    Ok(payment::Entity::find()
        .filter(payment::Column::ReversesId.is_in(ids.iter().cloned()))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|p| p.reverses_id)
        .collect())
}

/// A payment's amount, fen.
pub async fn amount_of(conn: &impl ConnectionTrait, id: &str) -> AppResult<i64> {
    payment::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|p| p.amount_fen)
        .ok_or(AppError::NotFound("该到账记录"))
}
