use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::auth::AdminUser;
use crate::domain::{AuditEvent, Page, UserId};
use crate::error::ApiError;
use crate::models::audit::AuditRecord;
use crate::routes::blocking;
use crate::routes::views::paginated;
use crate::state::AppState;

#[derive(Deserialize)]
struct AuditQuery {
    user: Option<String>,
    #[serde(rename = "type")]
    event: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// An audit log entry as the API shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AuditView {
    id: i64,
    time: i64,
    #[serde(rename = "type")]
    event: String,
    actor_id: Option<i64>,
    target_id: Option<i64>,
    username: Option<String>,
    ip: String,
}

impl From<AuditRecord> for AuditView {
    fn from(record: AuditRecord) -> Self {
        Self {
            id: record.id,
            time: record.at,
            event: record.event,
            actor_id: record.actor_id,
            target_id: record.target_id,
            username: record.username,
            ip: record.ip,
        }
    }
}

/// `GET /audit`: security events, newest first, filtered by user and type, paginated.
pub async fn list(
    _admin: AdminUser,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = web::Query::<AuditQuery>::from_query(req.query_string())
        .map_err(|e| ApiError::InvalidQuery(e.to_string()))?
        .into_inner();
    let page = Page::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let user = query
        .user
        .as_deref()
        .map(UserId::parse)
        .transpose()?
        .map(UserId::get);
    let event = query.event.as_deref().map(AuditEvent::parse).transpose()?;
    let (records, total) = blocking::db(&state, move |conn| {
        AuditRecord::list(conn, user, event, page)
    })
    .await?;
    Ok(paginated(page, total, records, AuditView::from))
}
