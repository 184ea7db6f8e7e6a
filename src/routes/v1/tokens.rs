//! Sessions one can see and end, and API tokens: `/user/sessions`, `/users/{id}/sessions`,
//! `/tokens` and `/users/{id}/tokens`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use crate::accounts::{AccountError, Caller};
use crate::domain::NewApiToken;
use crate::models::token::TokenRow;
use crate::routes::body::{JsonOrForm, RequestBody};
use crate::routes::error::ApiError;
use crate::routes::extractors::{
    path_number, AdminOnUser, AnyScope, AuthUser, ClientIp, Guarded, ReadUsers, Signed,
};
use crate::routes::responses::{
    BadRequest, Forbidden, InternalError, NotFound, PayloadTooLarge, RequestTimeout, TokenIdParam,
    TokenNotFound, Unauthenticated, Unavailable, UnsupportedMediaType, UserIdParam,
};
use crate::routes::state::AppState;
use crate::views::{ApiTokenView, CreatedTokenView, MessageView, SessionView};

fn sessions_answer(rows: Vec<TokenRow>, current: i64) -> HttpResponse {
    let shown: Vec<SessionView> = rows
        .into_iter()
        .map(|row| SessionView::new(row, current))
        .collect();
    HttpResponse::Ok().json(shown)
}

/// `GET /user/sessions`: the caller's open sessions.
#[utoipa::path(
    get,
    path = "/api/v1/user/sessions",
    operation_id = "listOwnSessions",
    summary = "Your sessions",
    description = "The caller's open sessions (what logins issued), newest first; `current` marks the one of this request. `lastUsed` is kept to the minute. Scope `account`.",
    tag = "account",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The sessions.", body = Vec<SessionView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn own_sessions(
    auth: AuthUser,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let (me, current) = (auth.0.user.id, auth.0.token_id);
    let caller = Caller::user(auth.0, client.0);
    let rows = state.accounts.sessions_of(&caller, me).await?;
    Ok(sessions_answer(rows, current))
}

/// `DELETE /user/sessions/{id}`: ends one of the caller's sessions.
#[utoipa::path(
    delete,
    path = "/api/v1/user/sessions/{id}",
    operation_id = "endOwnSession",
    summary = "End one of your sessions",
    description = "Signs that session out at once, on every instance. Someone else's session is not found (404). Scope `account`.",
    tag = "account",
    params(TokenIdParam),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The session is ended.", body = MessageView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = TokenNotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn end_own_session(
    auth: AuthUser,
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path_number(&req, AccountError::SessionNotFound)?;
    let caller = Caller::user(auth.0, client.0);
    state.accounts.end_session(caller, id).await?;
    Ok(HttpResponse::Ok().json(MessageView::SUCCESS))
}

/// `GET /users/{id}/sessions`: a user's open sessions (admins).
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}/sessions",
    operation_id = "listUserSessions",
    summary = "A user's sessions",
    description = "Admins only (scope `users:read`). The user's open sessions, newest first.",
    tag = "users",
    params(UserIdParam),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "The sessions.", body = Vec<SessionView>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn user_sessions(
    target: AdminOnUser<ReadUsers>,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let current = target.who.0.token_id;
    let caller = Caller::user(target.who.0, client.0);
    let rows = state.accounts.sessions_of(&caller, target.id).await?;
    Ok(sessions_answer(rows, current))
}

/// A new API token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(as = ApiTokenRequest)]
pub(crate) struct TokenBody {
    /// 1–250 characters, to tell tokens apart.
    #[schema(example = "ci-bot", min_length = 1, max_length = 250)]
    title: String,
    /// Unix seconds in the future; `null` or absent: until revoked.
    #[serde(default)]
    #[schema(example = 1798761600)]
    expires_at: Option<i64>,
    /// At least one of `account`, `users:read`, `users:write`, `audit:read`,
    /// `forward-auth`, `scim` (the admin ones for admins only). In form data: separated by
    /// spaces or commas.
    #[serde(deserialize_with = "scope_names")]
    #[schema(example = json!(["users:read"]))]
    scopes: Vec<String>,
}

impl RequestBody for TokenBody {}

/// A list of names, or (from form data) one string of them.
fn scope_names<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Names {
        List(Vec<String>),
        Text(String),
    }
    Ok(match Names::deserialize(d)? {
        Names::List(list) => list,
        Names::Text(text) => text
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// `PUT /tokens`: makes an API token for the caller.
#[utoipa::path(
    put,
    path = "/api/v1/tokens",
    operation_id = "createApiToken",
    summary = "Create an API token",
    description = "Makes a long-lived token with a title and scopes for the caller; the secret (starting `roster_`) is in this answer only and stored as a hash. Only from a signed-in session, not with another API token (3010); the admin scopes (`users:read`, `users:write`, `audit:read`, `scim`) for admins only (3011). A token never has more rights than its owner has now.",
    tag = "tokens",
    security(("bearerAuth" = [])),
    request_body(content(
        (TokenBody = "application/json"),
        (TokenBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The token, with its secret shown this once.", body = CreatedTokenView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn create(
    Guarded(auth, JsonOrForm(body)): Guarded<Signed<AnyScope>, JsonOrForm<TokenBody>>,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let new = NewApiToken::parse(
        body.title,
        body.expires_at,
        &body.scopes,
        state.accounts.now(),
    )?;
    let caller = Caller::user(auth.0, client.0);
    let (row, issued) = state.accounts.create_api_token(caller, new).await?;
    Ok(HttpResponse::Ok().json(CreatedTokenView::new(&row, &issued)))
}

fn tokens_answer(rows: &[TokenRow]) -> HttpResponse {
    let shown: Vec<ApiTokenView> = rows.iter().map(ApiTokenView::from).collect();
    HttpResponse::Ok().json(shown)
}

/// `GET /tokens`: the caller's API tokens.
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    operation_id = "listApiTokens",
    summary = "Your API tokens",
    description = "The caller's unexpired API tokens, newest first, without their secrets. Scope `account`.",
    tag = "tokens",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The tokens.", body = Vec<ApiTokenView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn list(
    auth: AuthUser,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let me = auth.0.user.id;
    let caller = Caller::user(auth.0, client.0);
    Ok(tokens_answer(
        &state.accounts.api_tokens_of(&caller, me).await?,
    ))
}

/// `GET /users/{id}/tokens`: a user's API tokens (admins).
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}/tokens",
    operation_id = "listUserApiTokens",
    summary = "A user's API tokens",
    description = "Admins only (scope `users:read`). The user's unexpired API tokens, without their secrets.",
    tag = "users",
    params(UserIdParam),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "The tokens.", body = Vec<ApiTokenView>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn user_tokens(
    target: AdminOnUser<ReadUsers>,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let caller = Caller::user(target.who.0, client.0);
    let rows = state.accounts.api_tokens_of(&caller, target.id).await?;
    Ok(tokens_answer(&rows))
}

/// `DELETE /tokens/{id}`: revokes an API token.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    operation_id = "revokeApiToken",
    summary = "Revoke an API token",
    description = "Revokes one of the caller's API tokens (scope `account`), or anyone's for an admin (scope `users:write`); refused from the next request on, on every instance. Another user's token is not found (404) for a non-admin.",
    tag = "tokens",
    params(TokenIdParam),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The token is revoked.", body = MessageView),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = TokenNotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn revoke(
    auth: Signed<AnyScope>,
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path_number(&req, AccountError::ApiTokenNotFound)?;
    let caller = Caller::user(auth.0, client.0);
    state.accounts.revoke_api_token(caller, id).await?;
    Ok(HttpResponse::Ok().json(MessageView::SUCCESS))
}
