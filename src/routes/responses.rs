//! Types that exist only to describe the API in its OpenAPI document: the error answers
//! (one per status, each the `Error` body `{code, message}`, whose descriptions name the
//! codes a route can give), the `{id}` path parameter and the audit event types. A leaf:
//! handlers refer to these, and `openapi` collects the handlers.
#![expect(
    dead_code,
    reason = "description-only types: handlers answer through ApiError, never build these"
)]

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, PartialSchema, ToResponse, ToSchema};

use crate::domain::AuditEvent;

use super::error::ErrorBody;

/// The `{id}` of a user's URL.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserIdParam {
    /// The user's id.
    #[param(minimum = 1, example = 2)]
    id: i64,
}

/// The `{id}` of a session or API token.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TokenIdParam {
    /// The session's or token's id.
    #[param(minimum = 1, example = 12)]
    id: i64,
}

/// The `{id}` of a group.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GroupIdParam {
    /// The group's id.
    #[param(minimum = 1, example = 3)]
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

/// 400: the input is invalid (codes 1001–1052): see `message`.
#[derive(ToResponse)]
#[response(
    description = "Invalid input (codes 1001–1052); `message` says what to fix.",
    example = json!({"code": 1010, "message": "The username must not be empty."})
)]
pub struct BadRequest(ErrorBody<'static>);

/// 401: no token, or an unknown, expired or revoked one.
#[derive(ToResponse)]
#[response(
    description = "No token (2001), or an invalid, expired or revoked one (2002).",
    example = json!({"code": 2002, "message": "The token is invalid, expired or revoked."})
)]
pub struct Unauthenticated(ErrorBody<'static>);

/// 403: the caller may not do this.
#[derive(ToResponse)]
#[response(
    description = "Not allowed: admin required (3001), registration closed (3002), account \
        disabled (3003), wrong current password (3004), not your account (3005), address \
        not confirmed (3007), this server sends no mail (3008), the token's scopes do not \
        allow this (3009), API tokens are managed from a session (3010), a scope only admins \
        may grant (3011), a cookie-authenticated change from another site (3012), the access \
        rules refuse (3013).",
    example = json!({"code": 3001, "message": "Only admins may do this."})
)]
pub struct Forbidden(ErrorBody<'static>);

/// 404: no user with this id.
#[derive(ToResponse)]
#[response(
    description = "No user with this id (4001).",
    example = json!({"code": 4001, "message": "The user does not exist."})
)]
pub struct NotFound(ErrorBody<'static>);

/// 200 of forward-auth: let the request through, naming the user.
#[derive(ToResponse)]
#[response(
    description = "Let it through; the `Remote-*` headers name the user (all four always \
        present, empty for a stranger an `anyone` rule lets in).",
    headers(
        ("Remote-User" = String, description = "The username."),
        ("Remote-Name" = String, description = "The display name."),
        ("Remote-Email" = String, description = "The email address (may be empty)."),
        ("Remote-Groups" = String, description = "Comma-separated group names."),
    )
)]
pub struct Passed;

/// 404: no session or API token with this id among those the caller may see.
#[derive(ToResponse)]
#[response(
    description = "No such session (4003) or API token (4004) among the caller's (an \
        admin's: anyone's), or no such user (4001).",
    example = json!({"code": 4004, "message": "The API token does not exist."})
)]
pub struct TokenNotFound(ErrorBody<'static>);

/// 404: no group (or user) with this id, or the user is not a member.
#[derive(ToResponse)]
#[response(
    description = "No group with this id (4005), no user with the id given (4001), or the \
        user is not a member (4006).",
    example = json!({"code": 4005, "message": "The group does not exist."})
)]
pub struct GroupNotFound(ErrorBody<'static>);

/// 408: the body did not arrive in time.
#[derive(ToResponse)]
#[response(
    description = "The body did not arrive within ROSTER_REQUEST_TIMEOUT (4080); the \
        connection is closed.",
    example = json!({"code": 4080, "message": "The request body did not arrive in time."})
)]
pub struct RequestTimeout(ErrorBody<'static>);

/// 413: the body is over 64 KiB.
#[derive(ToResponse)]
#[response(
    description = "The body is larger than 64 KiB (4130).",
    example = json!({"code": 4130, "message": "The request body is larger than 64 KiB."})
)]
pub struct PayloadTooLarge(ErrorBody<'static>);

/// 415: neither JSON nor form data.
#[derive(ToResponse)]
#[response(
    description = "The body is neither application/json nor \
        application/x-www-form-urlencoded (4150).",
    example = json!({"code": 4150, "message": "Unsupported Content-Type: send application/json or application/x-www-form-urlencoded."})
)]
pub struct UnsupportedMediaType(ErrorBody<'static>);

/// 429: throttled.
#[derive(ToResponse)]
#[response(
    description = "Too many attempts (4290): a locked username or a client over its rate. \
        `Retry-After` gives the seconds to wait.",
    headers(("Retry-After" = u64, description = "Seconds until a retry may succeed.")),
    example = json!({"code": 4290, "message": "Too many attempts; retry after 60 seconds."})
)]
pub struct TooManyRequests(ErrorBody<'static>);

/// 500: a bug or an unexpected database error; details go to the server log only.
#[derive(ToResponse)]
#[response(
    description = "Internal error (5000); the details are in the server's log.",
    example = json!({"code": 5000, "message": "Internal server error."})
)]
pub struct InternalError(ErrorBody<'static>);

/// 503: the database is unreachable, or every hashing slot is busy.
#[derive(ToResponse)]
#[response(
    description = "Temporarily unavailable: the database does not answer (5030), every \
        password-hashing slot is busy (5031), or the database's storage is full (5032). \
        `Retry-After` gives the seconds to wait.",
    headers(("Retry-After" = u64, description = "Seconds until a retry may succeed.")),
    example = json!({"code": 5030, "message": "The service is temporarily unavailable; try again shortly."})
)]
pub struct Unavailable(ErrorBody<'static>);
