//! `/Users` and `/Groups`: the same verbs over two kinds of resource. What differs
//! between them (attributes, fields, the accounts operations, the representation) is a
//! [`Kind`]; each handler is written once, for any kind.

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value as Json;

use crate::accounts::{AccountError, Accounts, Caller, IfMatch};
use crate::domain::scim::{
    AttrPath, GroupAttr, GroupFields, PatchOperation, ScimError, UserAttr, UserFields,
};
use crate::models::scim::{ScimGroup, ScimQuery, ScimUser};
use crate::routes::extractors::state_of;

use super::render::{self, Projection};
use super::{
    answer, base_url, body, from_scim, if_match, one, path_id, projection_of, resource, Answer,
    ListParams, Provisioner, Reader, ScimFailure,
};

/// One kind of resource.
pub trait Kind: 'static {
    /// The endpoint, `/Users` or `/Groups`.
    const ENDPOINT: &'static str;
    /// What filters and `sortBy` name.
    type Attr: Copy + Send + 'static;
    /// What clients write.
    type Fields: Clone + Send + 'static;
    /// What is read back.
    type Shown;
    /// The refusal for an id that names no resource of this kind.
    fn missing() -> AccountError;
    /// The attribute `path` names.
    fn resolve(path: &AttrPath) -> Option<Self::Attr>;
    /// The fields a POST body describes.
    fn created(body: &Json) -> Result<Self::Fields, ScimError>;
    /// The fields a PUT body describes, replacing `current`.
    fn replaced(body: &Json, current: &Self::Fields) -> Result<Self::Fields, ScimError>;
    /// `fields` after PATCH `operations`.
    fn patched(
        fields: &Self::Fields,
        operations: &[PatchOperation],
    ) -> Result<Self::Fields, ScimError>;
    /// The representation, with URLs under `base`.
    fn render(shown: &Self::Shown, base: &str) -> Json;
    /// A page of resources, and how many match, for the admin behind `token_hash`.
    fn list(
        accounts: &Accounts,
        token_hash: String,
        query: ScimQuery<Self::Attr>,
    ) -> impl Future<Output = Result<(Vec<Self::Shown>, i64), AccountError>>;
    /// Resource `id`, for the admin behind `token_hash`.
    fn get(
        accounts: &Accounts,
        token_hash: String,
        id: i64,
    ) -> impl Future<Output = Result<Self::Shown, AccountError>>;
    /// Creates a resource.
    fn create(
        accounts: &Accounts,
        caller: Caller,
        fields: Self::Fields,
    ) -> impl Future<Output = Result<Self::Shown, AccountError>>;
    /// Changes resource `id` by `change` of its current fields.
    fn change(
        accounts: &Accounts,
        caller: Caller,
        id: i64,
        if_match: IfMatch,
        change: impl FnOnce(&Self::Fields) -> Result<Self::Fields, ScimError> + Send + 'static,
    ) -> impl Future<Output = Result<Self::Shown, AccountError>>;
    /// Deletes resource `id`.
    fn delete(
        accounts: &Accounts,
        caller: Caller,
        id: i64,
        if_match: IfMatch,
    ) -> impl Future<Output = Result<(), AccountError>>;
}

/// `/Users`.
pub struct Users;
/// `/Groups`.
pub struct Groups;

impl Kind for Users {
    const ENDPOINT: &'static str = "/Users";
    type Attr = UserAttr;
    type Fields = UserFields;
    type Shown = ScimUser;

    fn missing() -> AccountError {
        AccountError::UserNotFound
    }
    fn resolve(path: &AttrPath) -> Option<UserAttr> {
        UserAttr::resolve(path)
    }
    fn created(body: &Json) -> Result<UserFields, ScimError> {
        UserFields::from_resource(body, None)
    }
    fn replaced(body: &Json, current: &UserFields) -> Result<UserFields, ScimError> {
        UserFields::from_resource(body, Some(current))
    }
    fn patched(fields: &UserFields, ops: &[PatchOperation]) -> Result<UserFields, ScimError> {
        let mut changed = fields.clone();
        changed.patch(ops)?;
        Ok(changed)
    }
    fn render(shown: &ScimUser, base: &str) -> Json {
        render::user(shown, base)
    }
    async fn list(
        accounts: &Accounts,
        token_hash: String,
        query: ScimQuery<UserAttr>,
    ) -> Result<(Vec<ScimUser>, i64), AccountError> {
        accounts.scim_users(token_hash, query).await
    }
    async fn get(
        accounts: &Accounts,
        token_hash: String,
        id: i64,
    ) -> Result<ScimUser, AccountError> {
        accounts.scim_user(token_hash, id).await
    }
    async fn create(
        accounts: &Accounts,
        caller: Caller,
        fields: UserFields,
    ) -> Result<ScimUser, AccountError> {
        accounts.scim_create_user(caller, fields).await
    }
    async fn change(
        accounts: &Accounts,
        caller: Caller,
        id: i64,
        if_match: IfMatch,
        change: impl FnOnce(&UserFields) -> Result<UserFields, ScimError> + Send + 'static,
    ) -> Result<ScimUser, AccountError> {
        accounts
            .scim_change_user(caller, id, if_match, change)
            .await
    }
    async fn delete(
        accounts: &Accounts,
        caller: Caller,
        id: i64,
        if_match: IfMatch,
    ) -> Result<(), AccountError> {
        accounts.scim_delete_user(caller, id, if_match).await
    }
}

impl Kind for Groups {
    const ENDPOINT: &'static str = "/Groups";
    type Attr = GroupAttr;
    type Fields = GroupFields;
    type Shown = ScimGroup;

    fn missing() -> AccountError {
        AccountError::GroupNotFound
    }
    fn resolve(path: &AttrPath) -> Option<GroupAttr> {
        GroupAttr::resolve(path)
    }
    fn created(body: &Json) -> Result<GroupFields, ScimError> {
        GroupFields::from_resource(body)
    }
    fn replaced(body: &Json, _: &GroupFields) -> Result<GroupFields, ScimError> {
        GroupFields::from_resource(body)
    }
    fn patched(fields: &GroupFields, ops: &[PatchOperation]) -> Result<GroupFields, ScimError> {
        let mut changed = fields.clone();
        changed.patch(ops)?;
        Ok(changed)
    }
    fn render(shown: &ScimGroup, base: &str) -> Json {
        render::group(shown, base)
    }
    async fn list(
        accounts: &Accounts,
        token_hash: String,
        query: ScimQuery<GroupAttr>,
    ) -> Result<(Vec<ScimGroup>, i64), AccountError> {
        accounts.scim_groups(token_hash, query).await
    }
    async fn get(
        accounts: &Accounts,
        token_hash: String,
        id: i64,
    ) -> Result<ScimGroup, AccountError> {
        accounts.scim_group(token_hash, id).await
    }
    async fn create(
        accounts: &Accounts,
        caller: Caller,
        fields: GroupFields,
    ) -> Result<ScimGroup, AccountError> {
        accounts.scim_create_group(caller, fields).await
    }
    async fn change(
        accounts: &Accounts,
        caller: Caller,
        id: i64,
        if_match: IfMatch,
        change: impl FnOnce(&GroupFields) -> Result<GroupFields, ScimError> + Send + 'static,
    ) -> Result<ScimGroup, AccountError> {
        accounts
            .scim_change_group(caller, id, if_match, change)
            .await
    }
    async fn delete(
        accounts: &Accounts,
        caller: Caller,
        id: i64,
        if_match: IfMatch,
    ) -> Result<(), AccountError> {
        accounts.scim_delete_group(caller, id, if_match).await
    }
}

/// Registers the routes of kind `K`.
pub fn routes<K: Kind>(cfg: &mut web::ServiceConfig) {
    let endpoint = K::ENDPOINT;
    cfg.service(
        resource(endpoint)
            .route(web::get().to(list::<K>))
            .route(web::post().to(create::<K>)),
    )
    // Before `{id}`, which would take `.search` for an id.
    .service(resource(&format!("{endpoint}/.search")).route(web::post().to(search::<K>)))
    .service(
        resource(&format!("{endpoint}/{{id}}"))
            .route(web::get().to(get::<K>))
            .route(web::put().to(replace::<K>))
            .route(web::patch().to(patch::<K>))
            .route(web::delete().to(delete::<K>)),
    );
}

/// The resources of kind `K` a list asks for, projected, and how many match.
async fn found<K: Kind>(
    req: &HttpRequest,
    who: &Reader,
    query: ScimQuery<K::Attr>,
    projection: &Projection,
) -> Result<(Vec<Json>, i64), ScimFailure> {
    let (shown, total) = K::list(&state_of(req)?.accounts, who.hash(), query).await?;
    let base = base_url(req);
    let resources = shown
        .iter()
        .map(|one| projection.apply(K::render(one, &base)))
        .collect();
    Ok((resources, total))
}

async fn page<K: Kind>(req: &HttpRequest, who: Reader, params: ListParams) -> Answer {
    let (query, start, projection) = params.parse(K::resolve).map_err(from_scim)?;
    let (resources, total) = found::<K>(req, &who, query, &projection).await?;
    Ok(answer(
        StatusCode::OK,
        &render::list(resources, start, total),
    ))
}

async fn list<K: Kind>(req: HttpRequest, who: Reader) -> Answer {
    let params = ListParams::from_query(&req)?;
    page::<K>(&req, who, params).await
}

/// The caller is checked (`Provisioner`) before the body is read.
async fn search<K: Kind>(
    req: HttpRequest,
    _: Provisioner,
    who: Reader,
    payload: web::Payload,
) -> Answer {
    let params = ListParams::from_body(body(&req, payload).await?)?;
    page::<K>(&req, who, params).await
}

async fn get<K: Kind>(req: HttpRequest, who: Reader) -> Answer {
    let id = path_id(&req, K::missing())?;
    let projection = projection_of(&req)?;
    let shown = K::get(&state_of(&req)?.accounts, who.hash(), id).await?;
    Ok(one(
        StatusCode::OK,
        projection.apply(K::render(&shown, &base_url(&req))),
    ))
}

async fn create<K: Kind>(req: HttpRequest, who: Provisioner, payload: web::Payload) -> Answer {
    let fields = K::created(&body(&req, payload).await?).map_err(from_scim)?;
    let shown = K::create(&state_of(&req)?.accounts, who.0, fields).await?;
    Ok(one(StatusCode::CREATED, K::render(&shown, &base_url(&req))))
}

async fn replace<K: Kind>(req: HttpRequest, who: Provisioner, payload: web::Payload) -> Answer {
    let id = path_id(&req, K::missing())?;
    let resource = body(&req, payload).await?;
    let change = move |current: &K::Fields| K::replaced(&resource, current);
    let shown = K::change(&state_of(&req)?.accounts, who.0, id, if_match(&req), change).await?;
    Ok(one(StatusCode::OK, K::render(&shown, &base_url(&req))))
}

async fn patch<K: Kind>(req: HttpRequest, who: Provisioner, payload: web::Payload) -> Answer {
    let id = path_id(&req, K::missing())?;
    let operations =
        PatchOperation::parse_request(&body(&req, payload).await?).map_err(from_scim)?;
    let change = move |current: &K::Fields| K::patched(current, &operations);
    let shown = K::change(&state_of(&req)?.accounts, who.0, id, if_match(&req), change).await?;
    Ok(one(StatusCode::OK, K::render(&shown, &base_url(&req))))
}

async fn delete<K: Kind>(req: HttpRequest, who: Provisioner) -> Answer {
    let id = path_id(&req, K::missing())?;
    K::delete(&state_of(&req)?.accounts, who.0, id, if_match(&req)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A search over every resource type at once (RFC 7644 §3.4.3): the users, then the
/// groups, each in its own order, paged as one list. A filter applies to the types whose
/// attributes it names (`userName` finds no group); one that names neither's is refused.
pub async fn search_everything(
    req: HttpRequest,
    _: Provisioner,
    who: Reader,
    payload: web::Payload,
) -> Answer {
    let params = ListParams::from_body(body(&req, payload).await?)?;
    let users = params.clone().parse(Users::resolve);
    let groups = params.parse(Groups::resolve);
    let (start, projection, mut room) = match (&users, &groups) {
        (Ok((query, start, projection)), _) => (*start, projection.clone(), query.limit),
        (_, Ok((query, start, projection))) => (*start, projection.clone(), query.limit),
        (Err(refused), Err(_)) => return Err(from_scim(refused.clone())),
    };
    let mut resources = Vec::new();
    let mut total = 0;
    let mut skip = start - 1;
    if let Ok((query, ..)) = users {
        let (shown, matched) = found::<Users>(&req, &who, query, &projection).await?;
        room -= shown.len() as i64;
        skip = (skip - matched).max(0);
        total += matched;
        resources.extend(shown);
    }
    if let Ok((mut query, ..)) = groups {
        (query.offset, query.limit) = (skip, room);
        let (shown, matched) = found::<Groups>(&req, &who, query, &projection).await?;
        total += matched;
        resources.extend(shown);
    }
    Ok(answer(
        StatusCode::OK,
        &render::list(resources, start, total),
    ))
}
