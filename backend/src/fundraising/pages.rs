//! Fundraising pages: the public campaign page with its pledge form, the donor's private
//! pledge page, the admin's campaigns and finance's payments.

use std::net::SocketAddr;

use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;

use super::campaigns::{self, CampaignKind, CampaignView, NewCampaign, Progress};
use super::payments::{self, Channel, NewPayment, PaymentFilter, PaymentView};
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
        .route("/admin/campaigns", get(admin_campaigns).post(admin_create))
        .route("/admin/campaigns/{id}/{action}", post(admin_transition))
        .route(
            "/finance/payments",
            get(finance_payments).post(finance_record),
        )
        .route("/finance/payments/{id}/match", post(finance_match))
}

/// Money for people: `¥1,234.56`.
fn yuan(fen: i64) -> String {
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

fn blank_to_none(v: Option<String>) -> Option<String> {
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
    let outcome = pledges::create_once(
        &state.db,
        &state.vault,
        &request,
        state.config.max_amount_fen,
        donor_user.as_deref(),
        key.as_deref(),
    )
    .await;
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
        "receipt_title" => "票据抬头",
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
    render(&PledgePage {
        layout: Layout::new("我的认捐", user.as_ref(), &csrf),
        status_label: pledges::status_label(&pledge.status),
        amount: yuan(pledge.amount_fen),
        paid: yuan(pledge.paid_fen),
        payments,
        pledge,
    })
}

/// The signed-in person if their role is among `roles`; otherwise the answer to give:
/// sign in first, or 403.
fn require(user: Option<&Claims>, roles: &[Role]) -> Result<Claims, Box<Response>> {
    match user {
        Some(u) if roles.contains(&u.role) => Ok(u.clone()),
        Some(_) => Err(Box::new(AppError::Forbidden.into_response())),
        None => Err(Box::new(Redirect::to("/login").into_response())),
    }
}

#[derive(Template)]
#[template(path = "admin_campaigns.html")]
struct AdminCampaignsPage {
    layout: Layout,
    rows: Vec<(CampaignView, &'static str, String, String)>,
    error: Option<String>,
}

async fn admin_campaigns_page(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    error: Option<String>,
) -> AppResult<Html<String>> {
    let (list, _) = campaigns::list(&state.db, 0, 200).await?;
    let mut rows = Vec::with_capacity(list.len());
    for c in list {
        let progress = campaigns::progress(&state.db, &c.id).await?;
        let label = CampaignKind::label(&c.kind);
        rows.push((
            c,
            label,
            yuan(progress.raised_fen),
            yuan(progress.pledged_unpaid_fen),
        ));
    }
    render(&AdminCampaignsPage {
        layout: Layout::new("募捐活动", Some(user), csrf),
        rows,
        error,
    })
}

async fn admin_campaigns(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let user = match require(user.as_ref(), &[Role::Admin, Role::Auditor, Role::Finance]) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    Ok(admin_campaigns_page(&state, &user, &csrf, None)
        .await?
        .into_response())
}

#[derive(Debug, Deserialize)]
struct CampaignForm {
    name: String,
    kind: String,
    starts_on: String,
    ends_on: String,
    target_yuan: String,
}

async fn admin_create(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<CampaignForm>,
) -> AppResult<Response> {
    let user = match require(user.as_ref(), &[Role::Admin]) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    let parsed = (|| {
        let kind = match form.kind.as_str() {
            "emergency" => CampaignKind::Emergency,
            "project" => CampaignKind::Project,
            _ => CampaignKind::DoubleDay,
        };
        let day = |s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| "日期格式应为 2026-05-01".to_owned())
        };
        Ok::<NewCampaign, String>(NewCampaign {
            name: form.name.clone(),
            kind,
            starts_on: day(&form.starts_on)?,
            ends_on: day(&form.ends_on)?,
            target_fen: Fen::parse_yuan(&form.target_yuan)
                .map_err(|e| format!("目标金额：{e}"))?
                .0,
            project_id: None,
        })
    })();
    let outcome = match parsed {
        Ok(new) => campaigns::create(&state.db, new).await.map(|_| ()),
        Err(why) => Err(AppError::BadRequest(why)),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/admin/campaigns").into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::BadRequest(_))) => {
            let message = match &e {
                AppError::Validation(errors) => errors
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
                other => other.problem().detail,
            };
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                admin_campaigns_page(&state, &user, &csrf, Some(message)).await?,
            )
                .into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Deserialize)]
struct EmptyForm {}

async fn admin_transition(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    Path((id, action)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    if let Err(r) = require(user.as_ref(), &[Role::Admin]) {
        return Ok(*r);
    }
    match action.as_str() {
        "open" => campaigns::open(&state.db, &id).await?,
        "close" => campaigns::close(&state.db, &id).await?,
        _ => return Err(AppError::NotFound("该操作")),
    };
    Ok(Redirect::to("/admin/campaigns").into_response())
}

#[derive(Template)]
#[template(path = "finance_payments.html")]
struct FinancePaymentsPage {
    layout: Layout,
    unmatched: Vec<(PaymentView, String, &'static str)>,
    recent: Vec<(PaymentView, String, &'static str)>,
    today: String,
    message: Option<String>,
    error: Option<String>,
    form_id: String,
}

async fn finance_page(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Html<String>> {
    let rows = |list: Vec<PaymentView>| {
        list.into_iter()
            .map(|p| {
                let amount = yuan(p.amount_fen);
                let channel = Channel::label(&p.channel);
                (p, amount, channel)
            })
            .collect::<Vec<_>>()
    };
    let unmatched_filter = PaymentFilter {
        status: Some("unmatched".into()),
        ..PaymentFilter::default()
    };
    let (unmatched, _) = payments::list(&state.db, &unmatched_filter, 0, 100).await?;
    let (recent, _) = payments::list(&state.db, &PaymentFilter::default(), 0, 20).await?;
    render(&FinancePaymentsPage {
        layout: Layout::new("到账确认", Some(user), csrf),
        unmatched: rows(unmatched),
        recent: rows(recent),
        today: chrono::Utc::now().date_naive().to_string(),
        message,
        error,
        form_id: crate::ids::random_token(),
    })
}

async fn finance_payments(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let user = match require(user.as_ref(), &[Role::Finance, Role::Admin, Role::Auditor]) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    Ok(finance_page(&state, &user, &csrf, None, None)
        .await?
        .into_response())
}

#[derive(Debug, Deserialize)]
struct PaymentForm {
    amount_yuan: String,
    channel: String,
    received_on: String,
    payer_reference: Option<String>,
    reference_code: Option<String>,
    form_id: Option<String>,
}

async fn finance_record(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<PaymentForm>,
) -> AppResult<Response> {
    let user = match require(user.as_ref(), &[Role::Finance, Role::Admin]) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    let channel = match form.channel.as_str() {
        "cash" => Channel::Cash,
        "wechat_pay" => Channel::WechatPay,
        "alipay" => Channel::Alipay,
        "payroll" => Channel::Payroll,
        _ => Channel::BankTransfer,
    };
    let parsed = Fen::parse_yuan(&form.amount_yuan)
        .map_err(|e| format!("金额：{e}"))
        .and_then(|fen| {
            NaiveDate::parse_from_str(form.received_on.trim(), "%Y-%m-%d")
                .map(|day| (fen, day))
                .map_err(|_| "到账日期格式应为 2026-11-20".to_owned())
        });
    let (fen, day) = match parsed {
        Ok(v) => v,
        Err(why) => {
            return Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                finance_page(&state, &user, &csrf, None, Some(why)).await?,
            )
                .into_response());
        }
    };
    let new = NewPayment {
        amount_fen: fen.0,
        channel,
        received_on: day,
        payer_reference: blank_to_none(form.payer_reference),
        reference_code: blank_to_none(form.reference_code),
    };
    let key = blank_to_none(form.form_id).filter(|k| k.len() <= 100);
    match payments::record_once(
        &state.db,
        &user.sub,
        &new,
        state.config.max_amount_fen,
        key.as_deref(),
    )
    .await
    {
        Ok(outcome) => {
            let view: PaymentView = match outcome {
                Outcome::Fresh(v) => v,
                Outcome::Replayed(first) => {
                    serde_json::from_str(&first.body).map_err(AppError::internal)?
                }
            };
            let message = if view.status == "matched" {
                format!("已登记 {}，已按认捐编号自动匹配。", yuan(view.amount_fen))
            } else {
                format!(
                    "已登记 {}，未找到对应认捐，已放入待匹配列表。",
                    yuan(view.amount_fen)
                )
            };
            Ok(finance_page(&state, &user, &csrf, Some(message), None)
                .await?
                .into_response())
        }
        Err(AppError::Validation(errors)) => {
            let why = errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("；");
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                finance_page(&state, &user, &csrf, None, Some(why)).await?,
            )
                .into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Deserialize)]
struct MatchForm {
    reference_code: String,
}

async fn finance_match(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<MatchForm>,
) -> AppResult<Response> {
    let user = match require(user.as_ref(), &[Role::Finance, Role::Admin]) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    let Some(pledge_id) = pledges::id_by_reference(&state.db, &form.reference_code).await? else {
        let why = format!("未找到认捐编号 {}", form.reference_code.trim());
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            finance_page(&state, &user, &csrf, None, Some(why)).await?,
        )
            .into_response());
    };
    match payments::match_once(&state.db, &user.sub, &id, &pledge_id).await {
        Ok(view) => {
            let message = format!(
                "已将 {} 匹配到认捐 {}。",
                yuan(view.amount_fen),
                form.reference_code.trim()
            );
            Ok(finance_page(&state, &user, &csrf, Some(message), None)
                .await?
                .into_response())
        }
        Err(AppError::Conflict(why)) => Ok((
            axum::http::StatusCode::CONFLICT,
            finance_page(&state, &user, &csrf, None, Some(why)).await?,
        )
            .into_response()),
        Err(other) => Err(other),
    }
}
