//! Where to pay: anyone reads (phone clients show it after a pledge), admins change it.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::fundraising::payment_settings::{self, PaymentSettings, PaymentSettingsInput};
use crate::identity::Authorized;
use crate::identity::extract::AdminOnly;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_payment_settings, put_payment_settings))
}

/// How to pay a pledge: the federation's account and other channels. Write the pledge's
/// `reference_code` (or a staff list's) in the transfer's note.
#[utoipa::path(get, path = "/api/v1/payment-settings", tag = "fundraising",
    responses((status = 200, description = "成功", body = PaymentSettings)),
    extensions(("x-roles" = json!(["anyone"]))))]
async fn get_payment_settings(State(state): State<AppState>) -> AppResult<Json<PaymentSettings>> {
    Ok(Json(payment_settings::get(&state.db).await?))
}

/// Replaces the payment details (audited).
#[utoipa::path(put, path = "/api/v1/payment-settings", tag = "fundraising",
    request_body = PaymentSettingsInput,
    responses(
        (status = 200, description = "已保存", body = PaymentSettings),
    ),
    security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))))]
async fn put_payment_settings(
    State(state): State<AppState>,
    admin: Authorized<AdminOnly>,
    ApiJson(body): ApiJson<PaymentSettingsInput>,
) -> AppResult<Json<PaymentSettings>> {
    Ok(Json(
        payment_settings::update(&state.db, admin.user.id(), &body).await?,
    ))
}
