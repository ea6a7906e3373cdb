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
}

async fn campaign_view(
    state: &AppState,
    id: &str,
    user: Option<&Claims>,
    csrf: &str,
    error: Option<String>,
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
        error,
        form_id: crate::ids::random_token(),
        campaign,
    })
}

async fn campaign_page(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    render(&campaign_view(&state, &id, user.as_ref(), &csrf, None).await?)
}

#[derive(Debug, Deserialize)]
struct PledgeForm {
    amount_yuan: String,
    donor_kind: String,
    name: Option<String>,
    phone: Option<String>,
    id_number: Option<String>,
    credit_code: Option<String>,
    contact: Option<String>,
    region_code: Option<String>,
    public_name_consent: Option<String>,
    public_name: Option<String>,
    receipt_requested: Option<String>,
    receipt_title: Option<String>,
    form_id: Option<String>,
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
    if !state.pledge_limiter.allow(peer.ip()) {
        return Err(AppError::RateLimited);
    }
    let again = |message: String| async {
        let page = campaign_view(&state, &id, user.as_ref(), &csrf, Some(message)).await?;
        Ok::<Response, AppError>(
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response(),
        )
    };
    let amount_fen = match Fen::parse_yuan(&form.amount_yuan) {
        Ok(fen) => fen.0,
        Err(why) => return again(format!("金额：{why}")).await,
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
            name: blank_to_none(form.name),
            phone: blank_to_none(form.phone),
            id_number: blank_to_none(form.id_number),
            credit_code: blank_to_none(form.credit_code),
            contact: blank_to_none(form.contact),
        },
        public_name_consent: form.public_name_consent.is_some(),
        public_name: blank_to_none(form.public_name),
        receipt_requested: form.receipt_requested.is_some(),
        receipt_title: blank_to_none(form.receipt_title),
        region_code: blank_to_none(form.region_code),
    };
    let donor_user = user
        .as_ref()
        .filter(|u| u.role == Role::Donor)
        .map(|u| u.sub.clone());
    // The form's own id is its idempotency key: a double tap pledges once.
    let key = blank_to_none(form.form_id).filter(|k| k.len() <= 100);
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
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("{}：{}", field_label(&e.field), e.message))
                .collect();
            again(lines.join("；")).await
        }
        Err(AppError::Conflict(why)) => again(why).await,
        Err(other) => Err(other),
    }
}

fn field_label(field: &str) -> &'static str {
    match field {
        "amount_fen" => "金额",
        "donor.name" => "姓名或单位名称",
        "donor.phone" => "手机号",
        "donor.id_number" => "身份证号",
        "donor.credit_code" => "统一社会信用代码",
        "donor.contact" => "联系人",
        "public_name" => "公开署名",
        "public_name_consent" => "光荣榜",
        "receipt_title" => "收据抬头",
        "region_code" => "所在县(市)区",
        _ => "输入",
    }
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
