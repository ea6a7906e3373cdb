//! Finance's payments page: record money (a payment beyond what its pledge owes only after
//! a warning), match it to a pledge or a staff list (a list's difference only once
//! confirmed), reverse it with a reason, find pledges by name or code and match from the
//! results; the queue and the list are paginated and the list filterable.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;

use super::pages::{blank_to_none, yuan};
use super::payments::{self, Channel, NewPayment, PaymentFilter, PaymentView};
use super::pledges::{self, PledgeView};
use super::roster_remittance;
use super::rosters::RosterView;
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

/// Rows a page of the queue or the list shows.
const PER_PAGE: u64 = 20;

/// The payments pages (behind the session layer).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/finance/payments",
            get(finance_payments).post(finance_record),
        )
        .route("/finance/payments/match", post(finance_match_chosen))
        .route("/finance/payments/{id}/match", post(finance_match))
        .route("/finance/payments/{id}/reverse", post(finance_reverse))
}

/// A payment as a row shows it: the payment, its amount and channel in words, whether it
/// may still be reversed.
pub struct Row {
    p: PaymentView,
    amount: String,
    channel: &'static str,
    reversible: bool,
}

/// A confirmation finance is asked for before a payment is recorded or matched.
pub struct Confirm {
    /// What is about to happen and why it needs a second look.
    warning: String,
    /// Where the confirmed form posts.
    action: String,
    /// The form's fields, sent again with the confirmation.
    fields: Vec<(&'static str, String)>,
    /// The button's words.
    button: &'static str,
}

/// A page number and the query that leads to it.
pub struct PageLink {
    number: u64,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "finance_payments.html")]
struct FinancePaymentsPage {
    layout: Layout,
    can_write: bool,
    unmatched: Vec<Row>,
    unmatched_total: u64,
    unmatched_pages: Vec<PageLink>,
    recent: Vec<Row>,
    recent_total: u64,
    recent_pages: Vec<PageLink>,
    filter: ListQuery,
    today: String,
    message: Option<String>,
    error: Option<String>,
    confirm: Option<Confirm>,
    form_id: String,
    search: String,
    found: Vec<(PledgeView, String, String, &'static str)>,
    found_list: Option<(RosterView, String)>,
    /// The queue's payments to choose from when matching a search result.
    choices: Vec<(String, String)>,
}

/// The page's query: the search, the list's filters, the pages of the queue and the list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    /// The pledge search: a donor's name or a reference code.
    #[serde(default)]
    q: String,
    /// The list's status filter.
    #[serde(default)]
    status: String,
    /// The list's amount filter, in yuan.
    #[serde(default)]
    amount: String,
    /// The list's day filter.
    #[serde(default)]
    received_on: String,
    /// The list's payer filter.
    #[serde(default)]
    payer: String,
    /// The list's page, from 1.
    page: Option<u64>,
    /// The queue's page, from 1.
    qpage: Option<u64>,
}

impl ListQuery {
    fn to_filter(&self) -> Result<PaymentFilter, String> {
        let status = match self.status.as_str() {
            "" => None,
            s @ ("unmatched" | "matched" | "reversal") => Some(s.to_owned()),
            _ => return Err("状态筛选无效".into()),
        };
        let amount_fen = match self.amount.trim() {
            "" => None,
            a => Some(Fen::parse_yuan(a).map_err(|e| format!("金额筛选：{e}"))?.0),
        };
        let received_on = match self.received_on.trim() {
            "" => None,
            d => Some(
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| "日期筛选格式应为 2026-11-20".to_owned())?,
            ),
        };
        Ok(PaymentFilter {
            status,
            amount_fen,
            received_on,
            q: blank_to_none(Some(self.payer.chars().take(100).collect())),
            page: None,
            per_page: None,
        })
    }

    /// The query string for the same view on another page of the list or the queue.
    fn href(&self, page: Option<u64>, qpage: Option<u64>) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("q", &self.q),
            ("status", &self.status),
            ("amount", &self.amount),
            ("received_on", &self.received_on),
            ("payer", &self.payer),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| (key, value.clone()))
        .collect();
        if let Some(p) = page.or(self.page).filter(|p| *p > 1) {
            pairs.push(("page", p.to_string()));
        }
        if let Some(p) = qpage.or(self.qpage).filter(|p| *p > 1) {
            pairs.push(("qpage", p.to_string()));
        }
        format!(
            "/finance/payments?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

fn pages(total: u64, current: u64, link: impl Fn(u64) -> String) -> Vec<PageLink> {
    let count = total.div_ceil(PER_PAGE);
    if count <= 1 {
        return Vec::new();
    }
    (1..=count)
        .filter(|n| *n <= 3 || *n + 2 >= count || n.abs_diff(current) <= 2)
        .map(|number| PageLink {
            number,
            href: link(number),
            current: number == current,
        })
        .collect()
}

async fn rows(state: &AppState, list: Vec<PaymentView>) -> AppResult<Vec<Row>> {
    let ids: Vec<String> = list.iter().map(|p| p.id.clone()).collect();
    let reversed = super::payment_queue::reversed_among(&state.db, &ids).await?;
    Ok(list
        .into_iter()
        .map(|p| Row {
            amount: yuan(p.amount_fen),
            channel: Channel::label(&p.channel),
            reversible: p.status != "reversal" && !reversed.contains(&p.id),
            p,
        })
        .collect())
}

async fn finance_view(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    query: ListQuery,
) -> AppResult<FinancePaymentsPage> {
    let mut error = None;
    let filter = query.to_filter().unwrap_or_else(|why| {
        error = Some(why);
        PaymentFilter::default()
    });
    let unmatched_filter = PaymentFilter {
        status: Some("unmatched".into()),
        ..PaymentFilter::default()
    };
    let qpage = query.qpage.unwrap_or(1).max(1);
    let (unmatched, unmatched_total) =
        payments::list(&state.db, &unmatched_filter, qpage - 1, PER_PAGE).await?;
    let page = query.page.unwrap_or(1).max(1);
    let (recent, recent_total) = payments::list(&state.db, &filter, page - 1, PER_PAGE).await?;
    let (queue, _) = payments::list(&state.db, &unmatched_filter, 0, 100).await?;
    let choices = queue
        .into_iter()
        .map(|p| {
            let label = format!(
                "{} {} {}",
                p.received_on,
                yuan(p.amount_fen),
                p.payer_reference.as_deref().unwrap_or("")
            );
            (p.id, label)
        })
        .collect();
    Ok(FinancePaymentsPage {
        layout: Layout::new("到账确认", Some(user), csrf),
        can_write: matches!(user.role, Role::Finance | Role::Admin),
        unmatched: rows(state, unmatched).await?,
        unmatched_pages: pages(unmatched_total, qpage, |n| query.href(None, Some(n))),
        unmatched_total,
        recent: rows(state, recent).await?,
        recent_pages: pages(recent_total, page, |n| query.href(Some(n), None)),
        recent_total,
        filter: query,
        today: chrono::Utc::now().date_naive().to_string(),
        message: None,
        error,
        confirm: None,
        form_id: crate::ids::random_token(),
        search: String::new(),
        found: Vec::new(),
        found_list: None,
        choices,
    })
}

async fn finance_payments(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let user = match require(user.as_ref(), &[Role::Finance, Role::Admin, Role::Auditor]) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    let search = query.q.trim().chars().take(50).collect::<String>();
    let mut page = finance_view(&state, &user, &csrf, query).await?;
    if !search.is_empty() {
        let criteria = pledges::PledgeSearch {
            q: Some(search.clone()),
            ..Default::default()
        };
        page.found = pledges::search(&state.db, &criteria, 50)
            .await?
            .into_iter()
            .map(|p| {
                let amount = yuan(p.amount_fen);
                let owed = yuan((p.amount_fen - p.paid_fen).max(0));
                let label = pledges::status_label(&p.status);
                (p, amount, owed, label)
            })
            .collect();
        let code = pledges::normalize_reference(&search);
        page.found_list = roster_remittance::by_code(&state.db, &code)
            .await?
            .map(|r| {
                let total = yuan(r.total_fen);
                (RosterView::from(r), total)
            });
        page.search = search;
    }
    Ok(render(&page)?.into_response())
}

/// The page again after an action: its notice or its error, and the status.
async fn answer(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    status: StatusCode,
    message: Option<String>,
    error: Option<String>,
    confirm: Option<Confirm>,
) -> AppResult<Response> {
    let mut page = finance_view(state, user, csrf, ListQuery::default()).await?;
    page.message = message;
    page.error = error.or(page.error);
    page.confirm = confirm;
    Ok((status, render(&page)?).into_response())
}

#[derive(Debug, Deserialize)]
struct PaymentForm {
    amount_yuan: String,
    channel: String,
    received_on: String,
    payer_reference: Option<String>,
    reference_code: Option<String>,
    form_id: Option<String>,
    /// Present once finance confirmed a payment beyond what its pledge owes.
    confirm_overpaid: Option<String>,
}

/// How much the pledge with this code still owes, if a pledge has it.
async fn owed_by(state: &AppState, code: &str) -> AppResult<Option<(String, i64)>> {
    let Some(id) = pledges::id_by_reference(&state.db, code).await? else {
        return Ok(None);
    };
    Ok(pledges::find(&state.db, &id)
        .await?
        .map(|(p, _)| (p.reference_code, (p.amount_fen - p.paid_fen).max(0))))
}

fn overpaid_warning(code: &str, amount_fen: i64, owed_fen: i64) -> String {
    format!(
        "本笔 {} 超过认捐 {code} 尚欠的 {}，将多付 {}。请核对金额；确认后款项全额入账。",
        Fen(amount_fen),
        Fen(owed_fen),
        Fen(amount_fen - owed_fen)
    )
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
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return answer(&state, &user, &csrf, status, None, Some(why), None).await;
        }
    };
    let code = blank_to_none(form.reference_code.clone());
    if form.confirm_overpaid.is_none()
        && let Some(code) = &code
        && let Some((code, owed)) = owed_by(&state, code).await?
        && fen.0 > owed
    {
        let confirm = Confirm {
            warning: overpaid_warning(&code, fen.0, owed),
            action: "/finance/payments".into(),
            fields: vec![
                ("amount_yuan", form.amount_yuan.clone()),
                ("channel", form.channel.clone()),
                ("received_on", form.received_on.clone()),
                (
                    "payer_reference",
                    form.payer_reference.clone().unwrap_or_default(),
                ),
                ("reference_code", code),
                ("form_id", form.form_id.clone().unwrap_or_default()),
                ("confirm_overpaid", "1".into()),
            ],
            button: "确认多付并登记",
        };
        return answer(
            &state,
            &user,
            &csrf,
            StatusCode::OK,
            None,
            None,
            Some(confirm),
        )
        .await;
    }
    let new = NewPayment {
        amount_fen: fen.0,
        channel,
        received_on: day,
        payer_reference: blank_to_none(form.payer_reference),
        reference_code: code,
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
            let mut message = if view.status == "matched" {
                let by = if view.roster_id.is_some() {
                    "名单"
                } else {
                    "认捐"
                };
                format!("已登记 {}，已按{by}编号自动匹配。", yuan(view.amount_fen))
            } else {
                format!(
                    "已登记 {}，未自动匹配，已放入待匹配列表。",
                    yuan(view.amount_fen)
                )
            };
            for extra in [&view.warning, &view.note].into_iter().flatten() {
                message.push_str(extra);
                message.push('。');
            }
            answer(
                &state,
                &user,
                &csrf,
                StatusCode::OK,
                Some(message),
                None,
                None,
            )
            .await
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            // 422 for a bad field, 409 for a state that refuses it (a reused key).
            let status = e.status();
            answer(
                &state,
                &user,
                &csrf,
                status,
                None,
                Some(e.for_people()),
                None,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Deserialize)]
struct MatchForm {
    reference_code: String,
    /// Present once finance confirmed an overpayment or a staff list's difference.
    confirmed: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ChosenMatchForm {
    payment_id: String,
    reference_code: String,
    confirmed: Option<String>,
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
    match_by_code(
        &state,
        &user,
        &csrf,
        &id,
        &form.reference_code,
        form.confirmed.is_some(),
    )
    .await
}

/// A search result matched to a payment chosen from the queue.
async fn finance_match_chosen(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<ChosenMatchForm>,
) -> AppResult<Response> {
    let user = match require(user.as_ref(), &[Role::Finance, Role::Admin]) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    let confirmed = form.confirmed.is_some();
    match_by_code(
        &state,
        &user,
        &csrf,
        &form.payment_id,
        &form.reference_code,
        confirmed,
    )
    .await
}

/// Matches a payment to the pledge or the staff list a code names; asks first when the
/// payment is more than the pledge owes or differs from the list's total.
async fn match_by_code(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    payment_id: &str,
    code: &str,
    confirmed: bool,
) -> AppResult<Response> {
    let code = pledges::normalize_reference(code);
    let amount = super::payment_queue::amount_of(&state.db, payment_id).await?;
    let confirm = |warning: String, button| Confirm {
        warning,
        action: format!("/finance/payments/{payment_id}/match"),
        fields: vec![("reference_code", code.clone()), ("confirmed", "1".into())],
        button,
    };
    let done = if let Some(pledge_id) = pledges::id_by_reference(&state.db, &code).await? {
        if !confirmed
            && let Some((_, owed)) = owed_by(state, &code).await?
            && amount > owed
        {
            let warning = overpaid_warning(&code, amount, owed);
            let ask = confirm(warning, "确认多付并匹配");
            return answer(state, user, csrf, StatusCode::OK, None, None, Some(ask)).await;
        }
        payments::match_once(&state.db, &user.sub, payment_id, &pledge_id)
            .await
            .map(|v| (v, format!("认捐 {code}")))
    } else if let Some(list) = roster_remittance::by_code(&state.db, &code).await? {
        let difference = roster_remittance::difference_note(&list, amount);
        if !confirmed && let Some(note) = difference {
            let warning =
                format!("{note}。请与单位核对；确认后名单按本笔金额结清，差额会记录在案。");
            let ask = confirm(warning, "确认差额并匹配到名单");
            return answer(state, user, csrf, StatusCode::OK, None, None, Some(ask)).await;
        }
        roster_remittance::match_to_roster_once(&state.db, &user.sub, payment_id, &list.id, true)
            .await
            .map(|v| (v, format!("名单 {code}")))
    } else {
        let why = format!("未找到认捐或名单编号 {code}");
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return answer(state, user, csrf, status, None, Some(why), None).await;
    };
    match done {
        Ok((view, to)) => {
            let mut message = format!("已将 {} 匹配到{to}。", yuan(view.amount_fen));
            for extra in [&view.warning, &view.note].into_iter().flatten() {
                message.push_str(extra);
                message.push('。');
            }
            answer(state, user, csrf, StatusCode::OK, Some(message), None, None).await
        }
        Err(e @ (AppError::Conflict(_) | AppError::Validation(_) | AppError::NotFound(_))) => {
            let status = e.status();
            answer(state, user, csrf, status, None, Some(e.for_people()), None).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Deserialize)]
struct ReverseForm {
    reason: String,
}

async fn finance_reverse(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReverseForm>,
) -> AppResult<Response> {
    let user = match require(user.as_ref(), &[Role::Finance, Role::Admin]) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    match payments::reverse_once(&state.db, &user.sub, &id, &form.reason).await {
        Ok(view) => {
            let message = format!(
                "已冲正 {}（原因：{}）。",
                yuan(-view.amount_fen),
                form.reason.trim()
            );
            answer(
                &state,
                &user,
                &csrf,
                StatusCode::OK,
                Some(message),
                None,
                None,
            )
            .await
        }
        Err(e @ (AppError::Conflict(_) | AppError::Validation(_) | AppError::NotFound(_))) => {
            let status = e.status();
            answer(
                &state,
                &user,
                &csrf,
                status,
                None,
                Some(e.for_people()),
                None,
            )
            .await
        }
        Err(other) => Err(other),
    }
}
