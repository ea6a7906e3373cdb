//! Pledges (认捐): made online by anyone, checked, stored with their donor, counted in the
//! campaign's totals. How people see them is in `pledge_views`.

use chrono::Utc;
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entities::{campaign, donor, pledge};
pub use super::pledge_views::{
    HonourEntry, PaymentLine, PledgeSearch, PledgeView, amount_band, find, find_by_token,
    honour_roll, id_by_reference, of_user, search, status_label,
};
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

#[cfg(test)]
mod tests {
    use super::normalize_reference;

    #[test]
    fn reference_codes_are_read_as_people_type_them() {
        assert_eq!(normalize_reference(" jl-abcd 2345 "), "JLABCD2345");
    }
}
