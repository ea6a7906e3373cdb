//! `sunshine check`: verifies the invariants of the design on a live database. It grows
//! with each capability; each check says what it looked at and whether it held.

mod ledgers;

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
    ledgers::check_fundraising(db, &mut report).await?;
    ledgers::check_receipts(db, &mut report).await?;
    match crate::audit::verify_chain(db).await? {
        Ok(entries) => report.record(true, format!("审计日志 {entries} 条，哈希链完整")),
        Err(seq) => report.record(false, format!("审计日志第 {seq} 条的哈希链断裂")),
    }
    Ok(report)
}
