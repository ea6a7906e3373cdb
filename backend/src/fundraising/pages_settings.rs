//! `/admin/payment-settings`: where donors pay, as the admin edits it.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::payment_settings::{self, PaymentSettings, PaymentSettingsInput};
use crate::error::{AppError, AppResult};
use crate::identity::Role;
use crate::state::AppState;
use crate::web::csrf::CsrfForm;
use crate::web::session::{CsrfToken, MaybePageUser};
use crate::web::views::Layout;
use crate::web::{render, require_at};

/// The settings page (behind the session layer).
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/admin/payment-settings",
        get(settings_page).post(settings_submit),
    )
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct SettingsForm {
    account_name: String,
    bank_name: String,
    account_number: String,
    /// One channel a line.
    other_channels: String,
}

#[derive(Template)]
#[template(path = "admin_payment_settings.html")]
struct SettingsPage {
    layout: Layout,
    form: SettingsForm,
    pay: PaymentSettings,
    notice: Option<String>,
    error: Option<String>,
    field_errors: Vec<(String, String)>,
}

impl SettingsPage {
    fn field_error(&self, field: &str) -> Option<&str> {
        self.field_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn form_of(pay: &PaymentSettings) -> SettingsForm {
    SettingsForm {
        account_name: pay.account_name.clone(),
        bank_name: pay.bank_name.clone(),
        account_number: pay.account_number.clone(),
        other_channels: pay.other_channels.join("\n"),
    }
}

async fn settings_page(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let user = match require_at(user.as_ref(), &[Role::Admin], "/admin/payment-settings") {
        Ok(u) => u,
        Err(answer) => return Ok(*answer),
    };
    let pay = payment_settings::get(&state.db).await?;
    Ok(render(&SettingsPage {
        layout: Layout::new("收款账户", Some(&user), &csrf),
        form: form_of(&pay),
        pay,
        notice: None,
        error: None,
        field_errors: Vec::new(),
    })?
    .into_response())
}

async fn settings_submit(
    State(state): State<AppState>,
    MaybePageUser(user): MaybePageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> AppResult<Response> {
    let user = match require_at(user.as_ref(), &[Role::Admin], "/admin/payment-settings") {
        Ok(u) => u,
        Err(answer) => return Ok(*answer),
    };
    let input = PaymentSettingsInput {
        account_name: form.account_name.clone(),
        bank_name: form.bank_name.clone(),
        account_number: form.account_number.clone(),
        other_channels: form.other_channels.lines().map(str::to_owned).collect(),
    };
    match payment_settings::update(&state.db, &user.sub, &input).await {
        Ok(pay) => Ok(render(&SettingsPage {
            layout: Layout::new("收款账户", Some(&user), &csrf),
            form: form_of(&pay),
            pay,
            notice: Some("已保存。认捐页面和单位页面即刻显示新的收款账户。".into()),
            error: None,
            field_errors: Vec::new(),
        })?
        .into_response()),
        Err(AppError::Validation(fields)) => {
            let page = render(&SettingsPage {
                layout: Layout::new("收款账户", Some(&user), &csrf),
                pay: payment_settings::get(&state.db).await?,
                form,
                notice: None,
                error: Some("未保存，请按提示修改后重新提交。".into()),
                field_errors: fields.into_iter().map(|f| (f.field, f.message)).collect(),
            })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}
