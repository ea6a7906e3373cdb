//! The checks of money and receipts: each is one grouped query, so that the database
//! adds up its ledgers and the check holds a handful of rows however many payments,
//! pledges and receipts there are. The SQL is the same on SQLite and PostgreSQL; sums are
//! cast to BIGINT, since PostgreSQL sums BIGINT into NUMERIC.

use sea_orm::{DatabaseConnection, FromQueryResult, Statement};

use super::Report;
use crate::kernel::Fen;

/// Each campaign's money raised by its running totals (the `all` key, summed over its
/// slots) and by its payments.
const CAMPAIGNS_RAISED: &str = "SELECT c.name, \
    CAST(COALESCE(t.raised, 0) AS BIGINT) AS raised, CAST(COALESCE(p.paid, 0) AS BIGINT) AS paid \
    FROM campaigns c \
    LEFT JOIN (SELECT campaign_id, SUM(money_fen) AS raised FROM campaign_totals \
        WHERE dimension = 'all' GROUP BY campaign_id) t ON t.campaign_id = c.id \
    LEFT JOIN (SELECT campaign_id, SUM(amount_fen) AS paid FROM payments \
        WHERE campaign_id IS NOT NULL GROUP BY campaign_id) p ON p.campaign_id = c.id \
    ORDER BY c.name";

/// Pledges, and those whose paid amount is negative or, outside a staff list, differs
/// from the sum of their payments.
const PLEDGES_PAID: &str = "SELECT COUNT(*) AS total, \
    CAST(COALESCE(SUM(CASE WHEN p.paid_fen < 0 \
        OR (p.roster_id IS NULL AND p.paid_fen <> COALESCE(s.paid, 0)) THEN 1 ELSE 0 END), 0) \
        AS BIGINT) AS wrong \
    FROM pledges p LEFT JOIN (SELECT pledge_id, CAST(SUM(amount_fen) AS BIGINT) AS paid \
        FROM payments WHERE pledge_id IS NOT NULL GROUP BY pledge_id) s ON s.pledge_id = p.id";

/// Staff lists, and those whose pledges are not paid in full when remittances arrived for
/// them, or paid anything when none did (a remittance matched by hand may differ from
/// the list's total; the list is then settled by it).
const ROSTERS_PAID: &str = "SELECT COUNT(*) AS total, \
    CAST(COALESCE(SUM(CASE WHEN l.paid <> \
        (CASE WHEN COALESCE(r.paid, 0) <> 0 THEN l.listed ELSE 0 END) THEN 1 ELSE 0 END), 0) \
        AS BIGINT) AS wrong \
    FROM (SELECT roster_id, CAST(SUM(paid_fen) AS BIGINT) AS paid, \
        CAST(SUM(amount_fen) AS BIGINT) AS listed FROM pledges \
        WHERE roster_id IS NOT NULL GROUP BY roster_id) l \
    LEFT JOIN (SELECT roster_id, CAST(SUM(amount_fen) AS BIGINT) AS paid FROM payments \
        WHERE roster_id IS NOT NULL GROUP BY roster_id) r ON r.roster_id = l.roster_id";

/// Payments matched to a pledge or a staff list, against the gifts in the fund ledger,
/// and the allocations, which move money between funds and so add up to nothing.
const LEDGER: &str = "SELECT \
    (SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM payments \
        WHERE pledge_id IS NOT NULL OR roster_id IS NOT NULL) AS matched, \
    (SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM fund_ledger \
        WHERE kind <> 'allocation') AS gifts, \
    (SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM fund_ledger \
        WHERE kind = 'allocation') AS allocations";

/// Receipt numbers of each year: how many, how many different, the lowest and highest.
const RECEIPT_YEARS: &str = "SELECT year, COUNT(*) AS total, COUNT(DISTINCT seq) AS distinct_seqs, \
    MIN(seq) AS lowest, MAX(seq) AS highest FROM receipts GROUP BY year ORDER BY year";

/// Receipts, and payments with more than one live receipt.
const RECEIPTS_DOUBLED: &str = "SELECT (SELECT COUNT(*) FROM receipts) AS total, \
    (SELECT COUNT(*) FROM (SELECT payment_id FROM receipts \
        WHERE status = 'live' AND payment_id IS NOT NULL \
        GROUP BY payment_id HAVING COUNT(*) > 1) d) AS wrong";

/// Payments, and those matched twice: to a pledge and to a staff list.
const PAYMENTS_MATCHED_TWICE: &str = "SELECT COUNT(*) AS total, \
    CAST(COALESCE(SUM(CASE WHEN pledge_id IS NOT NULL AND roster_id IS NOT NULL \
        THEN 1 ELSE 0 END), 0) AS BIGINT) AS wrong FROM payments";

/// Live receipts, and those whose payment was reversed.
const RECEIPTS_OF_REVERSED: &str = "SELECT \
    (SELECT COUNT(*) FROM receipts WHERE status = 'live') AS total, \
    (SELECT COUNT(*) FROM receipts r WHERE r.status = 'live' AND EXISTS \
        (SELECT 1 FROM payments v WHERE v.reverses_id = r.payment_id)) AS wrong";

/// Each signed-up donor's money by the year it arrived: what their yearly statements
/// must add up to. The year is read from the date's ISO text on both databases.
const DONOR_YEARS: &str = "SELECT d.user_id, \
    CAST(SUBSTR(CAST(m.received_on AS TEXT), 1, 4) AS INTEGER) AS year, \
    CAST(SUM(m.amount_fen) AS BIGINT) AS paid \
    FROM payments m JOIN pledges p ON p.id = m.pledge_id JOIN donors d ON d.id = p.donor_id \
    WHERE d.user_id IS NOT NULL \
    GROUP BY d.user_id, CAST(SUBSTR(CAST(m.received_on AS TEXT), 1, 4) AS INTEGER) \
    ORDER BY d.user_id, year";

#[derive(FromQueryResult)]
struct DonorYear {
    user_id: String,
    year: i32,
    paid: i64,
}

#[derive(FromQueryResult)]
struct CampaignRaised {
    name: String,
    raised: i64,
    paid: i64,
}

#[derive(FromQueryResult)]
struct Tally {
    total: i64,
    wrong: i64,
}

#[derive(FromQueryResult)]
struct Ledger {
    matched: i64,
    gifts: i64,
    allocations: i64,
}

#[derive(FromQueryResult)]
struct ReceiptYear {
    year: i32,
    total: i64,
    distinct_seqs: i64,
    lowest: i64,
    highest: i64,
}

impl ReceiptYear {
    /// Numbered 1, 2, … without a gap or a repeat.
    fn is_gapless(&self) -> bool {
        self.lowest == 1 && self.highest == self.total && self.distinct_seqs == self.total
    }
}

fn statement(db: &DatabaseConnection, sql: &str) -> Statement {
    Statement::from_string(db.get_database_backend(), sql)
}

async fn one<T: FromQueryResult>(db: &DatabaseConnection, sql: &str) -> anyhow::Result<T> {
    T::find_by_statement(statement(db, sql))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the check's query returned no row"))
}

/// Running totals equal the ledgers they summarise.
pub(super) async fn check_fundraising(
    db: &DatabaseConnection,
    report: &mut Report,
) -> anyhow::Result<()> {
    let campaigns = CampaignRaised::find_by_statement(statement(db, CAMPAIGNS_RAISED))
        .all(db)
        .await?;
    let wrong_campaigns: Vec<String> = campaigns
        .iter()
        .filter(|c| c.raised != c.paid)
        .map(|c| {
            format!(
                "{}：累计 {} ≠ 到账合计 {}",
                c.name,
                Fen(c.raised),
                Fen(c.paid)
            )
        })
        .collect();
    let detail = if wrong_campaigns.is_empty() {
        String::new()
    } else {
        format!("（不符：{}）", wrong_campaigns.join("；"))
    };
    report.record(
        wrong_campaigns.is_empty(),
        format!(
            "{} 个募捐活动的已筹金额等于其到账合计{detail}",
            campaigns.len()
        ),
    );
    let rosters: Tally = one(db, ROSTERS_PAID).await?;
    report.record(
        rosters.wrong == 0,
        format!(
            "{} 份名单的已付合计等于其汇款（不符：{}）",
            rosters.total, rosters.wrong
        ),
    );
    let pledges: Tally = one(db, PLEDGES_PAID).await?;
    report.record(
        pledges.wrong == 0,
        format!(
            "{} 笔认捐的已付金额等于其到账合计（不符：{}）",
            pledges.total, pledges.wrong
        ),
    );
    let payments: Tally = one(db, PAYMENTS_MATCHED_TWICE).await?;
    report.record(
        payments.wrong == 0,
        format!(
            "{} 笔到账每笔至多匹配一次（同时匹配到认捐和名单：{}）",
            payments.total, payments.wrong
        ),
    );
    let ledger: Ledger = one(db, LEDGER).await?;
    report.record(
        ledger.allocations == 0,
        format!("拨付分录借贷相抵（合计 {}）", Fen(ledger.allocations)),
    );
    report.record(
        ledger.matched == ledger.gifts,
        format!(
            "基金台账的捐赠合计 {} 等于已匹配到账合计 {}",
            Fen(ledger.gifts),
            Fen(ledger.matched)
        ),
    );
    Ok(())
}

/// Receipt numbers of each year run from 1 without a gap or a repeat; each payment has at
/// most one live receipt.
pub(super) async fn check_receipts(
    db: &DatabaseConnection,
    report: &mut Report,
) -> anyhow::Result<()> {
    let years = ReceiptYear::find_by_statement(statement(db, RECEIPT_YEARS))
        .all(db)
        .await?;
    let gaps: Vec<String> = years
        .iter()
        .filter(|y| !y.is_gapless())
        .map(|y| y.year.to_string())
        .collect();
    let receipts: Tally = one(db, RECEIPTS_DOUBLED).await?;
    report.record(
        gaps.is_empty(),
        format!(
            "{} 张收据的号码逐年连续且不重复{}",
            receipts.total,
            if gaps.is_empty() {
                String::new()
            } else {
                format!("（有缺号或重号：{}）", gaps.join("、"))
            }
        ),
    );
    report.record(
        receipts.wrong == 0,
        format!("每笔到账至多一张有效收据（重复：{}）", receipts.wrong),
    );
    let reversed: Tally = one(db, RECEIPTS_OF_REVERSED).await?;
    report.record(
        reversed.wrong == 0,
        format!(
            "{} 张有效收据的款项均未冲正（已冲正仍有效：{}）",
            reversed.total, reversed.wrong
        ),
    );
    check_statements(db, report).await
}

/// Each signed-up donor's yearly statement adds up to the money that arrived that year.
async fn check_statements(db: &DatabaseConnection, report: &mut Report) -> anyhow::Result<()> {
    let years = DonorYear::find_by_statement(statement(db, DONOR_YEARS))
        .all(db)
        .await?;
    let mut wrong = Vec::new();
    for y in &years {
        let printed = crate::receipts::statement::total(db, &y.user_id, y.year)
            .await
            .map_err(|e| anyhow::anyhow!("statement of {}: {e:?}", y.year))?;
        if printed != y.paid {
            wrong.push(format!(
                "{}年：汇总 {} ≠ 到账 {}",
                y.year,
                Fen(printed),
                Fen(y.paid)
            ));
        }
    }
    let detail = if wrong.is_empty() {
        String::new()
    } else {
        format!("（不符：{}）", wrong.join("；"))
    };
    report.record(
        wrong.is_empty(),
        format!("{} 份年度捐赠汇总的合计等于当年到账{detail}", years.len()),
    );
    Ok(())
}
