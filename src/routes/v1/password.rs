//! `POST /users/{id}/password`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::Password;
use crate::routes::body::{JsonOrForm, RequestBody};
use crate::routes::error::ApiError;
use crate::routes::extractors::{Guarded, PasswordSetter};
use crate::routes::responses::{
    BadRequest, Forbidden, InternalError, NotFound, PayloadTooLarge, RequestTimeout,
    Unauthenticated, Unavailable, UnsupportedMediaType, UserIdParam,
};
use crate::routes::state::AppState;
use crate::views::MessageView;

/// A new password; users changing their own also send the current one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(as = PasswordChange)]
pub(crate) struct PasswordBody {
    /// 8–1024 characters, strong enough by the server's policy.
    #[schema(example = "quartz-lantern-88", min_length = 8, max_length = 1024)]
    password: String,
    /// The current password: required for one's own account (absent, `null` and `""`
    /// all count as not sent: 400 1017), ignored for an admin setting someone else's.
    #[serde(default)]
    #[schema(example = "plum-kayak-41")]
    old_password: Option<String>,
}

impl RequestBody for PasswordBody {}

#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/password",
    operation_id = "changePassword",
    summary = "Change a password",
    description = "An admin sets anyone's password; a user changes its own, sending the current one as `oldPassword`. Every other token of the user is revoked.",
    tag = "users",
    params(UserIdParam),
    request_body(content(
        (PasswordBody = "application/json"),
        (PasswordBody = "application/x-www-form-urlencoded"),
    )),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "Changed; every other token of the user is revoked.", body = MessageView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
/// `POST /users/{id}/password`: an admin sets anyone's password; a user changes its own
/// with its current one. Every other token of the user is revoked.
pub async fn change(
    Guarded(setter, JsonOrForm(body)): Guarded<PasswordSetter, JsonOrForm<PasswordBody>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let new_password = Password::parse(body.password)?;
    // A form cannot leave a field out as JSON can: an empty one means "not sent".
    let old = body.old_password.filter(|old| !old.is_empty());
    state
        .accounts
        .set_password(setter.caller, setter.id, new_password, old)
        .await?;
    Ok(HttpResponse::Ok().json(MessageView::PASSWORD_UPDATED))
}
