//! Funds: the general fund and each project's restricted fund, kept as a ledger. An admin
//! allocates from the general fund to a project with a reason.

use chrono::Utc;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    FromQueryResult, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entities::{fund_entry, payment};
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::new_id;
use crate::kernel::Fen;
use crate::reference::entities::project;

/// The general fund's name in the ledger.
pub const GENERAL: &str = "general";

/// A fund's figures.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct FundFigures {
    /// Gifts in (less reversals), fen.
    pub money_in_fen: i64,
    /// Allocated in (projects) or out (negative, the general fund), fen.
    pub allocated_fen: i64,
    /// What the fund holds, fen.
    pub balance_fen: i64,
}

#[derive(Debug, FromQueryResult)]
struct Row {
    fund: String,
    kind: String,
    total: i64,
}

/// Every fund's figures, from one grouped read of the ledger.
pub async fn figures(
    conn: &impl ConnectionTrait,
) -> AppResult<std::collections::HashMap<String, FundFigures>> {
    let select = Query::select()
        .column(fund_entry::Column::Fund)
        .column(fund_entry::Column::Kind)
        .expr_as(
            Expr::col(fund_entry::Column::AmountFen)
                .sum()
                .cast_as(Alias::new("BIGINT")),
            Alias::new("total"),
        )
        .from(fund_entry::Entity)
        .group_by_col(fund_entry::Column::Fund)
        .group_by_col(fund_entry::Column::Kind)
        .to_owned();
    let backend = conn.get_database_backend();
    let rows = Row::find_by_statement(backend.build(&select))
        .all(conn)
        .await?;
    let mut out: std::collections::HashMap<String, FundFigures> = std::collections::HashMap::new();
    for row in rows {
        let entry = out.entry(row.fund).or_default();
        if row.kind == "allocation" {
            entry.allocated_fen += row.total;
        } else {
            entry.money_in_fen += row.total;
        }
        entry.balance_fen += row.total;
    }
    Ok(out)
}

/// An allocation from the general fund to a project.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct Allocation {
    /// The project.
    pub project_id: String,
    /// Fen, at least 1.
    pub amount_fen: i64,
    /// Why, 1–500 characters.
    pub reason: String,
}

/// Moves money from the general fund to a project: two ledger entries in one
/// transaction, refused when the general fund does not hold enough.
#[tracing::instrument(skip_all)]
pub async fn allocate(
    db: &DatabaseConnection,
    by: &str,
    allocation: &Allocation,
) -> AppResult<FundFigures> {
    let mut errors = Vec::new();
    if allocation.amount_fen < 1 {
        errors.push(FieldError::new("amount_fen", "金额须大于 0"));
    }
    let reason = allocation.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        errors.push(FieldError::new("reason", "请填写拨付原因（不超过 500 字）"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let txn = crate::db::begin_write(db).await?;
    if project::Entity::find_by_id(&allocation.project_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(AppError::field("project_id", "品牌项目不存在"));
    }
    // Allocators queue on the general fund's lock row (PostgreSQL row lock; SQLite's
    // write lock already serialises), so the balance read below cannot be spent twice.
    let lock = Query::update()
        .table(Alias::new("fund_locks"))
        .value(
            Alias::new("allocations"),
            Expr::col(Alias::new("allocations")).add(1),
        )
        .and_where(Expr::col(Alias::new("fund")).eq(GENERAL))
        .to_owned();
    txn.execute(&lock).await?;
    let general = figures(&txn).await?.remove(GENERAL).unwrap_or_default();
    if general.balance_fen < allocation.amount_fen {
        return Err(AppError::Conflict(format!(
            "非定向资金余额 {} 不足以拨付 {}",
            Fen(general.balance_fen),
            Fen(allocation.amount_fen)
        )));
    }
    for (fund, amount) in [
        (GENERAL.to_owned(), -allocation.amount_fen),
        (allocation.project_id.clone(), allocation.amount_fen),
    ] {
        fund_entry::ActiveModel {
            id: Set(new_id()),
            fund: Set(fund),
            campaign_id: Set(None),
            amount_fen: Set(amount),
            kind: Set("allocation".into()),
            payment_id: Set(None),
            reason: Set(Some(reason.to_owned())),
            created_by: Set(Some(by.to_owned())),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
    }
    let detail = format!("拨付 {} 到项目：{reason}", Fen(allocation.amount_fen));
    crate::audit::record(&txn, by, "fund.allocate", &allocation.project_id, &detail).await?;
    let project = figures(&txn)
        .await?
        .remove(&allocation.project_id)
        .unwrap_or_default();
    txn.commit().await?;
    Ok(project)
}

/// Enters a payment (or its reversal, a negative amount) into `fund`'s ledger, counted
/// for `campaign_id`, in the payment's transaction.
pub async fn enter_payment(
    txn: &DatabaseTransaction,
    fund: String,
    campaign_id: &str,
    pay: &payment::Model,
    by: &str,
) -> AppResult<()> {
    let kind = if pay.amount_fen < 0 {
        "reversal"
    } else {
        "donation"
    };
    fund_entry::ActiveModel {
        id: Set(new_id()),
        fund: Set(fund),
        campaign_id: Set(Some(campaign_id.to_owned())),
        amount_fen: Set(pay.amount_fen),
        kind: Set(kind.into()),
        payment_id: Set(Some(pay.id.clone())),
        reason: Set(pay.reason.clone()),
        created_by: Set(Some(by.to_owned())),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    Ok(())
}
