//! Fundraising pages for the public: the campaign page with its pledge form, and the
//! donor's private pledge page.

use std::net::SocketAddr;

use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::campaigns::{self, CampaignKind, CampaignView, Progress};
use super::payments::Channel;
use super::pledges::{self, DonorInput, DonorKind, HonourEntry, PledgeRequest, PledgeView};
use crate::error::{AppError, AppResult};
use crate::idempotency::Outcome;
use crate::identity::Role;
use crate::identity::tokens::Claims;
use crate::kernel::Fen;
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::render;
use crate::web::session::{CsrfToken, MaybePageUser};
use crate::web::views::Layout;

/// The fundraising pages (behind the session layer).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{id}", get(campaign_page))
        .route("/campaigns/{id}/pledge", post(pledge_submit))
        .route("/p/{token}", get(pledge_page))
}

/// Money for people: `¥1,234.56`.
pub(super) fn yuan(fen: i64) -> String {
    Fen(fen).display()
}

/// Percent of `part` in `whole`, capped at 100, for progress bars.
fn percent(part: i64, whole: i64) -> u32 {
    if whole <= 0 {
        return 0;
    }
    let p = (part.max(0) as f64 / whole as f64 * 100.0).round();
    p.clamp(0.0, 100.0) as u32
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    layout: Layout,
    campaign: CampaignView,
    kind_label: &'static str,
    raised: String,
    pledged_unpaid: String,
    target: String,
    raised_percent: u32,
    pledged_percent: u32,
    donors: i64,
    honour: Vec<HonourEntry>,
    error: Option<String>,
    form_id: String,
    /// What was typed, shown again after an error.
    form: PledgeForm,
    /// Each bad field's message: (form field, message).
    field_errors: Vec<(String, String)>,
    regions: &'static [(&'static str, &'static str, bool)],
    /// The target in 万元 (`12.5万元`).
    target_wan: String,
    /// How much of the target has arrived, in percent (not capped).
    reached_percent: String,
}

impl CampaignPage {
    /// The message next to a field, if it was wrong.
    fn field_error(&self, field: &str) -> Option<&str> {
        self.field_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// What a pledge form went wrong with: the general message and each field's.
#[derive(Debug, Default)]
struct FormErrors {
    general: Option<String>,
    fields: Vec<(String, String)>,
}

impl FormErrors {
    fn general(message: impl Into<String>) -> Self {
        Self {
            general: Some(message.into()),
            fields: Vec::new(),
        }
    }
}

/// `12.5万元`: a target as the federation speaks of it.
pub(super) fn wan_yuan(fen: i64) -> String {
    let wan = fen as f64 / 1_000_000.0;
    let text = format!("{wan:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}万元")
}

async fn campaign_view(
    state: &AppState,
    id: &str,
    user: Option<&Claims>,
    csrf: &str,
    form: PledgeForm,
    errors: FormErrors,
) -> AppResult<CampaignPage> {
    let campaign = campaigns::get(&state.db, id).await?;
    let progress: Progress = campaigns::progress(&state.db, id).await?;
    let honour = pledges::honour_roll(&state.db, id, 50).await?;
    let raised_percent = percent(progress.raised_fen, campaign.target_fen);
    let pledged_percent = percent(
        progress.raised_fen + progress.pledged_unpaid_fen,
        campaign.target_fen,
    )
    .saturating_sub(raised_percent);
    Ok(CampaignPage {
        layout: Layout::new(campaign.name.clone(), user, csrf),
        kind_label: CampaignKind::label(&campaign.kind),
        raised: yuan(progress.raised_fen),
        pledged_unpaid: yuan(progress.pledged_unpaid_fen),
        target: yuan(campaign.target_fen),
        raised_percent,
        pledged_percent,
        donors: progress.donors,
        honour,
        error: errors.general,
        field_errors: errors.fields,
        form_id: crate::ids::random_token(),
        form,
        regions: &crate::reference::data::DISTRICTS,
        target_wan: wan_yuan(campaign.target_fen),
        reached_percent: reached_percent(progress.raised_fen, campaign.target_fen),
        campaign,
    })
}

async fn campaign_page(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let blank = PledgeForm {
        donor_kind: "individual".into(),
        ..PledgeForm::default()
    };
    let page = campaign_view(
        &state,
        &id,
        user.as_ref(),
        &csrf,
        blank,
        FormErrors::default(),
    );
    render(&page.await?)
}

/// `37.5`: the share of the target that has arrived, one decimal, not capped at 100.
fn reached_percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "0".into();
    }
    let p = part.max(0) as f64 / whole as f64 * 100.0;
    let text = format!("{p:.1}");
    text.strip_suffix(".0").unwrap_or(&text).to_owned()
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct PledgeForm {
    amount_yuan: String,
    donor_kind: String,
    name: String,
    phone: String,
    id_number: String,
    credit_code: String,
    contact: String,
    region_code: String,
    /// A ticked box sends its field; an unticked one sends nothing.
    public_name_consent: Option<String>,
    public_name: String,
    receipt_requested: Option<String>,
    receipt_title: String,
    form_id: String,
}

pub(super) fn blank_to_none(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

async fn pledge_submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PledgeForm>,
) -> AppResult<Response> {
    let (shared, campaign_id, signed_in, token) = (&state, &id, user.as_ref(), &csrf);
    let kept = form.clone();
    let again = |status: axum::http::StatusCode, errors: FormErrors| {
        let typed = kept.clone();
        async move {
            let page = campaign_view(shared, campaign_id, signed_in, token, typed, errors).await?;
            Ok::<Response, AppError>((status, render(&page)?).into_response())
        }
    };
    let unprocessable = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    if let Err(seconds) = state.pledge_limiter.take(peer.ip()) {
        // The person keeps what they typed and learns when to send it again.
        let mut answer = again(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            FormErrors::general(format!(
                "提交过于频繁（同一网络的认捐较多），请 {seconds} 秒后再点“提交认捐”，已填写的内容不会丢失。"
            )),
        )
        .await?;
        answer
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, seconds.into());
        return Ok(answer);
    }
    let amount_fen = match Fen::parse_yuan(&form.amount_yuan) {
        Ok(fen) => fen.0,
        Err(why) => {
            let errors = FormErrors {
                general: Some("请按提示修改后重新提交。".into()),
                fields: vec![("amount_yuan".into(), why.to_owned())],
            };
            return again(unprocessable, errors).await;
        }
    };
    let kind = match form.donor_kind.as_str() {
        "organization" => DonorKind::Organization,
        "anonymous" => DonorKind::Anonymous,
        _ => DonorKind::Individual,
    };
    let request = PledgeRequest {
        campaign_id: id.clone(),
        project_id: None,
        amount_fen,
        donor: DonorInput {
            kind,
            name: blank_to_none(Some(form.name)),
            phone: blank_to_none(Some(form.phone)),
            id_number: blank_to_none(Some(form.id_number)),
            credit_code: blank_to_none(Some(form.credit_code)),
            contact: blank_to_none(Some(form.contact)),
        },
        public_name_consent: form.public_name_consent.is_some(),
        public_name: blank_to_none(Some(form.public_name)),
        receipt_requested: form.receipt_requested.is_some(),
        receipt_title: blank_to_none(Some(form.receipt_title)),
        region_code: blank_to_none(Some(form.region_code)),
    };
    let donor_user = user
        .as_ref()
        .filter(|u| u.role == Role::Donor)
        .map(|u| u.sub.clone());
    // The form's own id is its idempotency key: a double tap pledges once.
    let key = blank_to_none(Some(form.form_id)).filter(|k| k.len() <= 100);
    let outcome =
        pledges::create_once(&state, &request, donor_user.as_deref(), key.as_deref()).await;
    match outcome {
        Ok(Outcome::Fresh(created)) => Ok(Redirect::to(&created.link).into_response()),
        Ok(Outcome::Replayed(first)) => {
            let created: pledges::PledgeCreated =
                serde_json::from_str(&first.body).map_err(AppError::internal)?;
            Ok(Redirect::to(&created.link).into_response())
        }
        Err(AppError::Validation(errors)) => {
            let mut out = FormErrors {
                general: Some("请按提示修改后重新提交。".into()),
                fields: Vec::new(),
            };
            let mut elsewhere = Vec::new();
            for e in errors {
                match form_field(&e.field) {
                    Some(field) => out.fields.push((field.to_owned(), e.message)),
                    None => elsewhere.push(e.message),
                }
            }
            if !elsewhere.is_empty() {
                out.general = Some(elsewhere.join("；"));
            }
            again(unprocessable, out).await
        }
        Err(AppError::Conflict(why)) => again(unprocessable, FormErrors::general(why)).await,
        Err(other) => Err(other),
    }
}

/// The form's field for a field of the pledge request, to show its error beside it.
fn form_field(field: &str) -> Option<&'static str> {
    Some(match field {
        "amount_fen" => "amount_yuan",
        "donor.name" => "name",
        "donor.phone" => "phone",
        "donor.id_number" => "id_number",
        "donor.credit_code" => "credit_code",
        "donor.contact" => "contact",
        "public_name" => "public_name",
        "public_name_consent" => "public_name_consent",
        "receipt_title" => "receipt_title",
        "region_code" => "region_code",
        _ => return None,
    })
}

#[derive(Template)]
#[template(path = "pledge.html")]
struct PledgePage {
    layout: Layout,
    pledge: PledgeView,
    status_label: &'static str,
    amount: String,
    paid: String,
    payments: Vec<(String, String, String)>,
    receipts: Vec<(String, String, &'static str)>,
    token: String,
    /// Where to pay, with the pledge's code as the transfer's note.
    pay: super::payment_settings::PaymentSettings,
    reference: String,
}

async fn pledge_page(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> AppResult<Html<String>> {
    let pledge = pledges::find_by_token(&state.db, &token)
        .await?
        .ok_or(AppError::NotFound("该认捐（链接可能有误）"))?;
    let payments = pledge
        .payments
        .iter()
        .map(|p| {
            (
                p.received_on.to_string(),
                Channel::label(&p.channel).to_owned(),
                yuan(p.amount_fen),
            )
        })
        .collect();
    let receipts = crate::receipts::service::for_pledge(&state.db, &pledge.id)
        .await?
        .into_iter()
        .map(|r| {
            let status = if r.status == "live" {
                "有效"
            } else {
                "已作废"
            };
            (r.id, r.number, status)
        })
        .collect();
    render(&PledgePage {
        pay: super::payment_settings::get(&state.db).await?,
        reference: pledge.reference_code.clone(),
        receipts,
        token: token.clone(),
        layout: Layout::new("我的认捐", user.as_ref(), &csrf),
        status_label: pledges::status_label(&pledge.status),
        amount: yuan(pledge.amount_fen),
        paid: yuan(pledge.paid_fen),
        payments,
        pledge,
    })
}
