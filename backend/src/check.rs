//! `sunshine check`: verifies the invariants of the design on a live database. It grows
//! with each capability; each check says what it looked at and whether it held.

use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::db;
use crate::identity::{Binding, Role, entities::user};
use crate::reference::data;
use crate::reference::entities::{programme_goal, project, region, store, work_unit};

/// What the checks found.
#[derive(Debug, Default)]
pub struct Report {
    /// One line per check, ✓ or ✗.
    pub lines: Vec<String>,
    /// How many checks failed.
    pub violations: usize,
}

impl Report {
    fn record(&mut self, held: bool, what: impl Into<String>) {
        let mark = if held { "✓" } else { "✗" };
        self.lines.push(format!("{mark} {}", what.into()));
        if !held {
            self.violations += 1;
        }
    }
}

/// Runs every check.
pub async fn run(db: &DatabaseConnection) -> anyhow::Result<Report> {
    let mut report = Report::default();
    report.record(db::migrations_applied(db).await?, "所有数据库迁移均已执行");
    let districts = region::Entity::find().all(db).await?;
    let level2 = districts.iter().filter(|r| r.level == 2).count();
    report.record(
        level2 == data::DISTRICTS.len(),
        format!("行政区划：{level2} 个县(市)区（应为 9）"),
    );
    let orphans = districts
        .iter()
        .filter(|r| r.level > 1)
        .filter(|r| {
            !r.parent_code.as_ref().is_some_and(|p| {
                districts
                    .iter()
                    .any(|d| &d.code == p && d.level == r.level - 1)
            })
        })
        .count();
    report.record(
        orphans == 0,
        format!("行政区划层级完整（{orphans} 个上级缺失或层级错位）"),
    );
    let stores = store::Entity::find().all(db).await?;
    let shops = stores.iter().filter(|s| s.kind == "store").count();
    let warehouses = stores.iter().filter(|s| s.kind == "warehouse").count();
    report.record(
        shops >= data::STORE_COUNT && warehouses >= 1,
        format!("阳光超市 {shops} 家、调剂中心 {warehouses} 个（至少 61 家和 1 个）"),
    );
    let projects = project::Entity::find().count(db).await?;
    report.record(
        projects >= 17,
        format!("品牌项目 {projects} 个（至少 17 个）"),
    );
    let goals = programme_goal::Entity::find().count(db).await?;
    report.record(goals >= 1, format!("规划目标 {goals} 个"));
    let users = user::Entity::find().all(db).await?;
    let units = work_unit::Entity::find().all(db).await?;
    let mut bad_users = Vec::new();
    for u in &users {
        let Ok(role) = u.role.parse::<Role>() else {
            bad_users.push(u.username.clone());
            continue;
        };
        let bound = match role.binding() {
            Some(Binding::Store) => u
                .store_id
                .as_ref()
                .is_some_and(|id| stores.iter().any(|s| &s.id == id)),
            Some(Binding::Region) => u
                .region_code
                .as_ref()
                .is_some_and(|c| districts.iter().any(|r| &r.code == c)),
            Some(Binding::Unit) => u
                .unit_id
                .as_ref()
                .is_some_and(|id| units.iter().any(|w| &w.id == id)),
            None => u.store_id.is_none() && u.region_code.is_none() && u.unit_id.is_none(),
        };
        if !bound {
            bad_users.push(u.username.clone());
        }
    }
    report.record(
        bad_users.is_empty(),
        format!(
            "{} 个用户的角色与绑定一致（不一致：{}）",
            users.len(),
            bad_users.len()
        ),
    );
    check_fundraising(db, &mut report).await?;
    check_receipts(db, &mut report).await?;
    match crate::audit::verify_chain(db).await? {
        Ok(entries) => report.record(true, format!("审计日志 {entries} 条，哈希链完整")),
        Err(seq) => report.record(false, format!("审计日志第 {seq} 条的哈希链断裂")),
    }
    Ok(report)
}

/// Receipt numbers of each year run from 1 without a gap or a repeat; each payment has at
/// most one live receipt.
async fn check_receipts(db: &DatabaseConnection, report: &mut Report) -> anyhow::Result<()> {
    use crate::receipts::entity as receipt;
    use std::collections::{BTreeMap, HashSet};
    let receipts = receipt::Entity::find().all(db).await?;
    let mut by_year: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    let mut live_payments = HashSet::new();
    let mut doubled = 0;
    for r in &receipts {
        by_year.entry(r.year).or_default().push(r.seq);
        let live_payment = r.payment_id.as_ref().filter(|_| r.status == "live");
        if let Some(p) = live_payment
            && !live_payments.insert(p.clone())
        {
            doubled += 1;
        }
    }
    let mut gaps = Vec::new();
    for (year, mut seqs) in by_year {
        seqs.sort_unstable();
        let expected: Vec<i64> = (1..=i64::try_from(seqs.len()).unwrap_or(0)).collect();
        if seqs != expected {
            gaps.push(year.to_string());
        }
    }
    report.record(
        gaps.is_empty(),
        format!(
            "{} 张票据的号码逐年连续且不重复{}",
            receipts.len(),
            if gaps.is_empty() {
                String::new()
            } else {
                format!("（有缺号或重号：{}）", gaps.join("、"))
            }
        ),
    );
    report.record(
        doubled == 0,
        format!("每笔到账至多一张有效票据（重复：{doubled}）"),
    );
    Ok(())
}

/// Running totals equal the ledgers they summarise.
async fn check_fundraising(db: &DatabaseConnection, report: &mut Report) -> anyhow::Result<()> {
    use crate::fundraising::entities::{campaign, fund_entry, payment, pledge};
    use std::collections::HashMap;

    let payments = payment::Entity::find().all(db).await?;
    let mut paid_by_campaign: HashMap<String, i64> = HashMap::new();
    let mut paid_by_pledge: HashMap<String, i64> = HashMap::new();
    for p in &payments {
        if let Some(c) = &p.campaign_id {
            *paid_by_campaign.entry(c.clone()).or_default() += p.amount_fen;
        }
        if let Some(id) = &p.pledge_id {
            *paid_by_pledge.entry(id.clone()).or_default() += p.amount_fen;
        }
    }
    let campaigns = campaign::Entity::find().all(db).await?;
    let mut wrong_campaigns = Vec::new();
    for c in &campaigns {
        let sums = crate::fundraising::totals::read(db, &c.id).await?;
        let raised = sums
            .iter()
            .find(|s| s.dimension == "all")
            .map_or(0, |s| s.money_fen);
        let ledger = paid_by_campaign.get(&c.id).copied().unwrap_or(0);
        if raised != ledger {
            wrong_campaigns.push(format!("{}：累计 {raised} ≠ 到账合计 {ledger}", c.name));
        }
    }
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
    let mut paid_by_roster: HashMap<String, i64> = HashMap::new();
    for p in &payments {
        if let Some(r) = &p.roster_id {
            *paid_by_roster.entry(r.clone()).or_default() += p.amount_fen;
        }
    }
    let pledges = pledge::Entity::find().all(db).await?;
    // A staff pledge is paid by its list's remittance, the others by their own payments.
    let mut listed_paid: HashMap<String, i64> = HashMap::new();
    let mut wrong_pledges = 0;
    for p in &pledges {
        match &p.roster_id {
            Some(r) => *listed_paid.entry(r.clone()).or_default() += p.paid_fen,
            None if p.paid_fen != paid_by_pledge.get(&p.id).copied().unwrap_or(0) => {
                wrong_pledges += 1
            }
            None => {}
        }
        if p.paid_fen < 0 {
            wrong_pledges += 1;
        }
    }
    let wrong_rosters = listed_paid
        .iter()
        .filter(|(r, paid)| **paid != paid_by_roster.get(*r).copied().unwrap_or(0))
        .count();
    report.record(
        wrong_rosters == 0,
        format!(
            "{} 份名单的已付合计等于其汇款（不符：{wrong_rosters}）",
            listed_paid.len()
        ),
    );
    report.record(
        wrong_pledges == 0,
        format!(
            "{} 笔认捐的已付金额等于其到账合计（不符：{wrong_pledges}）",
            pledges.len()
        ),
    );
    let matched: i64 = payments
        .iter()
        .filter(|p| p.pledge_id.is_some() || p.roster_id.is_some())
        .map(|p| p.amount_fen)
        .sum();
    let ledger: i64 = fund_entry::Entity::find()
        .all(db)
        .await?
        .iter()
        .filter(|e| e.kind != "allocation")
        .map(|e| e.amount_fen)
        .sum();
    let allocations = crate::fundraising::funds::allocations_balance(db).await?;
    report.record(
        allocations == 0,
        format!("拨付分录借贷相抵（合计 {allocations}）"),
    );
    report.record(
        matched == ledger,
        format!("基金台账的捐赠合计 {ledger} 等于已匹配到账合计 {matched}"),
    );
    Ok(())
}
