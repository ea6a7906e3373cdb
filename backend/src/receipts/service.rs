//! Issuing, voiding, reissuing and verifying receipts (捐赠收据).

use chrono::{Datelike, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::entity as receipt;
pub use super::lookup::{
    Pending, Verification, donor_may_download, for_pledge, mask_name, pending, recent, staff_rows,
    verify, verify_code,
};
use crate::error::{AppError, AppResult};
use crate::fundraising::entities::{campaign, donor, payment, pledge, roster};
use crate::identity::entities::user;
use crate::ids::{new_id, random_token};
use crate::reference::entities::{project, work_unit};

/// What the API says of a receipt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceiptView {
    /// Its id.
    pub id: String,
    /// `JLCS-2026-000123`.
    pub number: String,
    /// The page its QR code opens.
    pub verify_url: String,
    /// `live` or `voided`.
    pub status: String,
    /// Fen.
    pub amount_fen: i64,
    /// The day it was issued.
    pub issued_on: chrono::NaiveDate,
    /// The payment it acknowledges.
    pub payment_id: Option<String>,
    /// The receipt it replaces.
    pub replaces_id: Option<String>,
    /// The short code printed under its QR code (`7K3QD-M2X9P`), to verify it at
    /// `/verify` where the QR code cannot be scanned.
    pub verify_code: Option<String>,
}

impl ReceiptView {
    /// The view of a row, with links under `public_url`.
    pub fn of(r: &receipt::Model, public_url: &str) -> Self {
        Self {
            id: r.id.clone(),
            number: r.number.clone(),
            verify_url: format!("{public_url}/verify/{}", r.verify_token),
            status: r.status.clone(),
            amount_fen: r.amount_fen,
            issued_on: r.issued_on,
            payment_id: r.payment_id.clone(),
            replaces_id: r.replaces_id.clone(),
            verify_code: r.verify_code.as_deref().map(super::code::display),
        }
    }
}

/// What finance may add when issuing: the reviewer (复核人) and a note (备注).
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Who reviewed the receipt before it was issued; a blank line to sign if none.
    pub reviewer_name: Option<String>,
    /// 备注.
    pub note: Option<String>,
}

/// The longest reviewer's name and note: what fits on the receipt's lines.
pub const MAX_REVIEWER: usize = 20;
/// The longest note: two lines of the receipt.
pub const MAX_NOTE: usize = 60;
/// The longest title (抬头): the longest donor name a pledge accepts.
pub const MAX_TITLE: usize = 100;

fn checked_text(
    field: &str,
    value: Option<&str>,
    max: usize,
    what: &str,
) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => match crate::kernel::text::typed(what, v, 1..=max) {
            Ok(()) => Ok(Some(v.to_owned())),
            Err(message) => Err(AppError::field(field, message)),
        },
    }
}

impl Extras {
    fn checked(&self) -> AppResult<Self> {
        Ok(Self {
            reviewer_name: checked_text(
                "reviewer_name",
                self.reviewer_name.as_deref(),
                MAX_REVIEWER,
                "复核人",
            )?,
            note: checked_text("note", self.note.as_deref(), MAX_NOTE, "备注")?,
        })
    }
}

/// What a reissue (换开) corrects; what is left out stays as it was.
#[derive(Debug, Clone, Default)]
pub struct Correction {
    /// The receipt's title (抬头); kept as the pledge's title for later receipts.
    pub title: Option<String>,
    /// The donor's 身份证号 (an individual's pledge).
    pub id_number: Option<String>,
    /// The 统一社会信用代码 (an organisation's pledge, or a staff list's unit).
    pub credit_code: Option<String>,
    /// The reviewer and note of the new receipt (the old one's when left out).
    pub extras: Extras,
}

/// Whether a new receipt was made, or the payment's live one returned.
pub enum Issued {
    /// Made now.
    New(receipt::Model),
    /// The payment already had it.
    Existing(receipt::Model),
}

/// Issues the receipt of a confirmed payment; a payment has at most one live receipt.
#[tracing::instrument(skip_all)]
pub async fn issue(
    db: &DatabaseConnection,
    by: &str,
    payment_id: &str,
    extras: &Extras,
) -> AppResult<Issued> {
    let extras = extras.checked()?;
    let txn = crate::db::begin_write(db).await?;
    // The payment's lock first: a second request for it waits for the first to commit,
    // then finds its receipt (200 with it, as on SQLite) instead of tripping the unique
    // index (409).
    payment::Entity::find_by_id(payment_id)
        .lock_exclusive()
        .one(&txn)
        .await?;
    if let Some(existing) = live_for_payment(&txn, payment_id).await? {
        return Ok(Issued::Existing(existing));
    }
    let made = make(&txn, by, payment_id, None, extras).await?;
    let detail = format!(
        "开具收据 {}，金额 {}",
        made.number,
        crate::kernel::Fen(made.amount_fen)
    );
    crate::audit::record(&txn, by, "receipt.issue", &made.id, &detail).await?;
    txn.commit().await?;
    Ok(Issued::New(made))
}

async fn live_for_payment(
    conn: &impl ConnectionTrait,
    payment_id: &str,
) -> AppResult<Option<receipt::Model>> {
    Ok(receipt::Entity::find()
        .filter(receipt::Column::PaymentId.eq(payment_id))
        .filter(receipt::Column::Status.eq("live"))
        .one(conn)
        .await?)
}

/// What is printed of the donor and the purpose, from the payment's pledge or list.
struct Printed {
    donor_name: String,
    donor_id: Option<String>,
    campaign_name: String,
    purpose: String,
}

async fn printed(txn: &DatabaseTransaction, pay: &payment::Model) -> AppResult<Printed> {
    let campaign_name = match &pay.campaign_id {
        Some(id) => campaign::Entity::find_by_id(id)
            .one(txn)
            .await?
            .map(|c| c.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    if let Some(pledge_id) = &pay.pledge_id {
        let p = pledge::Entity::find_by_id(pledge_id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::internal("pledge missing"))?;
        let d = donor::Entity::find_by_id(&p.donor_id).one(txn).await?;
        let donor_name = p
            .receipt_title
            .clone()
            .or_else(|| d.as_ref().and_then(|d| d.name.clone()))
            .unwrap_or_else(|| "爱心人士".into());
        let donor_id = d
            .as_ref()
            .and_then(|d| d.credit_code.clone().or_else(|| d.id_number_masked.clone()));
        let purpose = match &p.project_id {
            Some(id) => project::Entity::find_by_id(id)
                .one(txn)
                .await?
                .map_or_else(|| "定向捐赠".into(), |pr| format!("定向：{}", pr.name)),
            None => "非定向（慈善救助）".into(),
        };
        return Ok(Printed {
            donor_name,
            donor_id,
            campaign_name,
            purpose,
        });
    }
    if let Some(roster_id) = &pay.roster_id {
        let r = roster::Entity::find_by_id(roster_id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::internal("roster missing"))?;
        let unit = work_unit::Entity::find_by_id(&r.unit_id).one(txn).await?;
        let donor_id = unit.as_ref().and_then(|u| u.credit_code.clone());
        let donor_name = unit.map_or_else(
            || "捐赠单位".into(),
            |u| format!("{}（{} 人）", u.name, r.people),
        );
        return Ok(Printed {
            donor_name,
            donor_id,
            campaign_name,
            purpose: "非定向（慈善救助双日捐）".into(),
        });
    }
    Err(AppError::Conflict(
        "该到账尚未匹配到认捐或名单，请先匹配再开票".into(),
    ))
}

#[derive(FromQueryResult)]
struct Counter {
    last: i64,
}

/// Takes the year's next number. The counter row is the one place a single hot row is
/// right: every issuer waits on it, so numbers are gapless, and a rolled-back
/// transaction returns its number with it.
async fn next_number(txn: &DatabaseTransaction, year: i32) -> AppResult<i64> {
    let seed = Query::insert()
        .into_table(Alias::new("receipt_counters"))
        .columns([Alias::new("year"), Alias::new("last")])
        .values_panic([year.into(), 0i64.into()])
        .on_conflict(
            OnConflict::column(Alias::new("year"))
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    txn.execute(&seed).await?;
    let bump = Query::update()
        .table(Alias::new("receipt_counters"))
        .value(Alias::new("last"), Expr::col(Alias::new("last")).add(1))
        .and_where(Expr::col(Alias::new("year")).eq(year))
        .to_owned();
    txn.execute(&bump).await?;
    let read = Query::select()
        .column(Alias::new("last"))
        .from(Alias::new("receipt_counters"))
        .and_where(Expr::col(Alias::new("year")).eq(year))
        .to_owned();
    let backend = txn.get_database_backend();
    let counter = Counter::find_by_statement(backend.build(&read))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("receipt counter missing"))?;
    Ok(counter.last)
}

async fn make(
    txn: &DatabaseTransaction,
    by: &str,
    payment_id: &str,
    replaces: Option<&str>,
    extras: Extras,
) -> AppResult<receipt::Model> {
    // Locked so that a reversal of this payment waits, and then voids what is made here.
    let pay = payment::Entity::find_by_id(payment_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| AppError::field("payment_id", "到账记录不存在"))?;
    if pay.reverses_id.is_some() || pay.amount_fen <= 0 {
        return Err(AppError::Conflict("冲正记录不能开具收据".into()));
    }
    let reversed = payment::Entity::find()
        .filter(payment::Column::ReversesId.eq(payment_id))
        .one(txn)
        .await?;
    if reversed.is_some() {
        return Err(AppError::Conflict("该到账已冲正，不能开具收据".into()));
    }
    let printed = printed(txn, &pay).await?;
    let handler = user::Entity::find_by_id(by)
        .one(txn)
        .await?
        .map_or_else(|| "财务".into(), |u| u.display_name);
    let today = crate::kernel::china_time::today();
    let year = today.year();
    let seq = next_number(txn, year).await?;
    let model = receipt::ActiveModel {
        id: Set(new_id()),
        number: Set(format!("JLCS-{year}-{seq:06}")),
        year: Set(year),
        seq: Set(seq),
        payment_id: Set(Some(pay.id.clone())),
        kind: Set("money".into()),
        donor_name: Set(printed.donor_name),
        donor_id_masked: Set(printed.donor_id),
        amount_fen: Set(pay.amount_fen),
        campaign_name: Set(printed.campaign_name),
        purpose: Set(printed.purpose),
        channel: Set(pay.channel.clone()),
        issued_on: Set(today),
        issued_by: Set(by.to_owned()),
        handler_name: Set(handler),
        status: Set("live".into()),
        void_reason: Set(None),
        voided_at: Set(None),
        replaces_id: Set(replaces.map(str::to_owned)),
        verify_token: Set(random_token()),
        downloads: Set(0),
        created_at: Set(Utc::now()),
        received_on: Set(Some(pay.received_on)),
        reviewer_name: Set(extras.reviewer_name),
        note: Set(extras.note),
        verify_code: Set(Some(super::code::new_code())),
        donor_downloads: Set(0),
    }
    .insert(txn)
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::Conflict("该到账已有有效收据".into()),
        other => other,
    })?;
    Ok(model)
}

/// Why a receipt voided with its payment's reversal was voided, as printed and verified.
pub const VOIDED_BY_REVERSAL: &str = "款项冲正";

/// Voids the live receipt of a payment being reversed, in the reversal's transaction
/// (the caller holds the payment's row lock); returns the numbers voided.
pub async fn void_for_reversal(
    txn: &DatabaseTransaction,
    by: &str,
    payment_id: &str,
) -> AppResult<Vec<String>> {
    let live = receipt::Entity::find()
        .filter(receipt::Column::PaymentId.eq(payment_id))
        .filter(receipt::Column::Status.eq("live"))
        .all(txn)
        .await?;
    let mut numbers = Vec::with_capacity(live.len());
    for r in live {
        receipt::Entity::update_many()
            .col_expr(receipt::Column::Status, Expr::value("voided"))
            .col_expr(receipt::Column::VoidReason, Expr::value(VOIDED_BY_REVERSAL))
            .col_expr(receipt::Column::VoidedAt, Expr::value(Utc::now()))
            .filter(receipt::Column::Id.eq(&r.id))
            .filter(receipt::Column::Status.eq("live"))
            .exec(txn)
            .await?;
        let detail = format!("作废收据 {}：{VOIDED_BY_REVERSAL}", r.number);
        crate::audit::record(txn, by, "receipt.void", &r.id, &detail).await?;
        numbers.push(r.number);
    }
    Ok(numbers)
}

/// Voids a live receipt with a reason; its number stays used.
#[tracing::instrument(skip_all)]
pub async fn void(
    db: &DatabaseConnection,
    by: &str,
    id: &str,
    reason: &str,
) -> AppResult<receipt::Model> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::field("reason", "请填写作废原因（不超过 500 字）"));
    }
    let txn = crate::db::begin_write(db).await?;
    let voided = receipt::Entity::update_many()
        .col_expr(receipt::Column::Status, Expr::value("voided"))
        .col_expr(receipt::Column::VoidReason, Expr::value(reason))
        .col_expr(receipt::Column::VoidedAt, Expr::value(Utc::now()))
        .filter(receipt::Column::Id.eq(id))
        .filter(receipt::Column::Status.eq("live"))
        .exec(&txn)
        .await?;
    let model = receipt::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("该收据"))?;
    if voided.rows_affected != 1 {
        return Err(AppError::Conflict("该收据已作废".into()));
    }
    crate::audit::record(
        &txn,
        by,
        "receipt.void",
        &model.id,
        &format!("作废收据 {}：{reason}", model.number),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Reissues (换开): voids the receipt if still live and issues a new number that refers
/// to it, in one transaction, with what `correction` corrects: the title (抬头), the
/// donor's 身份证号 or 统一社会信用代码 (checked as at pledge entry). The corrections are
/// kept where later receipts read them (the pledge's title, the donor, the staff list's
/// unit) and are named in the audit entry.
#[tracing::instrument(skip_all)]
pub async fn reissue(
    db: &DatabaseConnection,
    vault: &crate::personal_data::Vault,
    by: &str,
    id: &str,
    reason: &str,
    correction: &Correction,
) -> AppResult<receipt::Model> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::field("reason", "请填写换开原因（不超过 500 字）"));
    }
    let title = checked_text("title", correction.title.as_deref(), MAX_TITLE, "抬头")?;
    let id_number = match correction.id_number.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) => {
            Some(crate::kernel::IdCardNo::parse(n).map_err(|m| AppError::field("id_number", m))?)
        }
    };
    let credit_code = match correction.credit_code.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(
            crate::kernel::CreditCode::parse(c).map_err(|m| AppError::field("credit_code", m))?,
        ),
    };
    if id_number.is_some() && credit_code.is_some() {
        return Err(AppError::field(
            "credit_code",
            "身份证号与统一社会信用代码只能更正其一",
        ));
    }
    let extras = correction.extras.checked()?;
    let txn = crate::db::begin_write(db).await?;
    let old = receipt::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("该收据"))?;
    let payment_id = old
        .payment_id
        .clone()
        .ok_or_else(|| AppError::Conflict("该收据不能换开".into()))?;
    if old.status == "live" {
        receipt::Entity::update_many()
            .col_expr(receipt::Column::Status, Expr::value("voided"))
            .col_expr(
                receipt::Column::VoidReason,
                Expr::value(format!("换开：{reason}")),
            )
            .col_expr(receipt::Column::VoidedAt, Expr::value(Utc::now()))
            .filter(receipt::Column::Id.eq(id))
            .filter(receipt::Column::Status.eq("live"))
            .exec(&txn)
            .await?;
    }
    if live_for_payment(&txn, &payment_id).await?.is_some() {
        return Err(AppError::Conflict("该到账已有其他有效收据".into()));
    }
    let mut changes = Vec::new();
    let pay = payment::Entity::find_by_id(&payment_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("payment missing"))?;
    if title.is_some() || id_number.is_some() || credit_code.is_some() {
        correct(
            &txn,
            vault,
            &pay,
            title.as_deref(),
            id_number.as_ref(),
            credit_code.as_ref(),
            &mut changes,
        )
        .await?;
    }
    let extras = Extras {
        reviewer_name: extras.reviewer_name.or(old.reviewer_name.clone()),
        note: extras.note.or(old.note.clone()),
    };
    let mut made = make(&txn, by, &payment_id, Some(id), extras).await?;
    if let Some(title) = &title {
        // A staff list's title is the receipt's own: the unit keeps its name.
        if made.donor_name != *title {
            let mut row: receipt::ActiveModel = made.clone().into();
            row.donor_name = Set(title.clone());
            made = row.update(&txn).await?;
        }
    }
    let mut detail = format!("收据 {} 换开为 {}：{reason}", old.number, made.number);
    if old.donor_name != made.donor_name {
        changes.insert(0, format!("抬头 {} → {}", old.donor_name, made.donor_name));
    }
    if !changes.is_empty() {
        detail.push_str("；更正");
        detail.push_str(&changes.join("，"));
    }
    crate::audit::record(&txn, by, "receipt.reissue", &made.id, &detail).await?;
    txn.commit().await?;
    Ok(made)
}

/// Keeps a reissue's corrections where later receipts read them.
async fn correct(
    txn: &DatabaseTransaction,
    vault: &crate::personal_data::Vault,
    pay: &payment::Model,
    title: Option<&str>,
    id_number: Option<&crate::kernel::IdCardNo>,
    credit_code: Option<&crate::kernel::CreditCode>,
    changes: &mut Vec<String>,
) -> AppResult<()> {
    if let Some(pledge_id) = &pay.pledge_id {
        let p = pledge::Entity::find_by_id(pledge_id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::internal("pledge missing"))?;
        let d = donor::Entity::find_by_id(&p.donor_id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::internal("donor missing"))?;
        if let Some(title) = title {
            let mut row: pledge::ActiveModel = p.clone().into();
            row.receipt_title = Set(Some(title.to_owned()));
            row.update(txn).await?;
        }
        if let Some(id) = id_number {
            if d.kind != "individual" {
                return Err(AppError::field(
                    "id_number",
                    "该捐赠人不是个人，请更正统一社会信用代码",
                ));
            }
            changes.push(format!(
                "身份证号 {} → {}",
                d.id_number_masked.clone().unwrap_or_else(|| "无".into()),
                id.masked()
            ));
            let mut row: donor::ActiveModel = d.clone().into();
            row.id_number_cipher = Set(Some(vault.encrypt(id.expose())?));
            row.id_number_hash = Set(Some(vault.lookup_hash(id.expose())));
            row.id_number_masked = Set(Some(id.masked()));
            row.update(txn).await?;
        } else if let Some(code) = credit_code {
            if d.kind != "organization" {
                return Err(AppError::field(
                    "credit_code",
                    "该捐赠人不是单位，请更正身份证号",
                ));
            }
            changes.push(format!(
                "统一社会信用代码 {} → {}",
                d.credit_code.clone().unwrap_or_else(|| "无".into()),
                code.as_str()
            ));
            let mut row: donor::ActiveModel = d.clone().into();
            row.credit_code = Set(Some(code.as_str().to_owned()));
            row.update(txn).await?;
        }
        return Ok(());
    }
    if let Some(roster_id) = &pay.roster_id {
        if id_number.is_some() {
            return Err(AppError::field(
                "id_number",
                "员工名单的收据开给单位，请更正统一社会信用代码",
            ));
        }
        if let Some(code) = credit_code {
            let r = roster::Entity::find_by_id(roster_id)
                .one(txn)
                .await?
                .ok_or_else(|| AppError::internal("roster missing"))?;
            let unit = work_unit::Entity::find_by_id(&r.unit_id)
                .one(txn)
                .await?
                .ok_or_else(|| AppError::internal("unit missing"))?;
            changes.push(format!(
                "单位统一社会信用代码 {} → {}",
                unit.credit_code.clone().unwrap_or_else(|| "无".into()),
                code.as_str()
            ));
            let mut row: work_unit::ActiveModel = unit.into();
            row.credit_code = Set(Some(code.as_str().to_owned()));
            row.update(txn).await?;
        }
    }
    Ok(())
}

/// A receipt by id.
pub async fn find(db: &DatabaseConnection, id: &str) -> AppResult<receipt::Model> {
    receipt::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("该收据"))
}

/// Counts a download and says whether this copy is a duplicate (副本). The first copy
/// the donor downloads is the original, whoever previewed it before: a staff download
/// counts toward nothing and is a 副本 only once the donor has the original; every
/// download by the donor after their first is a 副本. A receipt made before short codes
/// gets its code here, before it is first printed with one.
pub async fn count_download(
    db: &DatabaseConnection,
    id: &str,
    by_donor: bool,
) -> AppResult<(receipt::Model, bool)> {
    let txn = crate::db::begin_write(db).await?;
    let mut update = receipt::Entity::update_many().col_expr(
        receipt::Column::Downloads,
        Expr::col(receipt::Column::Downloads).add(1),
    );
    if by_donor {
        update = update.col_expr(
            receipt::Column::DonorDownloads,
            Expr::col(receipt::Column::DonorDownloads).add(1),
        );
    }
    update.filter(receipt::Column::Id.eq(id)).exec(&txn).await?;
    receipt::Entity::update_many()
        .col_expr(
            receipt::Column::VerifyCode,
            Expr::value(super::code::new_code()),
        )
        .filter(receipt::Column::Id.eq(id))
        .filter(receipt::Column::VerifyCode.is_null())
        .exec(&txn)
        .await?;
    let r = receipt::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("该收据"))?;
    txn.commit().await?;
    let copy = if by_donor {
        r.donor_downloads > 1
    } else {
        r.donor_downloads >= 1
    };
    Ok((r, copy))
}
