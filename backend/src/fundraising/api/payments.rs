//! Payment endpoints: finance records, matches and reverses; the books' readers list.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::created_or_replayed;
use crate::error::{AppError, AppResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::fundraising::payments::{self, NewPayment, PaymentFilter, PaymentView};
use crate::fundraising::pledges::normalize_reference;
use crate::fundraising::roster_remittance;
use crate::identity::Authorized;
use crate::identity::extract::{BookReaders, FinanceStaff};
use crate::pagination::{PageQuery, Paged};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_payment, list_payments))
        .routes(routes!(match_payment))
        .routes(routes!(reverse_payment))
        .routes(routes!(match_payment_to_roster))
}

/// Records money that arrived; a quoted reference code matches it to its pledge at once.
/// Send an `Idempotency-Key` so that a retried import records nothing twice.
#[utoipa::path(post, path = "/api/v1/payments", tag = "fundraising",
    request_body = NewPayment,
    params(("Idempotency-Key" = Option<String>, Header, description = "重试时返回第一次的结果")),
    responses(
        (status = 201, description = "已登记", body = PaymentView),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["finance", "admin"]))))]
async fn record_payment(
    State(state): State<AppState>,
    caller: Authorized<FinanceStaff>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewPayment>,
) -> AppResult<Response> {
    let key = crate::idempotency::key_from(&headers)?;
    let outcome = payments::record_once(&state, caller.user.id(), &body, key.as_deref()).await?;
    Ok(created_or_replayed(outcome))
}

/// Payments, newest first; `status=unmatched` is finance's queue.
#[utoipa::path(get, path = "/api/v1/payments", tag = "fundraising",
    params(PaymentFilter),
    responses(
        (status = 200, description = "成功", body = Paged<PaymentView>),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["finance", "admin", "auditor"]))))]
async fn list_payments(
    State(state): State<AppState>,
    _reader: Authorized<BookReaders>,
    ApiQuery(filter): ApiQuery<PaymentFilter>,
) -> AppResult<Json<Paged<PaymentView>>> {
    let (page, per_page) = PageQuery {
        page: filter.page,
        per_page: filter.per_page,
    }
    .resolve()?;
    let (items, total) = payments::list(&state.db, &filter, page, per_page).await?;
    Ok(Json(Paged {
        items,
        page: page + 1,
        per_page,
        total,
    }))
}

/// The pledge to match a payment to.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MatchRequest {
    /// The pledge's id.
    pub pledge_id: String,
}

/// Matches an unmatched payment to a pledge by hand.
#[utoipa::path(post, path = "/api/v1/payments/{id}/match", tag = "fundraising",
    params(("id" = String, Path, description = "到账 id")),
    request_body = MatchRequest,
    responses(
        (status = 200, description = "已匹配", body = PaymentView),
        (status = 409, description = "已匹配或已冲正", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["finance", "admin"]))))]
async fn match_payment(
    State(state): State<AppState>,
    caller: Authorized<FinanceStaff>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MatchRequest>,
) -> AppResult<Json<PaymentView>> {
    Ok(Json(
        payments::match_once(&state.db, caller.user.id(), &id, &body.pledge_id).await?,
    ))
}

/// Why a payment is reversed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReverseRequest {
    /// The reason, 1–500 characters.
    pub reason: String,
}

/// Reverses a payment: a new negative entry with the reason; never a delete.
#[utoipa::path(post, path = "/api/v1/payments/{id}/reverse", tag = "fundraising",
    params(("id" = String, Path, description = "到账 id")),
    request_body = ReverseRequest,
    responses(
        (status = 201, description = "已冲正", body = PaymentView),
        (status = 409, description = "已冲正过", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["finance", "admin"]))))]
async fn reverse_payment(
    State(state): State<AppState>,
    caller: Authorized<FinanceStaff>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReverseRequest>,
) -> AppResult<(axum::http::StatusCode, Json<PaymentView>)> {
    let view = payments::reverse_once(&state.db, caller.user.id(), &id, &body.reason).await?;
    Ok((axum::http::StatusCode::CREATED, Json(view)))
}

/// The staff list to match a remittance to, by id or by its code.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RosterMatchRequest {
    /// The list's id.
    pub roster_id: Option<String>,
    /// Or its remittance code (`JL…`).
    pub reference_code: Option<String>,
    /// Required `true` when the payment differs from the list's total: finance has
    /// checked the difference with the unit.
    #[serde(default)]
    pub confirm_difference: bool,
}

/// Matches an unmatched remittance to a staff list by hand. A remittance short of or
/// over the list's total is refused with 409 (saying the difference) unless
/// `confirm_difference` is `true`; the list is then paid by it, and the answer's
/// `difference_fen` says by how much it differed.
#[utoipa::path(post, path = "/api/v1/payments/{id}/match-roster", tag = "fundraising",
    params(("id" = String, Path, description = "到账 id")),
    request_body = RosterMatchRequest,
    responses(
        (status = 200, description = "已匹配", body = PaymentView),
        (status = 409, description = "已匹配、已冲正、名单已付或已撤回，或差额未确认", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "名单不存在", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["finance", "admin"]))))]
async fn match_payment_to_roster(
    State(state): State<AppState>,
    caller: Authorized<FinanceStaff>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RosterMatchRequest>,
) -> AppResult<Json<PaymentView>> {
    let roster_id = match (body.roster_id, body.reference_code) {
        (Some(id), _) => id,
        (None, Some(code)) => roster_remittance::by_code(&state.db, &normalize_reference(&code))
            .await?
            .map(|r| r.id)
            .ok_or_else(|| AppError::field("reference_code", "没有这个汇款编号的名单"))?,
        (None, None) => {
            return Err(AppError::field("roster_id", "请给出名单 id 或汇款编号"));
        }
    };
    Ok(Json(
        roster_remittance::match_to_roster_once(
            &state.db,
            caller.user.id(),
            &id,
            &roster_id,
            body.confirm_difference,
        )
        .await?,
    ))
}
