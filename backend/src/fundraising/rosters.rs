//! Staff lists (双日捐名单): imported whole or not at all, one gift per person, paid by
//! one remittance for the total.

use chrono::Utc;
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::entities::{campaign, donor, pledge, roster};
use super::roster_file::{self, RosterLine};
use super::totals;
use crate::error::{AppError, AppResult};
use crate::identity::Role;
use crate::identity::tokens::Claims;
use crate::ids::{new_id, random_token, token_hash};
use crate::reference::entities::work_unit;

/// A roster as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RosterView {
    /// Its id.
    pub id: String,
    /// The unit.
    pub unit_id: String,
    /// The campaign.
    pub campaign_id: String,
    /// The file's name.
    pub file_name: String,
    /// People on the list.
    pub people: i64,
    /// The total to remit, in fen.
    pub total_fen: i64,
    /// The code to quote on the remittance.
    pub reference_code: String,
    /// `awaiting_payment`, `paid`, `closed` (its campaign ended before the remittance
    /// arrived) or `withdrawn`.
    pub status: String,
    /// When it was uploaded.
    pub created_at: chrono::DateTime<Utc>,
}

impl From<roster::Model> for RosterView {
    fn from(r: roster::Model) -> Self {
        Self {
            id: r.id,
            unit_id: r.unit_id,
            campaign_id: r.campaign_id,
            file_name: r.file_name,
            people: r.people,
            total_fen: r.total_fen,
            reference_code: r.reference_code,
            status: r.status,
            created_at: r.created_at,
        }
    }
}

/// Whether `user` speaks for `unit_id`: its coordinator or its parent's, or an admin.
pub async fn may_act_for(
    conn: &impl ConnectionTrait,
    user: &Claims,
    unit_id: &str,
) -> AppResult<work_unit::Model> {
    let unit = work_unit::Entity::find_by_id(unit_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("该单位"))?;
    let allowed = match user.role {
        Role::Admin => true,
        Role::UnitCoordinator => {
            let mine = user.unit_id.as_deref();
            mine == Some(unit.id.as_str()) || (mine.is_some() && unit.parent_id.as_deref() == mine)
        }
        _ => false,
    };
    if allowed {
        Ok(unit)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Reads the file and, when every row is good, imports it in one transaction. The same
/// file, or the same rows, already imported for the campaign (and not withdrawn) is
/// refused with 409 naming the earlier list, unless `second_list` says it is another.
#[tracing::instrument(skip_all, fields(bytes = bytes.len()))]
#[expect(
    clippy::too_many_arguments,
    reason = "the upload's parts, each checked here"
)]
pub async fn import(
    db: &DatabaseConnection,
    user: &Claims,
    unit_id: &str,
    campaign_id: &str,
    file_name: &str,
    bytes: &[u8],
    max_fen: i64,
    second_list: bool,
) -> AppResult<RosterView> {
    let unit = may_act_for(db, user, unit_id).await?;
    let campaign = campaign::Entity::find_by_id(campaign_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("campaign_id", "募捐活动不存在"))?;
    if campaign.status != "open" {
        return Err(AppError::Conflict(
            "该募捐活动未在进行中，不能上传名单".into(),
        ));
    }
    let owned = bytes.to_vec();
    // When this future is dropped (the request timed out, the client left), the guard
    // sets the flag and the blocking reading stops instead of running on.
    let cancel = crate::uploads::Cancel::new();
    let _stop_reading = cancel.on_drop();
    let parsed = tokio::task::spawn_blocking(move || roster_file::parse(&owned, max_fen, &cancel))
        .await
        .map_err(AppError::internal)?
        .map_err(|e| match e {
            roster_file::FileError::TooLarge(why) => AppError::field("file", why),
            roster_file::FileError::Cancelled => AppError::RequestTimeout,
            other => AppError::BadRequest(other.to_string()),
        })?;
    let lines = match parsed {
        Ok(lines) => lines,
        Err(mut errors) => {
            errors.truncate(roster_file::MAX_ERRORS);
            return Err(AppError::BadRows(errors));
        }
    };
    let sums = Fingerprint::of(bytes, &lines);
    let txn = crate::db::begin_write(db).await?;
    if !second_list {
        // Two uploads of one list at once must see each other: the campaign's row lock
        // (a no-op update; pledges only read the row or key-share it) orders them on
        // PostgreSQL, as BEGIN IMMEDIATE does on SQLite.
        campaign::Entity::update_many()
            .col_expr(
                campaign::Column::Status,
                sea_orm::sea_query::Expr::col(campaign::Column::Status),
            )
            .filter(campaign::Column::Id.eq(&campaign.id))
            .exec(&txn)
            .await?;
        if let Some(earlier) = sums.earlier(&txn, &campaign.id).await? {
            return Err(AppError::Conflict(duplicate_message(&txn, &earlier).await?));
        }
    }
    let view = store(&txn, user, &unit, &campaign, file_name, &lines, &sums).await?;
    let detail = format!(
        "上传名单 {} 人，合计 {}",
        view.people,
        crate::kernel::Fen(view.total_fen)
    );
    crate::audit::record(&txn, &user.sub, "roster.import", &view.id, &detail).await?;
    txn.commit().await?;
    tracing::info!(
        people = view.people,
        total_fen = view.total_fen,
        "roster imported"
    );
    Ok(view)
}

/// Rows per INSERT: well under SQLite's 32,766 bound variables.
const CHUNK: usize = 1_000;

async fn store(
    txn: &DatabaseTransaction,
    user: &Claims,
    unit: &work_unit::Model,
    campaign: &campaign::Model,
    file_name: &str,
    lines: &[RosterLine],
    sums: &Fingerprint,
) -> AppResult<RosterView> {
    let now = Utc::now();
    let total_fen: i64 = lines.iter().map(|l| l.amount_fen).sum();
    let anonymous: Vec<&RosterLine> = lines.iter().filter(|l| l.anonymous).collect();
    let anonymous_fen: i64 = anonymous.iter().map(|l| l.amount_fen).sum();
    let slot = rand::rng().random_range(0..totals::SLOTS);
    let reference_code = unique_code(txn).await?;
    let model = roster::ActiveModel {
        id: Set(new_id()),
        unit_id: Set(unit.id.clone()),
        campaign_id: Set(campaign.id.clone()),
        uploaded_by: Set(user.sub.clone()),
        file_name: Set(file_name.chars().take(200).collect()),
        people: Set(i64::try_from(lines.len()).unwrap_or(i64::MAX)),
        anonymous_people: Set(i64::try_from(anonymous.len()).unwrap_or(i64::MAX)),
        total_fen: Set(total_fen),
        anonymous_fen: Set(anonymous_fen),
        reference_code: Set(reference_code),
        status: Set("awaiting_payment".into()),
        slot: Set(slot),
        created_at: Set(now),
        file_sha256: Set(Some(sums.file.clone())),
        rows_sha256: Set(Some(sums.rows.clone())),
    }
    .insert(txn)
    .await?;
    for chunk in lines.chunks(CHUNK) {
        let mut donors = Vec::with_capacity(chunk.len());
        let mut pledges = Vec::with_capacity(chunk.len());
        for line in chunk {
            let donor_id = new_id();
            donors.push(donor::ActiveModel {
                id: Set(donor_id.clone()),
                kind: Set(if line.anonymous {
                    "anonymous"
                } else {
                    "individual"
                }
                .into()),
                name: Set(if line.anonymous {
                    None
                } else {
                    line.name.clone()
                }),
                phone: Set(None),
                id_number_cipher: Set(None),
                id_number_hash: Set(None),
                id_number_masked: Set(None),
                credit_code: Set(None),
                contact: Set(None),
                user_id: Set(None),
                created_at: Set(now),
            });
            pledges.push(pledge::ActiveModel {
                id: Set(new_id()),
                campaign_id: Set(campaign.id.clone()),
                project_id: Set(None),
                donor_id: Set(donor_id),
                amount_fen: Set(line.amount_fen),
                paid_fen: Set(0),
                status: Set("pledged".into()),
                reference_code: Set(staff_code()),
                access_token_hash: Set(token_hash(&random_token())),
                public_name_consent: Set(false),
                public_name: Set(None),
                receipt_requested: Set(false),
                receipt_title: Set(None),
                region_code: Set(unit.region_code.clone()),
                unit_id: Set(Some(unit.id.clone())),
                slot: Set(slot),
                created_at: Set(now),
                roster_id: Set(Some(model.id.clone())),
                department: Set(line.department.clone()),
                ..Default::default()
            });
        }
        donor::Entity::insert_many(donors)
            .exec_without_returning(txn)
            .await?;
        pledge::Entity::insert_many(pledges)
            .exec_without_returning(txn)
            .await?;
    }
    super::roster_status::add_pledged(txn, &model, 1).await?;
    Ok(model.into())
}

/// What a list was made of: its file's bytes and its rows, each as SHA-256.
pub struct Fingerprint {
    file: String,
    rows: String,
}

impl Fingerprint {
    /// The file's hash, and the hash of its rows sorted, so that the same people and
    /// amounts saved again in another order or format are the same list.
    fn of(bytes: &[u8], lines: &[RosterLine]) -> Self {
        use sha2::{Digest, Sha256};
        let mut rows: Vec<String> = lines
            .iter()
            .map(|l| {
                format!(
                    "{}\u{1f}{}\u{1f}{}\u{1f}{}",
                    l.name.as_deref().unwrap_or(""),
                    l.department.as_deref().unwrap_or(""),
                    l.amount_fen,
                    l.anonymous
                )
            })
            .collect();
        rows.sort_unstable();
        let mut hasher = Sha256::new();
        for row in &rows {
            hasher.update(row.as_bytes());
            hasher.update(b"\n");
        }
        Self {
            file: crate::ids::hex(&Sha256::digest(bytes)),
            rows: crate::ids::hex(&hasher.finalize()),
        }
    }

    /// The campaign's earlier list with the same file or rows, withdrawn ones aside.
    async fn earlier(
        &self,
        conn: &impl ConnectionTrait,
        campaign_id: &str,
    ) -> AppResult<Option<roster::Model>> {
        use sea_orm::Condition;
        Ok(roster::Entity::find()
            .filter(roster::Column::CampaignId.eq(campaign_id))
            .filter(roster::Column::Status.ne("withdrawn"))
            .filter(
                Condition::any()
                    .add(roster::Column::RowsSha256.eq(&self.rows))
                    .add(roster::Column::FileSha256.eq(&self.file)),
            )
            .order_by_asc(roster::Column::Id)
            .one(conn)
            .await?)
    }
}

/// The refusal of a second upload, naming the earlier list so the coordinator can tell.
async fn duplicate_message(
    conn: &impl ConnectionTrait,
    earlier: &roster::Model,
) -> AppResult<String> {
    let unit = work_unit::Entity::find_by_id(&earlier.unit_id)
        .one(conn)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let when = crate::kernel::china_time::local(earlier.created_at).format("%Y-%m-%d %H:%M");
    Ok(format!(
        "这份名单与 {when} {unit}上传的“{}”相同（{} 人，合计 {}，汇款编号 {}），未重复导入。\
         如确是另一份名单，请确认后再上传。",
        earlier.file_name,
        earlier.people,
        crate::kernel::Fen(earlier.total_fen),
        earlier.reference_code
    ))
}

/// A staff pledge's code: never quoted by anyone, long enough that 100,000 at once do
/// not collide.
fn staff_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    std::iter::once('S')
        .chain((0..13).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])))
        .collect()
}

async fn unique_code(txn: &DatabaseTransaction) -> AppResult<String> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    for _ in 0..5 {
        let code: String = {
            let mut rng = rand::rng();
            "JL".chars()
                .chain((0..8).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])))
                .collect()
        };
        let in_rosters = roster::Entity::find()
            .filter(roster::Column::ReferenceCode.eq(&code))
            .one(txn)
            .await?;
        let in_pledges = pledge::Entity::find()
            .filter(pledge::Column::ReferenceCode.eq(&code))
            .one(txn)
            .await?;
        if in_rosters.is_none() && in_pledges.is_none() {
            return Ok(code);
        }
    }
    Err(AppError::internal("no free roster code after 5 tries"))
}

/// A unit's rosters, newest first.
pub async fn list_for_unit(db: &DatabaseConnection, unit_id: &str) -> AppResult<Vec<RosterView>> {
    Ok(roster::Entity::find()
        .filter(roster::Column::UnitId.eq(unit_id))
        .order_by_desc(roster::Column::Id)
        .limit(200)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A unit's figures in one campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitTotals {
    /// The unit.
    pub unit_id: String,
    /// The campaign.
    pub campaign_id: String,
    /// Confirmed money, fen.
    pub money_fen: i64,
    /// Listed but not yet remitted, fen.
    pub pledged_unpaid_fen: i64,
    /// Staff whose gift arrived.
    pub donors: i64,
    /// Staff on the unit's lists.
    pub people_listed: i64,
    /// Lists uploaded (withdrawn ones aside).
    pub rosters: i64,
    /// Lists whose remittance arrived.
    pub rosters_paid: i64,
}

/// A unit's totals in a campaign: from the running totals and its few rosters.
pub async fn unit_totals(
    db: &DatabaseConnection,
    unit_id: &str,
    campaign_id: &str,
) -> AppResult<UnitTotals> {
    let sums = totals::read(db, campaign_id).await?;
    let mine = sums
        .iter()
        .find(|s| s.dimension == "unit" && s.key == unit_id)
        .cloned()
        .unwrap_or_default();
    let rosters = roster::Entity::find()
        .filter(roster::Column::UnitId.eq(unit_id))
        .filter(roster::Column::CampaignId.eq(campaign_id))
        .filter(roster::Column::Status.ne("withdrawn"))
        .all(db)
        .await?;
    Ok(UnitTotals {
        unit_id: unit_id.to_owned(),
        campaign_id: campaign_id.to_owned(),
        money_fen: mine.money_fen,
        pledged_unpaid_fen: mine.pledged_fen - mine.pledge_paid_fen,
        donors: mine.donors,
        people_listed: rosters.iter().map(|r| r.people).sum(),
        rosters: i64::try_from(rosters.len()).unwrap_or(i64::MAX),
        rosters_paid: i64::try_from(rosters.iter().filter(|r| r.status == "paid").count())
            .unwrap_or(i64::MAX),
    })
}

/// The template's bytes.
pub fn template_bytes() -> AppResult<Vec<u8>> {
    roster_file::template().map_err(AppError::internal)
}

/// A staff list as imported, as an XLSX in the template's columns (姓名, 部门, 金额(元),
/// 是否匿名), so that a coordinator can check it, and correct and upload it again as a
/// second list. Text goes through `formula_safe`: a name typed as `=…` stays text.
/// Anonymous staff's names were never kept: their name cells are empty.
pub async fn staff_xlsx(
    db: &DatabaseConnection,
    unit_id: &str,
    roster_id: &str,
) -> AppResult<(String, Vec<u8>)> {
    use crate::kernel::cells::formula_safe;
    use rust_xlsxwriter::{Format, Workbook};
    let list = roster::Entity::find_by_id(roster_id)
        .filter(roster::Column::UnitId.eq(unit_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("该名单"))?;
    let staff = pledge::Entity::find()
        .filter(pledge::Column::RosterId.eq(&list.id))
        .order_by_asc(pledge::Column::Id)
        .all(db)
        .await?;
    let mut names = std::collections::HashMap::new();
    let donor_ids: Vec<String> = staff.iter().map(|p| p.donor_id.clone()).collect();
    for chunk in donor_ids.chunks(1_000) {
        for d in donor::Entity::find()
            .filter(donor::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            names.insert(d.id, (d.kind, d.name));
        }
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00");
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::internal(e);
    for (col, header) in ["姓名", "部门", "金额(元)", "是否匿名"].iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(0);
        sheet
            .write_string_with_format(0, col, *header, &bold)
            .map_err(fail)?;
    }
    for (i, p) in staff.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(AppError::internal)?;
        let (kind, name) = names
            .get(&p.donor_id)
            .cloned()
            .unwrap_or_else(|| ("anonymous".into(), None));
        let name = name.unwrap_or_default();
        sheet
            .write_string(row, 0, formula_safe(&name))
            .map_err(fail)?;
        let department = p.department.clone().unwrap_or_default();
        sheet
            .write_string(row, 1, formula_safe(&department))
            .map_err(fail)?;
        #[expect(
            clippy::cast_precision_loss,
            reason = "fen of one gift fit an f64 exactly"
        )]
        let yuan = p.amount_fen as f64 / 100.0;
        sheet
            .write_number_with_format(row, 2, yuan, &money)
            .map_err(fail)?;
        let anonymous = if kind == "anonymous" { "是" } else { "否" };
        sheet.write_string(row, 3, anonymous).map_err(fail)?;
    }
    sheet.set_column_width(0, 16).map_err(fail)?;
    sheet.set_column_width(1, 16).map_err(fail)?;
    let bytes = book.save_to_buffer().map_err(fail)?;
    Ok((list.file_name, bytes))
}
