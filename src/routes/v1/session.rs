//! Register, login and logout: where tokens are issued and revoked.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{self, AuthUser, ClientIp};
use crate::db::write_transaction;
use crate::domain::{AuditEvent, Email, Name, NewUser, Password, Username};
use crate::error::{ApiError, ErrorBody};
use crate::metrics::LoginOutcome;
use crate::models::{token, unix_now, Credentials, User};
use crate::routes::audit_trail::{self, Event};
use crate::routes::blocking;
use crate::routes::body::{self, FormShape};
use crate::routes::openapi::{
    BadRequest, Forbidden, InternalError, PayloadTooLarge, TooManyRequests, Unauthenticated,
    Unavailable, UnsupportedMediaType,
};
use crate::routes::views::{MessageView, TokenView};
use crate::state::AppState;

/// A new account. The first account of a server becomes its admin.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Registration)]
pub(crate) struct RegisterBody {
    /// 1–64 of `A-Z a-z 0-9 . _ -`, unique ignoring case.
    #[schema(example = "frida", pattern = "^[A-Za-z0-9._-]{1,64}$")]
    username: String,
    /// 8–1024 characters, strong enough by the server's policy.
    #[schema(example = "plum-kayak-41", min_length = 8, max_length = 1024)]
    password: String,
    /// Required; unique ignoring case.
    #[schema(example = "frida@example.com")]
    email: Option<String>,
    /// Display name, at most 250 characters.
    #[schema(example = "Frida Kahlo", max_length = 250)]
    #[serde(default)]
    name: Option<String>,
}

impl TryFrom<RegisterBody> for NewUser {
    type Error = ApiError;

    fn try_from(body: RegisterBody) -> Result<Self, ApiError> {
        let email = body
            .email
            .filter(|e| !e.is_empty())
            .ok_or(ApiError::EmailRequired)?;
        Ok(Self {
            username: Username::parse(body.username)?,
            email: Some(Email::parse(email)?),
            name: Name::parse(body.name.unwrap_or_default())?,
            password: Password::parse(body.password)?,
            is_admin: false,
        })
    }
}

/// Credentials. Extra fields are ignored (clients such as Vikunja's send `long_token`).
#[derive(Deserialize, ToSchema)]
#[schema(as = Login)]
pub(crate) struct LoginBody {
    #[schema(example = "frida")]
    username: String,
    #[schema(example = "plum-kayak-41")]
    password: String,
}

/// `POST /register`: creates an account (the first one is admin) and logs it in.
#[utoipa::path(
    post,
    path = "/api/v1/register",
    operation_id = "register",
    summary = "Register an account",
    description = "Creates an account and signs it in. The first account of a server becomes its admin. Throttled per client address.",
    tag = "session",
    request_body(content(
        (RegisterBody = "application/json"),
        (RegisterBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Registered and signed in.", body = TokenView),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 429, response = TooManyRequests),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn register(
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if !state.registration_enabled {
        return Err(ApiError::RegistrationClosed);
    }
    state.throttle.register_attempt(client.0)?;
    let body: RegisterBody = body::read(&req, payload, FormShape::Fields).await?;
    let new_user = NewUser::try_from(body)?;
    let inputs = new_user.personal_inputs();
    let password_hash = blocking::hash_new(&state, new_user.password.clone(), inputs).await?;
    let now = unix_now();
    let issued = auth::token::issue(now, state.token_ttl);
    let record = issued.record.clone();
    let user = blocking::db(&state, move |conn| {
        User::register(conn, &new_user, &password_hash, &record, now)
    })
    .await?;
    Event::on_user(AuditEvent::UserRegistered, client.0, user.id, &user)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(TokenView::new(user.id, &issued)))
}

/// `POST /login`: a new token for a correct username and password.
#[utoipa::path(
    post,
    path = "/api/v1/login",
    operation_id = "login",
    summary = "Log in",
    description = "Exchanges a username and password for a bearer token. Unknown usernames and wrong passwords get the same answer. Throttled per username and per client address.",
    tag = "session",
    request_body(content(
        (LoginBody = "application/json"),
        (LoginBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Signed in.", body = TokenView),
        (status = 400, response = BadRequest),
        (status = 401, description = "Wrong username or password (2003): one answer for both.",
            body = ErrorBody, example = json!({"code": 2003, "message": "Wrong username or password."})),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 429, response = TooManyRequests),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn login(
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: LoginBody = body::read(&req, payload, FormShape::Fields).await?;
    // Refused before any lookup or hashing: the same answer, and cheap, for every name.
    if let Err(refused) = state.throttle.check_login(&body.username, client.0) {
        state.metrics.login(LoginOutcome::Throttled);
        return Err(refused.into());
    }
    let event = |kind| Event::new(kind, client.0).username(&body.username);
    // A name outside the naming rules cannot exist, and some (NUL) no database takes.
    let found = match Username::parse(body.username.clone()) {
        Ok(username) => {
            blocking::db(&state, move |conn| {
                Credentials::by_username(conn, username.as_str())
            })
            .await?
        }
        Err(_) => None,
    };
    // An unknown user costs one verification too, so timing does not tell who exists.
    let stored = found
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |c| c.password_hash.clone());
    let password = body.password;
    let candidate = Password::unchecked(password.clone());
    let matches = blocking::verify(&state, candidate, stored).await?;
    let credentials = match found {
        Some(credentials) if matches => credentials,
        not_matched => {
            let target = not_matched.map(|c| c.id);
            let failed = event(AuditEvent::LoginFailed);
            let failed = match target {
                Some(id) => failed.target(id),
                None => failed,
            };
            failed.record(&state).await;
            state.metrics.login(LoginOutcome::Failure);
            if state
                .throttle
                .login_failed(&body.username, client.0)
                .is_some()
            {
                event(AuditEvent::LoginThrottled).record(&state).await;
            }
            return Err(ApiError::WrongCredentials);
        }
    };
    state.throttle.login_succeeded(&body.username);
    if credentials.disabled {
        state.metrics.login(LoginOutcome::Disabled);
        return Err(ApiError::AccountDisabled);
    }
    let user_id = credentials.id;
    if auth::password::needs_rehash(&credentials.password_hash) {
        // Hashes made with older parameters are upgraded while the plaintext is at hand.
        let upgraded = blocking::rehash(&state, Password::unchecked(password)).await?;
        blocking::db(&state, move |conn| {
            User::replace_password_hash(conn, user_id, &upgraded)
        })
        .await?;
    }
    let now = unix_now();
    let issued = auth::token::issue(now, state.token_ttl);
    let record = issued.record.clone();
    let succeeded = event(AuditEvent::LoginSucceeded)
        .actor(user_id)
        .target(user_id)
        .into_entry();
    // One transaction, so one commit (and fsync) per login, not three.
    let succeeded = blocking::db(&state, move |conn| {
        write_transaction(conn, |conn| {
            token::purge_expired(conn, user_id, now)?;
            token::insert(conn, user_id, &record)?;
            succeeded.insert(conn)?;
            Ok(succeeded)
        })
    })
    .await?;
    audit_trail::log_line(&succeeded);
    state.metrics.login(LoginOutcome::Success);
    Ok(HttpResponse::Ok().json(TokenView::new(user_id, &issued)))
}

/// `POST /logout`: revokes the token of this request.
#[utoipa::path(
    post,
    path = "/api/v1/logout",
    operation_id = "logout",
    summary = "Log out",
    description = "Revokes the token of this request.",
    tag = "session",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The token is revoked.", body = MessageView),
        (status = 401, response = Unauthenticated),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn logout(
    auth: AuthUser,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let token_id = auth.token_id;
    blocking::db(&state, move |conn| token::revoke(conn, token_id)).await?;
    Event::on_user(AuditEvent::Logout, client.0, auth.user.id, &auth.user)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(MessageView::SUCCESS))
}
