use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::state::AppState;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Info {
    version: &'static str,
    registration_enabled: bool,
}

/// `GET /info`: what a client needs to know before signing in.
pub async fn info(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(Info {
        version: env!("CARGO_PKG_VERSION"),
        registration_enabled: state.registration_enabled,
    })
}
