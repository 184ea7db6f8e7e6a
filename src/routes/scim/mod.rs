//! `/scim/v2`: provisioning by identity providers over SCIM 2.0 (RFC 7643, RFC 7644).
//! Handlers parse the request, call one function of the accounts layer, and answer in
//! SCIM's form (`application/scim+json`, SCIM errors); see docs/scim.md.

mod error;
mod render;
mod resources;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::Value as Json;

use crate::accounts::{AccountError, Caller, IfMatch};
use crate::domain::scim::{self, AttrPath, ScimError};
use crate::models::scim::ScimQuery;
use crate::routes::body::{collect, media_type};
use crate::routes::error::ApiError;
use crate::routes::extractors::{state_of, Bearer, ClientIp, Provision, Signed};

pub use error::ScimFailure;
use render::Projection;

/// The media type of SCIM requests and answers.
pub const SCIM_CONTENT_TYPE: &str = "application/scim+json";
/// The largest SCIM body: a PATCH may name thousands of members.
const MAX_SCIM_BODY: usize = 4 * 1024 * 1024;
/// The most resources one list answers (`filter.maxResults`).
pub const MAX_RESULTS: i64 = 1000;
/// Resources per page when `count` is not given.
const DEFAULT_COUNT: i64 = 100;

type Answer = Result<HttpResponse, ScimFailure>;

/// Registers the `/scim/v2` routes, and SCIM errors for unknown paths and methods.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/scim/v2")
            .service(resource("/.search").route(web::post().to(resources::search_everything)))
            .service(
                resource("/ServiceProviderConfig").route(web::get().to(service_provider_config)),
            )
            .service(resource("/ResourceTypes").route(web::get().to(resource_types)))
            .service(resource("/ResourceTypes/{name}").route(web::get().to(resource_type)))
            .service(resource("/Schemas").route(web::get().to(schemas)))
            .service(resource("/Schemas/{id}").route(web::get().to(schema)))
            .configure(resources::routes::<resources::Users>)
            .configure(resources::routes::<resources::Groups>)
            .default_service(web::to(not_found)),
    );
}

fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn not_found() -> Answer {
    Err(ApiError::RouteNotFound.into())
}

async fn method_not_allowed() -> Answer {
    Err(ApiError::MethodNotAllowed.into())
}

/// An admin provisioning with a token of scope `scim`, marked as SCIM in the audit log.
#[derive(Debug)]
pub struct Provisioner(Caller);

impl FromRequest for Provisioner {
    type Error = ScimFailure;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ScimFailure>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let signed = Signed::<Provision>::from_request(req, payload);
        let ip = ClientIp::of(req);
        Box::pin(async move {
            let session = signed.await?.0;
            Ok(Self(Caller::user(session, ip).through_scim()))
        })
    }
}

/// A reader's token, checked in the same trip to the database as the read (for an
/// admin's token with the scope `scim`); the body, if any, is read only after.
#[derive(Debug)]
pub struct Reader(Bearer);

impl Reader {
    /// The SHA-256 the token is stored as.
    fn hash(&self) -> String {
        self.0.hash()
    }
}

impl FromRequest for Reader {
    type Error = ScimFailure;
    type Future = std::future::Ready<Result<Self, ScimFailure>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bearer = Bearer::from_request(req, payload).into_inner();
        std::future::ready(bearer.map(Self).map_err(ScimFailure::from))
    }
}

/// Where the resources are: `ROSTER_PUBLIC_URL` if set, else the request's own host.
fn base_url(req: &HttpRequest) -> String {
    let public = state_of(req)
        .map(|state| state.public_url.clone())
        .unwrap_or_default();
    let origin = match public.is_empty() {
        false => public.trim_end_matches('/').to_owned(),
        true => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    };
    format!("{origin}/scim/v2")
}

/// A SCIM answer with `status` and `body`.
fn answer(status: StatusCode, body: &Json) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(SCIM_CONTENT_TYPE)
        .body(body.to_string())
}

/// One resource, with its `ETag` (and its `Location` when just created).
fn one(status: StatusCode, resource: Json) -> HttpResponse {
    let mut response = answer(status, &resource);
    if let Some(version) = resource["meta"]["version"].as_str() {
        if let Ok(value) = HeaderValue::from_str(version) {
            response.headers_mut().insert(header::ETAG, value);
        }
    }
    if status == StatusCode::CREATED {
        if let Some(location) = resource["meta"]["location"].as_str() {
            if let Ok(value) = HeaderValue::from_str(location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
        }
    }
    response
}

/// The request's body as JSON: `application/scim+json` or `application/json` (or no
/// type), read only once the caller was checked.
async fn body(req: &HttpRequest, payload: web::Payload) -> Result<Json, ScimFailure> {
    use crate::routes::error::ApiError;
    if let Some(essence) = media_type(req)? {
        if essence != SCIM_CONTENT_TYPE && essence != "application/json" {
            return Err(ApiError::UnsupportedMediaType.into());
        }
    }
    let wait = state_of(req)?.request_timeout;
    let bytes = tokio::time::timeout(wait, collect(req, payload.into_inner(), MAX_SCIM_BODY))
        .await
        .map_err(|_| ApiError::RequestTimeout)??;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::EmptyPayload.into());
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| AccountError::from(ScimError::InvalidSyntax(e.to_string())).into())
}

/// The path's `{id}`: a positive number; anything else names no resource.
fn path_id(req: &HttpRequest, missing: AccountError) -> Result<i64, ScimFailure> {
    match req.match_info().get("id").map(str::parse::<i64>) {
        Some(Ok(id)) if id > 0 => Ok(id),
        _ => Err(missing.into()),
    }
}

/// The versions `If-Match` accepts: `None` without the header or for `*`. Weak and
/// strong tags compare alike (RFC 7644 §3.14 uses weak ones).
fn if_match(req: &HttpRequest) -> IfMatch {
    let raw = req.headers().get(header::IF_MATCH)?.to_str().ok()?;
    if raw.trim() == "*" {
        return None;
    }
    Some(
        raw.split(',')
            .map(|tag| {
                let tag = tag.trim();
                let tag = tag.strip_prefix("W/").unwrap_or(tag);
                tag.trim_matches('"').to_owned()
            })
            .collect(),
    )
}

/// A list's parameters, from the query string or a `.search` body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListParams {
    filter: Option<String>,
    start_index: Option<Json>,
    count: Option<Json>,
    sort_by: Option<String>,
    sort_order: Option<String>,
    attributes: Option<Json>,
    excluded_attributes: Option<Json>,
}

/// A number given as JSON or as query-string text.
fn number(name: &str, value: Option<&Json>) -> Result<Option<i64>, ScimError> {
    let invalid = || ScimError::InvalidValue(format!("`{name}` must be an integer"));
    match value {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n.as_i64().map(Some).ok_or_else(invalid),
        Some(Json::String(s)) => s.trim().parse().map(Some).map_err(|_| invalid()),
        Some(_) => Err(invalid()),
    }
}

/// Attribute names given as a comma-separated string or a JSON list.
fn names(value: Option<&Json>) -> Option<String> {
    match value? {
        Json::String(s) => Some(s.clone()),
        Json::Array(items) => Some(
            items
                .iter()
                .filter_map(Json::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => None,
    }
}

impl ListParams {
    fn from_query(req: &HttpRequest) -> Result<Self, ScimFailure> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
            .map_err(|e| ApiError::InvalidQuery(e.to_string()))?;
        let mut params = Self::default();
        for (key, value) in pairs {
            let text = Some(value.clone());
            match key.as_str() {
                "filter" => params.filter = text,
                "startIndex" => params.start_index = Some(Json::String(value)),
                "count" => params.count = Some(Json::String(value)),
                "sortBy" => params.sort_by = text,
                "sortOrder" => params.sort_order = text,
                "attributes" => params.attributes = Some(Json::String(value)),
                "excludedAttributes" => params.excluded_attributes = Some(Json::String(value)),
                _ => {}
            }
        }
        Ok(params)
    }

    fn from_body(body: Json) -> Result<Self, ScimFailure> {
        serde_json::from_value(body)
            .map_err(|e| AccountError::from(ScimError::InvalidSyntax(e.to_string())).into())
    }

    /// The query over attributes `A`, the `startIndex` answered, and the projection.
    fn parse<A: Copy>(
        self,
        resolve: impl Fn(&AttrPath) -> Option<A>,
    ) -> Result<(ScimQuery<A>, i64, Projection), ScimError> {
        let start_index = number("startIndex", self.start_index.as_ref())?
            .unwrap_or(1)
            .max(1);
        let count = number("count", self.count.as_ref())?
            .unwrap_or(DEFAULT_COUNT)
            .clamp(0, MAX_RESULTS);
        let filter = match self.filter.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(scim::filter::parse(raw, &resolve)?),
        };
        let descending = match self.sort_order.as_deref() {
            None => false,
            Some(order) if order.eq_ignore_ascii_case("ascending") => false,
            Some(order) if order.eq_ignore_ascii_case("descending") => true,
            Some(_) => {
                return Err(ScimError::InvalidValue(
                    "`sortOrder` is ascending or descending".into(),
                ))
            }
        };
        let sort = match self.sort_by.as_deref() {
            None | Some("") => None,
            Some(raw) => {
                let path = AttrPath::parse(raw)?;
                let attr = resolve(&path).ok_or_else(|| {
                    ScimError::InvalidValue(format!("sorting by `{raw}` is not supported"))
                })?;
                Some((attr, descending))
            }
        };
        let projection = Projection::parse(
            names(self.attributes.as_ref()).as_deref(),
            names(self.excluded_attributes.as_ref()).as_deref(),
        );
        let query = ScimQuery {
            filter,
            sort,
            offset: start_index - 1,
            limit: count,
        };
        Ok((query, start_index, projection))
    }
}

/// The projection a single resource's query string asks for.
fn projection_of(req: &HttpRequest) -> Result<Projection, ScimFailure> {
    let params = ListParams::from_query(req)?;
    Ok(Projection::parse(
        names(params.attributes.as_ref()).as_deref(),
        names(params.excluded_attributes.as_ref()).as_deref(),
    ))
}

fn discovery_list(resources: Vec<Json>) -> HttpResponse {
    let total = resources.len() as i64;
    answer(StatusCode::OK, &render::list(resources, 1, total))
}

/// The discovery document of `resources` whose `id` is the path's `{key}`.
fn discovery_one(req: &HttpRequest, key: &str, resources: Vec<Json>) -> Answer {
    let wanted = req.match_info().get(key).unwrap_or_default();
    resources
        .into_iter()
        .find(|r| r["id"].as_str() == Some(wanted))
        .map(|r| answer(StatusCode::OK, &r))
        .ok_or_else(|| ApiError::RouteNotFound.into())
}

async fn service_provider_config(req: HttpRequest) -> HttpResponse {
    answer(
        StatusCode::OK,
        &render::service_provider_config(&base_url(&req), MAX_RESULTS),
    )
}

async fn resource_types(req: HttpRequest) -> HttpResponse {
    discovery_list(render::resource_types(&base_url(&req)))
}

async fn resource_type(req: HttpRequest) -> Answer {
    discovery_one(&req, "name", render::resource_types(&base_url(&req)))
}

async fn schemas(req: HttpRequest) -> HttpResponse {
    discovery_list(render::schemas(&base_url(&req)))
}

async fn schema(req: HttpRequest) -> Answer {
    discovery_one(&req, "id", render::schemas(&base_url(&req)))
}

fn from_scim(error: ScimError) -> ScimFailure {
    AccountError::from(error).into()
}
