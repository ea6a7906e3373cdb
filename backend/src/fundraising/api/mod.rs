//! JSON endpoints of fundraising.

mod campaigns;
pub mod donors;
mod funds;
mod payment_settings;
mod payments;
mod pledges;
pub mod units;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;

use crate::idempotency::Outcome;
use crate::state::AppState;

/// The fundraising routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(campaigns::routes())
        .merge(pledges::routes())
        .merge(funds::routes())
        .merge(donors::routes())
        .merge(payments::routes())
        .merge(payment_settings::routes())
        .merge(units::routes().layer(axum::extract::DefaultBodyLimit::max(
            units::MAX_UPLOAD_BYTES,
        )))
}

/// 201 with the new thing, or the first answer again for a retried key.
fn created_or_replayed<T: Serialize>(outcome: Outcome<T>) -> Response {
    match outcome {
        Outcome::Fresh(value) => (StatusCode::CREATED, Json(value)).into_response(),
        Outcome::Replayed(first) => {
            let status = StatusCode::from_u16(first.status).unwrap_or(StatusCode::OK);
            let mut response = (status, first.body).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
            response
        }
    }
}
