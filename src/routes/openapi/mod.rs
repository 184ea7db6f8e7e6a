//! The OpenAPI 3.1 description of `/api/v1`, generated from the handlers and their types
//! (so it cannot drift from them), and the pages that serve it: `GET /api/v1/docs.json` and
//! the Swagger UI at `/api/v1/docs/`, whose assets are compiled into the binary.

mod responses;

use std::sync::{Arc, OnceLock};

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, Modify, OpenApi, PartialSchema, ToSchema};
use utoipa_swagger_ui::Config;

use crate::domain::AuditEvent;
use crate::error::ApiError;
use crate::routes::v1;

pub use responses::{
    BadRequest, Forbidden, InternalError, NotFound, PayloadTooLarge, TooManyRequests,
    Unauthenticated, Unavailable, UnsupportedMediaType,
};

/// Where the description is served.
pub const DOCUMENT_PATH: &str = "/api/v1/docs.json";
/// Where the interactive page lives (the trailing slash matters: its assets are relative).
pub const PAGE_PATH: &str = "/api/v1/docs/";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Roster",
        description = "User management over a versioned JSON API. Every error answers \
            `{\"code\": <int>, \"message\": \"...\"}`; the codes are listed in docs/api.md.",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(
        v1::info::info,
        v1::session::register,
        v1::session::login,
        v1::session::logout,
        v1::account::current,
        v1::users::list,
        v1::users::create,
        v1::users::get,
        v1::users::update,
        v1::users::delete,
        v1::password::change,
        v1::users::logout_all,
        v1::audit::list,
    ),
    components(responses(
        BadRequest,
        Unauthenticated,
        Forbidden,
        NotFound,
        PayloadTooLarge,
        UnsupportedMediaType,
        TooManyRequests,
        InternalError,
        Unavailable,
    )),
    modifiers(&BearerScheme),
    tags(
        (name = "session", description = "Register, log in and out."),
        (name = "account", description = "The signed-in user."),
        (name = "users", description = "User management; admins only, but for a user's own password."),
        (name = "audit", description = "The security audit log; admins only."),
        (name = "info", description = "What a client needs before signing in."),
    ),
)]
struct ApiDoc;

/// The name of the security scheme; routes list it with the role `admin` when only admins
/// may call them.
pub const BEARER: &str = "bearerAuth";

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut Document) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "The opaque token from POST /api/v1/login or /api/v1/register.",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

/// The `{id}` of a user's URL.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[expect(
    dead_code,
    reason = "description only: handlers parse the id with UserId"
)]
pub struct UserIdParam {
    /// The user's id.
    #[param(minimum = 1, example = 2)]
    id: i64,
}

/// The audit event types, as strings.
pub struct AuditEventType;

impl PartialSchema for AuditEventType {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(AuditEvent::ALL.map(AuditEvent::as_str)))
            .examples([AuditEvent::LoginFailed.as_str()])
            .into()
    }
}

impl ToSchema for AuditEventType {}

/// The description as a document.
pub fn document() -> Document {
    ApiDoc::openapi()
}

/// The description as pretty JSON with a final newline: what `roster openapi` prints,
/// `docs/openapi.json` holds and `GET /api/v1/docs.json` serves.
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        // Serializing a tree of maps and strings cannot fail.
        let mut text = document().to_pretty_json().unwrap_or_default();
        text.push('\n');
        text
    })
}

/// Registers the description and the page. Before the `/api/v1` scope, which would
/// otherwise answer 404 for these paths.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let page = Arc::new(Config::new([DOCUMENT_PATH]).try_it_out_enabled(true));
    cfg.app_data(web::Data::from(page))
        .route(DOCUMENT_PATH, web::get().to(serve_document))
        .route("/api/v1/docs", web::get().to(redirect_to_page))
        .route(
            &format!("{PAGE_PATH}{{file:.*}}"),
            web::get().to(serve_page),
        );
}

async fn serve_document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(json())
}

async fn redirect_to_page() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, PAGE_PATH))
        .finish()
}

async fn serve_page(
    file: web::Path<String>,
    config: web::Data<Config<'static>>,
) -> Result<HttpResponse, ApiError> {
    let served = utoipa_swagger_ui::serve(&file, config.into_inner())
        .map_err(|e| ApiError::Internal(e.to_string().into()))?
        .ok_or(ApiError::RouteNotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(served.content_type)
        .body(served.bytes.into_owned()))
}
