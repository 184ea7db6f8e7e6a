//! `AuthUser` and `AdminUser`: put one first in a handler's arguments and the handler runs
//! only for a valid bearer token (and an admin). Handlers read their body after this, so
//! authentication and the admin check always come before the payload is parsed.

use std::future::{ready, Future, Ready};
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;

use actix_web::http::header::AUTHORIZATION;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use ipnet::IpNet;

use crate::db::Conn;
use crate::error::ApiError;
use crate::models::{token, unix_now, User};
use crate::routes::blocking;
use crate::security::client_ip;
use crate::state::AppState;

use super::token::TokenSecret;

/// The caller, authenticated by a valid bearer token.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The account the token belongs to.
    pub user: User,
    /// The token used for this request (for logout and "revoke the others").
    pub token_id: i64,
}

/// An authenticated caller who is an admin.
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

/// The bearer token of a request, read from the header only: for reads that check it in
/// the same trip to the database as their own query (see `blocking::db_as_admin`).
#[derive(Debug)]
pub struct Bearer(TokenSecret);

impl Bearer {
    /// The SHA-256 the token is stored as.
    pub fn hash(&self) -> String {
        self.0.hash()
    }
}

impl FromRequest for Bearer {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(bearer_token(req).map(Self))
    }
}

impl AuthUser {
    /// The caller behind `token_hash`, if the token is valid now.
    pub fn authenticate(conn: &mut Conn, token_hash: &str, now: i64) -> Result<Self, ApiError> {
        token::authenticate(conn, token_hash, now)?
            .map(|(user, token_id)| Self { user, token_id })
            .ok_or(ApiError::InvalidToken)
    }
}

impl AdminUser {
    /// The admin behind `token_hash`: 401 for an invalid token, 403 for a non-admin.
    pub fn authenticate(conn: &mut Conn, token_hash: &str, now: i64) -> Result<Self, ApiError> {
        let auth = AuthUser::authenticate(conn, token_hash, now)?;
        if !auth.user.is_admin {
            return Err(ApiError::AdminRequired);
        }
        Ok(Self(auth))
    }
}

type ExtractFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = ExtractFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let secret = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token_hash = secret?.hash();
            let now = unix_now();
            blocking::db(&state, move |conn| {
                token::authenticate(conn, &token_hash, now)
            })
            .await?
            .map(|(user, token_id)| Self { user, token_id })
            .ok_or(ApiError::InvalidToken)
        })
    }
}

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = ExtractFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let auth = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let auth = auth.await?;
            if !auth.user.is_admin {
                return Err(ApiError::AdminRequired);
            }
            Ok(Self(auth))
        })
    }
}

/// The client's address, by the trusted-proxy rule (see `security::client_ip`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl FromRequest for ClientIp {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trusted = req
            .app_data::<web::Data<AppState>>()
            .map_or(&[][..], |state| &state.trusted_proxies[..]);
        ready(Ok(Self(client_ip_of(req, trusted))))
    }
}

/// The client address of `req`, believing forwarding headers only from `trusted` peers.
pub fn client_ip_of(req: &HttpRequest, trusted: &[IpNet]) -> IpAddr {
    let peer = req
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |addr| addr.ip());
    // Repeated header lines form one list, in order.
    let joined = |name: &str| {
        let values: Vec<&str> = req
            .headers()
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    };
    let forwarded = joined("forwarded");
    let x_forwarded_for = joined("x-forwarded-for");
    client_ip::resolve(
        peer,
        forwarded.as_deref(),
        x_forwarded_for.as_deref(),
        trusted,
    )
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer_token(req: &HttpRequest) -> Result<TokenSecret, ApiError> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .ok_or(ApiError::MissingToken)?;
    let value = header.to_str().map_err(|_| ApiError::InvalidToken)?;
    let (scheme, token) = value.split_once(' ').ok_or(ApiError::InvalidToken)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(ApiError::InvalidToken);
    }
    Ok(TokenSecret::new(token.to_owned()))
}
