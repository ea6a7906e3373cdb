//! Loads the reference data (idempotent, every start) and the demo data (development).

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};

use super::data::{self, CITY, DISTRICTS};
use super::entities::{programme_goal, project, region, store, work_unit};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::identity::service::{NewUser, create_user};
use crate::identity::{Role, entities::user};
use crate::ids::new_id;

/// Inserts whatever reference data is missing; leaves existing rows alone.
#[tracing::instrument(skip_all)]
pub async fn seed_reference(db: &DatabaseConnection) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    if region::Entity::find().count(&txn).await? == 0 {
        insert_regions(&txn).await?;
    }
    if store::Entity::find().count(&txn).await? == 0 {
        insert_stores(&txn).await?;
    }
    if project::Entity::find().count(&txn).await? == 0 {
        insert_projects(&txn).await?;
    }
    let goal = &data::PROGRAMME_GOAL;
    let has_goal = programme_goal::Entity::find()
        .filter(programme_goal::Column::Name.eq(goal.name))
        .one(&txn)
        .await?
        .is_some();
    if !has_goal {
        programme_goal::ActiveModel {
            id: Set(new_id()),
            name: Set(goal.name.into()),
            starts_on: Set(date(goal.starts_on)?),
            ends_on: Set(date(goal.ends_on)?),
            target_fen: Set(goal.target_fen),
            target_people_times: Set(goal.target_people_times),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

fn date((y, m, d): (i32, u32, u32)) -> AppResult<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| AppError::internal("bad seed date"))
}

fn region_row(
    code: String,
    name: String,
    level: i16,
    parent: Option<&str>,
    demo: bool,
) -> region::ActiveModel {
    region::ActiveModel {
        code: Set(code),
        name: Set(name),
        level: Set(level),
        parent_code: Set(parent.map(str::to_owned)),
        is_demo: Set(demo),
    }
}

/// The demo street codes below a district: `<district>001`, `<district>002`, …
fn street_codes(district: &str) -> impl Iterator<Item = (String, &'static str)> + '_ {
    data::DEMO_STREET_NAMES
        .iter()
        .enumerate()
        .map(move |(i, name)| (format!("{district}{:03}", i + 1), *name))
}

async fn insert_regions(conn: &impl ConnectionTrait) -> AppResult<()> {
    let mut rows = vec![region_row(CITY.0.into(), CITY.1.into(), 1, None, false)];
    for (code, name, urban) in DISTRICTS {
        rows.push(region_row(code.into(), name.into(), 2, Some(CITY.0), false));
        for (street_code, street) in street_codes(code) {
            let suffix = if urban { "街道" } else { "镇" };
            rows.push(region_row(
                street_code.clone(),
                format!("{street}{suffix}（示例）"),
                3,
                Some(code),
                true,
            ));
            for (j, community) in data::DEMO_COMMUNITY_NAMES.iter().enumerate() {
                let suffix = if urban { "社区" } else { "村" };
                rows.push(region_row(
                    format!("{street_code}{:03}", j + 1),
                    format!("{street}{community}{suffix}（示例）"),
                    4,
                    Some(&street_code),
                    true,
                ));
            }
        }
    }
    // Parents first, so the foreign key holds at every insert.
    for row in rows {
        row.insert(conn).await?;
    }
    Ok(())
}

async fn insert_stores(conn: &impl ConnectionTrait) -> AppResult<()> {
    let now = Utc::now();
    store::ActiveModel {
        id: Set(new_id()),
        name: Set(data::WAREHOUSE_NAME.into()),
        region_code: Set(CITY.0.into()),
        kind: Set("warehouse".into()),
        address: Set(String::new()),
        is_demo: Set(false),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    // The 61 stores, dealt to the districts and counties in turn, and within each to its
    // demo streets in turn.
    for n in 0..data::STORE_COUNT {
        let (district, district_name, _) = DISTRICTS[n % DISTRICTS.len()];
        let round = n / DISTRICTS.len();
        let street = street_codes(district)
            .nth(round % data::DEMO_STREET_NAMES.len())
            .map(|(code, _)| code)
            .unwrap_or_else(|| district.to_owned());
        store::ActiveModel {
            id: Set(new_id()),
            name: Set(format!("阳光超市·{district_name}第{}店（示例）", round + 1)),
            region_code: Set(street),
            kind: Set("store".into()),
            address: Set(String::new()),
            is_demo: Set(true),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

async fn insert_projects(conn: &impl ConnectionTrait) -> AppResult<()> {
    let real = data::REAL_PROJECTS.iter().map(|n| (*n, false));
    let demo = data::DEMO_PROJECTS.iter().map(|n| (*n, true));
    for (name, is_demo) in real.chain(demo) {
        project::ActiveModel {
            id: Set(new_id()),
            name: Set(name.into()),
            description: Set(String::new()),
            people_helped: Set(0),
            is_demo: Set(is_demo),
            created_at: Set(Utc::now()),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "sunshine2026";

/// A demo account that was created.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Its username.
    pub username: String,
    /// Its password.
    pub password: String,
    /// Its role.
    pub role: Role,
}

/// The demo usernames, one per role.
pub fn demo_username(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Finance => "finance",
        Role::StoreStaff => "store",
        Role::Caseworker => "caseworker",
        Role::UnitCoordinator => "unit",
        Role::Auditor => "auditor",
        Role::Donor => "donor",
    }
}

/// Adds a demo work unit, one demo account per role and this year's 双日捐 as an open
/// campaign, skipping any that exist.
#[tracing::instrument(skip_all)]
pub async fn seed_demo(db: &DatabaseConnection) -> AppResult<Vec<DemoAccount>> {
    let unit_id = demo_unit(db).await?;
    let first_store = store::Entity::find()
        .filter(store::Column::Kind.eq("store"))
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("reference stores missing"))?;
    let mut created = Vec::new();
    for role in Role::ALL {
        let username = demo_username(role);
        let exists = user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let binding = role.binding();
        create_user(
            db,
            "seed",
            NewUser {
                username: username.into(),
                display_name: Some(format!("示例{}", role.label())),
                password: DEMO_PASSWORD.into(),
                role,
                store_id: (binding == Some(crate::identity::Binding::Store))
                    .then(|| first_store.id.clone()),
                region_code: (binding == Some(crate::identity::Binding::Region))
                    .then(|| DISTRICTS[0].0.to_owned()),
                unit_id: (binding == Some(crate::identity::Binding::Unit)).then(|| unit_id.clone()),
            },
        )
        .await?;
        created.push(DemoAccount {
            username: username.into(),
            password: DEMO_PASSWORD.into(),
            role,
        });
    }
    crate::fundraising::campaigns::seed_demo(db).await?;
    crate::fundraising::payment_settings::seed_demo(db).await?;
    Ok(created)
}

async fn demo_unit(db: &DatabaseConnection) -> AppResult<String> {
    let (parent_name, child_name) = data::DEMO_UNIT;
    if let Some(unit) = work_unit::Entity::find()
        .filter(work_unit::Column::Name.eq(parent_name))
        .one(db)
        .await?
    {
        return Ok(unit.id);
    }
    let txn = db::begin_write(db).await?;
    let parent_id = new_id();
    for (id, name, parent) in [
        (parent_id.clone(), parent_name, None),
        (new_id(), child_name, Some(parent_id.clone())),
    ] {
        let top = parent.is_none();
        work_unit::ActiveModel {
            id: Set(id),
            name: Set(name.into()),
            parent_id: Set(parent),
            region_code: Set(Some(DISTRICTS[0].0.into())),
            is_demo: Set(true),
            created_at: Set(Utc::now()),
            // A made-up code with a right check character, for the parent unit.
            credit_code: Set(top.then(|| "91220201MA14X2B7DJ".to_owned())),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(parent_id)
}

/// Whether no user exists yet: the first start of a new installation.
pub async fn no_users_yet(db: &DatabaseConnection) -> AppResult<bool> {
    Ok(user::Entity::find().count(db).await? == 0)
}
