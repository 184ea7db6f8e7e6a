//! Groups (admins): `/groups`, `/groups/{id}`, `/groups/{id}/members`, and a user's groups
//! (`/users/{id}/groups`, `/user/groups`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::accounts::Caller;
use crate::domain::{
    GroupDescription, GroupName, GroupUpdate, Page, SearchTerm, UserId, ValidationError,
};
use crate::routes::body::{JsonOrForm, RequestBody};
use crate::routes::error::ApiError;
use crate::routes::extractors::{
    path_number, AdminOnUser, AdminUser, AuthUser, ClientIp, Guarded, ReadUsers, Signed,
};
use crate::routes::paginated;
use crate::routes::responses::{
    BadRequest, Forbidden, GroupIdParam, GroupNotFound, InternalError, NotFound, PayloadTooLarge,
    RequestTimeout, Unauthenticated, Unavailable, UnsupportedMediaType, UserIdParam,
};
use crate::routes::state::AppState;
use crate::views::{GroupView, MessageView, UserView};

/// The `{id}` of a group's URL.
fn group_id(req: &HttpRequest) -> Result<i64, ApiError> {
    path_number(req, ValidationError::GroupId)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only groups whose name or description contains this text, ignoring case.
    #[param(example = "ops")]
    s: Option<String>,
    /// The page, from 1.
    #[param(value_type = Option<u64>, minimum = 1, example = 1)]
    page: Option<String>,
    /// Groups per page, 50 by default; above 1000 counts as 1000.
    #[param(value_type = Option<u64>, minimum = 1, example = 50)]
    per_page: Option<String>,
}

/// The page of a list's query string, parsed after the caller was checked.
fn page_of(req: &HttpRequest) -> Result<(Page, Option<SearchTerm>), ApiError> {
    let query = web::Query::<ListQuery>::from_query(req.query_string())
        .map_err(|e| ApiError::InvalidQuery(e.to_string()))?
        .into_inner();
    let page = Page::parse(query.page.as_deref(), query.per_page.as_deref())?;
    Ok((page, SearchTerm::parse(query.s.as_deref())?))
}

/// A group to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewGroup)]
pub(crate) struct CreateGroupBody {
    /// 1–64 of `A-Z a-z 0-9 . _ -` and space, a letter or digit first and last; unique
    /// ignoring case.
    #[schema(
        example = "ops",
        pattern = "^[A-Za-z0-9]([A-Za-z0-9._ -]*[A-Za-z0-9])?$",
        max_length = 64
    )]
    name: String,
    /// At most 1000 characters.
    #[serde(default)]
    #[schema(example = "On call this week", max_length = 1000)]
    description: Option<String>,
}

impl RequestBody for CreateGroupBody {}

/// Fields of a group to change; at least one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = GroupUpdate)]
pub(crate) struct UpdateGroupBody {
    #[serde(default)]
    #[schema(
        example = "sre",
        pattern = "^[A-Za-z0-9]([A-Za-z0-9._ -]*[A-Za-z0-9])?$",
        max_length = 64
    )]
    name: Option<String>,
    #[serde(default)]
    #[schema(example = "Site reliability", max_length = 1000)]
    description: Option<String>,
}

impl RequestBody for UpdateGroupBody {}

/// A user to add to a group.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(as = NewMember)]
pub(crate) struct MemberBody {
    #[schema(example = 7, minimum = 1)]
    user_id: i64,
}

impl RequestBody for MemberBody {}

/// `PUT /groups`: creates a group.
#[utoipa::path(
    put,
    path = "/api/v1/groups",
    operation_id = "createGroup",
    summary = "Create a group",
    description = "Admins only (scope `users:write`). Audited as `group.created`.",
    tag = "groups",
    security(("bearerAuth" = ["admin"])),
    request_body(content(
        (CreateGroupBody = "application/json"),
        (CreateGroupBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The new group.", body = GroupView),
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
    Guarded(admin, JsonOrForm(body)): Guarded<AdminUser, JsonOrForm<CreateGroupBody>>,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let name = GroupName::parse(body.name)?;
    let description = GroupDescription::parse(body.description.unwrap_or_default())?;
    let caller = Caller::user(admin.0, client.0);
    let group = state
        .accounts
        .create_group(caller, name, description)
        .await?;
    Ok(HttpResponse::Ok().json(GroupView::from(group)))
}

/// `GET /groups`: lists groups.
#[utoipa::path(
    get,
    path = "/api/v1/groups",
    operation_id = "listGroups",
    summary = "List groups",
    description = "Admins only (scope `users:read`). By id, paginated like `GET /users` (`x-pagination-*` headers).",
    tag = "groups",
    params(ListQuery),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "One page of groups.", body = Vec<GroupView>,
            headers(
                ("x-pagination-total-pages" = u64, description = "Pages in all."),
                ("x-pagination-result-count" = u64, description = "Groups on this page."),
                ("x-pagination-total-count" = u64, description = "Matching groups in all."),
            )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn list(
    admin: Signed<ReadUsers>,
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (page, search) = page_of(&req)?;
    let caller = Caller::user(admin.0, client.0);
    let (groups, total) = state.accounts.groups(&caller, search, page).await?;
    Ok(paginated(page, total, groups, GroupView::from))
}

/// `GET /groups/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}",
    operation_id = "getGroup",
    summary = "Get a group",
    description = "Admins only (scope `users:read`).",
    tag = "groups",
    params(GroupIdParam),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "The group.", body = GroupView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = GroupNotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn get(
    admin: Signed<ReadUsers>,
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = group_id(&req)?;
    let caller = Caller::user(admin.0, client.0);
    Ok(HttpResponse::Ok().json(GroupView::from(state.accounts.group(&caller, id).await?)))
}

/// `POST /groups/{id}`: renames a group or changes its description.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}",
    operation_id = "updateGroup",
    summary = "Update a group",
    description = "Admins only (scope `users:write`). Send at least one of `name`, `description`. Audited as `group.updated`.",
    tag = "groups",
    params(GroupIdParam),
    security(("bearerAuth" = ["admin"])),
    request_body(content(
        (UpdateGroupBody = "application/json"),
        (UpdateGroupBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The group as it is now.", body = GroupView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = GroupNotFound),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn update(
    Guarded(admin, JsonOrForm(body)): Guarded<AdminUser, JsonOrForm<UpdateGroupBody>>,
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = group_id(&req)?;
    let update = GroupUpdate {
        name: body.name.map(GroupName::parse).transpose()?,
        description: body.description.map(GroupDescription::parse).transpose()?,
    };
    if update.is_empty() {
        return Err(ApiError::InvalidBody(
            "send at least one of name, description".into(),
        ));
    }
    let caller = Caller::user(admin.0, client.0);
    let group = state.accounts.update_group(caller, id, update).await?;
    Ok(HttpResponse::Ok().json(GroupView::from(group)))
}

/// `DELETE /groups/{id}`.
#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}",
    operation_id = "deleteGroup",
    summary = "Delete a group",
    description = "Admins only (scope `users:write`). Its memberships go with it; the users stay. Audited as `group.deleted`.",
    tag = "groups",
    params(GroupIdParam),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "The group is gone.", body = MessageView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = GroupNotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn delete(
    admin: AdminUser,
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = group_id(&req)?;
    state
        .accounts
        .delete_group(Caller::user(admin.0, client.0), id)
        .await?;
    Ok(HttpResponse::Ok().json(MessageView::SUCCESS))
}

/// `GET /groups/{id}/members`.
#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}/members",
    operation_id = "listGroupMembers",
    summary = "A group's members",
    description = "Admins only (scope `users:read`). The members' user objects by id, paginated like `GET /users` (`page`, `per_page`, `x-pagination-*` headers).",
    tag = "groups",
    params(GroupIdParam, ListQuery),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "One page of members.", body = Vec<UserView>,
            headers(
                ("x-pagination-total-pages" = u64, description = "Pages in all."),
                ("x-pagination-result-count" = u64, description = "Members on this page."),
                ("x-pagination-total-count" = u64, description = "Members in all."),
            )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = GroupNotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn members(
    admin: Signed<ReadUsers>,
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = group_id(&req)?;
    let (page, _) = page_of(&req)?;
    let caller = Caller::user(admin.0, client.0);
    let (users, total) = state.accounts.members(&caller, id, page).await?;
    Ok(paginated(page, total, users, UserView::from))
}

/// `PUT /groups/{id}/members`: adds a user.
#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}/members",
    operation_id = "addGroupMember",
    summary = "Add a member",
    description = "Admins only (scope `users:write`). Adding a member twice is not an error (and records nothing the second time). Audited as `group.member_added`.",
    tag = "groups",
    params(GroupIdParam),
    security(("bearerAuth" = ["admin"])),
    request_body(content(
        (MemberBody = "application/json"),
        (MemberBody = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "The user is a member.", body = MessageView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = GroupNotFound),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn add_member(
    Guarded(admin, JsonOrForm(body)): Guarded<AdminUser, JsonOrForm<MemberBody>>,
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = group_id(&req)?;
    let user_id = UserId::parse(&body.user_id.to_string())?.get();
    let caller = Caller::user(admin.0, client.0);
    state.accounts.add_member(caller, id, user_id).await?;
    Ok(HttpResponse::Ok().json(MessageView::SUCCESS))
}

/// `DELETE /groups/{id}/members/{user_id}`: removes a user.
#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}/members/{user_id}",
    operation_id = "removeGroupMember",
    summary = "Remove a member",
    description = "Admins only (scope `users:write`). The user stays; only the membership goes. Audited as `group.member_removed`.",
    tag = "groups",
    params(GroupIdParam, ("user_id" = i64, Path, description = "The member's user id.", minimum = 1)),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "The user is no longer a member.", body = MessageView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = GroupNotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn remove_member(
    admin: AdminUser,
    state: web::Data<AppState>,
    client: ClientIp,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = group_id(&req)?;
    let user_id = UserId::parse(req.match_info().get("user_id").unwrap_or_default())?.get();
    let caller = Caller::user(admin.0, client.0);
    state.accounts.remove_member(caller, id, user_id).await?;
    Ok(HttpResponse::Ok().json(MessageView::SUCCESS))
}

fn groups_answer(groups: Vec<crate::accounts::CountedGroup>) -> HttpResponse {
    HttpResponse::Ok().json(groups.into_iter().map(GroupView::from).collect::<Vec<_>>())
}

/// `GET /users/{id}/groups`: a user's groups (admins).
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}/groups",
    operation_id = "listUserGroups",
    summary = "A user's groups",
    description = "Admins only (scope `users:read`). By name.",
    tag = "groups",
    params(UserIdParam),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "The user's groups.", body = Vec<GroupView>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn of_user(
    target: AdminOnUser<ReadUsers>,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let caller = Caller::user(target.who.0, client.0);
    Ok(groups_answer(
        state.accounts.groups_of(&caller, target.id).await?,
    ))
}

/// `GET /user/groups`: the caller's own groups.
#[utoipa::path(
    get,
    path = "/api/v1/user/groups",
    operation_id = "listOwnGroups",
    summary = "Your groups",
    description = "The caller's groups, by name (scope `account`).",
    tag = "account",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "Your groups.", body = Vec<GroupView>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn own(
    auth: AuthUser,
    state: web::Data<AppState>,
    client: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let me = auth.0.user.id;
    let caller = Caller::user(auth.0, client.0);
    Ok(groups_answer(state.accounts.groups_of(&caller, me).await?))
}
