use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What a query can fail with, in terms the API can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No user has the id.
    #[error("user not found")]
    UserNotFound,
    /// Another user has this username (ignoring case).
    #[error("username already taken")]
    UsernameTaken,
    /// Another user has this email (ignoring case).
    #[error("email already taken")]
    EmailTaken,
    /// The change would leave no enabled admin.
    #[error("the last enabled admin cannot be removed")]
    LastAdmin,
    /// The database cannot be reached: no pooled connection in time, or the connection
    /// closed under the query.
    #[error("the database is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Anything else the database reported.
    #[error("database error")]
    Database(#[source] DieselError),
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match &error {
            DieselError::NotFound => Self::UserNotFound,
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                Self::Unavailable(error.into())
            }
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                // PostgreSQL names the constraint; SQLite names the index in the message.
                let culprit = info.constraint_name().unwrap_or(info.message());
                if culprit.contains("email") {
                    Self::EmailTaken
                } else if culprit.contains("username") {
                    Self::UsernameTaken
                } else {
                    Self::Database(error)
                }
            }
            _ => Self::Database(error),
        }
    }
}
