//! Admin user management: list, get, create, update, delete.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::accounts::{Caller, Read};
use crate::domain::{Email, Name, NewUser, Page, Scope, SearchTerm, UserUpdate, Username};
use crate::models::token::Ending;
use crate::models::User;
use crate::routes::body::{self, FormShape, JsonOrForm, RequestBody};
use crate::routes::error::ApiError;
use crate::routes::extractors::{
    path_id, AdminOnUser, AdminUser, Bearer, ClientIp, Guarded, ReadUsers,
};
use crate::routes::paginated;
use crate::routes::responses::{
    BadRequest, Forbidden, InternalError, NotFound, PayloadTooLarge, RequestTimeout,
    Unauthenticated, Unavailable, UnsupportedMediaType, UserIdParam,
};
use crate::routes::state::AppState;
use crate::views::{LockoutView, MessageView, UserView};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only users whose username, name or email contains this text, ignoring case.
    #[param(example = "frida")]
    s: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, example = 1)]
    /// The page, from 1.
    page: Option<String>,
    /// Users per page, 50 by default; above 1000 counts as 1000.
    #[param(value_type = Option<u64>, minimum = 1, example = 50)]
    per_page: Option<String>,
}

/// A user to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(as = NewUser)]
pub(crate) struct CreateUserBody {
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
    /// Unique ignoring case; absent or `""` for none.
    #[serde(default)]
    #[schema(example = "frida@example.com")]
    email: Option<String>,
    /// Display name, at most 250 characters.
    #[serde(default)]
    #[schema(example = "Frida Kahlo", max_length = 250)]
    name: Option<String>,
    /// `false` unless given.
    #[serde(default)]
    #[schema(example = false)]
    is_admin: Option<bool>,
    /// The admin vouches that the address reaches the user: no confirmation mail is sent.
    /// `false` unless given; ignored without an address.
    #[serde(default)]
    #[schema(example = false)]
    email_confirmed: Option<bool>,
}

impl RequestBody for CreateUserBody {
    const FORM: FormShape = FormShape::UserObject;
}

impl TryFrom<CreateUserBody> for NewUser {
    type Error = ApiError;

    fn try_from(body: CreateUserBody) -> Result<Self, ApiError> {
        let is_admin = body.is_admin.unwrap_or(false);
        let mut new = Self::parse(
            body.username,
            body.email,
            body.name,
            body.password,
            is_admin,
        )?;
        new.email_confirmed = body.email_confirmed.unwrap_or(false);
        Ok(new)
    }
}

/// The fields to change; at least one. Passwords change through their own route. One rule
/// for every field: absent keeps it; `null` clears it where it can be empty (`name`,
/// `email`) and is refused (400 1001) where it cannot (`username`, `isAdmin`, `disabled`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(as = UserUpdate)]
pub(crate) struct UpdateUserBody {
    /// 1–64 of `A-Z a-z 0-9 . _ - @ +`, at least one a letter or digit; unique ignoring case.
    /// Absent: kept; never `null`.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(
        value_type = String,
        example = "frida.k",
        pattern = "^[A-Za-z0-9._@+-]*[A-Za-z0-9][A-Za-z0-9._@+-]*$",
        max_length = 64
    )]
    username: Option<String>,
    /// Display name, at most 250 characters. Absent: kept; `null` or `""`: cleared.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, example = "Frida Kahlo", max_length = 250)]
    name: Option<Option<String>>,
    /// Absent: kept; `null` or `""`: the address is removed.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, example = "frida@example.org")]
    email: Option<Option<String>>,
    /// The last enabled admin cannot be demoted. Absent: kept; never `null`.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool, example = true)]
    is_admin: Option<bool>,
    /// A disabled user cannot log in and its tokens stop working; the last enabled admin
    /// cannot be disabled. Absent: kept; never `null`.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool, example = false)]
    disabled: Option<bool>,
    /// Mark the address confirmed (or not). A changed `email` is unconfirmed unless this
    /// says otherwise in the same update. Absent: kept; never `null`.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool, example = true)]
    email_confirmed: Option<bool>,
    /// Refused: passwords change through their own route.
    #[serde(default, deserialize_with = "body::present")]
    #[schema(ignore)]
    password: bool,
}

/// Form data carrying a user object as JSON in the value `user`, as Vikunja takes it.
/// Plain fields (`username=..&password=..`) are accepted too.
#[derive(ToSchema)]
#[schema(as = UserForm)]
#[expect(dead_code, reason = "description only: JsonOrForm reads the form")]
pub(crate) struct UserObjectForm {
    /// The JSON object.
    #[schema(example = r#"{"username":"frida","password":"plum-kayak-41"}"#)]
    user: String,
}

impl RequestBody for UpdateUserBody {
    const FORM: FormShape = FormShape::UserObject;
}

impl TryFrom<UpdateUserBody> for UserUpdate {
    type Error = ApiError;

    fn try_from(body: UpdateUserBody) -> Result<Self, ApiError> {
        if body.password {
            return Err(ApiError::PasswordNotUpdatable);
        }
        let update = Self {
            username: body.username.map(Username::parse).transpose()?,
            name: body
                .name
                .map(|name| Name::parse(name.unwrap_or_default()))
                .transpose()?,
            email: body.email.map(Email::parse_optional).transpose()?,
            is_admin: body.is_admin,
            disabled: body.disabled,
            email_confirmed: body.email_confirmed,
        };
        if update.is_empty() {
            return Err(ApiError::NothingToUpdate);
        }
        Ok(update)
    }
}

/// `GET /users`: users ordered by id, filtered by `?s=` and paginated.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    operation_id = "listUsers",
    summary = "List users",
    description = "Admins only. Users by id, optionally only those whose username, name or email contains `s` (a literal text, ignoring case), a page at a time.",
    tag = "users",
    params(ListQuery),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "A page of users, by id.", body = [UserView],
            headers(
                ("x-pagination-total-pages" = u64, description = "Pages the whole result fills (0 when nothing matches)."),
                ("x-pagination-result-count" = u64, description = "Users on this page."),
                ("x-pagination-total-count" = u64, description = "Users matching on all pages together."),
            )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn list(
    bearer: Bearer,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // Parsed here rather than by an extractor; its errors count only after the admin check.
    let query = web::Query::<ListQuery>::from_query(req.query_string())
        .map_err(|e| ApiError::InvalidQuery(e.to_string()))
        .and_then(|query| {
            let query = query.into_inner();
            let page = Page::parse(query.page.as_deref(), query.per_page.as_deref())?;
            Ok((page, SearchTerm::parse(query.s.as_deref())?))
        });
    let (page, users, total) = state
        .accounts
        .read_as_admin(bearer.hash(), Scope::UsersRead, Read::Scan, move |conn| {
            let (page, search) = query?;
            let (users, total) = User::list(conn, search.as_ref(), page)?;
            Ok::<_, ApiError>((page, users, total))
        })
        .await?;
    Ok(paginated(page, total, users, UserView::from))
}

/// `GET /users/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    operation_id = "getUser",
    summary = "Get a user",
    description = "Admins only.",
    tag = "users",
    params(UserIdParam),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "The user.", body = UserView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn get(
    bearer: Bearer,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // Its error counts only after the admin check.
    let id = path_id(&req);
    let user = state
        .accounts
        .read_as_admin(bearer.hash(), Scope::UsersRead, Read::Lookup, move |conn| {
            Ok::<_, ApiError>(User::find(conn, id?)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// `PUT /users`: creates a user.
#[utoipa::path(
    put,
    path = "/api/v1/users",
    operation_id = "createUser",
    summary = "Create a user",
    description = "Admins only.",
    tag = "users",
    request_body(content(
        (CreateUserBody = "application/json"),
        (UserObjectForm = "application/x-www-form-urlencoded"),
    )),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "The created user.", body = UserView,
            headers(("Location" = String, description = "The new user's URL."))),
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
    Guarded(admin, JsonOrForm(body)): Guarded<AdminUser, JsonOrForm<CreateUserBody>>,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let new_user = NewUser::try_from(body)?;
    let caller = Caller::user(admin.0, client.0);
    let user = state.accounts.create(caller, new_user).await?;
    let location = format!("{}/api/v1/users/{}", state.public_url, user.id);
    Ok(HttpResponse::Ok()
        .insert_header((header::LOCATION, location))
        .json(UserView::from(user)))
}

/// `POST /users/{id}`: changes some fields of a user.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}",
    operation_id = "updateUser",
    summary = "Update a user",
    description = "Admins only. Changes the fields sent; the last enabled admin cannot be demoted or disabled (1030).",
    tag = "users",
    params(UserIdParam),
    request_body(content(
        (UpdateUserBody = "application/json"),
        (UserObjectForm = "application/x-www-form-urlencoded"),
    )),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "The changed user.", body = UserView),
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
pub async fn update(
    Guarded(target, JsonOrForm(body)): Guarded<AdminOnUser, JsonOrForm<UpdateUserBody>>,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let update = UserUpdate::try_from(body)?;
    let caller = Caller::user(target.who.0, client.0);
    let user = state.accounts.update(caller, target.id, update).await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// `POST /users/{id}/logout-all`: ends every session of a user (but the caller's own).
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/logout-all",
    operation_id = "logoutAll",
    summary = "End a user's sessions",
    description = "Admins only. Ends every session of the user but the caller's own; with `?tokens=true` its API tokens too (by default they stay: they are not sessions).",
    tag = "users",
    params(UserIdParam, LogoutAllQuery),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "Every other token of the user is revoked.", body = MessageView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn logout_all(
    target: AdminOnUser,
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // Parsed after the admin check: its errors are not for strangers.
    let query = web::Query::<LogoutAllQuery>::from_query(req.query_string())
        .map_err(|e| ApiError::InvalidQuery(e.to_string()))?;
    let ending = match query.tokens {
        Some(true) => Ending::Everything,
        Some(false) | None => Ending::Sessions,
    };
    let caller = Caller::user(target.who.0, client.0);
    state
        .accounts
        .end_sessions(caller, target.id, ending)
        .await?;
    Ok(HttpResponse::Ok().json(MessageView::SUCCESS))
}

/// The query of `POST /users/{id}/logout-all`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LogoutAllQuery {
    /// Also revoke the user's API tokens.
    tokens: Option<bool>,
}

/// `DELETE /users/{id}`: deletes a user and its tokens.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}",
    operation_id = "deleteUser",
    summary = "Delete a user",
    description = "Admins only. Deletes the user and its tokens; the last enabled admin cannot be deleted (1030).",
    tag = "users",
    params(UserIdParam),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "The user and its tokens are gone.", body = MessageView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn delete(
    target: AdminOnUser,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let caller = Caller::user(target.who.0, client.0);
    state.accounts.delete(caller, target.id).await?;
    Ok(HttpResponse::Ok().json(MessageView::SUCCESS))
}

/// `GET /users/{id}/lockout`: whether failed logins locked a user out.
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}/lockout",
    operation_id = "getLockout",
    summary = "A user's lockout",
    description = "Admins only. Whether failed logins locked the user's username, until when, and how many failures count in the window.",
    tag = "users",
    params(UserIdParam),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "The lockout.", body = LockoutView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn lockout(
    target: AdminOnUser<ReadUsers>,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let caller = Caller::user(target.who.0, client.0);
    let lockout = state.accounts.lockout(&caller, target.id).await?;
    Ok(HttpResponse::Ok().json(LockoutView::from(lockout)))
}

/// `DELETE /users/{id}/lockout`: unlocks a user.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}/lockout",
    operation_id = "unlockUser",
    summary = "Unlock a user",
    description = "Admins only. Clears the user's failed logins and lockout (audited as `user.unlocked`); the user may log in at once. Limits on client addresses run out by themselves within a minute.",
    tag = "users",
    params(UserIdParam),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "Unlocked: the lockout as it is now.", body = LockoutView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn unlock(
    target: AdminOnUser,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let caller = Caller::user(target.who.0, client.0);
    let lockout = state.accounts.unlock(caller, target.id).await?;
    Ok(HttpResponse::Ok().json(LockoutView::from(lockout)))
}
