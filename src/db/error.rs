//! `StoreError`: what a query can fail with.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What a query can fail with, in terms the accounts layer can act on.
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
    /// The blocking task running the query did not finish (it panicked).
    #[error("a database task failed: {0}")]
    Task(String),
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
            // A statement or lock wait past ROSTER_DB_TIMEOUT: PostgreSQL cancels it (SQLSTATE
            // 57014, which diesel does not classify), MariaDB interrupts it, SQLite stays
            // busy. The database is overloaded or locked, not broken: 503, retry later.
            DieselError::DatabaseError(_, info) if is_timeout(info.message()) => {
                Self::Unavailable(error.into())
            }
            _ => Self::Database(error),
        }
    }
}

fn is_timeout(message: &str) -> bool {
    [
        "canceling statement due to statement timeout",
        "canceling statement due to lock timeout",
        "max_statement_time exceeded",
        "Lock wait timeout exceeded",
        "database is locked",
    ]
    .iter()
    .any(|known| message.contains(known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_unavailable_not_internal() {
        let timeout = DieselError::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("canceling statement due to statement timeout".to_owned()),
        );
        assert!(matches!(
            StoreError::from(timeout),
            StoreError::Unavailable(_)
        ));
        let other = DieselError::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("syntax error".to_owned()),
        );
        assert!(matches!(StoreError::from(other), StoreError::Database(_)));
    }
}
