//! Admin user management: list, get, create, update, delete.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::auth::{AdminUser, ClientIp};
use crate::domain::{
    AuditEvent, Email, Name, NewUser, Page, Password, SearchTerm, UserId, UserUpdate, Username,
};
use crate::error::ApiError;
use crate::models::{unix_now, User};
use crate::routes::audit_trail::Event;
use crate::routes::blocking;
use crate::routes::body::{self, FormShape};
use crate::routes::views::{paginated, MessageView, UserView};
use crate::state::AppState;

#[derive(Deserialize)]
struct ListQuery {
    s: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateUserBody {
    username: String,
    password: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    is_admin: Option<bool>,
}

impl TryFrom<CreateUserBody> for NewUser {
    type Error = ApiError;

    fn try_from(body: CreateUserBody) -> Result<Self, ApiError> {
        Ok(Self {
            username: Username::parse(body.username)?,
            email: optional_email(body.email)?,
            name: Name::parse(body.name.unwrap_or_default())?,
            password: Password::parse(body.password)?,
            is_admin: body.is_admin.unwrap_or(false),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UpdateUserBody {
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
    /// `null` or `""` removes the address.
    #[serde(default, deserialize_with = "body::nullable")]
    email: Option<Option<String>>,
    #[serde(default)]
    is_admin: Option<bool>,
    #[serde(default)]
    disabled: Option<bool>,
    /// Refused: passwords change through their own route.
    #[serde(default, deserialize_with = "body::present")]
    password: bool,
}

impl TryFrom<UpdateUserBody> for UserUpdate {
    type Error = ApiError;

    fn try_from(body: UpdateUserBody) -> Result<Self, ApiError> {
        if body.password {
            return Err(ApiError::PasswordNotUpdatable);
        }
        let update = Self {
            username: body.username.map(Username::parse).transpose()?,
            name: body.name.map(Name::parse).transpose()?,
            email: body.email.map(optional_email).transpose()?,
            is_admin: body.is_admin,
            disabled: body.disabled,
        };
        if update.is_empty() {
            return Err(ApiError::NothingToUpdate);
        }
        Ok(update)
    }
}

/// An email that may be left out: absent or `""` means none.
fn optional_email(raw: Option<String>) -> Result<Option<Email>, ApiError> {
    Ok(raw
        .filter(|e| !e.is_empty())
        .map(Email::parse)
        .transpose()?)
}

/// `GET /users`: users ordered by id, filtered by `?s=` and paginated.
pub async fn list(
    _admin: AdminUser,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // Parsed here rather than by an extractor, so it comes after the admin check.
    let query = web::Query::<ListQuery>::from_query(req.query_string())
        .map_err(|e| ApiError::InvalidQuery(e.to_string()))?
        .into_inner();
    let page = Page::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let search = SearchTerm::parse(query.s.as_deref());
    let (users, total) =
        blocking::db(&state, move |conn| User::list(conn, search.as_ref(), page)).await?;
    Ok(paginated(page, total, users, UserView::from))
}

/// `GET /users/{id}`.
pub async fn get(
    _admin: AdminUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = UserId::parse(&path)?.get();
    let user = blocking::db(&state, move |conn| User::find(conn, id)).await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// `PUT /users`: creates a user.
pub async fn create(
    admin: AdminUser,
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: CreateUserBody = body::read(&req, payload, FormShape::UserObject).await?;
    let new_user = NewUser::try_from(body)?;
    let inputs = new_user.personal_inputs();
    let password_hash = blocking::hash_new(&state, new_user.password.clone(), inputs).await?;
    let now = unix_now();
    let user = blocking::db(&state, move |conn| {
        User::create(conn, &new_user, &password_hash, now)
    })
    .await?;
    Event::on_user(AuditEvent::UserCreated, client.0, admin.0.user.id, &user)
        .record(&state)
        .await;
    let location = format!("{}/api/v1/users/{}", state.public_url, user.id);
    Ok(HttpResponse::Ok()
        .insert_header((header::LOCATION, location))
        .json(UserView::from(user)))
}

/// `POST /users/{id}`: changes some fields of a user.
pub async fn update(
    admin: AdminUser,
    state: web::Data<AppState>,
    client: ClientIp,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = UserId::parse(&path)?.get();
    let body: UpdateUserBody = body::read(&req, payload, FormShape::UserObject).await?;
    let update = UserUpdate::try_from(body)?;
    let disabled = update.disabled;
    let now = unix_now();
    let user = blocking::db(&state, move |conn| User::update(conn, id, &update, now)).await?;
    let kinds = [
        Some(AuditEvent::UserUpdated),
        disabled.map(|d| {
            if d {
                AuditEvent::UserDisabled
            } else {
                AuditEvent::UserEnabled
            }
        }),
    ];
    for kind in kinds.into_iter().flatten() {
        Event::on_user(kind, client.0, admin.0.user.id, &user)
            .record(&state)
            .await;
    }
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// `POST /users/{id}/logout-all`: ends every session of a user (but the caller's own).
pub async fn logout_all(
    admin: AdminUser,
    state: web::Data<AppState>,
    client: ClientIp,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = UserId::parse(&path)?.get();
    let keep_token = (id == admin.0.user.id).then_some(admin.0.token_id);
    blocking::db(&state, move |conn| User::end_sessions(conn, id, keep_token)).await?;
    Event::new(AuditEvent::TokensRevoked, client.0)
        .actor(admin.0.user.id)
        .target(id)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(MessageView::SUCCESS))
}

/// `DELETE /users/{id}`: deletes a user and its tokens.
pub async fn delete(
    admin: AdminUser,
    state: web::Data<AppState>,
    client: ClientIp,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = UserId::parse(&path)?.get();
    let deleted = blocking::db(&state, move |conn| User::delete(conn, id)).await?;
    Event::on_user(AuditEvent::UserDeleted, client.0, admin.0.user.id, &deleted)
        .record(&state)
        .await;
    Ok(HttpResponse::Ok().json(MessageView::SUCCESS))
}
