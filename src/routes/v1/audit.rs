use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::{read_audit_page, AuditQuery as Filter, NamedEntry, Read};
use crate::domain::{AuditEvent, Page, Scope, UserId};
use crate::routes::error::ApiError;
use crate::routes::extractors::Bearer;
use crate::routes::paginated;
use crate::routes::responses::{
    AuditEventType, BadRequest, Forbidden, InternalError, Unauthenticated, Unavailable,
};
use crate::routes::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// Only events where this user acted or was concerned.
    #[param(value_type = Option<i64>, minimum = 1, example = 2)]
    user: Option<String>,
    /// Only events of the user of this name, ignoring case: what the account so named now
    /// did or what concerned it, and every event that recorded the name (a deleted
    /// account's, logins tried with it). Empty means no filter.
    #[param(example = "frida")]
    username: Option<String>,
    /// Only events of this type.
    #[serde(rename = "type")]
    #[param(value_type = Option<AuditEventType>)]
    event: Option<String>,
    /// The page, from 1.
    #[param(value_type = Option<u64>, minimum = 1, example = 1)]
    page: Option<String>,
    /// Entries per page, 50 by default; above 1000 counts as 1000.
    #[param(value_type = Option<u64>, minimum = 1, example = 50)]
    per_page: Option<String>,
}

/// An audit log entry as the API shows it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AuditEntry)]
pub(crate) struct AuditView {
    /// Increasing with time.
    #[schema(example = 7)]
    id: i64,
    /// Unix seconds.
    #[schema(example = 1763900000)]
    time: i64,
    /// What happened.
    #[serde(rename = "type")]
    #[schema(value_type = AuditEventType)]
    event: String,
    /// Who acted; null for anonymous login attempts.
    #[schema(example = 1)]
    actor_id: Option<i64>,
    /// The actor's username now; null when there is no actor or it was deleted since.
    #[schema(example = "admin")]
    actor_username: Option<String>,
    /// Whom it concerned.
    #[schema(example = 2)]
    target_id: Option<i64>,
    /// The target's username now; null when there is no target or it was deleted since
    /// (`username` keeps the name it had).
    #[schema(example = "frida")]
    target_username: Option<String>,
    /// The username concerned, as it was then, or the name tried at a login.
    #[schema(example = "frida")]
    username: Option<String>,
    /// The client address.
    #[schema(example = "203.0.113.7")]
    ip: String,
    /// The group concerned, as named then (group events only; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ops")]
    group: Option<String>,
    /// The door the change came through when not the v1 API or the command line:
    /// `scim` for provisioning by an identity provider (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "scim")]
    via: Option<String>,
}

impl From<NamedEntry> for AuditView {
    fn from(
        NamedEntry {
            record,
            actor,
            target,
        }: NamedEntry,
    ) -> Self {
        Self {
            id: record.id,
            time: record.at,
            event: record.event,
            actor_id: record.actor_id,
            actor_username: actor,
            target_id: record.target_id,
            target_username: target,
            username: record.username,
            ip: record.ip,
            group: record.group_name,
            via: record.via,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    operation_id = "listAuditEvents",
    summary = "Read the audit log",
    description = "Admins only. Security events, newest first.",
    tag = "audit",
    params(AuditQuery),
    security(("bearerAuth" = ["admin"])),
    responses(
        (status = 200, description = "A page of events, newest first.", body = [AuditView],
            headers(
                ("x-pagination-total-pages" = u64, description = "Pages the whole result fills (0 when nothing matches)."),
                ("x-pagination-result-count" = u64, description = "Entries on this page."),
                ("x-pagination-total-count" = u64, description = "Entries matching on all pages together."),
            )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = Unavailable),
    ),
)]
/// `GET /audit`: security events, newest first, filtered by user and type, paginated.
pub async fn list(
    bearer: Bearer,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // Its errors count only after the admin check.
    let filter = web::Query::<AuditQuery>::from_query(req.query_string())
        .map_err(|e| ApiError::InvalidQuery(e.to_string()))
        .and_then(|query| {
            let query = query.into_inner();
            let page = Page::parse(query.page.as_deref(), query.per_page.as_deref())?;
            let user = query
                .user
                .as_deref()
                .map(UserId::parse)
                .transpose()?
                .map(UserId::get);
            let event = query.event.as_deref().map(AuditEvent::parse).transpose()?;
            let username = query.username.filter(|name| !name.is_empty());
            Ok((
                page,
                Filter {
                    user,
                    username,
                    event,
                },
            ))
        });
    let (page, records, total) = state
        .accounts
        .read_as_admin(bearer.hash(), Scope::AuditRead, Read::Scan, move |conn| {
            let (page, filter) = filter?;
            let (entries, total) = read_audit_page(conn, filter, page)?;
            Ok::<_, ApiError>((page, entries, total))
        })
        .await?;
    Ok(paginated(page, total, records, AuditView::from))
}
