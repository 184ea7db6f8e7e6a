//! Register, login and logout: where tokens are issued and revoked.

use std::time::Duration;

use actix_web::http::header::SET_COOKIE;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::accounts::{AccountError, Caller};
use crate::domain::{NewUser, Password};
use crate::metrics::LoginOutcome;
use crate::routes::body::{JsonOrForm, RequestBody};
use crate::routes::error::{ApiError, ErrorBody};
use crate::routes::extractors::{AuthUser, ClientIp, Guarded, RegistrationOpen, SignInFrom};
use crate::routes::responses::{
    BadRequest, Forbidden, InternalError, PayloadTooLarge, RequestTimeout, TooManyRequests,
    Unauthenticated, Unavailable, UnsupportedMediaType,
};
use crate::routes::state::AppState;
use crate::views::{MessageView, PendingRegistrationView, TokenView};

/// A new account. The first account of a server becomes its admin.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Registration)]
pub(crate) struct RegisterBody {
    /// 1–64 of `A-Z a-z 0-9 . _ - @ +`, at least one a letter or digit; unique ignoring case.
    #[schema(
        example = "frida",
        pattern = "^[A-Za-z0-9._@+-]*[A-Za-z0-9][A-Za-z0-9._@+-]*$",
        max_length = 64
    )]
    username: String,
    /// 8–1024 characters, strong enough by the server's policy.
    #[schema(example = "plum-kayak-41", min_length = 8, max_length = 1024)]
    password: String,
    /// Required; unique ignoring case. (A missing or empty one is refused with 1016.)
    #[schema(example = "frida@example.com", required = true, value_type = String)]
    email: Option<String>,
    /// Display name, at most 250 characters.
    #[schema(example = "Frida Kahlo", max_length = 250)]
    #[serde(default)]
    name: Option<String>,
}

impl RequestBody for RegisterBody {}

impl TryFrom<RegisterBody> for NewUser {
    type Error = ApiError;

    fn try_from(body: RegisterBody) -> Result<Self, ApiError> {
        Ok(Self::registration(
            body.username,
            body.email,
            body.name,
            body.password,
        )?)
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
    /// Also set the session as the cookie `roster_session` (HttpOnly, SameSite=Lax), which
    /// signs the browser into every app behind the proxy (forward-auth).
    #[serde(default)]
    #[schema(example = false)]
    cookie: bool,
}

impl RequestBody for LoginBody {}

/// `POST /register`: creates an account (the first one is admin) and logs it in.
#[utoipa::path(
    post,
    path = "/api/v1/register",
    operation_id = "register",
    summary = "Register an account",
    description = "Creates an account and signs it in (200). The first account of a server becomes its admin. With `ROSTER_EMAIL_CONFIRMATION=required` the account is not signed in: the answer is 202 with its id, and a confirmation mail goes out; log in once the address is confirmed. Throttled per client address.",
    tag = "session",
    request_body(content(
        (RegisterBody = "application/json"),
        (RegisterBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Registered and signed in.", body = TokenView),
        (status = 202, description = "Registered; the address must be confirmed before logging in.", body = PendingRegistrationView),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 429, response = TooManyRequests),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn register(
    Guarded(admitted, JsonOrForm(body)): Guarded<RegistrationOpen, JsonOrForm<RegisterBody>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let new_user = NewUser::try_from(body)?;
    let (user, issued) = state.accounts.register(admitted.0, new_user).await?;
    Ok(match issued {
        Some(issued) => HttpResponse::Ok().json(TokenView::new(user.id, &issued)),
        None => HttpResponse::Accepted().json(PendingRegistrationView::new(user.id)),
    })
}

/// `POST /login`: a new token for a correct username and password.
#[utoipa::path(
    post,
    path = "/api/v1/login",
    operation_id = "login",
    summary = "Log in",
    description = "Exchanges a username and password for a session's bearer token. Unknown usernames and wrong passwords get the same answer. Throttled per username and per client address. With `cookie: true` the session is also set as the cookie `roster_session` (HttpOnly, SameSite=Lax, Secure unless ROSTER_COOKIE_SECURE=false, Domain from ROSTER_COOKIE_DOMAIN), which authenticates the API (changes only from an allowed Origin) and forward-auth.",
    tag = "session",
    request_body(content(
        (LoginBody = "application/json"),
        (LoginBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Signed in.", body = TokenView,
            headers(("Set-Cookie" = String, description = "With `cookie: true`: the session cookie `roster_session`."))),
        (status = 400, response = BadRequest),
        (status = 401, description = "Wrong username or password (2003): one answer for both.",
            body = ErrorBody, example = json!({"code": 2003, "message": "Wrong username or password."})),
        (status = 403, response = Forbidden),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 429, response = TooManyRequests),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn login(
    JsonOrForm(body): JsonOrForm<LoginBody>,
    state: web::Data<AppState>,
    client: SignInFrom,
) -> Result<HttpResponse, ApiError> {
    let password = Password::unchecked(body.password);
    let signed_in = state
        .accounts
        .login(client.0, &body.username, password)
        .await;
    if let Some(outcome) = outcome_of(&signed_in) {
        state.metrics.login(outcome);
    }
    let (user_id, issued) = signed_in?;
    let mut answer = HttpResponse::Ok();
    if body.cookie {
        let lifetime = (issued.expires - issued.created).max(0).unsigned_abs();
        let cookie = state.web.set(&issued.secret, Duration::from_secs(lifetime));
        answer.insert_header((SET_COOKIE, cookie));
    }
    Ok(answer.json(TokenView::new(user_id, &issued)))
}

/// `POST /logout`: revokes the token of this request.
#[utoipa::path(
    post,
    path = "/api/v1/logout",
    operation_id = "logout",
    summary = "Log out",
    description = "Revokes the token of this request, and clears the session cookie.",
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
    state
        .accounts
        .logout(Caller::user(auth.0, client.0))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((SET_COOKIE, state.web.clear()))
        .json(MessageView::SUCCESS))
}

/// How a login ended, for the metrics; none when the database or the hashing pool failed.
fn outcome_of<T>(signed_in: &Result<T, AccountError>) -> Option<LoginOutcome> {
    match signed_in {
        Ok(_) => Some(LoginOutcome::Success),
        Err(AccountError::WrongCredentials) => Some(LoginOutcome::Failure),
        Err(AccountError::Throttled { .. }) => Some(LoginOutcome::Throttled),
        Err(AccountError::AccountDisabled) => Some(LoginOutcome::Disabled),
        Err(_) => None,
    }
}
