//! What closing a campaign does, said before (a preview for the admin to confirm) and
//! after (what it did): unpaid pledges lapse and leave the pledged total; partly paid
//! ones keep what arrived; staff lists still awaiting their remittance are closed.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult};
use serde::Serialize;
use utoipa::ToSchema;

use super::campaigns::CampaignView;
use super::entities::{pledge, roster};
use crate::error::{AppError, AppResult};

/// The pledges and lists a close touches, counted with their amounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Closing {
    /// Personal pledges with nothing paid: they lapse.
    pub unpaid_pledges: i64,
    /// What they promised, fen: it leaves the pledged total.
    pub unpaid_fen: i64,
    /// Personal pledges partly paid: they keep what arrived and stay open.
    pub partly_paid_pledges: i64,
    /// What they still owe, fen.
    pub partly_paid_owed_fen: i64,
    /// Staff lists still awaiting their remittance: they are closed.
    pub rosters: i64,
    /// People on those lists.
    pub roster_people: i64,
    /// Those lists' total, fen: it leaves the pledged total.
    pub roster_fen: i64,
}

/// A closed campaign and what closing it did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClosedCampaign {
    /// The campaign, now `closed`.
    #[serde(flatten)]
    pub campaign: CampaignView,
    /// What the close did.
    pub closing: Closing,
}

#[derive(FromQueryResult)]
struct Tally {
    n: i64,
    fen: i64,
    people: i64,
}

/// Counts and sums, cast to BIGINT: PostgreSQL sums BIGINT into NUMERIC.
async fn tally(
    conn: &impl ConnectionTrait,
    query: sea_orm::sea_query::SelectStatement,
) -> AppResult<Tally> {
    let statement = conn.get_database_backend().build(&query);
    Tally::find_by_statement(statement)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::internal("a count returned no row"))
}

/// What closing the campaign now would do.
pub async fn preview(db: &DatabaseConnection, campaign_id: &str) -> AppResult<Closing> {
    let personal = |status: &str, owed: &str| {
        Query::select()
            .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
            .expr_as(
                Expr::cust(format!("CAST(COALESCE(SUM({owed}), 0) AS BIGINT)")),
                "fen",
            )
            .expr_as(Expr::cust("CAST(0 AS BIGINT)"), "people")
            .from(pledge::Entity)
            .and_where(Expr::col(pledge::Column::CampaignId).eq(campaign_id))
            .and_where(Expr::col(pledge::Column::Status).eq(status))
            .and_where(Expr::col(pledge::Column::RosterId).is_null())
            .to_owned()
    };
    let unpaid = tally(db, personal("pledged", "amount_fen")).await?;
    let partly = tally(db, personal("partly_paid", "amount_fen - paid_fen")).await?;
    let lists = Query::select()
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .expr_as(
            Expr::cust("CAST(COALESCE(SUM(total_fen), 0) AS BIGINT)"),
            "fen",
        )
        .expr_as(
            Expr::cust("CAST(COALESCE(SUM(people), 0) AS BIGINT)"),
            "people",
        )
        .from(roster::Entity)
        .and_where(Expr::col(roster::Column::CampaignId).eq(campaign_id))
        .and_where(Expr::col(roster::Column::Status).eq("awaiting_payment"))
        .to_owned();
    let lists = tally(db, lists).await?;
    Ok(Closing {
        unpaid_pledges: unpaid.n,
        unpaid_fen: unpaid.fen,
        partly_paid_pledges: partly.n,
        partly_paid_owed_fen: partly.fen,
        rosters: lists.n,
        roster_people: lists.people,
        roster_fen: lists.fen,
    })
}

impl Closing {
    /// The sentence the admin reads, before (`will`) or after the close.
    pub fn describe(&self, will: bool) -> String {
        use crate::kernel::Fen;
        let verb = |future: &'static str, past: &'static str| if will { future } else { past };
        let mut parts = vec![format!(
            "{} 笔未付款的个人认捐（合计 {}）{}，不再计入待到账",
            self.unpaid_pledges,
            Fen(self.unpaid_fen),
            verb("将失效", "已失效")
        )];
        if self.partly_paid_pledges > 0 {
            parts.push(format!(
                "{} 笔部分到账的认捐保留已到的款项，尚欠 {} 仍可继续到账",
                self.partly_paid_pledges,
                Fen(self.partly_paid_owed_fen)
            ));
        }
        parts.push(format!(
            "{} 份待汇款的单位名单（{} 人，合计 {}）{}，不再计入待到账；迟到的汇款不再自动匹配，由财务核对后手工匹配",
            self.rosters,
            self.roster_people,
            Fen(self.roster_fen),
            verb("将关闭", "已关闭")
        ));
        parts.join("；")
    }
}
