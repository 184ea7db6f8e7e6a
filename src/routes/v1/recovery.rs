//! Account recovery and address confirmation by mail: `POST /user/password/token`,
//! `/user/password/reset`, `/user/confirm/token` and `/user/confirm`. Doors onto
//! `accounts::mail`; no sign-in needed.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::accounts::MailKind;
use crate::domain::{Email, Password};
use crate::routes::body::{JsonOrForm, RequestBody};
use crate::routes::error::ApiError;
use crate::routes::extractors::ClientIp;
use crate::routes::responses::{
    BadRequest, Forbidden, InternalError, PayloadTooLarge, RequestTimeout, TooManyRequests,
    Unavailable, UnsupportedMediaType,
};
use crate::routes::state::AppState;
use crate::views::MessageView;

/// An address to send a link to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = MailRequest)]
pub(crate) struct MailRequestBody {
    /// The account's email address, any case.
    #[schema(example = "frida@example.com")]
    email: String,
}

impl RequestBody for MailRequestBody {}

/// A reset link's token and the new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(as = PasswordReset)]
pub(crate) struct ResetBody {
    /// The `token` of the link in the mail.
    #[schema(example = "Qm9vdHN0cmFwIHRva2VuIGZvciBleGFtcGxlcyBvbmx5IQ")]
    token: String,
    /// 8–1024 characters, strong enough by the server's policy.
    #[schema(example = "quartz-lantern-88", min_length = 8, max_length = 1024)]
    new_password: String,
}

impl RequestBody for ResetBody {}

/// A confirmation link's token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EmailConfirmation)]
pub(crate) struct ConfirmBody {
    /// The `token` of the link in the mail.
    #[schema(example = "Qm9vdHN0cmFwIHRva2VuIGZvciBleGFtcGxlcyBvbmx5IQ")]
    token: String,
}

impl RequestBody for ConfirmBody {}

#[utoipa::path(
    post,
    path = "/api/v1/user/password/token",
    operation_id = "requestPasswordReset",
    summary = "Ask for a password reset link",
    description = "When an enabled account has this address (ignoring case), a mail with a link `{ROSTER_PUBLIC_URL}/reset-password?token=…` is queued. The answer is the same whether or not the address is known. Throttled per address and per client address. 403 3008 when this server sends no mail.",
    tag = "recovery",
    request_body(content(
        (MailRequestBody = "application/json"),
        (MailRequestBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Queued when the address is known; the same answer when not.", body = MessageView),
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
/// `POST /user/password/token`: queues a reset link for the address, if it is an account's.
pub async fn request_reset(
    JsonOrForm(body): JsonOrForm<MailRequestBody>,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    request(body, MailKind::Reset, &state, client).await
}

#[utoipa::path(
    post,
    path = "/api/v1/user/confirm/token",
    operation_id = "requestEmailConfirmation",
    summary = "Ask for the confirmation mail again",
    description = "When an enabled account has this address and has not confirmed it, a mail with a link `{ROSTER_PUBLIC_URL}/confirm-email?token=…` is queued. Same answer, throttling and errors as the reset request.",
    tag = "recovery",
    request_body(content(
        (MailRequestBody = "application/json"),
        (MailRequestBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Queued when the address is known and unconfirmed; the same answer otherwise.", body = MessageView),
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
/// `POST /user/confirm/token`: queues the confirmation mail again.
pub async fn request_confirmation(
    JsonOrForm(body): JsonOrForm<MailRequestBody>,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    request(body, MailKind::Confirm, &state, client).await
}

async fn request(
    body: MailRequestBody,
    kind: MailKind,
    state: &AppState,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(body.email)?;
    state.accounts.request_mail(client.0, kind, email).await?;
    Ok(HttpResponse::Ok().json(MessageView::MAIL_REQUESTED))
}

#[utoipa::path(
    post,
    path = "/api/v1/user/password/reset",
    operation_id = "resetPassword",
    summary = "Set a new password with a reset link",
    description = "Sets the password (the policy applies), ends every session of the user, marks the address the link reached confirmed, and uses the link up. An unknown, used or expired token is 400 1040.",
    tag = "recovery",
    request_body(content(
        (ResetBody = "application/json"),
        (ResetBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The password is set; every session of the user ended.", body = MessageView),
        (status = 400, response = BadRequest),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
/// `POST /user/password/reset`: a new password through a reset link.
pub async fn reset(
    JsonOrForm(body): JsonOrForm<ResetBody>,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let password = Password::parse(body.new_password)?;
    state
        .accounts
        .reset_password(client.0, body.token, password)
        .await?;
    Ok(HttpResponse::Ok().json(MessageView::PASSWORD_UPDATED))
}

#[utoipa::path(
    post,
    path = "/api/v1/user/confirm",
    operation_id = "confirmEmail",
    summary = "Confirm an address with its link",
    description = "Confirms the address the link was sent to. An unknown, used or expired token is 400 1041; a link for an address the user has changed since is 400 1042.",
    tag = "recovery",
    request_body(content(
        (ConfirmBody = "application/json"),
        (ConfirmBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The address is confirmed.", body = MessageView),
        (status = 400, response = BadRequest),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
/// `POST /user/confirm`: confirms an address through its link.
pub async fn confirm(
    JsonOrForm(body): JsonOrForm<ConfirmBody>,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    state.accounts.confirm_email(client.0, body.token).await?;
    Ok(HttpResponse::Ok().json(MessageView::EMAIL_CONFIRMED))
}
