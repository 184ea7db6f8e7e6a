//! `ApiError`: every error a client can see, and the one place errors become HTTP
//! responses `{"code": <int>, "message": "..."}`.
//!
//! Codes are stable: clients may switch on them. The table lives in `docs/api.md`; keep
//! the two in step. 5xx details go to the log, never to the client.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::auth::password::HashError;
use crate::domain::ValidationError;
use crate::models::StoreError;
use crate::security::throttle::Refused;

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
    /// A field failed validation.
    #[error("{0}")]
    Validation(#[from] ValidationError),
    /// Registration needs an email address.
    #[error("An email address is required to register.")]
    EmailRequired,
    /// A user changing its own password must send the current one.
    #[error("To change your own password, send your current password as oldPassword.")]
    OldPasswordRequired,
    /// The username belongs to someone else.
    #[error("A user with this username already exists.")]
    UsernameTaken,
    /// The email belongs to someone else.
    #[error("A user with this email address already exists.")]
    EmailTaken,
    /// Deleting, demoting or disabling the last enabled admin.
    #[error("The last enabled admin cannot be deleted, demoted or disabled.")]
    LastAdmin,
    /// No `Authorization` header.
    #[error("Authentication required: send the header Authorization: Bearer <token>.")]
    MissingToken,
    /// Unknown, malformed, expired or revoked token.
    #[error("The token is invalid, expired or revoked.")]
    InvalidToken,
    /// Unknown username or wrong password: one answer for both.
    #[error("Wrong username or password.")]
    WrongCredentials,
    /// The caller is not an admin.
    #[error("Only admins may do this.")]
    AdminRequired,
    /// Registration is switched off.
    #[error("Registration is closed.")]
    RegistrationClosed,
    /// The account is disabled.
    #[error("This account is disabled.")]
    AccountDisabled,
    /// The current password sent with a password change is wrong.
    #[error("The current password (oldPassword) is wrong.")]
    WrongOldPassword,
    /// A non-admin changing another user's password.
    #[error("You may only change your own password.")]
    NotOwnAccount,
    /// A CORS preflight from an origin not in ROSTER_CORS_ORIGINS.
    #[error("This origin may not call the API.")]
    OriginNotAllowed,
    /// No user with this id.
    #[error("The user does not exist.")]
    UserNotFound,
    /// No route with this path.
    #[error("There is no route with this path.")]
    RouteNotFound,
    /// The route exists, but not for this method.
    #[error("This route does not accept this method.")]
    MethodNotAllowed,
    /// Too many attempts: a locked username, or a client IP over its rate.
    #[error("Too many attempts; retry after {retry_after} seconds.")]
    Throttled {
        /// Seconds until a retry may succeed.
        retry_after: u64,
    },
    /// The body is over the limit.
    #[error("The request body is larger than 64 KiB.")]
    PayloadTooLarge,
    /// The body is neither JSON nor form data.
    #[error(
        "Unsupported Content-Type: send application/json or application/x-www-form-urlencoded."
    )]
    UnsupportedMediaType,
    /// The database cannot be reached, or has no free connection within ROSTER_DB_TIMEOUT.
    #[error("The service is temporarily unavailable; try again shortly.")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Every hashing slot stayed busy for ROSTER_HASH_WAIT.
    #[error("The server is busy checking passwords; retry in a moment.")]
    HashingBusy,
    /// Anything unexpected.
    #[error("Internal server error.")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
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

impl ApiError {
    /// An internal error with a description for the log.
    pub fn internal(what: &str) -> Self {
        Self::Internal(what.into())
    }

    /// The stable numeric code of this kind of error.
    pub fn code(&self) -> u32 {
        match self {
            Self::InvalidBody(_) => 1001,
            Self::EmptyPayload => 1002,
            Self::NothingToUpdate => 1003,
            Self::InvalidQuery(_) => 1005,
            Self::PasswordNotUpdatable => 1004,
            Self::Validation(e) => match e {
                ValidationError::Username(_) => 1010,
                ValidationError::Password(_) => 1011,
                ValidationError::Email(_) => 1012,
                ValidationError::Name(_) => 1013,
                ValidationError::UserId => 1014,
                ValidationError::Page(_) => 1015,
                ValidationError::WeakPassword(_) => 1018,
                ValidationError::AuditEvent => 1019,
                ValidationError::SearchTerm => 1022,
            },
            Self::EmailRequired => 1016,
            Self::OldPasswordRequired => 1017,
            Self::UsernameTaken => 1020,
            Self::EmailTaken => 1021,
            Self::LastAdmin => 1030,
            Self::MissingToken => 2001,
            Self::InvalidToken => 2002,
            Self::WrongCredentials => 2003,
            Self::AdminRequired => 3001,
            Self::RegistrationClosed => 3002,
            Self::AccountDisabled => 3003,
            Self::WrongOldPassword => 3004,
            Self::NotOwnAccount => 3005,
            Self::OriginNotAllowed => 3006,
            Self::UserNotFound => 4001,
            Self::RouteNotFound => 4002,
            Self::MethodNotAllowed => 4050,
            Self::PayloadTooLarge => 4130,
            Self::UnsupportedMediaType => 4150,
            Self::Throttled { .. } => 4290,
            Self::Internal(_) => 5000,
            Self::Unavailable(_) => 5030,
            Self::HashingBusy => 5031,
        }
    }
}

impl ApiError {
    /// Seconds after which a retry may succeed, for the `Retry-After` header.
    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::HashingBusy | Self::Unavailable(_) => Some(1),
            Self::Throttled { retry_after } => Some(*retry_after),
            _ => None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self.code() {
            1000..=1999 => StatusCode::BAD_REQUEST,
            2000..=2999 => StatusCode::UNAUTHORIZED,
            3000..=3999 => StatusCode::FORBIDDEN,
            4050 => StatusCode::METHOD_NOT_ALLOWED,
            4130 => StatusCode::PAYLOAD_TOO_LARGE,
            4150 => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            4290 => StatusCode::TOO_MANY_REQUESTS,
            4000..=4999 => StatusCode::NOT_FOUND,
            5030 | 5031 => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            Self::Internal(_) => log::error!("{}", error_chain(self)),
            Self::Unavailable(_) => log::warn!("{}", error_chain(self)),
            // Expected under a login storm; a line per refusal would flood the log.
            Self::HashingBusy => log::debug!("{}", error_chain(self)),
            _ => {}
        }
        let mut response = HttpResponse::build(status);
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let Some(seconds) = self.retry_after() {
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
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::UserNotFound => Self::UserNotFound,
            StoreError::UsernameTaken => Self::UsernameTaken,
            StoreError::EmailTaken => Self::EmailTaken,
            StoreError::LastAdmin => Self::LastAdmin,
            StoreError::Unavailable(e) => Self::Unavailable(e),
            e @ StoreError::Database(_) => Self::Internal(e.into()),
        }
    }
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        // Rounded up: retrying at the advertised second must not be refused again.
        let millis = refused.retry_after.as_millis();
        let retry_after = u64::try_from(millis.div_ceil(1000))
            .unwrap_or(u64::MAX)
            .max(1);
        Self::Throttled { retry_after }
    }
}

impl From<HashError> for ApiError {
    fn from(error: HashError) -> Self {
        Self::Internal(error.into())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::Internal(error.to_string().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_code_ranges() {
        let cases = [
            (ApiError::EmptyPayload, 400),
            (ApiError::Validation(ValidationError::UserId), 400),
            (ApiError::InvalidToken, 401),
            (ApiError::RegistrationClosed, 403),
            (ApiError::OriginNotAllowed, 403),
            (ApiError::UserNotFound, 404),
            (ApiError::RouteNotFound, 404),
            (ApiError::MethodNotAllowed, 405),
            (ApiError::PayloadTooLarge, 413),
            (ApiError::UnsupportedMediaType, 415),
            (ApiError::internal("x"), 500),
            (ApiError::Unavailable("x".into()), 503),
        ];
        for (error, status) in cases {
            assert_eq!(error.status_code().as_u16(), status, "{error:?}");
        }
    }

    #[test]
    fn internal_details_stay_out_of_the_message() {
        let error = ApiError::Internal("disk I/O error at /secret/path".into());
        assert_eq!(error.to_string(), "Internal server error.");
        assert!(error_chain(&error).contains("/secret/path"));
    }
}
