//! HTTP routes. Handlers are thin: parse, call the models on the blocking pool, answer.

pub mod audit_trail;
pub mod blocking;
pub mod body;
pub mod health;
pub mod request_id;
pub mod v1;
pub mod views;

use actix_web::{web, HttpResponse};

use crate::error::ApiError;

/// Registers every route, and JSON answers for unknown paths.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health/live").route(web::get().to(health::live)))
        .service(resource("/health/ready").route(web::get().to(health::ready)))
        .configure(v1::configure)
        .default_service(web::to(route_not_found));
}

/// A resource at `path` whose unsupported methods get a JSON 405.
pub(crate) fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn route_not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::RouteNotFound)
}

async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed)
}
