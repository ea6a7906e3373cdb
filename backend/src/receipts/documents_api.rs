//! Certificates and yearly statements over the API.

use axum::extract::{Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{certificate_pdf, certificates, statement};
use crate::error::{AppError, AppResult, Problem};
use crate::extract::ApiQuery;
use crate::fundraising::rosters;
use crate::identity::extract::bearer;
use crate::identity::{CurrentUser, Role};
use crate::ids::token_hash;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(roster_certificates))
        .routes(routes!(pledge_certificate))
        .routes(routes!(yearly_statement))
}

/// A PDF answer.
pub fn pdf(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Renders certificates off the async threads.
pub async fn certificates_pdf(list: Vec<super::certificate::Model>) -> AppResult<Vec<u8>> {
    super::render(move || certificate_pdf::render(&list)).await?
}

/// Every certificate of a paid staff list in one PDF, one page each.
#[utoipa::path(get, path = "/api/v1/units/{id}/rosters/{roster_id}/certificates.pdf", tag = "receipts",
    params(("id" = String, Path, description = "单位 id"), ("roster_id" = String, Path, description = "名单 id")),
    responses((status = 200, description = "PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 409, description = "名单尚未到账", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["unit_coordinator (own unit)", "admin"]))))]
async fn roster_certificates(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, roster_id)): Path<(String, String)>,
) -> AppResult<Response> {
    rosters::may_act_for(&state.db, &user.0, &id).await?;
    let listed = rosters::list_for_unit(&state.db, &id).await?;
    if !listed.iter().any(|r| r.id == roster_id) {
        return Err(AppError::NotFound("该名单"));
    }
    let list = certificates::for_roster(&state.db, &roster_id).await?;
    Ok(pdf(certificates_pdf(list).await?, "certificates"))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PledgeToken {
    /// The pledge's link token.
    token: Option<String>,
}

/// The certificate of a paid gift: for the pledge's link holder, its signed-in donor,
/// finance, admin and auditor.
#[utoipa::path(get, path = "/api/v1/pledges/{id}/certificate.pdf", tag = "receipts",
    params(("id" = String, Path, description = "认捐 id"), PledgeToken),
    responses((status = 200, description = "PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "未找到", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "尚未到账", body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["holder of the pledge's access_token", "its donor", "finance", "admin", "auditor"]))))]
async fn pledge_certificate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PledgeToken>,
    parts: Parts,
) -> AppResult<Response> {
    let claims = bearer(&parts)?.and_then(|t| state.tokens.verify(t).ok());
    let (view, hash) = crate::fundraising::pledges::find(&state.db, &id)
        .await?
        .ok_or(AppError::NotFound("该认捐"))?;
    let staff = claims
        .as_ref()
        .is_some_and(|c| matches!(c.role, Role::Finance | Role::Admin | Role::Auditor));
    let holder = query
        .token
        .as_deref()
        .is_some_and(|t| token_hash(t) == hash);
    let owner = match claims.as_ref().filter(|c| c.role == Role::Donor) {
        Some(c) => crate::fundraising::pledges::of_user(&state.db, &c.sub)
            .await?
            .iter()
            .any(|p| p.id == view.id),
        None => false,
    };
    if !(staff || holder || owner) {
        return Err(AppError::NotFound("该认捐"));
    }
    let certificate = certificates::for_pledge(&state.db, &id).await?;
    let number = certificate.number.clone();
    Ok(pdf(certificates_pdf(vec![certificate]).await?, &number))
}

/// The signed-in donor's gifts and receipts of one year, in one PDF.
#[utoipa::path(get, path = "/api/v1/me/statements/{year}", tag = "receipts",
    params(("year" = i32, Path, description = "年份")),
    responses((status = 200, description = "PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 403, description = "仅限捐赠人", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["donor"]))))]
async fn yearly_statement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<i32>,
) -> AppResult<Response> {
    if user.role() != Role::Donor {
        return Err(AppError::Forbidden);
    }
    let name = crate::identity::service::find_user(&state.db, user.id())
        .await?
        .display_name;
    let bytes = statement::render(&state.db, user.id(), &name, year).await?;
    Ok(pdf(bytes, &format!("statement-{year}")))
}
