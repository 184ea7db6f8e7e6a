//! The OpenAPI 3.1 description of `/api/v1`, generated from the handlers and their types
//! (so it cannot drift from them), and the pages that serve it: `GET /api/v1/docs.json` and
//! the Swagger UI at `/api/v1/docs/`, whose assets are compiled into the binary.

use std::sync::{Arc, OnceLock};

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::Config;

use super::error::ApiError;
use super::responses::{
    BadRequest, Forbidden, GroupNotFound, InternalError, NotFound, Passed, PayloadTooLarge,
    RequestTimeout, TokenNotFound, TooManyRequests, Unauthenticated, Unavailable,
    UnsupportedMediaType,
};
use super::v1;

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
    servers((url = "/", description = "The Roster instance serving this document (paths begin with /api/v1).")),
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
        v1::users::lockout,
        v1::users::unlock,
        v1::audit::list,
        v1::recovery::request_reset,
        v1::recovery::reset,
        v1::recovery::request_confirmation,
        v1::recovery::confirm,
        v1::tokens::own_sessions,
        v1::tokens::end_own_session,
        v1::tokens::user_sessions,
        v1::tokens::create,
        v1::tokens::list,
        v1::tokens::user_tokens,
        v1::tokens::revoke,
        v1::forward::forward,
        v1::forward::request,
        v1::forward::return_address,
        v1::groups::create,
        v1::groups::list,
        v1::groups::get,
        v1::groups::update,
        v1::groups::delete,
        v1::groups::members,
        v1::groups::add_member,
        v1::groups::remove_member,
        v1::groups::of_user,
        v1::groups::own,
    ),
    components(responses(
        BadRequest,
        Unauthenticated,
        Forbidden,
        NotFound,
        TokenNotFound,
        GroupNotFound,
        Passed,
        RequestTimeout,
        PayloadTooLarge,
        UnsupportedMediaType,
        TooManyRequests,
        InternalError,
        Unavailable,
    )),
    modifiers(&Security, &FormBodies),
    tags(
        (name = "session", description = "Register, log in and out."),
        (name = "account", description = "The signed-in user."),
        (name = "users", description = "User management; admins only, but for a user's own password."),
        (name = "groups", description = "Groups of users (forward-auth's `group:` rules, `Remote-Groups`); admins only."),
        (name = "tokens", description = "API tokens: long-lived, titled and scoped, made by their owner."),
        (name = "audit", description = "The security audit log; admins only."),
        (name = "forward-auth", description = "For reverse proxies: may this request to an app behind the proxy pass?"),
        (name = "recovery", description = "Password reset and address confirmation by mail; no sign-in."),
        (name = "info", description = "What a client needs before signing in."),
    ),
)]
struct ApiDoc;

/// The name of the security scheme; routes list it with the role `admin` when only admins
/// may call them.
pub const BEARER: &str = "bearerAuth";

/// The bearer scheme, and which operations need no token.
struct Security;

impl Modify for Security {
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
        // Said outright (`security: []`), so generators make these callable without a token.
        for path in PUBLIC {
            if let Some(item) = openapi.paths.paths.get_mut(path) {
                for operation in [&mut item.get, &mut item.post].into_iter().flatten() {
                    operation.security = Some(Vec::new());
                }
            }
        }
    }
}

/// Gives every form body a schema of its own, `<JSON schema>Form`, so generated clients get
/// a type per content type (one shared schema makes them always pick the form). A form has
/// no `null`: its fields lose that type, and a field left out is absent. Create and update
/// take plain fields or the whole object as JSON in `user`: their form lists both, none
/// required. Done on the JSON of the document, where the schemas are plain data.
struct FormBodies;

/// The form body of create and update in the handlers' annotations: `user=<JSON>`.
const USER_OBJECT_FORM: &str = "UserForm";
const SCHEMAS: &str = "#/components/schemas/";

impl Modify for FormBodies {
    fn modify(&self, openapi: &mut Document) {
        let Ok(mut document) = serde_json::to_value(&*openapi) else {
            return;
        };
        separate_form_schemas(&mut document);
        if let Ok(changed) = serde_json::from_value(document) {
            *openapi = changed;
        }
    }
}

fn separate_form_schemas(document: &mut serde_json::Value) {
    use serde_json::Value;
    let schemas = document["components"]["schemas"].clone();
    let mut forms = serde_json::Map::new();
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    let bodies = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| operation.get_mut("requestBody")?.get_mut("content"))
        .filter_map(Value::as_object_mut);
    for content in bodies {
        let json_ref = content
            .get("application/json")
            .map(|c| c["schema"]["$ref"].clone());
        let (Some(Value::String(json_ref)), Some(form)) = (
            json_ref,
            content.get_mut("application/x-www-form-urlencoded"),
        ) else {
            continue;
        };
        let name = json_ref.trim_start_matches(SCHEMAS);
        let mut schema = schemas[name].clone();
        if let Some(properties) = schema["properties"].as_object_mut() {
            for property in properties.values_mut() {
                if let Some(types) = property["type"].as_array() {
                    let kept: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
                    if let [only] = kept[..] {
                        property["type"] = only.clone();
                    }
                }
            }
            if form["schema"]["$ref"] == format!("{SCHEMAS}{USER_OBJECT_FORM}") {
                properties.insert(
                    "user".into(),
                    schemas[USER_OBJECT_FORM]["properties"]["user"].clone(),
                );
                schema["required"] = Value::Array(vec![]);
                schema["description"] = format!(
                    "Either the fields of {name} as form fields, or the whole object as JSON in `user` \
                     (as Vikunja sends it), never both."
                )
                .into();
            }
        }
        let form_name = format!("{name}Form");
        form["schema"]["$ref"] = format!("{SCHEMAS}{form_name}").into();
        forms.insert(form_name, schema);
    }
    if let Some(components) = document["components"]["schemas"].as_object_mut() {
        components.remove(USER_OBJECT_FORM);
        components.extend(forms);
    }
}

/// The operations anyone may call: no token.
const PUBLIC: [&str; 7] = [
    "/api/v1/info",
    "/api/v1/register",
    "/api/v1/login",
    "/api/v1/user/password/token",
    "/api/v1/user/password/reset",
    "/api/v1/user/confirm/token",
    "/api/v1/user/confirm",
];

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
        // In a scope, so that other paths skip the `{file:.*}` pattern (a regular
        // expression) with a prefix comparison.
        .service(
            web::scope(PAGE_PATH.trim_end_matches('/'))
                .route("/{file:.*}", web::get().to(serve_page)),
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
        .map_err(|e| ApiError::internal(&e.to_string()))?
        .ok_or(ApiError::RouteNotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(served.content_type)
        .body(served.bytes.into_owned()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use actix_web::ResponseError;

    use super::*;

    /// Codes answered outside the described operations: CORS preflights (3006), unknown
    /// paths (4002) and methods (4050), and the SCIM door's refusals (1053, 4120), which
    /// `/scim/v2` answers in SCIM's own error form (docs/scim.md).
    const OUTSIDE_OPERATIONS: [u32; 5] = [3006, 4002, 4050, 1053, 4120];

    /// The codes a text names, singly (`2003`) or as a range (`1001–1030`).
    fn codes_named(text: &str, all: &BTreeSet<u32>) -> BTreeSet<u32> {
        let numbers: Vec<(usize, u32)> = text
            .char_indices()
            .filter(|(i, _)| text[*i..].len() >= 4)
            .filter_map(|(i, _)| {
                let word = text.get(i..i + 4)?;
                let bounded = !text[..i].ends_with(|c: char| c.is_ascii_digit())
                    && !text[i + 4..].starts_with(|c: char| c.is_ascii_digit());
                (bounded && word.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| Some((i, word.parse().ok()?)))
                    .flatten()
            })
            .collect();
        let mut named: BTreeSet<u32> = numbers.iter().map(|(_, code)| *code).collect();
        for pair in numbers.windows(2) {
            let ((a_at, a), (b_at, b)) = (pair[0], pair[1]);
            if text[a_at + 4..b_at] == *"–" {
                named.extend(all.range(a..=b));
            }
        }
        named
    }

    #[test]
    fn every_error_code_is_described_for_its_status() {
        let kinds = ApiError::every_kind();
        let all: BTreeSet<u32> = kinds.iter().map(ApiError::code).collect();
        let document: serde_json::Value = serde_json::from_str(json()).unwrap();
        // Every response description in the document, by status: the shared components
        // (by the status their example shows) and each operation's own.
        let mut described: Vec<(u16, String)> = Vec::new();
        for response in document["components"]["responses"]
            .as_object()
            .unwrap()
            .values()
        {
            // Error answers show their code; a success (forward-auth's 200) has none.
            let example = &response["content"]["application/json"]["example"]["code"];
            let Some(code) = example.as_u64() else {
                continue;
            };
            let status = crate::routes::error::status_of(code as u32);
            let text = response["description"].as_str().unwrap().to_owned();
            described.push((status.as_u16(), text));
        }
        for path in document["paths"].as_object().unwrap().values() {
            for operation in path.as_object().unwrap().values() {
                for (status, response) in operation["responses"].as_object().unwrap() {
                    if let (Ok(status), Some(text)) =
                        (status.parse(), response["description"].as_str())
                    {
                        described.push((status, text.to_owned()));
                    }
                }
            }
        }
        let mut missing = Vec::new();
        for kind in &kinds {
            let (code, status) = (kind.code(), kind.status_code().as_u16());
            let named = described
                .iter()
                .filter(|(s, _)| *s == status)
                .any(|(_, text)| codes_named(text, &all).contains(&code));
            if named == OUTSIDE_OPERATIONS.contains(&code) {
                missing.push(code);
            }
        }
        assert!(
            missing.is_empty(),
            "codes not described under their status in the OpenAPI document (or described \
             though listed as outside the operations): {missing:?}"
        );
    }

    #[test]
    fn the_error_table_of_the_api_docs_is_the_enum() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/api.md");
        let docs = std::fs::read_to_string(path).unwrap();
        let documented: BTreeSet<(u32, u16)> = docs
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let code = cells.get(1)?.parse().ok()?;
                let status = cells.get(2)?.parse().ok()?;
                Some((code, status))
            })
            .collect();
        let answered: BTreeSet<(u32, u16)> = ApiError::every_kind()
            .iter()
            .map(|kind| (kind.code(), kind.status_code().as_u16()))
            .collect();
        assert_eq!(documented, answered, "docs/api.md's code table vs ApiError");
    }
}
