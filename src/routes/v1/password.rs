use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{AuthUser, ClientIp};
use crate::domain::{AuditEvent, Password, UserId};
use crate::error::ApiError;
use crate::models::{unix_now, Credentials, User};
use crate::routes::audit_trail::Event;
use crate::routes::blocking;
use crate::routes::body::{self, FormShape};
use crate::routes::openapi::{
    BadRequest, Forbidden, InternalError, NotFound, PayloadTooLarge, Unauthenticated, Unavailable,
    UnsupportedMediaType, UserIdParam,
};
use crate::routes::views::MessageView;
use crate::state::AppState;

/// A new password; users changing their own also send the current one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(as = PasswordChange)]
pub(crate) struct PasswordBody {
    /// 8–1024 characters, strong enough by the server's policy.
    #[schema(example = "quartz-lantern-88", min_length = 8, max_length = 1024)]
    password: String,
    /// The current password: required for one's own account, ignored for an admin
    /// setting someone else's.
    #[serde(default)]
    #[schema(example = "plum-kayak-41")]
    old_password: Option<String>,
}

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
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
/// `POST /users/{id}/password`: an admin sets anyone's password; a user changes its own
/// with its current one. Every other token of the user is revoked.
pub async fn change(
    auth: AuthUser,
    state: web::Data<AppState>,
    client: ClientIp,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = UserId::parse(&path)?.get();
    let own = id == auth.user.id;
    if !own && !auth.user.is_admin {
        return Err(ApiError::NotOwnAccount);
    }
    let body: PasswordBody = body::read(&req, payload, FormShape::Fields).await?;
    let new_password = Password::parse(body.password)?;
    let target = blocking::db(&state, move |conn| User::find(conn, id)).await?;
    if own {
        let old_password = body.old_password.ok_or(ApiError::OldPasswordRequired)?;
        let stored = blocking::db(&state, move |conn| Credentials::by_id(conn, id))
            .await?
            .password_hash;
        if !blocking::verify(&state, Password::unchecked(old_password), stored).await? {
            return Err(ApiError::WrongOldPassword);
        }
    }
    let mut inputs = vec![target.username.clone(), target.name.clone()];
    inputs.extend(target.email.clone());
    let password_hash = blocking::hash_new(&state, new_password, inputs).await?;
    let keep_token = own.then_some(auth.token_id);
    let now = unix_now();
    blocking::db(&state, move |conn| {
        User::set_password(conn, id, &password_hash, keep_token, now)
    })
    .await?;
    Event::on_user(AuditEvent::PasswordChanged, client.0, auth.user.id, &target)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(MessageView::PASSWORD_UPDATED))
}
