//! Forward-auth for the apps behind the proxy: `GET /auth/forward` (Traefik `forwardAuth`,
//! Caddy `forward_auth`), `GET /auth/request` (nginx `auth_request`), and `GET
//! /auth/return`, which tells the console whether it may send a browser back to `rd`.
//! One rule set (the accounts layer's `forward_auth`) behind both.

use actix_web::http::header::{self, HeaderName, HeaderValue, AUTHORIZATION};
use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use url::form_urlencoded;
use utoipa::{IntoParams, ToSchema};

use crate::accounts::{AccountError, Credential, Member, Passage};
use crate::auth::token::TokenSecret;
use crate::domain::{Target, ValidationError};
use crate::routes::cookie;
use crate::routes::error::{ApiError, ErrorBody};
use crate::routes::extractors::is_trusted_peer;
use crate::routes::responses::{BadRequest, InternalError, Passed, Unavailable};
use crate::routes::state::AppState;

/// Which proxy protocol is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Door {
    /// Traefik and Caddy: `X-Forwarded-*`; a browser not signed in gets a redirect.
    Forward,
    /// nginx: `X-Original-URL`; only 200, 401 or 403.
    Request,
}

/// `GET /auth/forward`: for Traefik's `forwardAuth` and Caddy's `forward_auth`.
#[utoipa::path(
    get,
    path = "/api/v1/auth/forward",
    operation_id = "forwardAuth",
    summary = "Forward-auth (Traefik, Caddy)",
    description = "Whether the request a proxy forwards may pass. The original request is read from `X-Forwarded-Method`, `-Proto`, `-Host` and `-Uri`, believed only from ROSTER_TRUSTED_PROXIES. Credentials: the session cookie, `Authorization: Bearer` (a session, or an API token with the scope `forward-auth`), or `Authorization: Basic` whose password is such an API token; never a password. Allowed: 200 with `Remote-User`, `Remote-Name`, `Remote-Email`, `Remote-Groups`. Not signed in: 302 to `{ROSTER_PUBLIC_URL}/?rd=<the original URL>` for a browser (`Accept` with `text/html`), 401 otherwise. Signed in but refused by the access rules: 403. Any method is answered alike.",
    tag = "forward-auth",
    responses(
        (status = 200, response = Passed),
        (status = 302, description = "A browser that is not signed in: to Roster's sign-in, which sends it back.",
            headers(("Location" = String, description = "`{ROSTER_PUBLIC_URL}/?rd=<the original URL>`"))),
        (status = 401, description = "Not signed in (2001, 2002).", body = ErrorBody),
        (status = 403, description = "Refused by the access rules, or a token without the scope `forward-auth` (3013).", body = ErrorBody),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn forward(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    answer(Door::Forward, &req, &state).await
}

/// `GET /auth/request`: for nginx's `auth_request`.
#[utoipa::path(
    get,
    path = "/api/v1/auth/request",
    operation_id = "authRequest",
    summary = "Forward-auth (nginx auth_request)",
    description = "Like `/auth/forward`, for nginx: the original URL comes from `X-Original-URL` (believed only from ROSTER_TRUSTED_PROXIES), and the answer is 200, 401 or 403 only (nginx turns 401 into the redirect to sign-in with `error_page`; see docs/forward-auth.md).",
    tag = "forward-auth",
    responses(
        (status = 200, response = Passed),
        (status = 401, description = "Not signed in (2001, 2002).", body = ErrorBody),
        (status = 403, description = "Refused by the access rules, or a token without the scope `forward-auth` (3013).", body = ErrorBody),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn request(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    answer(Door::Request, &req, &state).await
}

async fn answer(door: Door, req: &HttpRequest, state: &AppState) -> Result<HttpResponse, ApiError> {
    let target = target_of(door, req, state);
    let passage = state
        .accounts
        .forward_auth(credential_of(req), target.as_ref())
        .await?;
    Ok(match passage {
        Passage::Allowed(member) => allowed(member.as_ref()),
        Passage::Denied => return Err(AccountError::AccessDenied.into()),
        Passage::SignInNeeded => match sign_in_redirect(door, req, state, target.as_ref()) {
            Some(location) => HttpResponse::Found()
                .insert_header((header::LOCATION, location))
                .finish(),
            None => return Err(ApiError::MissingToken),
        },
    })
}

/// 200 with the user's `Remote-*` headers, all four always present (empty for a stranger
/// an `anyone` rule lets in): proxies that copy them (Caddy's `copy_headers`) then always
/// overwrite what the client sent, and never pass on a placeholder of their own.
fn allowed(member: Option<&Member>) -> HttpResponse {
    let mut ok = HttpResponse::Ok();
    ok.insert_header((header::CACHE_CONTROL, "no-store"));
    let fields = member.map_or(["", "", "", ""], |Member { user, groups }| {
        let email = user.email.as_deref().unwrap_or_default();
        [
            user.username.as_str(),
            user.name.as_str(),
            email,
            groups.as_str(),
        ]
    });
    let names = [
        HeaderName::from_static("remote-user"),
        HeaderName::from_static("remote-name"),
        HeaderName::from_static("remote-email"),
        HeaderName::from_static("remote-groups"),
    ];
    for (name, value) in names.into_iter().zip(fields) {
        // Validated fields hold no control characters, so each is a valid value.
        if let Ok(value) = HeaderValue::from_str(value) {
            ok.insert_header((name, value));
        }
    }
    ok.finish()
}

/// The sign-in page to send a browser to, for the forward door only.
fn sign_in_redirect(
    door: Door,
    req: &HttpRequest,
    state: &AppState,
    target: Option<&Target>,
) -> Option<String> {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if door != Door::Forward || !wants_html || state.public_url.is_empty() {
        return None;
    }
    let mut location = format!("{}/", state.public_url);
    if let Some(target) = target {
        let rd: String = form_urlencoded::byte_serialize(target.url.as_str().as_bytes()).collect();
        location.push_str("?rd=");
        location.push_str(&rd);
    }
    Some(location)
}

/// The original request, from the proxy's headers; only a trusted proxy is believed.
fn target_of(door: Door, req: &HttpRequest, state: &AppState) -> Option<Target> {
    if !is_trusted_peer(req, &state.trusted_proxies) {
        return None;
    }
    let get = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    match door {
        Door::Forward => {
            let host = get("x-forwarded-host")?;
            let proto = get("x-forwarded-proto").unwrap_or("http");
            Target::from_parts(proto, host, get("x-forwarded-uri").unwrap_or("/"))
        }
        Door::Request => Target::parse(get("x-original-url")?),
    }
}

/// The credential of a forward-auth request: `Authorization` if present, else the cookie.
fn credential_of(req: &HttpRequest) -> Option<Credential> {
    let Some(header) = req.headers().get(AUTHORIZATION) else {
        return cookie::session_token(req).map(|token| Credential::Token(token.hash()));
    };
    let (scheme, value) = header.to_str().ok()?.split_once(' ')?;
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("bearer") && !value.is_empty() {
        return Some(Credential::Token(TokenSecret::new(value.to_owned()).hash()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = String::from_utf8(STANDARD.decode(value).ok()?).ok()?;
        let (username, password) = decoded.split_once(':')?;
        return Some(Credential::Basic {
            username: username.to_owned(),
            token_hash: TokenSecret::new(password.to_owned()).hash(),
        });
    }
    None
}

/// The query of `GET /auth/return`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReturnQuery {
    /// Where the browser came from (the `rd` of the sign-in page's address).
    #[param(example = "https://wiki.example.com/page")]
    rd: String,
}

/// The address a browser may be sent back to.
#[derive(Serialize, ToSchema)]
#[schema(as = ReturnAddress)]
pub(crate) struct ReturnView {
    #[schema(example = "https://wiki.example.com/page")]
    url: String,
}

/// `GET /auth/return?rd=`: whether the console may send the browser back to `rd`.
#[utoipa::path(
    get,
    path = "/api/v1/auth/return",
    operation_id = "returnAddress",
    summary = "Check a return address",
    description = "For the sign-in page: `rd` may be followed after signing in only if it is an http(s) URL on a host under ROSTER_COOKIE_DOMAIN, named by an access rule, or Roster's own. Anything else (other hosts, `//evil`, `javascript:`) is refused with 1047: no open redirect.",
    tag = "forward-auth",
    params(ReturnQuery),
    responses(
        (status = 200, description = "May be followed.", body = ReturnView),
        (status = 400, response = BadRequest),
    ),
)]
pub async fn return_address(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = web::Query::<ReturnQuery>::from_query(req.query_string())
        .map_err(|e| ApiError::InvalidQuery(e.to_string()))?;
    let url = state
        .accounts
        .return_address(&query.rd)
        .ok_or(ValidationError::ReturnAddress)?;
    Ok(HttpResponse::Ok().json(ReturnView { url: url.into() }))
}
