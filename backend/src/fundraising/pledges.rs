//! Pledges (认捐): made online by anyone, checked, stored with their donor, counted in the
//! campaign's totals. How people see them is in `pledge_views`.

use chrono::Utc;
use rand::Rng;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entities::{campaign, donor, pledge};
use super::pledge_checks::{CheckedDonor, check};
use super::pledge_keys;
pub use super::pledge_views::{
    HonourEntry, PaymentLine, PledgeSearch, PledgeView, amount_band, find, find_by_token,
    honour_roll, id_by_reference, of_user, search, status_label,
};
use super::totals::{self, Delta};
use crate::error::{AppError, AppResult};
use crate::idempotency::Outcome;
use crate::ids::{new_id, random_token, token_hash};
use crate::personal_data::Vault;
use crate::reference::entities::project;
use crate::state::AppState;

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
    pub(super) fn as_str(self) -> &'static str {
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

/// A checked pledge with its donor, ids and token drawn, ready to write.
pub(super) struct Draft {
    /// The donor row to insert.
    pub(super) donor: donor::Model,
    /// The pledge row to insert; its project is the request's until the campaign's
    /// default is known, and its reference code is drawn again on a clash.
    pub(super) pledge: pledge::Model,
    /// The running-total keys the pledge counts under.
    pub(super) keys: Vec<(&'static str, String)>,
    /// The private link's token (only its hash is stored).
    pub(super) access_token: String,
}

impl PledgeCreated {
    /// The answer to a new pledge (and to every retry of it).
    pub(super) fn new(id: String, reference_code: String, access_token: String) -> Self {
        Self {
            id,
            reference_code,
            link: format!("/p/{access_token}"),
            access_token,
            status: "pledged".into(),
        }
    }
}

impl Draft {
    /// The answer the donor gets.
    pub(super) fn created(&self) -> PledgeCreated {
        PledgeCreated::new(
            self.pledge.id.clone(),
            self.pledge.reference_code.clone(),
            self.access_token.clone(),
        )
    }

    /// Draws a new reference code (the first, or again after a clash).
    pub(super) fn draw_code(&mut self) {
        self.pledge.reference_code = reference_code();
    }
}

/// Checks a request and draws everything a pledge needs but the database's word.
fn draft(
    vault: &Vault,
    request: &PledgeRequest,
    max_fen: i64,
    donor_user_id: Option<&str>,
) -> AppResult<Draft> {
    let (checked, public_name, receipt_title) = check(request, max_fen)?;
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
    let now = Utc::now();
    let donor = donor_row(vault, checked, donor_user_id, now)?;
    let keys = totals::keys(&donor.kind, region_code.as_deref(), None);
    let access_token = random_token();
    let pledge = pledge::Model {
        id: new_id(),
        campaign_id: request.campaign_id.clone(),
        project_id: request.project_id.clone(),
        donor_id: donor.id.clone(),
        amount_fen: request.amount_fen,
        paid_fen: 0,
        status: "pledged".into(),
        reference_code: reference_code(),
        access_token_hash: token_hash(&access_token),
        public_name_consent: request.public_name_consent,
        public_name,
        receipt_requested: request.receipt_requested,
        receipt_title,
        region_code,
        unit_id: None,
        slot: rand::rng().random_range(0..totals::SLOTS),
        created_at: now,
        roster_id: None,
        department: None,
        idempotency_key: None,
        request_hash: None,
        access_token_sealed: None,
    };
    Ok(Draft {
        donor,
        pledge,
        keys,
        access_token,
    })
}

/// Makes a pledge, in the caller's write transaction.
async fn create(txn: &DatabaseTransaction, mut draft: Draft) -> AppResult<PledgeCreated> {
    let campaign = campaign::Entity::find_by_id(&draft.pledge.campaign_id)
        .one(txn)
        .await?;
    let Some(campaign) = campaign else {
        return Err(AppError::field("campaign_id", "募捐活动不存在"));
    };
    if campaign.status != "open" {
        return Err(campaign_not_open());
    }
    if draft.pledge.project_id.is_none() {
        draft.pledge.project_id = campaign.project_id.clone();
    }
    if let Some(id) = &draft.pledge.project_id
        && project::Entity::find_by_id(id).one(txn).await?.is_none()
    {
        return Err(unknown_project());
    }
    donor::ActiveModel::from(draft.donor.clone())
        .insert(txn)
        .await?;
    insert_with_fresh_code(txn, &mut draft).await?;
    let delta = Delta {
        pledged_fen: draft.pledge.amount_fen,
        ..Delta::default()
    };
    totals::add(txn, &campaign.id, draft.pledge.slot, &draft.keys, delta).await?;
    Ok(draft.created())
}

/// The answer when the campaign takes no pledges now.
pub(super) fn campaign_not_open() -> AppError {
    AppError::Conflict("该募捐活动未在进行中，不能认捐".into())
}

/// The answer when the designated project does not exist.
pub(super) fn unknown_project() -> AppError {
    AppError::field("project_id", "品牌项目不存在")
}

fn donor_row(
    vault: &Vault,
    donor: CheckedDonor,
    user_id: Option<&str>,
    now: chrono::DateTime<Utc>,
) -> AppResult<donor::Model> {
    let (cipher, hash, masked) = match &donor.id_number {
        Some(id) => (
            Some(vault.encrypt(id.expose())?),
            Some(vault.lookup_hash(id.expose())),
            Some(id.masked()),
        ),
        None => (None, None, None),
    };
    Ok(donor::Model {
        id: new_id(),
        kind: donor.kind.as_str().into(),
        name: donor.name,
        phone: donor.phone,
        id_number_cipher: cipher,
        id_number_hash: hash,
        id_number_masked: masked,
        credit_code: donor.credit_code,
        contact: donor.contact,
        user_id: user_id.map(str::to_owned),
        created_at: now,
    })
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

/// Inserts the pledge, drawing a new reference code in the rare case the unique index
/// already has it (`ON CONFLICT DO NOTHING`, so the transaction survives).
async fn insert_with_fresh_code(txn: &DatabaseTransaction, draft: &mut Draft) -> AppResult<()> {
    use sea_orm::sea_query::OnConflict;
    for _ in 0..5 {
        let inserted = pledge::Entity::insert(pledge::ActiveModel::from(draft.pledge.clone()))
            .on_conflict(
                OnConflict::column(pledge::Column::ReferenceCode)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        if inserted == 1 {
            return Ok(());
        }
        draft.draw_code();
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
/// first answer and makes nothing. On PostgreSQL the pledge goes to the batch writer.
pub async fn create_once(
    state: &AppState,
    request: &PledgeRequest,
    donor_user_id: Option<&str>,
    key: Option<&str>,
) -> AppResult<Outcome<PledgeCreated>> {
    let mut draft = draft(
        &state.vault,
        request,
        state.config.max_amount_fen,
        donor_user_id,
    )?;
    if let Some(key) = key {
        pledge_keys::attach(&mut draft, &state.vault, key, donor_user_id, request)?;
    }
    if let Some(writer) = &state.pledge_writer {
        return writer.write(draft).await;
    }
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(first) = pledge_keys::first_answer(&txn, &state.vault, &draft).await? {
        return Ok(Outcome::Replayed(first));
    }
    let created = create(&txn, draft).await?;
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
