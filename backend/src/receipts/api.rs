//! Receipt (捐赠收据) endpoints and the public verification page.

use std::net::SocketAddr;

use askama::Template;
use axum::Json;
use axum::extract::ConnectInfo;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::service::{self, Issued, ReceiptView, Verification};
use crate::error::{AppError, AppResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::identity::extract::{FinanceStaff, bearer};
use crate::identity::{Authorized, Role};
use crate::kernel::Fen;
use crate::state::AppState;
use crate::web::render;
use crate::web::session::{CsrfToken, MaybePageUser};
use crate::web::views::Layout;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(issue))
        .routes(routes!(pdf))
        .routes(routes!(void))
        .routes(routes!(reissue))
        .routes(routes!(verify_api))
        .routes(routes!(verify_code_api))
}

/// The payment to acknowledge, and what finance adds to the receipt.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueRequest {
    /// A confirmed, matched payment.
    pub payment_id: String,
    /// 复核人: who reviewed the receipt before it was issued (up to 20 characters);
    /// without one the receipt has a blank line to sign.
    #[serde(default)]
    pub reviewer_name: Option<String>,
    /// 备注 (up to 60 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// Issues the receipt (捐赠收据) of a confirmed payment; asking again returns the same
/// receipt (200).
#[utoipa::path(post, path = "/api/v1/receipts", tag = "receipts",
    request_body = IssueRequest,
    responses((status = 201, description = "已开具", body = ReceiptView),
        (status = 200, description = "该到账已有收据", body = ReceiptView),
        (status = 409, description = "到账未匹配或已冲正", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["finance", "admin"]))))]
async fn issue(
    State(state): State<AppState>,
    caller: Authorized<FinanceStaff>,
    ApiJson(body): ApiJson<IssueRequest>,
) -> AppResult<(StatusCode, Json<ReceiptView>)> {
    let public = &state.config.public_url;
    let extras = service::Extras {
        reviewer_name: body.reviewer_name,
        note: body.note,
    };
    Ok(
        match service::issue(&state.db, caller.user.id(), &body.payment_id, &extras).await? {
            Issued::New(r) => (StatusCode::CREATED, Json(ReceiptView::of(&r, public))),
            Issued::Existing(r) => (StatusCode::OK, Json(ReceiptView::of(&r, public))),
        },
    )
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PledgeToken {
    /// The pledge's link token, for donors without an account.
    token: Option<String>,
}

/// The receipt as a PDF: for finance, admin, auditor, and its donor (the pledge's link
/// token, or the signed-in donor). The donor's first download is the original; every
/// download after it, the donor's or staff's, is marked 副本. Staff downloads before the
/// donor's first are previews: not counted, not marked.
#[utoipa::path(get, path = "/api/v1/receipts/{id}/pdf", tag = "receipts",
    params(("id" = String, Path, description = "收据 id"), PledgeToken),
    responses((status = 200, description = "PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "未找到", body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["its donor", "finance", "admin", "auditor"]))))]
async fn pdf(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PledgeToken>,
    parts: Parts,
) -> AppResult<Response> {
    let claims = bearer(&parts)?.and_then(|t| state.tokens.verify(t).ok());
    let r = service::find(&state.db, &id).await?;
    let staff = claims
        .as_ref()
        .is_some_and(|c| matches!(c.role, Role::Finance | Role::Admin | Role::Auditor));
    let donor = !staff
        && service::donor_may_download(
            &state.db,
            &r,
            query.token.as_deref(),
            claims
                .as_ref()
                .filter(|c| c.role == Role::Donor)
                .map(|c| c.sub.as_str()),
        )
        .await?;
    if !staff && !donor {
        return Err(AppError::NotFound("该收据"));
    }
    pdf_response(&state, &r, donor).await
}

/// Renders the PDF off the async threads and answers it; `by_donor` when its donor
/// downloads it (see [`service::count_download`]).
pub async fn pdf_response(
    state: &AppState,
    r: &super::entity::Model,
    by_donor: bool,
) -> AppResult<Response> {
    let (receipt, copy) = service::count_download(&state.db, &r.id, by_donor).await?;
    let staff = service::staff_rows(&state.db, &receipt).await?;
    let replaces_number = match &receipt.replaces_id {
        Some(id) => Some(service::find(&state.db, id).await?.number),
        None => None,
    };
    let verify_base = format!("{}/verify", state.config.public_url);
    let bytes = super::render(move || {
        super::pdf::render(
            &receipt,
            &super::pdf::Extra {
                verify_base: &verify_base,
                replaces_number: replaces_number.as_deref(),
                copy,
                staff: staff.as_deref(),
            },
        )
    })
    .await??;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.pdf\"", r.number),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Why.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReasonRequest {
    /// 1–500 characters.
    pub reason: String,
}

/// Voids a receipt (作废); its number stays used and its PDF carries the mark.
#[utoipa::path(post, path = "/api/v1/receipts/{id}/void", tag = "receipts",
    params(("id" = String, Path, description = "收据 id")),
    request_body = ReasonRequest,
    responses((status = 200, description = "已作废", body = ReceiptView),
        (status = 409, description = "已作废", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["finance", "admin"]))))]
async fn void(
    State(state): State<AppState>,
    caller: Authorized<FinanceStaff>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonRequest>,
) -> AppResult<Json<ReceiptView>> {
    let r = service::void(&state.db, caller.user.id(), &id, &body.reason).await?;
    Ok(Json(ReceiptView::of(&r, &state.config.public_url)))
}

/// A reissue (换开): why, and what it corrects.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReissueRequest {
    /// 1–500 characters.
    pub reason: String,
    /// The corrected title (抬头), up to 100 characters; kept as the pledge's title.
    #[serde(default)]
    pub title: Option<String>,
    /// The donor's corrected 身份证号 (an individual's pledge), checked as at entry.
    #[serde(default)]
    pub id_number: Option<String>,
    /// The corrected 统一社会信用代码 (an organisation's pledge, or a staff list's unit),
    /// checked as at entry.
    #[serde(default)]
    pub credit_code: Option<String>,
    /// 复核人 of the new receipt (the old one's when left out).
    #[serde(default)]
    pub reviewer_name: Option<String>,
    /// 备注 of the new receipt (the old one's when left out).
    #[serde(default)]
    pub note: Option<String>,
}

/// Reissues (换开): the old receipt is voided and a new number refers to it, printing
/// the number it replaces; the corrections are kept and audited.
#[utoipa::path(post, path = "/api/v1/receipts/{id}/reissue", tag = "receipts",
    params(("id" = String, Path, description = "收据 id")),
    request_body = ReissueRequest,
    responses((status = 201, description = "已换开", body = ReceiptView),
        (status = 409, description = "不能换开", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "输入有误（如身份证号校验位不对）", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["finance", "admin"]))))]
async fn reissue(
    State(state): State<AppState>,
    caller: Authorized<FinanceStaff>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReissueRequest>,
) -> AppResult<(StatusCode, Json<ReceiptView>)> {
    let correction = service::Correction {
        title: body.title,
        id_number: body.id_number,
        credit_code: body.credit_code,
        extras: service::Extras {
            reviewer_name: body.reviewer_name,
            note: body.note,
        },
    };
    let r = service::reissue(
        &state.db,
        &state.vault,
        caller.user.id(),
        &id,
        &body.reason,
        &correction,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReceiptView::of(&r, &state.config.public_url)),
    ))
}

/// Verifies a receipt by the token in its QR code.
#[utoipa::path(get, path = "/api/v1/receipts/verify/{token}", tag = "receipts",
    params(("token" = String, Path, description = "二维码中的令牌")),
    responses((status = 200, description = "收据信息", body = Verification),
        (status = 404, description = "未找到", body = Problem, content_type = "application/problem+json")),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn verify_api(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Json<Verification>> {
    service::verify(&state.db, &token)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound("该收据（二维码或链接可能有误）"))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeQuery {
    /// The 10-character code printed under the QR code (`7K3QD-M2X9P`; any case, the
    /// hyphen optional).
    #[serde(default)]
    pub code: Option<String>,
}

/// Verifies a receipt by the short code printed under its QR code, for whoever cannot
/// scan it. A code whose check character is wrong is refused (422) before any look-up.
/// Look-ups count against the per-address limit of sign-in attempts (a code is guessed
/// as a password would be): 429 past it.
#[utoipa::path(get, path = "/api/v1/receipts/verify", tag = "receipts",
    params(CodeQuery),
    responses((status = 200, description = "收据信息", body = Verification),
        (status = 404, description = "未找到", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "核验码格式或校验位有误", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "尝试过于频繁", body = Problem, content_type = "application/problem+json")),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn verify_code_api(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiQuery(query): ApiQuery<CodeQuery>,
) -> AppResult<Json<Verification>> {
    state.login_limiter.check(peer.ip())?;
    service::verify_code(&state.db, query.code.as_deref().unwrap_or_default())
        .await?
        .map(Json)
        .ok_or(AppError::NotFound("该收据（请核对核验码）"))
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    layout: Layout,
    found: Option<Verification>,
    amount: String,
    /// Whether a receipt was asked for (a token, or a code typed in).
    asked: bool,
    /// The code as typed, shown again in the form.
    code: String,
    /// Why the typed code cannot be one.
    code_error: Option<String>,
}

fn verify_answer(
    user: Option<&crate::identity::tokens::Claims>,
    csrf: &str,
    found: Option<Verification>,
    asked: bool,
    code: String,
    code_error: Option<String>,
) -> AppResult<Response> {
    let status = if asked && found.is_none() && code_error.is_none() {
        StatusCode::NOT_FOUND
    } else if code_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let amount = found
        .as_ref()
        .map(|f| Fen(f.amount_fen).display())
        .unwrap_or_default();
    let page: Html<String> = render(&VerifyPage {
        layout: Layout::new("收据验证", user, csrf),
        found,
        amount,
        asked,
        code,
        code_error,
    })?;
    Ok((status, page).into_response())
}

/// `/verify`: the form to type in the code printed under a receipt's QR code, and
/// `/verify?code=…` its answer.
pub async fn verify_code_page(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiQuery(query): ApiQuery<CodeQuery>,
) -> AppResult<Response> {
    let typed = query.code.unwrap_or_default().trim().to_owned();
    if typed.is_empty() {
        return verify_answer(user.as_ref(), &csrf, None, false, typed, None);
    }
    if let Err(AppError::RateLimited(seconds)) = state.login_limiter.check(peer.ip()) {
        let wait = format!("尝试过于频繁，请 {} 秒后再试", seconds.unwrap_or(60));
        let mut answer = verify_answer(user.as_ref(), &csrf, None, true, typed, Some(wait))?;
        *answer.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(answer);
    }
    match service::verify_code(&state.db, &typed).await {
        Ok(found) => verify_answer(user.as_ref(), &csrf, found, true, typed, None),
        Err(AppError::Validation(errors)) => {
            let message = errors.first().map(|e| e.message.clone());
            verify_answer(user.as_ref(), &csrf, None, true, typed, message)
        }
        Err(e) => Err(e),
    }
}

/// `/verify/{token}`: the page the receipt's QR code opens.
pub async fn verify_page(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let found = service::verify(&state.db, &token).await?;
    verify_answer(user.as_ref(), &csrf, found, true, String::new(), None)
}
