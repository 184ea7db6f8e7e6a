//! Health checks for load balancers and orchestrators: unauthenticated, not logged.

use std::time::Duration;

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::accounts::AccountError;
use crate::db::StoreError;

use super::error::ApiError;
use super::state::AppState;

/// `GET /health/live`: the process is up and serving.
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// How long readiness waits for the database: a supervisor probing every few seconds wants
/// an answer sooner than a request does.
const READY_WITHIN: Duration = Duration::from_secs(1);

/// `GET /health/ready`: the database answers within a second (and within
/// `ROSTER_DB_TIMEOUT`), and no write failed for a full disk in the last minute; 503
/// otherwise.
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .accounts
        .store()
        .run_within(Some(READY_WITHIN), |conn| {
            conn.batch_execute("SELECT 1")
                .map_err(|e| StoreError::Unavailable(e.into()))
        })
        .await
        .map_err(AccountError::from)?;
    if state.accounts.writes_failing() {
        let cause = "writes failed for a full disk within the last minute";
        return Err(AccountError::StorageFull(cause.into()).into());
    }
    Ok(HttpResponse::Ok().json(json!({"status": "ok"})))
}
