//! Fundraising pages for staff: the admin's campaigns and finance's payments.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;

use super::campaigns::{self, CampaignKind, CampaignView, NewCampaign};
use super::pages::{blank_to_none, yuan};
use super::payments::{self, Channel, NewPayment, PaymentFilter, PaymentView};
use super::pledges::{self, PledgeView};
use crate::error::{AppError, AppResult};
use crate::idempotency::Outcome;
use crate::identity::Role;
use crate::identity::tokens::Claims;
use crate::kernel::Fen;
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::session::{CsrfToken, MaybePageUser};
use crate::web::views::Layout;
use crate::web::{render, require};

/// The staff pages (behind the session layer).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/campaigns", get(admin_campaigns).post(admin_create))
        .route(
            "/admin/campaigns/{id}/close",
            get(admin_close_confirm).post(admin_close),
        )
        .route("/admin/campaigns/{id}/{action}", post(admin_transition))
        .route(
            "/finance/payments",
            get(finance_payments).post(finance_record),
        )
        .route("/finance/payments/{id}/match", post(finance_match))
}

#[derive(Template)]
#[template(path = "admin_campaigns.html")]
struct AdminCampaignsPage {
    layout: Layout,
    rows: Vec<(CampaignView, &'static str, String, String)>,
    error: Option<String>,
    notice: Option<String>,
    /// The campaign about to be closed and what closing it would do.
    confirm_close: Option<(CampaignView, Vec<String>)>,
}

async fn admin_campaigns_page(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    error: Option<String>,
) -> AppResult<Html<String>> {
    render(&admin_campaigns_view(state, user, csrf, error).await?)
}

async fn admin_campaigns_view(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    error: Option<String>,
) -> AppResult<AdminCampaignsPage> {
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
    Ok(AdminCampaignsPage {
        layout: Layout::new("募捐活动", Some(user), csrf),
        rows,
        error,
        notice: None,
        confirm_close: None,
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
        Ok(new) => campaigns::create(&state.db, &user.sub, new)
            .await
            .map(|_| ()),
        Err(why) => Err(AppError::BadRequest(why)),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/admin/campaigns").into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::BadRequest(_))) => {
            let message = e.for_people();
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
    let admin = match require(user.as_ref(), &[Role::Admin]) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    match action.as_str() {
        "open" => campaigns::open(&state.db, &admin.sub, &id).await?,
        _ => return Err(AppError::NotFound("该操作")),
    };
    Ok(Redirect::to("/admin/campaigns").into_response())
}

/// Before a campaign closes: what will happen to its pledges and staff lists, and the
/// button that does it.
async fn admin_close_confirm(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let admin = match require(user.as_ref(), &[Role::Admin]) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    let campaign = campaigns::get(&state.db, &id).await?;
    let mut page = admin_campaigns_view(&state, &admin, &csrf, None).await?;
    if campaign.status != "open" {
        page.error = Some(format!("“{}”不在进行中，不能结束。", campaign.name));
        return Ok((axum::http::StatusCode::CONFLICT, render(&page)?).into_response());
    }
    let preview = campaigns::closing_preview(&state.db, &id).await?;
    let lines = preview
        .describe(true)
        .split('；')
        .map(str::to_owned)
        .collect();
    page.confirm_close = Some((campaign, lines));
    Ok(render(&page)?.into_response())
}

async fn admin_close(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let admin = match require(user.as_ref(), &[Role::Admin]) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    match campaigns::close(&state.db, &admin.sub, &id).await {
        Ok(closed) => {
            let mut page = admin_campaigns_view(&state, &admin, &csrf, None).await?;
            page.notice = Some(format!(
                "已结束“{}”：{}。",
                closed.campaign.name,
                closed.closing.describe(false)
            ));
            Ok(render(&page)?.into_response())
        }
        Err(AppError::Conflict(why)) => Ok((
            axum::http::StatusCode::CONFLICT,
            admin_campaigns_page(&state, &admin, &csrf, Some(why)).await?,
        )
            .into_response()),
        Err(other) => Err(other),
    }
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
    search: String,
    found: Vec<(PledgeView, String, &'static str)>,
}

async fn finance_page(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<Html<String>> {
    render(&finance_view(state, user, csrf, message, error).await?)
}

async fn finance_view(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<FinancePaymentsPage> {
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
    Ok(FinancePaymentsPage {
        layout: Layout::new("到账确认", Some(user), csrf),
        unmatched: rows(unmatched),
        recent: rows(recent),
        today: chrono::Utc::now().date_naive().to_string(),
        message,
        error,
        form_id: crate::ids::random_token(),
        search: String::new(),
        found: Vec::new(),
    })
}

#[derive(Debug, Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

async fn finance_payments(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    axum::extract::Query(query): axum::extract::Query<SearchQuery>,
) -> AppResult<Response> {
    let user = match require(user.as_ref(), &[Role::Finance, Role::Admin, Role::Auditor]) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    let search = query
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(50)
        .collect::<String>();
    let mut page = finance_view(&state, &user, &csrf, None, None).await?;
    if !search.is_empty() {
        let criteria = pledges::PledgeSearch {
            q: Some(search.clone()),
            open_only: true,
            ..Default::default()
        };
        page.found = pledges::search(&state.db, &criteria, 50)
            .await?
            .into_iter()
            .map(|p| {
                let amount = yuan(p.amount_fen);
                let label = pledges::status_label(&p.status);
                (p, amount, label)
            })
            .collect();
        page.search = search;
    }
    Ok(render(&page)?.into_response())
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
    match payments::record_once(&state, &user.sub, &new, key.as_deref()).await {
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
