//! Register, login and logout: where tokens are issued and revoked.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::auth::{self, AuthUser, ClientIp};
use crate::domain::{AuditEvent, Email, Name, NewUser, Password, Username};
use crate::error::ApiError;
use crate::metrics::LoginOutcome;
use crate::models::{token, unix_now, Credentials, User};
use crate::routes::audit_trail::Event;
use crate::routes::blocking;
use crate::routes::body::{self, FormShape};
use crate::routes::views::{MessageView, TokenView};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    username: String,
    password: String,
    #[serde(default)]
    email: Option<String>,
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

/// Extra fields are ignored here (clients such as Vikunja's send `long_token`).
#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

/// `POST /register`: creates an account (the first one is admin) and logs it in.
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
    let username = body.username.clone();
    let found = blocking::db(&state, move |conn| {
        Credentials::by_username(conn, &username)
    })
    .await?;
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
    blocking::db(&state, move |conn| {
        token::purge_expired(conn, user_id, now)?;
        token::insert(conn, user_id, &record)
    })
    .await?;
    state.metrics.login(LoginOutcome::Success);
    event(AuditEvent::LoginSucceeded)
        .actor(user_id)
        .target(user_id)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(TokenView::new(user_id, &issued)))
}

/// `POST /logout`: revokes the token of this request.
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
