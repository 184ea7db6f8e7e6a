//! Who is calling, as handler arguments. Authentication and the admin check always come
//! before the body is read, by one mechanism: [`Guarded`] extracts its guard first and
//! only then its body. Reads without a body check their token in the same trip to the
//! database as their query ([`Bearer`] and `Accounts::read_as_admin`).

use std::future::{ready, Future, Ready};
use std::marker::PhantomData;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;

use actix_web::http::header::{AUTHORIZATION, USER_AGENT};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use ipnet::IpNet;

use crate::accounts::{Caller, Client, Session};
use crate::auth::token::TokenSecret;
use crate::domain::{Scope, UserId};
use crate::security::client_ip;

use super::cookie;
use super::error::ApiError;
use super::state::AppState;

type ExtractFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// What a route asks of the caller's token, beyond being valid.
pub trait Need: 'static {
    /// The scope the token must have, if the route alone decides it (else the accounts
    /// layer does, by whose account is acted on).
    const SCOPE: Option<Scope>;
    /// Whether the caller must be an admin.
    const ADMIN: bool;
}

/// One's own account: scope `account`.
#[derive(Debug)]
pub struct Own;
/// Reading users, as an admin: scope `users:read`.
#[derive(Debug)]
pub struct ReadUsers;
/// Changing users, as an admin: scope `users:write`.
#[derive(Debug)]
pub struct WriteUsers;
/// Provisioning over SCIM, as an admin: scope `scim`.
#[derive(Debug)]
pub struct Provision;
/// Any valid token; the accounts layer checks the scope once it knows whose account is
/// acted on.
#[derive(Debug)]
pub struct AnyScope;

impl Need for Own {
    const SCOPE: Option<Scope> = Some(Scope::Account);
    const ADMIN: bool = false;
}
impl Need for ReadUsers {
    const SCOPE: Option<Scope> = Some(Scope::UsersRead);
    const ADMIN: bool = true;
}
impl Need for WriteUsers {
    const SCOPE: Option<Scope> = Some(Scope::UsersWrite);
    const ADMIN: bool = true;
}
impl Need for Provision {
    const SCOPE: Option<Scope> = Some(Scope::Scim);
    const ADMIN: bool = true;
}
impl Need for AnyScope {
    const SCOPE: Option<Scope> = None;
    const ADMIN: bool = false;
}

/// The caller, authenticated by a valid session or API token that meets `N`.
#[derive(Debug)]
pub struct Signed<N>(pub Session, PhantomData<N>);

/// The caller acting on its own account.
pub type AuthUser = Signed<Own>;

/// An admin changing users.
pub type AdminUser = Signed<WriteUsers>;

/// The token of a request (the `Authorization: Bearer` header, else the session cookie),
/// read without a trip to the database: for reads that check it in the same trip as
/// their own query.
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
        ready(presented_token(req).map(Self))
    }
}

/// The application state of a request.
pub fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state missing"))
}

impl<N: Need> FromRequest for Signed<N> {
    type Error = ApiError;
    type Future = ExtractFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state_of(req);
        let secret = presented_token(req);
        Box::pin(async move {
            let token_hash = secret?.hash();
            let mut session = state?.accounts.session(token_hash).await?;
            if N::ADMIN {
                session = session.require_admin()?;
            }
            if let Some(scope) = N::SCOPE {
                session.require(scope)?;
            }
            Ok(Self(session, PhantomData))
        })
    }
}

/// A caller `A` acting on the user of the path's `{id}`: `A` is checked first, then the id.
#[derive(Debug)]
pub struct OnUser<A> {
    /// Who acts.
    pub who: A,
    /// The user acted on.
    pub id: i64,
}

/// An admin acting on the user of the path's `{id}`.
pub type AdminOnUser<N = WriteUsers> = OnUser<Signed<N>>;

impl<A> FromRequest for OnUser<A>
where
    A: FromRequest<Error = ApiError> + 'static,
{
    type Error = ApiError;
    type Future = ExtractFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let who = A::from_request(req, payload);
        let id = path_id(req);
        Box::pin(async move {
            let who = who.await?;
            Ok(Self { who, id: id? })
        })
    }
}

/// A caller allowed to set the password of the path's `{id}`: itself, or anyone's for an
/// admin. Checked before the new password is read.
#[derive(Debug)]
pub struct PasswordSetter {
    /// The caller.
    pub caller: Caller,
    /// Whose password.
    pub id: i64,
}

impl FromRequest for PasswordSetter {
    type Error = ApiError;
    type Future = ExtractFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let target = OnUser::<Signed<AnyScope>>::from_request(req, payload);
        let ip = ClientIp::of(req);
        let state = state_of(req);
        Box::pin(async move {
            let OnUser { who, id } = target.await?;
            let caller = Caller::user(who.0, ip);
            state?.accounts.may_set_password(&caller, id)?;
            Ok(Self { caller, id })
        })
    }
}

/// Registration is open and this address is under its rate (the attempt is counted).
#[derive(Debug)]
pub struct RegistrationOpen(pub Client);

impl FromRequest for RegistrationOpen {
    type Error = ApiError;
    type Future = ExtractFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let client = SignInFrom::from_request(req, payload).into_inner();
        let state = state_of(req);
        Box::pin(async move {
            let SignInFrom(client) = client?;
            state?.accounts.admit_registration(client.ip).await?;
            Ok(Self(client))
        })
    }
}

/// A guard `G` and a body `T`: `T` is extracted only once `G` succeeded, so a caller who
/// may not act never gets its body parsed (and gets the guard's error, not the body's).
#[derive(Debug)]
pub struct Guarded<G, T>(pub G, pub T);

impl<G, T> FromRequest for Guarded<G, T>
where
    G: FromRequest + 'static,
    T: FromRequest + 'static,
    ApiError: From<G::Error> + From<T::Error>,
{
    type Error = ApiError;
    type Future = ExtractFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let guard = G::from_request(req, &mut Payload::None);
        let (req, mut payload) = (req.clone(), payload.take());
        Box::pin(async move {
            let guard = guard.await?;
            let body = T::from_request(&req, &mut payload).await?;
            Ok(Self(guard, body))
        })
    }
}

/// The client's address, by the trusted-proxy rule (see `security::client_ip`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The address of `req`'s client.
    pub fn of(req: &HttpRequest) -> IpAddr {
        let trusted = req
            .app_data::<web::Data<AppState>>()
            .map_or(&[][..], |state| &state.trusted_proxies[..]);
        client_ip_of(req, trusted)
    }
}

impl FromRequest for ClientIp {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(Self::of(req))))
    }
}

/// Where a sign-in comes from: the client address and its `User-Agent`, kept with the
/// session so its owner can tell sessions apart.
#[derive(Debug, Clone)]
pub struct SignInFrom(pub Client);

impl FromRequest for SignInFrom {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user_agent = req
            .headers()
            .get(USER_AGENT)
            .map(|ua| String::from_utf8_lossy(ua.as_bytes()).into_owned())
            .unwrap_or_default();
        ready(Ok(Self(Client {
            ip: ClientIp::of(req),
            user_agent,
        })))
    }
}

/// The client address of `req`, believing forwarding headers only from `trusted` peers.
fn client_ip_of(req: &HttpRequest, trusted: &[IpNet]) -> IpAddr {
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

/// Whether `req` comes straight from one of the `trusted` proxies.
pub fn is_trusted_peer(req: &HttpRequest, trusted: &[IpNet]) -> bool {
    req.peer_addr()
        .is_some_and(|peer| trusted.iter().any(|net| net.contains(&peer.ip())))
}

/// The path's `{id}` of a session, token or group: a positive number, or `refused`.
pub fn path_number(req: &HttpRequest, refused: impl Into<ApiError>) -> Result<i64, ApiError> {
    match req.match_info().get("id").map(str::parse::<i64>) {
        Some(Ok(id)) if id > 0 => Ok(id),
        _ => Err(refused.into()),
    }
}

/// The user id of the path's `{id}`.
pub fn path_id(req: &HttpRequest) -> Result<i64, ApiError> {
    let raw = req.match_info().get("id").unwrap_or_default();
    Ok(UserId::parse(raw)?.get())
}

/// The token of a request: from `Authorization: Bearer <token>` if the header is there
/// (a bad header is not passed over for the cookie), else from the session cookie. A
/// cookie-carried token may change state only from an allowed origin (no cross-site
/// request forgery); safe methods may read with it.
fn presented_token(req: &HttpRequest) -> Result<TokenSecret, ApiError> {
    let invalid = || ApiError::from(crate::accounts::AccountError::InvalidToken);
    if let Some(header) = req.headers().get(AUTHORIZATION) {
        let value = header.to_str().map_err(|_| invalid())?;
        let (scheme, token) = value.split_once(' ').ok_or_else(invalid)?;
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Err(invalid());
        }
        return Ok(TokenSecret::new(token.to_owned()));
    }
    let token = cookie::session_token(req).ok_or(ApiError::MissingToken)?;
    if !req.method().is_safe() {
        let state = state_of(req)?;
        if !state.web.same_origin(req) {
            return Err(ApiError::CrossSiteRequest);
        }
    }
    Ok(token)
}
