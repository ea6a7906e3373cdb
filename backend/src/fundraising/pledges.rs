//! Pledges (认捐): made online by anyone, seen through a private link, searched by finance.

use chrono::Utc;
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entities::{campaign, donor, payment, pledge};
use super::totals::{self, Delta};
use crate::error::{AppError, AppResult, FieldError};
use crate::ids::{new_id, random_token, token_hash};
use crate::kernel::{CreditCode, IdCardNo, Phone};
use crate::personal_data::Vault;
use crate::reference::entities::project;

/// Who the donor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DonorKind {
    /// A person.
    Individual,
    /// A company, school, office or other organisation.
    Organization,
    /// Someone who gives no name.
    Anonymous,
}

impl DonorKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Individual => "individual",
            Self::Organization => "organization",
            Self::Anonymous => "anonymous",
        }
    }
}

/// The Chinese name of a donor kind.
pub fn donor_kind_label(kind: &str) -> &'static str {
    match kind {
        "individual" => "个人",
        "organization" => "单位",
        "anonymous" => "匿名",
        _ => "其他",
    }
}

/// The donor's details as sent.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct DonorInput {
    /// Individual, organisation or anonymous.
    pub kind: DonorKind,
    /// Required for individuals and organisations.
    pub name: Option<String>,
    /// Required for individuals.
    pub phone: Option<String>,
    /// Optional 身份证号 for the receipt (individuals); checked with its check digit.
    pub id_number: Option<String>,
    /// Required for organisations: 统一社会信用代码.
    pub credit_code: Option<String>,
    /// Contact person or number (organisations).
    pub contact: Option<String>,
}

/// A pledge as sent to `POST /api/v1/pledges`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct PledgeRequest {
    /// An open campaign.
    pub campaign_id: String,
    /// A project to designate the gift to (定向); the general fund otherwise.
    pub project_id: Option<String>,
    /// The amount in fen.
    pub amount_fen: i64,
    /// Who gives.
    pub donor: DonorInput,
    /// May the name appear on the honour roll (光荣榜)? No unless said.
    #[serde(default)]
    pub public_name_consent: bool,
    /// The name to show in public (defaults to the donor's name).
    pub public_name: Option<String>,
    /// Is a receipt wanted?
    #[serde(default)]
    pub receipt_requested: bool,
    /// The title on the receipt (defaults to the donor's name).
    pub receipt_title: Option<String>,
    /// The district or county to count the gift under.
    pub region_code: Option<String>,
}

/// What the donor gets back.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PledgeCreated {
    /// The pledge's id.
    pub id: String,
    /// The code to quote on a bank transfer.
    pub reference_code: String,
    /// The private link's token: keep it; it is shown once.
    pub access_token: String,
    /// `pledged`.
    pub status: String,
    /// The private page of the pledge.
    pub link: String,
}

const MAX_TEXT: usize = 100;

fn text(
    field: &str,
    value: Option<&str>,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    match value {
        None if required => {
            errors.push(FieldError::new(field, "此项必填"));
            None
        }
        None => None,
        Some(v) if v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) => {
            errors.push(FieldError::new(
                field,
                format!("不能超过 {MAX_TEXT} 个字符，且不能含控制字符"),
            ));
            None
        }
        Some(v) => Some(v.to_owned()),
    }
}

/// A checked donor, ready to store.
struct CheckedDonor {
    kind: DonorKind,
    name: Option<String>,
    phone: Option<String>,
    id_number: Option<IdCardNo>,
    credit_code: Option<String>,
    contact: Option<String>,
}

fn check_donor(input: &DonorInput, errors: &mut Vec<FieldError>) -> CheckedDonor {
    let named = input.kind != DonorKind::Anonymous;
    let name = text("donor.name", input.name.as_deref(), named, errors);
    let mut phone = None;
    let mut id_number = None;
    let mut credit_code = None;
    let mut contact = None;
    match input.kind {
        DonorKind::Individual => {
            match text("donor.phone", input.phone.as_deref(), true, errors)
                .map(|p| Phone::parse(&p))
            {
                Some(Ok(p)) => phone = Some(p.as_str().to_owned()),
                Some(Err(why)) => errors.push(FieldError::new("donor.phone", why)),
                None => {}
            }
            if let Some(raw) = text("donor.id_number", input.id_number.as_deref(), false, errors) {
                match IdCardNo::parse(&raw) {
                    Ok(id) => id_number = Some(id),
                    Err(why) => errors.push(FieldError::new("donor.id_number", why)),
                }
            }
        }
        DonorKind::Organization => {
            match text(
                "donor.credit_code",
                input.credit_code.as_deref(),
                true,
                errors,
            )
            .map(|c| CreditCode::parse(&c))
            {
                Some(Ok(c)) => credit_code = Some(c.as_str().to_owned()),
                Some(Err(why)) => errors.push(FieldError::new("donor.credit_code", why)),
                None => {}
            }
            contact = text("donor.contact", input.contact.as_deref(), false, errors);
        }
        DonorKind::Anonymous => {
            for (field, value) in [
                ("donor.name", &input.name),
                ("donor.id_number", &input.id_number),
                ("donor.credit_code", &input.credit_code),
            ] {
                if value.as_deref().is_some_and(|v| !v.trim().is_empty()) {
                    errors.push(FieldError::new(field, "匿名捐赠不填写身份信息"));
                }
            }
        }
    }
    CheckedDonor {
        kind: input.kind,
        name,
        phone,
        id_number,
        credit_code,
        contact,
    }
}

/// Checks a pledge request against the rules that need no database.
fn check(
    request: &PledgeRequest,
    max_fen: i64,
) -> Result<(CheckedDonor, Option<String>, Option<String>), AppError> {
    let mut errors = Vec::new();
    if !(1..=max_fen).contains(&request.amount_fen) {
        errors.push(FieldError::new(
            "amount_fen",
            format!("金额须在 0.01 元到 {} 之间", crate::kernel::Fen(max_fen)),
        ));
    }
    let donor = check_donor(&request.donor, &mut errors);
    if request.public_name_consent && donor.kind == DonorKind::Anonymous {
        errors.push(FieldError::new(
            "public_name_consent",
            "匿名捐赠不能在光荣榜上具名",
        ));
    }
    let public_name = text(
        "public_name",
        request.public_name.as_deref(),
        false,
        &mut errors,
    )
    .or_else(|| donor.name.clone())
    .filter(|_| request.public_name_consent);
    let receipt_title = text(
        "receipt_title",
        request.receipt_title.as_deref(),
        false,
        &mut errors,
    )
    .or_else(|| donor.name.clone())
    .filter(|_| request.receipt_requested);
    if request.receipt_requested && receipt_title.is_none() {
        errors.push(FieldError::new(
            "receipt_title",
            "匿名捐赠如需票据，请填写票据抬头",
        ));
    }
    if errors.is_empty() {
        Ok((donor, public_name, receipt_title))
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Makes a pledge, in the caller's write transaction.
pub async fn create(
    txn: &DatabaseTransaction,
    vault: &Vault,
    request: &PledgeRequest,
    max_fen: i64,
    donor_user_id: Option<&str>,
) -> AppResult<PledgeCreated> {
    let (donor, public_name, receipt_title) = check(request, max_fen)?;
    let campaign = campaign::Entity::find_by_id(&request.campaign_id)
        .one(txn)
        .await?;
    let Some(campaign) = campaign else {
        return Err(AppError::field("campaign_id", "募捐活动不存在"));
    };
    if campaign.status != "open" {
        return Err(AppError::Conflict("该募捐活动未在进行中，不能认捐".into()));
    }
    let project_id = request.project_id.clone().or(campaign.project_id.clone());
    let known_project = match &project_id {
        Some(id) => project::Entity::find_by_id(id).one(txn).await?.is_some(),
        None => true,
    };
    if !known_project {
        return Err(AppError::field("project_id", "品牌项目不存在"));
    }
    // The districts and counties are fixed reference data: no query needed to check one.
    let region_code = match &request.region_code {
        Some(code)
            if crate::reference::data::DISTRICTS
                .iter()
                .any(|(c, _, _)| c == code) =>
        {
            Some(code.clone())
        }
        Some(_) => return Err(AppError::field("region_code", "请选择吉林市的县(市)区")),
        None => None,
    };
    let donor_id = store_donor(txn, vault, donor, donor_user_id).await?;
    let donor_kind = request.donor.kind.as_str();
    let access_token = random_token();
    let slot = rand::rng().random_range(0..totals::SLOTS);
    let model = pledge::ActiveModel {
        id: Set(new_id()),
        campaign_id: Set(campaign.id.clone()),
        project_id: Set(project_id),
        donor_id: Set(donor_id),
        amount_fen: Set(request.amount_fen),
        paid_fen: Set(0),
        status: Set("pledged".into()),
        reference_code: Set(String::new()),
        access_token_hash: Set(token_hash(&access_token)),
        public_name_consent: Set(request.public_name_consent),
        public_name: Set(public_name),
        receipt_requested: Set(request.receipt_requested),
        receipt_title: Set(receipt_title),
        region_code: Set(region_code.clone()),
        unit_id: Set(None),
        slot: Set(slot),
        created_at: Set(Utc::now()),
        roster_id: Set(None),
        department: Set(None),
    };
    let model = insert_with_fresh_code(txn, model).await?;
    let keys = totals::keys(donor_kind, region_code.as_deref(), None);
    let delta = Delta {
        pledged_fen: request.amount_fen,
        ..Delta::default()
    };
    totals::add(txn, &campaign.id, slot, &keys, delta).await?;
    Ok(PledgeCreated {
        link: format!("/p/{access_token}"),
        id: model.id,
        reference_code: model.reference_code,
        access_token,
        status: model.status,
    })
}

async fn store_donor(
    txn: &DatabaseTransaction,
    vault: &Vault,
    donor: CheckedDonor,
    user_id: Option<&str>,
) -> AppResult<String> {
    let (cipher, hash, masked) = match &donor.id_number {
        Some(id) => (
            Some(vault.encrypt(id.expose())?),
            Some(vault.lookup_hash(id.expose())),
            Some(id.masked()),
        ),
        None => (None, None, None),
    };
    let model = donor::ActiveModel {
        id: Set(new_id()),
        kind: Set(donor.kind.as_str().into()),
        name: Set(donor.name),
        phone: Set(donor.phone),
        id_number_cipher: Set(cipher),
        id_number_hash: Set(hash),
        id_number_masked: Set(masked),
        credit_code: Set(donor.credit_code),
        contact: Set(donor.contact),
        user_id: Set(user_id.map(str::to_owned)),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    Ok(model.id)
}

/// Letters and digits that cannot be mistaken for each other when read off a phone.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// `JL` and 8 characters: 40 bits.
fn reference_code() -> String {
    let mut rng = rand::rng();
    "JL".chars()
        .chain((0..8).map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())])))
        .collect()
}

/// Inserts the pledge with a fresh reference code, drawing again in the rare case the
/// unique index already has it (`ON CONFLICT DO NOTHING`, so the transaction survives).
async fn insert_with_fresh_code(
    txn: &DatabaseTransaction,
    mut model: pledge::ActiveModel,
) -> AppResult<pledge::Model> {
    use sea_orm::sea_query::OnConflict;
    for _ in 0..5 {
        let code = reference_code();
        model.reference_code = Set(code);
        let inserted = pledge::Entity::insert(model.clone())
            .on_conflict(
                OnConflict::column(pledge::Column::ReferenceCode)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        if inserted == 1 {
            return sea_orm::TryIntoModel::try_into_model(model).map_err(AppError::from);
        }
    }
    Err(AppError::internal("no free reference code after 5 tries"))
}

/// Normalises a code as people type it: spaces and hyphens out, upper case.
pub fn normalize_reference(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The kind of a donor.
pub async fn donor_kind_of(conn: &impl ConnectionTrait, donor_id: &str) -> AppResult<String> {
    Ok(donor::Entity::find_by_id(donor_id)
        .one(conn)
        .await?
        .map_or_else(|| "anonymous".to_owned(), |d| d.kind))
}

/// A payment as a pledge's owner sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentLine {
    /// The payment's id.
    pub id: String,
    /// Fen; negative for a reversal.
    pub amount_fen: i64,
    /// The channel.
    pub channel: String,
    /// When the money arrived.
    pub received_on: chrono::NaiveDate,
}

/// A pledge with its payments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PledgeView {
    /// Its id.
    pub id: String,
    /// The campaign.
    pub campaign_id: String,
    /// The campaign's name.
    pub campaign_name: String,
    /// The designated project.
    pub project_id: Option<String>,
    /// Promised, fen.
    pub amount_fen: i64,
    /// Paid so far, fen.
    pub paid_fen: i64,
    /// `pledged`, `partly_paid`, `paid`, `cancelled` or `lapsed`.
    pub status: String,
    /// The code to quote on a transfer.
    pub reference_code: String,
    /// The donor's kind.
    pub donor_kind: String,
    /// The donor's name (the owner and finance see it).
    pub donor_name: Option<String>,
    /// Named on the honour roll?
    pub public_name_consent: bool,
    /// Receipt wanted?
    pub receipt_requested: bool,
    /// Its payments, oldest first.
    pub payments: Vec<PaymentLine>,
    /// When it was made.
    pub created_at: chrono::DateTime<Utc>,
}

/// A pledge seen by whoever holds its link token.
pub async fn find_by_token(db: &DatabaseConnection, token: &str) -> AppResult<Option<PledgeView>> {
    let found = pledge::Entity::find()
        .filter(pledge::Column::AccessTokenHash.eq(token_hash(token)))
        .one(db)
        .await?;
    match found {
        Some(p) => Ok(Some(view(db, p).await?)),
        None => Ok(None),
    }
}

/// A pledge by id.
pub async fn find(db: &DatabaseConnection, id: &str) -> AppResult<Option<(PledgeView, String)>> {
    match pledge::Entity::find_by_id(id).one(db).await? {
        Some(p) => {
            let hash = p.access_token_hash.clone();
            Ok(Some((view(db, p).await?, hash)))
        }
        None => Ok(None),
    }
}

async fn view(db: &DatabaseConnection, p: pledge::Model) -> AppResult<PledgeView> {
    let campaign = campaign::Entity::find_by_id(&p.campaign_id).one(db).await?;
    let donor = donor::Entity::find_by_id(&p.donor_id).one(db).await?;
    let payments = payment::Entity::find()
        .filter(payment::Column::PledgeId.eq(&p.id))
        .order_by_asc(payment::Column::Id)
        .limit(500)
        .all(db)
        .await?
        .into_iter()
        .map(|pay| PaymentLine {
            id: pay.id,
            amount_fen: pay.amount_fen,
            channel: pay.channel,
            received_on: pay.received_on,
        })
        .collect();
    Ok(PledgeView {
        id: p.id,
        campaign_id: p.campaign_id,
        campaign_name: campaign.map(|c| c.name).unwrap_or_default(),
        project_id: p.project_id,
        amount_fen: p.amount_fen,
        paid_fen: p.paid_fen,
        status: p.status,
        reference_code: p.reference_code,
        donor_kind: donor
            .as_ref()
            .map_or_else(|| "anonymous".into(), |d| d.kind.clone()),
        donor_name: donor.and_then(|d| d.name),
        public_name_consent: p.public_name_consent,
        receipt_requested: p.receipt_requested,
        payments,
        created_at: p.created_at,
    })
}

/// Makes a pledge in its own transaction; with an idempotency key, a retry returns the
/// first answer and makes nothing.
pub async fn create_once(
    db: &DatabaseConnection,
    vault: &Vault,
    request: &PledgeRequest,
    max_fen: i64,
    donor_user_id: Option<&str>,
    key: Option<&str>,
) -> AppResult<crate::idempotency::Outcome<PledgeCreated>> {
    use crate::idempotency::{self, Outcome};
    let txn = crate::db::begin_write(db).await?;
    if let Some(first) = idempotency::begin(&txn, "pledges", key, request).await? {
        return Ok(Outcome::Replayed(first));
    }
    let created = create(&txn, vault, request, max_fen, donor_user_id).await?;
    idempotency::finish(&txn, "pledges", key, 201, &created).await?;
    txn.commit().await?;
    Ok(Outcome::Fresh(created))
}

/// A name on the honour roll (光荣榜) with the band of its amount.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HonourEntry {
    /// The name as the donor chose to show it.
    pub name: String,
    /// The band of the amount paid, such as `100–999元`.
    pub band: &'static str,
}

/// The band a paid amount falls in: the roll shows bands, never exact amounts.
pub fn amount_band(fen: i64) -> &'static str {
    match fen {
        ..10_000 => "100元以下",
        10_000..100_000 => "100–999元",
        100_000..1_000_000 => "1000–9999元",
        1_000_000..10_000_000 => "1万–9.9万元",
        _ => "10万元及以上",
    }
}

/// The newest donors of a campaign who agreed to be named and whose money arrived.
pub async fn honour_roll(
    db: &DatabaseConnection,
    campaign_id: &str,
    limit: u64,
) -> AppResult<Vec<HonourEntry>> {
    let rows = pledge::Entity::find()
        .filter(pledge::Column::CampaignId.eq(campaign_id))
        .filter(pledge::Column::PublicNameConsent.eq(true))
        .filter(pledge::Column::PaidFen.gt(0))
        .order_by_desc(pledge::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|p| {
            p.public_name.map(|name| HonourEntry {
                name,
                band: amount_band(p.paid_fen),
            })
        })
        .collect())
}

/// The id of the pledge with this reference code.
pub async fn id_by_reference(db: &DatabaseConnection, code: &str) -> AppResult<Option<String>> {
    Ok(pledge::Entity::find()
        .filter(pledge::Column::ReferenceCode.eq(normalize_reference(code)))
        .one(db)
        .await?
        .map(|p| p.id))
}

/// The Chinese name of a pledge status.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "pledged" => "已认捐，待付款",
        "partly_paid" => "部分到账",
        "paid" => "已全部到账",
        "cancelled" => "已取消",
        "lapsed" => "活动已结束，未付款",
        _ => "未知",
    }
}

/// The pledges of a signed-up donor, newest first.
pub async fn of_user(db: &DatabaseConnection, user_id: &str) -> AppResult<Vec<PledgeView>> {
    let donor_ids: Vec<String> = donor::Entity::find()
        .filter(donor::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    if donor_ids.is_empty() {
        return Ok(Vec::new());
    }
    let pledges = pledge::Entity::find()
        .filter(pledge::Column::DonorId.is_in(donor_ids))
        .order_by_desc(pledge::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(pledges.len());
    for p in pledges {
        views.push(view(db, p).await?);
    }
    Ok(views)
}

/// What finance searches pledges by, to match a payment by hand.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PledgeSearch {
    /// Part of the donor's name.
    pub q: Option<String>,
    /// The amount promised, fen.
    pub amount_fen: Option<i64>,
    /// Only this campaign.
    pub campaign_id: Option<String>,
    /// Made on this day (UTC date).
    pub created_on: Option<chrono::NaiveDate>,
    /// Only unpaid and partly paid pledges.
    #[serde(default)]
    pub open_only: bool,
}

/// Pledges matching a search, newest first, at most `limit`.
pub async fn search(
    db: &DatabaseConnection,
    query: &PledgeSearch,
    limit: u64,
) -> AppResult<Vec<PledgeView>> {
    let mut select = pledge::Entity::find()
        .order_by_desc(pledge::Column::Id)
        .limit(limit);
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if q.chars().count() > 50 {
            return Err(AppError::field("q", "搜索词不能超过 50 个字符"));
        }
        let donors: Vec<String> = donor::Entity::find()
            .filter(donor::Column::Name.contains(q))
            .limit(1_000)
            .all(db)
            .await?
            .into_iter()
            .map(|d| d.id)
            .collect();
        select = select.filter(pledge::Column::DonorId.is_in(donors));
    }
    if let Some(amount) = query.amount_fen {
        select = select.filter(pledge::Column::AmountFen.eq(amount));
    }
    if let Some(campaign) = &query.campaign_id {
        select = select.filter(pledge::Column::CampaignId.eq(campaign));
    }
    if let Some(day) = query.created_on {
        let start = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        select = select
            .filter(pledge::Column::CreatedAt.gte(start))
            .filter(pledge::Column::CreatedAt.lt(start + chrono::Duration::days(1)));
    }
    if query.open_only {
        select = select.filter(pledge::Column::Status.is_in(["pledged", "partly_paid", "lapsed"]));
    }
    let mut views = Vec::new();
    for p in select.all(db).await? {
        views.push(view(db, p).await?);
    }
    Ok(views)
}

#[cfg(test)]
mod tests {
    use super::normalize_reference;

    #[test]
    fn the_honour_roll_shows_bands_not_amounts() {
        assert_eq!(super::amount_band(9_999), "100元以下");
        assert_eq!(super::amount_band(10_000), "100–999元");
        assert_eq!(super::amount_band(10_000_000), "10万元及以上");
    }

    #[test]
    fn reference_codes_are_read_as_people_type_them() {
        assert_eq!(normalize_reference(" jl-abcd 2345 "), "JLABCD2345");
    }
}
