use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::routes::state::AppState;

/// About this server.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Info {
    /// Roster's version.
    #[schema(value_type = String, example = "0.1.0")]
    version: &'static str,
    /// Whether `POST /api/v1/register` is open.
    #[schema(example = true)]
    registration_enabled: bool,
    /// Whether this server sends mail: password reset and address confirmation work.
    #[schema(example = true)]
    mail_enabled: bool,
    /// `off`, `optional` (confirmation mails, login allowed) or `required` (login refused
    /// until the address is confirmed).
    #[schema(value_type = String, example = "optional")]
    email_confirmation: &'static str,
}

/// `GET /info`: what a client needs to know before signing in.
#[utoipa::path(
    get,
    path = "/api/v1/info",
    operation_id = "getInfo",
    summary = "Server information",
    description = "Roster's version, whether registration is open, and what mail does. No authentication.",
    tag = "info",
    responses((status = 200, description = "About this server.", body = Info)),
)]
pub async fn info(state: web::Data<AppState>) -> HttpResponse {
    let rules = state.accounts.rules();
    HttpResponse::Ok().json(Info {
        version: env!("CARGO_PKG_VERSION"),
        registration_enabled: rules.registration_open,
        mail_enabled: rules.mail_enabled,
        email_confirmation: rules.email_confirmation.as_str(),
    })
}
