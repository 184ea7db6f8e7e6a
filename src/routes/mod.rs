//! The HTTP door. Handlers parse the request into domain types, call one function of the
//! accounts layer, and map its answer to HTTP (errors in one place: `error`).

pub mod body;
pub mod console;
pub mod cookie;
pub mod error;
pub mod extractors;
pub mod health;
pub mod openapi;
pub mod request_id;
pub mod responses;
pub mod scim;
pub mod state;
pub mod v1;

use actix_web::{web, HttpResponse};
use serde::Serialize;

use crate::domain::Page;
use error::ApiError;
use state::AppState;

/// Registers every route, and JSON answers for unknown paths.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health/live").route(web::get().to(health::live)))
        .service(resource("/health/ready").route(web::get().to(health::ready)))
        .configure(openapi::configure)
        .configure(console::configure)
        .configure(v1::configure)
        .configure(scim::configure)
        .default_service(web::to(route_not_found));
}

/// `GET /metrics` on the metrics address: the Prometheus text format.
pub async fn metrics_page(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(crate::metrics::CONTENT_TYPE)
        .body(state.metrics.render(state.gauges()))
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

/// A page of a list: the items as JSON and the pagination headers.
pub(crate) fn paginated<T, V: Serialize>(
    page: Page,
    total: i64,
    items: Vec<T>,
    view: impl Fn(T) -> V,
) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("x-pagination-total-pages", page.count_for(total)))
        .insert_header(("x-pagination-result-count", items.len()))
        .insert_header(("x-pagination-total-count", total))
        .json(items.into_iter().map(view).collect::<Vec<_>>())
}
