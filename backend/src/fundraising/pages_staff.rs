//! Fundraising pages for staff: the admin's campaigns (finance's payments are in
//! `pages_finance`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;

use super::campaigns::{self, CampaignKind, CampaignView, NewCampaign};
use super::pages::yuan;
use crate::error::{AppError, AppResult};
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
        .route("/unit/rosters/{id}/withdraw", post(unit_withdraw))
        .merge(super::pages_finance::routes())
}

#[derive(Template)]
#[template(path = "admin_campaigns.html")]
struct AdminCampaignsPage {
    layout: Layout,
    rows: Vec<(CampaignView, &'static str, String, String)>,
    error: Option<String>,
    notice: Option<String>,
    /// Admins change campaigns; finance and auditors only read them.
    can_write: bool,
    /// The campaign about to be closed and what closing it would do.
    confirm_close: Option<(CampaignView, Vec<String>)>,
    /// The new-campaign form as typed, and each bad field's message.
    form: CampaignForm,
    field_errors: Vec<(String, String)>,
}

impl AdminCampaignsPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.field_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

async fn admin_campaigns_page(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    error: Option<String>,
    typed: Option<(CampaignForm, Vec<(String, String)>)>,
) -> AppResult<Html<String>> {
    render(&admin_campaigns_view(state, user, csrf, error, typed).await?)
}

async fn admin_campaigns_view(
    state: &AppState,
    user: &Claims,
    csrf: &str,
    error: Option<String>,
    typed: Option<(CampaignForm, Vec<(String, String)>)>,
) -> AppResult<AdminCampaignsPage> {
    let (form, field_errors) = typed.unwrap_or_default();
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
        can_write: user.role == Role::Admin,
        confirm_close: None,
        form,
        field_errors,
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
    Ok(admin_campaigns_page(&state, &user, &csrf, None, None)
        .await?
        .into_response())
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
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
    let typed = form.clone();
    let parsed = (|| {
        let kind = match form.kind.as_str() {
            "emergency" => CampaignKind::Emergency,
            "project" => CampaignKind::Project,
            _ => CampaignKind::DoubleDay,
        };
        let day = |field: &str, s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| AppError::field(field, "日期格式应为 2026-05-01"))
        };
        Ok::<NewCampaign, AppError>(NewCampaign {
            name: form.name.clone(),
            kind,
            starts_on: day("starts_on", &form.starts_on)?,
            ends_on: day("ends_on", &form.ends_on)?,
            target_fen: Fen::parse_yuan(&form.target_yuan)
                .map_err(|e| AppError::field("target_yuan", e))?
                .0,
            project_id: None,
        })
    })();
    let outcome = match parsed {
        Ok(new) => campaigns::create(&state.db, &user.sub, new)
            .await
            .map(|_| ()),
        Err(why) => Err(why),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/admin/campaigns").into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::BadRequest(_))) => {
            // Each field's message goes beside it; a same-named campaign is the name's.
            let fields = match e {
                AppError::Validation(fields) => fields
                    .into_iter()
                    .map(|f| {
                        let field = if f.field == "target_fen" {
                            "target_yuan".to_owned()
                        } else {
                            f.field
                        };
                        (field, f.message)
                    })
                    .collect(),
                other => vec![("name".to_owned(), other.for_people())],
            };
            let message = Some("新建活动未成功，请按提示修改后重新提交。".to_owned());
            let page =
                admin_campaigns_page(&state, &user, &csrf, message, Some((typed, fields))).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
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
    let mut page = admin_campaigns_view(&state, &admin, &csrf, None, None).await?;
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
            let mut page = admin_campaigns_view(&state, &admin, &csrf, None, None).await?;
            page.notice = Some(format!(
                "已结束“{}”：{}。",
                closed.campaign.name,
                closed.closing.describe(false)
            ));
            Ok(render(&page)?.into_response())
        }
        Err(AppError::Conflict(why)) => Ok((
            axum::http::StatusCode::CONFLICT,
            admin_campaigns_page(&state, &admin, &csrf, Some(why), None).await?,
        )
            .into_response()),
        Err(other) => Err(other),
    }
}

#[derive(Debug, Deserialize)]
struct WithdrawForm {
    reason: Option<String>,
}

/// The coordinator withdraws a list no money has arrived for (beside the unit page).
async fn unit_withdraw(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<WithdrawForm>,
) -> AppResult<Response> {
    let (user, unit) = match super::pages_people::coordinator(&state, user).await {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let done =
        super::roster_status::withdraw(&state.db, &user, &unit.id, &id, form.reason.as_deref())
            .await;
    let (status, notice, error) = match done {
        Ok(r) => (
            axum::http::StatusCode::OK,
            Some(format!(
                "已撤回名单“{}”（{} 人，合计 {}），其金额已从活动统计中扣除。",
                r.file_name,
                r.people,
                Fen(r.total_fen)
            )),
            None,
        ),
        Err(e @ (AppError::Conflict(_) | AppError::Validation(_) | AppError::NotFound(_))) => {
            (e.status(), None, Some(e.for_people()))
        }
        Err(e) => return Err(e),
    };
    let page =
        super::pages_people::unit_view(&state, &user, &unit, &csrf, notice, error, Vec::new())
            .await?;
    Ok((status, page).into_response())
}
