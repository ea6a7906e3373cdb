//! Finance's view of payments: the list and the unmatched queue, with the reason a
//! staff-list remittance did not match.

use chrono::NaiveDate;
use sea_orm::sea_query::ExprTrait;
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
                    payment::Column::PledgeId
                        .is_not_null()
                        .or(payment::Column::RosterId.is_not_null()),
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
    use crate::kernel::Fen;
    if r.status != "awaiting_payment" {
        return Some(format!("名单 {} 的汇款已登记过", r.reference_code));
    }
    let difference = amount_fen - r.total_fen;
    (difference != 0).then(|| {
        format!(
            "名单 {} 合计 {}，本笔 {}，相差 {}",
            r.reference_code,
            Fen(r.total_fen),
            Fen(amount_fen),
            Fen(difference)
        )
    })
}
