//! Receipt endpoints and the public verification page.

use askama::Template;
use axum::Json;
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
}

/// The payment to acknowledge.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueRequest {
    /// A confirmed, matched payment.
    pub payment_id: String,
}

/// Issues the receipt of a confirmed payment; asking again returns the same receipt (200).
#[utoipa::path(post, path = "/api/v1/receipts", tag = "receipts",
    request_body = IssueRequest,
    responses((status = 201, description = "已开具", body = ReceiptView),
        (status = 200, description = "该到账已有票据", body = ReceiptView),
        (status = 409, description = "到账未匹配或已冲正", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "输入有误", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["finance", "admin"]))))]
async fn issue(
    State(state): State<AppState>,
    caller: Authorized<FinanceStaff>,
    ApiJson(body): ApiJson<IssueRequest>,
) -> AppResult<(StatusCode, Json<ReceiptView>)> {
    let public = &state.config.public_url;
    Ok(
        match service::issue(&state.db, caller.user.id(), &body.payment_id).await? {
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
/// token, or the signed-in donor). Copies after the first download are marked 副本.
#[utoipa::path(get, path = "/api/v1/receipts/{id}/pdf", tag = "receipts",
    params(("id" = String, Path, description = "票据 id"), PledgeToken),
    responses((status = 200, description = "PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "未找到", body = Problem, content_type = "application/problem+json")),
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
        return Err(AppError::NotFound("该票据"));
    }
    pdf_response(&state, &r).await
}

/// Renders the PDF off the async threads and answers it.
pub async fn pdf_response(state: &AppState, r: &super::entity::Model) -> AppResult<Response> {
    let copy = service::count_download(&state.db, &r.id).await?;
    let view = ReceiptView::of(r, &state.config.public_url);
    let receipt = r.clone();
    let bytes =
        tokio::task::spawn_blocking(move || super::pdf::render(&receipt, &view.verify_url, copy))
            .await
            .map_err(AppError::internal)??;
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
    params(("id" = String, Path, description = "票据 id")),
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

/// Reissues (换开): the old receipt is voided and a new number refers to it.
#[utoipa::path(post, path = "/api/v1/receipts/{id}/reissue", tag = "receipts",
    params(("id" = String, Path, description = "票据 id")),
    request_body = ReasonRequest,
    responses((status = 201, description = "已换开", body = ReceiptView),
        (status = 409, description = "不能换开", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["finance", "admin"]))))]
async fn reissue(
    State(state): State<AppState>,
    caller: Authorized<FinanceStaff>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReasonRequest>,
) -> AppResult<(StatusCode, Json<ReceiptView>)> {
    let r = service::reissue(&state.db, caller.user.id(), &id, &body.reason).await?;
    Ok((
        StatusCode::CREATED,
        Json(ReceiptView::of(&r, &state.config.public_url)),
    ))
}

/// Verifies a receipt by the token in its QR code.
#[utoipa::path(get, path = "/api/v1/receipts/verify/{token}", tag = "receipts",
    params(("token" = String, Path, description = "二维码中的令牌")),
    responses((status = 200, description = "票据信息", body = Verification),
        (status = 404, description = "未找到", body = Problem, content_type = "application/problem+json")),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn verify_api(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Json<Verification>> {
    service::verify(&state.db, &token)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound("该票据（二维码或链接可能有误）"))
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    layout: Layout,
    found: Option<Verification>,
    amount: String,
}

/// `/verify/{token}`: the page the receipt's QR code opens.
pub async fn verify_page(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let found = service::verify(&state.db, &token).await?;
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let amount = found
        .as_ref()
        .map(|f| Fen(f.amount_fen).display())
        .unwrap_or_default();
    let page: Html<String> = render(&VerifyPage {
        layout: Layout::new("票据验证", user.as_ref(), &csrf),
        found,
        amount,
    })?;
    Ok((status, page).into_response())
}
