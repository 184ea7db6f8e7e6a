//! `ApiError`: every error a client can see, and the one place errors become HTTP
//! responses `{"code": <int>, "message": "..."}`.
//!
//! Account errors come from the accounts layer as they are; this module only gives each a
//! status and its stable code. Codes are stable: clients may switch on them. The table in
//! `docs/api.md` and the error responses of the OpenAPI description are checked against
//! [`ApiError::every_kind`] by tests. 5xx details go to the log, never to the client.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::accounts::AccountError;
use crate::db::StoreError;
use crate::domain::ValidationError;

/// An error answer of the API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON or form data, or has wrong, missing or unknown fields.
    #[error("The request body is invalid: {0}")]
    InvalidBody(String),
    /// No body at all.
    #[error("The request body is empty.")]
    EmptyPayload,
    /// The query string cannot be parsed.
    #[error("The query string is invalid: {0}")]
    InvalidQuery(String),
    /// An update that names no field to change.
    #[error("Nothing to update: send at least one of name, username, email, isAdmin, disabled.")]
    NothingToUpdate,
    /// A `password` field in a user update.
    #[error("Passwords cannot be changed here: use POST /api/v1/users/{{id}}/password.")]
    PasswordNotUpdatable,
    /// No `Authorization` header.
    #[error("Authentication required: send the header Authorization: Bearer <token>.")]
    MissingToken,
    /// A CORS preflight from an origin not in ROSTER_CORS_ORIGINS.
    #[error("This origin may not call the API.")]
    OriginNotAllowed,
    /// A change authenticated by the session cookie, sent from an origin that is not
    /// Roster's own (ROSTER_PUBLIC_URL) nor in ROSTER_CORS_ORIGINS: cross-site forgery.
    #[error("This request changes state with the session cookie but comes from another site (Origin header); send it from Roster's own origin, or use Authorization: Bearer.")]
    CrossSiteRequest,
    /// No route with this path.
    #[error("There is no route with this path.")]
    RouteNotFound,
    /// The route exists, but not for this method.
    #[error("This route does not accept this method.")]
    MethodNotAllowed,
    /// The body did not arrive within ROSTER_REQUEST_TIMEOUT.
    #[error("The request body did not arrive in time.")]
    RequestTimeout,
    /// The body is over the limit.
    #[error("The request body is larger than 64 KiB.")]
    PayloadTooLarge,
    /// The body is neither JSON nor form data.
    #[error(
        "Unsupported Content-Type: send application/json or application/x-www-form-urlencoded."
    )]
    UnsupportedMediaType,
    /// What the accounts layer answered.
    #[error(transparent)]
    Account(#[from] AccountError),
}

/// The body of every error answer.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody<'a> {
    /// The stable error code; the table is in docs/api.md.
    #[schema(example = 1010)]
    code: u32,
    /// What went wrong, for people.
    #[schema(example = "The username must not be empty.")]
    message: &'a str,
}

impl From<ValidationError> for ApiError {
    fn from(error: ValidationError) -> Self {
        Self::Account(error.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        Self::Account(error.into())
    }
}

impl ApiError {
    /// An internal error with a description for the log.
    pub fn internal(what: &str) -> Self {
        AccountError::Internal(what.into()).into()
    }

    /// The stable numeric code of this kind of error.
    pub fn code(&self) -> u32 {
        match self {
            Self::InvalidBody(_) => 1001,
            Self::EmptyPayload => 1002,
            Self::NothingToUpdate => 1003,
            Self::PasswordNotUpdatable => 1004,
            Self::InvalidQuery(_) => 1005,
            Self::MissingToken => 2001,
            Self::OriginNotAllowed => 3006,
            Self::CrossSiteRequest => 3012,
            Self::RouteNotFound => 4002,
            Self::MethodNotAllowed => 4050,
            Self::RequestTimeout => 4080,
            Self::PayloadTooLarge => 4130,
            Self::UnsupportedMediaType => 4150,
            Self::Account(error) => account_code(error),
        }
    }

    /// One error of every kind (every code), for the tests that keep docs/api.md and the
    /// OpenAPI description in step with this enum. A new variant must be added here: the
    /// matches in [`ApiError::code`] and `account_code` name them all.
    pub fn every_kind() -> Vec<Self> {
        use AccountError as A;
        use ValidationError as V;
        let mut all = vec![
            Self::InvalidBody(String::new()),
            Self::EmptyPayload,
            Self::NothingToUpdate,
            Self::PasswordNotUpdatable,
            Self::InvalidQuery(String::new()),
            Self::MissingToken,
            Self::OriginNotAllowed,
            Self::CrossSiteRequest,
            Self::RouteNotFound,
            Self::MethodNotAllowed,
            Self::RequestTimeout,
            Self::PayloadTooLarge,
            Self::UnsupportedMediaType,
        ];
        let validation = [
            V::Username(""),
            V::Password(""),
            V::Email(""),
            V::Name(""),
            V::UserId,
            V::Page(""),
            V::EmailRequired,
            V::WeakPassword(String::new()),
            V::AuditEvent,
            V::SearchTerm,
            V::Scope,
            V::NoScopes,
            V::TokenTitle,
            V::TokenExpiry,
            V::ReturnAddress,
            V::GroupName(""),
            V::GroupDescription,
            V::GroupId,
        ];
        all.extend(validation.into_iter().map(Self::from));
        let account = [
            A::OldPasswordRequired,
            A::UsernameTaken,
            A::EmailTaken,
            A::LastAdmin,
            A::InvalidToken,
            A::WrongCredentials,
            A::AdminRequired,
            A::RegistrationClosed,
            A::AccountDisabled,
            A::WrongOldPassword,
            A::NotOwnAccount,
            A::UserNotFound,
            A::ScopeMissing(crate::domain::Scope::Account),
            A::SessionRequired,
            A::ScopeNotGrantable(crate::domain::Scope::Scim),
            A::SessionNotFound,
            A::ApiTokenNotFound,
            A::AccessDenied,
            A::GroupNotFound,
            A::GroupNameTaken,
            A::NotAMember,
            A::Scim(crate::domain::scim::ScimError::InvalidFilter(String::new())),
            A::VersionMismatch,
            A::MailDisabled,
            A::InvalidResetToken,
            A::InvalidConfirmToken,
            A::ConfirmAddressChanged,
            A::EmailNotConfirmed,
            A::Throttled {
                retry_after: std::time::Duration::from_secs(1),
            },
            A::HashingBusy,
            A::Unavailable("".into()),
            A::StorageFull("".into()),
            A::Internal("".into()),
        ];
        all.extend(account.into_iter().map(Self::from));
        all
    }
}

/// The code of each account error.
fn account_code(error: &AccountError) -> u32 {
    match error {
        AccountError::Invalid(e) => match e {
            ValidationError::Username(_) => 1010,
            ValidationError::Password(_) => 1011,
            ValidationError::Email(_) => 1012,
            ValidationError::Name(_) => 1013,
            ValidationError::UserId => 1014,
            ValidationError::Page(_) => 1015,
            ValidationError::EmailRequired => 1016,
            ValidationError::WeakPassword(_) => 1018,
            ValidationError::AuditEvent => 1019,
            ValidationError::SearchTerm => 1022,
            ValidationError::Scope => 1043,
            ValidationError::NoScopes => 1044,
            ValidationError::TokenTitle => 1045,
            ValidationError::TokenExpiry => 1046,
            ValidationError::ReturnAddress => 1047,
            ValidationError::GroupName(_) => 1050,
            ValidationError::GroupDescription => 1051,
            ValidationError::GroupId => 1052,
        },
        AccountError::OldPasswordRequired => 1017,
        AccountError::Scim(_) => 1053,
        AccountError::VersionMismatch => 4120,
        AccountError::UsernameTaken => 1020,
        AccountError::EmailTaken => 1021,
        AccountError::GroupNameTaken => 1023,
        AccountError::LastAdmin => 1030,
        AccountError::InvalidResetToken => 1040,
        AccountError::InvalidConfirmToken => 1041,
        AccountError::ConfirmAddressChanged => 1042,
        AccountError::InvalidToken => 2002,
        AccountError::WrongCredentials => 2003,
        AccountError::AdminRequired => 3001,
        AccountError::RegistrationClosed => 3002,
        AccountError::AccountDisabled => 3003,
        AccountError::WrongOldPassword => 3004,
        AccountError::NotOwnAccount => 3005,
        AccountError::EmailNotConfirmed => 3007,
        AccountError::MailDisabled => 3008,
        AccountError::ScopeMissing(_) => 3009,
        AccountError::SessionRequired => 3010,
        AccountError::ScopeNotGrantable(_) => 3011,
        AccountError::AccessDenied => 3013,
        AccountError::UserNotFound => 4001,
        AccountError::SessionNotFound => 4003,
        AccountError::ApiTokenNotFound => 4004,
        AccountError::GroupNotFound => 4005,
        AccountError::NotAMember => 4006,
        AccountError::Throttled { .. } => 4290,
        AccountError::Internal(_) => 5000,
        AccountError::Unavailable(_) => 5030,
        AccountError::HashingBusy => 5031,
        AccountError::StorageFull(_) => 5032,
    }
}

/// The status of a code: its range, with the few exceptions inside 4xxx and 5xxx.
pub fn status_of(code: u32) -> StatusCode {
    match code {
        1000..=1999 => StatusCode::BAD_REQUEST,
        2000..=2999 => StatusCode::UNAUTHORIZED,
        3000..=3999 => StatusCode::FORBIDDEN,
        4050 => StatusCode::METHOD_NOT_ALLOWED,
        4080 => StatusCode::REQUEST_TIMEOUT,
        4120 => StatusCode::PRECONDITION_FAILED,
        4130 => StatusCode::PAYLOAD_TOO_LARGE,
        4150 => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        4290 => StatusCode::TOO_MANY_REQUESTS,
        4000..=4999 => StatusCode::NOT_FOUND,
        5030..=5032 => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(self.code())
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            Self::Account(AccountError::Internal(_)) => log::error!("{}", error_chain(self)),
            Self::Account(AccountError::Unavailable(_) | AccountError::StorageFull(_)) => {
                log::warn!("{}", error_chain(self))
            }
            // Expected under a login storm; a line per refusal would flood the log.
            Self::Account(AccountError::HashingBusy) => log::debug!("{}", error_chain(self)),
            _ => {}
        }
        let mut response = HttpResponse::build(status);
        if status == StatusCode::REQUEST_TIMEOUT {
            // The rest of a stalled body may never come: the connection cannot be reused.
            response.force_close();
        }
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        let retry_after = match self {
            Self::Account(error) => error.retry_after_seconds(),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response.insert_header(("Retry-After", seconds.to_string()));
        }
        let message = self.to_string();
        response.json(ErrorBody {
            code: self.code(),
            message: &message,
        })
    }
}

/// The error and all its causes on one line, for the log.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_code_ranges() {
        let cases = [
            (ApiError::EmptyPayload, 400),
            (ApiError::from(ValidationError::UserId), 400),
            (AccountError::InvalidToken.into(), 401),
            (AccountError::RegistrationClosed.into(), 403),
            (ApiError::OriginNotAllowed, 403),
            (AccountError::UserNotFound.into(), 404),
            (ApiError::RouteNotFound, 404),
            (ApiError::MethodNotAllowed, 405),
            (ApiError::PayloadTooLarge, 413),
            (ApiError::UnsupportedMediaType, 415),
            (ApiError::internal("x"), 500),
            (AccountError::Unavailable("x".into()).into(), 503),
        ];
        for (error, status) in cases {
            assert_eq!(error.status_code().as_u16(), status, "{error:?}");
        }
    }

    #[test]
    fn every_kind_has_its_own_code() {
        let codes: Vec<u32> = ApiError::every_kind().iter().map(ApiError::code).collect();
        let unique: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), codes.len(), "{codes:?}");
    }

    #[test]
    fn internal_details_stay_out_of_the_message() {
        let error = ApiError::internal("disk I/O error at /secret/path");
        assert_eq!(error.to_string(), "Internal server error.");
        assert!(error_chain(&error).contains("/secret/path"));
    }
}
