//! Errors in the SCIM form (RFC 7644 §3.12): `status` as a string, `scimType` where the
//! RFC has one, `detail` for people. The status and message come from the one mapping of
//! the v1 API (`ApiError`), so both doors refuse the same things the same way.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::accounts::AccountError;
use crate::routes::error::ApiError;

use super::SCIM_CONTENT_TYPE;

/// The SCIM Error message schema.
const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A refusal, answered as a SCIM Error.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ScimFailure(ApiError);

impl<E: Into<ApiError>> From<E> for ScimFailure {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

impl ScimFailure {
    /// The RFC 7644 `scimType` of the refusal, where it has one.
    fn scim_type(&self) -> Option<&'static str> {
        match &self.0 {
            ApiError::Account(AccountError::Scim(e)) => Some(e.scim_type()),
            ApiError::Account(
                AccountError::UsernameTaken
                | AccountError::EmailTaken
                | AccountError::GroupNameTaken,
            ) => Some("uniqueness"),
            ApiError::Account(AccountError::Invalid(_)) => Some("invalidValue"),
            ApiError::Account(AccountError::LastAdmin) => Some("mutability"),
            ApiError::InvalidBody(_) | ApiError::EmptyPayload => Some("invalidSyntax"),
            ApiError::InvalidQuery(_) => Some("invalidValue"),
            _ => None,
        }
    }
}

impl ResponseError for ScimFailure {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            // A name or address another resource has is a conflict in SCIM (RFC 7644
            // §3.3), where the v1 API answers 400.
            ApiError::Account(
                AccountError::UsernameTaken
                | AccountError::EmailTaken
                | AccountError::GroupNameTaken,
            ) => StatusCode::CONFLICT,
            other => other.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        // The v1 response logs what needs logging and carries the headers (Retry-After,
        // WWW-Authenticate); only its body is replaced.
        let v1 = self.0.error_response();
        let status = self.status_code();
        let mut response = HttpResponse::build(status);
        for (name, value) in v1.headers() {
            if name != actix_web::http::header::CONTENT_TYPE {
                response.insert_header((name.clone(), value.clone()));
            }
        }
        response.content_type(SCIM_CONTENT_TYPE).body(error_body(
            status,
            &self.0.to_string(),
            self.scim_type(),
        ))
    }
}

/// The body of a SCIM error.
fn error_body(status: StatusCode, detail: &str, scim_type: Option<&str>) -> String {
    let mut body = json!({
        "schemas": [ERROR_SCHEMA],
        "status": status.as_u16().to_string(),
        "detail": detail,
    });
    if let Some(scim_type) = scim_type {
        body["scimType"] = json!(scim_type);
    }
    body.to_string()
}
