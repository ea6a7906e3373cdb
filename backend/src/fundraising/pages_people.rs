//! Pages for donors (sign up, my gifts) and work-unit coordinators (staff lists).

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::api::donors::sign_up_donor;
use super::campaigns::{self, CampaignView};
use super::pledges::{self, PledgeView};
use super::rosters::{self, RosterView};
use crate::error::{AppError, AppResult, RowError};
use crate::identity::Role;
use crate::identity::tokens::Claims;
use crate::kernel::Fen;
use crate::reference::entities::work_unit;
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::session::{self as page_session, CsrfToken, MaybePageUser};
use crate::web::views::Layout;
use crate::web::{render, require_at};

/// The donor and coordinator pages (behind the session layer).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/signup", get(signup_page).post(signup_submit))
        .route("/my/gifts", get(my_gifts))
        .route("/unit", get(unit_page).post(unit_upload))
        .route("/unit/template.xlsx", get(unit_template))
        .route(
            "/unit/rosters/{id}/certificates.pdf",
            get(unit_certificates),
        )
        .route("/unit/rosters/{id}/staff.xlsx", get(unit_staff_xlsx))
        .route("/my/statements/{year}", get(my_statement))
        .layer(axum::extract::DefaultBodyLimit::max(
            super::api::units::MAX_UPLOAD_BYTES,
        ))
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    layout: Layout,
    username: String,
    display_name: String,
    error: Option<String>,
    /// Each bad field's message: (field, message).
    field_errors: Vec<(String, String)>,
}

impl SignupPage {
    /// The message next to a field, if it was wrong.
    fn field_error(&self, field: &str) -> Option<&str> {
        self.field_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

async fn signup_page(CsrfToken(csrf): CsrfToken) -> AppResult<Html<String>> {
    render(&SignupPage {
        layout: Layout::new("注册捐赠人账户", None, &csrf),
        username: String::new(),
        display_name: String::new(),
        error: None,
        field_errors: Vec::new(),
    })
}

#[derive(Debug, Deserialize)]
struct SignupForm {
    username: String,
    password: String,
    display_name: Option<String>,
}

async fn signup_submit(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<SignupForm>,
) -> AppResult<Response> {
    let typed_name: String = form
        .display_name
        .as_deref()
        .unwrap_or("")
        .chars()
        .take(64)
        .collect();
    let display = form.display_name.filter(|d| !d.trim().is_empty());
    match sign_up_donor(&state, form.username.clone(), form.password, display).await {
        Ok(session) => {
            let jar = page_session::set_session(jar, &session, state.config.is_production());
            Ok((jar, Redirect::to("/my/gifts")).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            // A taken name is the username's problem; every other error names its field.
            let field_errors = match e {
                AppError::Validation(fields) => {
                    fields.into_iter().map(|f| (f.field, f.message)).collect()
                }
                other => vec![("username".to_owned(), other.for_people())],
            };
            let page = render(&SignupPage {
                layout: Layout::new("注册捐赠人账户", None, &csrf),
                username: form.username.chars().take(32).collect(),
                display_name: typed_name,
                error: Some("请按提示修改后重新提交。".into()),
                field_errors,
            })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "my_gifts.html")]
struct MyGiftsPage {
    layout: Layout,
    gifts: Vec<(PledgeView, String, String, &'static str)>,
    total_paid: String,
    year: i32,
}

async fn my_gifts(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let user = match require_at(user.as_ref(), &[Role::Donor], "/my/gifts") {
        Ok(u) => u,
        Err(answer) => return Ok(*answer),
    };
    let list = pledges::of_user(&state.db, &user.sub).await?;
    let total: i64 = list.iter().map(|p| p.paid_fen).sum();
    let gifts = list
        .into_iter()
        .map(|p| {
            let amount = Fen(p.amount_fen).display();
            let paid = Fen(p.paid_fen).display();
            let label = pledges::status_label(&p.status);
            (p, amount, paid, label)
        })
        .collect();
    let year = crate::kernel::china_time::this_year();
    Ok(render(&MyGiftsPage {
        layout: Layout::new("我的捐赠", Some(&user), &csrf),
        gifts,
        total_paid: Fen(total).display(),
        year,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    layout: Layout,
    unit_name: String,
    campaigns: Vec<CampaignView>,
    rosters: Vec<(RosterView, String)>,
    notice: Option<String>,
    error: Option<String>,
    bad_rows: Vec<RowError>,
    pay: super::payment_settings::PaymentSettings,
    reference: String,
}

pub(super) async fn coordinator(
    state: &AppState,
    user: Option<Claims>,
) -> Result<(Claims, work_unit::Model), Response> {
    let user = require_at(user.as_ref(), &[Role::UnitCoordinator], "/unit").map_err(|a| *a)?;
    let unit_id = user.unit_id.clone().unwrap_or_default();
    match rosters::may_act_for(&state.db, &user, &unit_id).await {
        Ok(unit) => Ok((user, unit)),
        Err(e) => Err(e.into_response()),
    }
}

pub(super) async fn unit_view(
    state: &AppState,
    user: &Claims,
    unit: &work_unit::Model,
    csrf: &str,
    notice: Option<String>,
    error: Option<String>,
    bad_rows: Vec<RowError>,
) -> AppResult<Html<String>> {
    let (all, _) = campaigns::list(&state.db, 0, 50).await?;
    let rosters = rosters::list_for_unit(&state.db, &unit.id)
        .await?
        .into_iter()
        .map(|r| {
            let total = Fen(r.total_fen).display();
            (r, total)
        })
        .collect::<Vec<_>>();
    // One list awaiting money: its code; several: each list's, shown in the table.
    let awaiting: Vec<&str> = rosters
        .iter()
        .filter(|(r, _)| r.status == "awaiting_payment")
        .map(|(r, _)| r.reference_code.as_str())
        .collect();
    let reference = match awaiting.as_slice() {
        [] => "上传名单后得到的汇款编号".to_owned(),
        [one] => (*one).to_owned(),
        _ => "各名单的汇款编号（见下表）".to_owned(),
    };
    render(&UnitPage {
        layout: Layout::new("双日捐名单", Some(user), csrf),
        unit_name: unit.name.clone(),
        campaigns: all.into_iter().filter(|c| c.status == "open").collect(),
        rosters,
        notice,
        error,
        bad_rows,
        pay: super::payment_settings::get(&state.db).await?,
        reference,
    })
}

async fn unit_page(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let (user, unit) = match coordinator(&state, user).await {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    Ok(
        unit_view(&state, &user, &unit, &csrf, None, None, Vec::new())
            .await?
            .into_response(),
    )
}

async fn unit_template(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
) -> AppResult<Response> {
    if let Err(answer) = coordinator(&state, user).await {
        return Ok(answer);
    }
    let bytes = rosters::template_bytes()?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"roster-template.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn unit_upload(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    mut form: Multipart,
) -> AppResult<Response> {
    let (user, unit) = match coordinator(&state, user).await {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let mut given_csrf = String::new();
    let mut campaign_id = String::new();
    let mut second_list = false;
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("上传内容无法读取，请重新上传。".into()))?
    {
        match field.name() {
            Some("csrf_token") => given_csrf = field.text().await.unwrap_or_default(),
            Some("campaign_id") => campaign_id = field.text().await.unwrap_or_default(),
            Some("second_list") => second_list = !field.text().await.unwrap_or_default().is_empty(),
            Some("file") => {
                let name = field.file_name().unwrap_or("名单").to_owned();
                let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    if given_csrf.is_empty() || !bool::from(given_csrf.as_bytes().ct_eq(csrf.as_bytes())) {
        return Err(AppError::Csrf);
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let page = unit_view(
            &state,
            &user,
            &unit,
            &csrf,
            None,
            Some("请选择要上传的名单文件".into()),
            Vec::new(),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    match rosters::import(
        &state.db,
        &user,
        &unit.id,
        campaign_id.trim(),
        &name,
        &bytes,
        state.config.max_amount_fen,
        second_list,
    )
    .await
    {
        Ok(r) => {
            let notice = format!(
                "已导入 {} 人，合计 {}。请一次汇出合计金额，并在附言中填写汇款编号 {}。",
                r.people,
                Fen(r.total_fen),
                r.reference_code
            );
            Ok(
                unit_view(&state, &user, &unit, &csrf, Some(notice), None, Vec::new())
                    .await?
                    .into_response(),
            )
        }
        Err(AppError::BadRows(rows)) => {
            let message = format!(
                "名单中有 {} 处错误，整份名单未导入。请按下表修改后重新上传。",
                rows.len()
            );
            let page = unit_view(&state, &user, &unit, &csrf, None, Some(message), rows).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::BadRequest(_))) => {
            let message = e.for_people();
            let page =
                unit_view(&state, &user, &unit, &csrf, None, Some(message), Vec::new()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

async fn unit_certificates(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    axum::extract::Path(roster_id): axum::extract::Path<String>,
) -> AppResult<Response> {
    let (_, unit) = match coordinator(&state, user).await {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let listed = rosters::list_for_unit(&state.db, &unit.id).await?;
    if !listed.iter().any(|r| r.id == roster_id) {
        return Err(AppError::NotFound("该名单"));
    }
    let list = crate::receipts::certificates::for_roster(&state.db, &roster_id).await?;
    let bytes = crate::receipts::documents_api::certificates_pdf(list).await?;
    Ok(crate::receipts::documents_api::pdf(bytes, "certificates"))
}

/// The coordinator's list as imported, from the unit page.
async fn unit_staff_xlsx(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    axum::extract::Path(roster_id): axum::extract::Path<String>,
) -> AppResult<Response> {
    let (_, unit) = match coordinator(&state, user).await {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let (_, bytes) = rosters::staff_xlsx(&state.db, &unit.id, &roster_id).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"roster-{roster_id}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn my_statement(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    axum::extract::Path(year): axum::extract::Path<i32>,
) -> AppResult<Response> {
    let user = match require_at(user.as_ref(), &[Role::Donor], "/my/gifts") {
        Ok(u) => u,
        Err(answer) => return Ok(*answer),
    };
    let name = crate::identity::service::find_user(&state.db, &user.sub)
        .await?
        .display_name;
    let bytes = crate::receipts::statement::render(&state.db, &user.sub, &name, year).await?;
    Ok(crate::receipts::documents_api::pdf(
        bytes,
        &format!("statement-{year}"),
    ))
}
