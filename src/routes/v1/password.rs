use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::auth::{AuthUser, ClientIp};
use crate::domain::{AuditEvent, Password, UserId};
use crate::error::ApiError;
use crate::models::{unix_now, Credentials, User};
use crate::routes::audit_trail::Event;
use crate::routes::blocking;
use crate::routes::body::{self, FormShape};
use crate::routes::views::MessageView;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PasswordBody {
    password: String,
    #[serde(default)]
    old_password: Option<String>,
}

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
