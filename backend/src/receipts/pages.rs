//! Finance's receipt page: what donors asked for, issue all, void and reissue, download.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::entity::Model as Receipt;
use super::service::{self, Pending};
use crate::error::{AppError, AppResult};
use crate::identity::Role;
use crate::identity::tokens::Claims;
use crate::kernel::Fen;
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::session::{CsrfToken, MaybePageUser};
use crate::web::views::Layout;
use crate::web::{render, require};

/// The receipt pages (behind the session layer).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/finance/receipts", get(page))
        .route("/finance/receipts/issue-all", post(issue_all))
        .route("/finance/receipts/issue/{payment_id}", post(issue_one))
        .route("/finance/receipts/{id}/void", post(void))
        .route("/finance/receipts/{id}/reissue", post(reissue))
        .route("/finance/receipts/{id}/pdf", get(pdf))
}

#[derive(Template)]
#[template(path = "finance_receipts.html")]
struct ReceiptsPage {
    layout: Layout,
    pending: Vec<(Pending, String)>,
    recent: Vec<(Receipt, String)>,
    recent_total: u64,
    filter: ListQuery,
    /// The list's other pages: number, link, whether it is this one.
    pages: Vec<(u64, String, bool)>,
    notice: Option<String>,
    error: Option<String>,
    can_write: bool,
}

fn staff(user: Option<Claims>, write: bool) -> Result<Claims, Box<Response>> {
    let roles: &[Role] = if write {
        &[Role::Finance, Role::Admin]
    } else {
        &[Role::Finance, Role::Admin, Role::Auditor]
    };
    require(user.as_ref(), roles)
}

/// Receipts a page of the list shows.
const PER_PAGE: u64 = 20;

/// The list's filters and page.
#[derive(Debug, Clone, Default, Deserialize)]
struct ListQuery {
    /// `live` or `voided`; empty for all.
    #[serde(default)]
    status: String,
    /// Part of the number or the donor's name.
    #[serde(default)]
    q: String,
    /// From 1.
    page: Option<u64>,
}

impl ListQuery {
    fn href(&self, page: u64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.status.is_empty() {
            pairs.push(("status", self.status.clone()));
        }
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        pairs.push(("page", page.to_string()));
        format!(
            "/finance/receipts?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

async fn view(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    notice: Option<String>,
    error: Option<String>,
) -> AppResult<Html<String>> {
    list_view(state, user, csrf, notice, error, ListQuery::default()).await
}

async fn list_view(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    notice: Option<String>,
    error: Option<String>,
    filter: ListQuery,
) -> AppResult<Html<String>> {
    let pending = service::pending(&state.db, 100)
        .await?
        .into_iter()
        .map(|p| {
            let amount = Fen(p.amount_fen).display();
            (p, amount)
        })
        .collect();
    let status = match filter.status.as_str() {
        s @ ("live" | "voided") => Some(s),
        _ => None,
    };
    let q: String = filter.q.trim().chars().take(50).collect();
    let current = filter.page.unwrap_or(1).max(1);
    let (recent, recent_total) = super::lookup::page(
        &state.db,
        status,
        (!q.is_empty()).then_some(q.as_str()),
        current - 1,
        PER_PAGE,
    )
    .await?;
    let count = recent_total.div_ceil(PER_PAGE);
    let pages = if count > 1 {
        (1..=count)
            .filter(|n| *n <= 3 || *n + 2 >= count || n.abs_diff(current) <= 2)
            .map(|n| (n, filter.href(n), n == current))
            .collect()
    } else {
        Vec::new()
    };
    let recent = recent
        .into_iter()
        .map(|r| {
            let amount = Fen(r.amount_fen).display();
            (r, amount)
        })
        .collect();
    render(&ReceiptsPage {
        layout: Layout::new("捐赠收据", Some(user), csrf),
        pending,
        recent,
        recent_total,
        filter,
        pages,
        notice,
        error,
        can_write: matches!(user.role, Role::Finance | Role::Admin),
    })
}

async fn page(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    axum::extract::Query(filter): axum::extract::Query<ListQuery>,
) -> AppResult<Response> {
    let user = match staff(user, false) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    Ok(list_view(&state, &user, &csrf, None, None, filter)
        .await?
        .into_response())
}

#[derive(Debug, Deserialize)]
struct Empty {}

async fn issue_all(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let user = match staff(user, true) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    let pending = service::pending(&state.db, 500).await?;
    let mut issued = 0;
    let mut refused = Vec::new();
    for p in pending {
        match service::issue(
            &state.db,
            &user.sub,
            &p.payment_id,
            &service::Extras::default(),
        )
        .await
        {
            Ok(service::Issued::New(_)) => issued += 1,
            Ok(service::Issued::Existing(_)) => {}
            Err(e) => refused.push(format!("{}：{}", p.title, e.problem().detail)),
        }
    }
    let notice = Some(format!("已开具 {issued} 张收据。"));
    let error = (!refused.is_empty()).then(|| refused.join("；"));
    Ok(view(&state, &user, &csrf, notice, error)
        .await?
        .into_response())
}

/// Issues the receipt of one pending payment, after finance has looked at it.
async fn issue_one(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(payment_id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let user = match staff(user, true) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    let done = match service::issue(
        &state.db,
        &user.sub,
        &payment_id,
        &service::Extras::default(),
    )
    .await
    {
        Ok(service::Issued::New(r)) => Ok((r, "已开具收据")),
        Ok(service::Issued::Existing(r)) => Ok((r, "该款项已有有效收据")),
        Err(e) => Err(e),
    };
    let (notice, error) = match done {
        Ok((r, what)) => (
            Some(format!(
                "{what} {}（{}，{}）。",
                r.number,
                r.donor_name,
                Fen(r.amount_fen).display()
            )),
            None,
        ),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            (None, Some(e.for_people()))
        }
        Err(e) => return Err(e),
    };
    Ok(view(&state, &user, &csrf, notice, error)
        .await?
        .into_response())
}

#[derive(Debug, Deserialize)]
struct ReasonForm {
    reason: String,
}

/// A reissue from the page: why, and what it corrects (empty fields change nothing).
#[derive(Debug, Deserialize)]
struct ReissueForm {
    reason: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    id_number: Option<String>,
    #[serde(default)]
    credit_code: Option<String>,
}

async fn void(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> AppResult<Response> {
    let user = match staff(user, true) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    let done = service::void(&state.db, &user.sub, &id, &form.reason).await;
    told(&state, &user, &csrf, done, |r| {
        format!("收据 {} 已作废。", r.number)
    })
    .await
}

async fn reissue(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReissueForm>,
) -> AppResult<Response> {
    let user = match staff(user, true) {
        Ok(u) => u,
        Err(r) => return Ok(*r),
    };
    let correction = service::Correction {
        title: form.title,
        id_number: form.id_number,
        credit_code: form.credit_code,
        extras: service::Extras::default(),
    };
    let done = service::reissue(
        &state.db,
        &state.vault,
        &user.sub,
        &id,
        &form.reason,
        &correction,
    )
    .await;
    told(&state, &user, &csrf, done, |r| {
        format!("已换开为新收据 {}。", r.number)
    })
    .await
}

/// The list again, with what a void or reissue did: the notice, or the reason it was
/// refused in plain words (any other error goes up as it is).
async fn told(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    done: AppResult<Receipt>,
    notice: impl FnOnce(&Receipt) -> String,
) -> AppResult<Response> {
    let (notice, error) = match done {
        Ok(r) => (Some(notice(&r)), None),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => (None, Some(e.for_people())),
        Err(e) => return Err(e),
    };
    Ok(view(state, user, csrf, notice, error)
        .await?
        .into_response())
}

async fn pdf(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if let Err(r) = staff(user, false) {
        return Ok(*r);
    }
    let r = service::find(&state.db, &id).await?;
    super::api::pdf_response(&state, &r, false).await
}
