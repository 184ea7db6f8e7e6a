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
    /// No group has the id.
    #[error("group not found")]
    GroupNotFound,
    /// Another group has this name (ignoring case).
    #[error("group name already taken")]
    GroupNameTaken,
    /// The change would leave no enabled admin.
    #[error("the last enabled admin cannot be removed")]
    LastAdmin,
    /// The database cannot be reached: no pooled connection in time, or the connection
    /// closed under the query.
    #[error("the database is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The database cannot store more: its disk (or quota) is full. Reads still work.
    #[error("the database's storage is full")]
    StorageFull(#[source] DieselError),
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
                if culprit.contains("groups_name") {
                    Self::GroupNameTaken
                } else if culprit.contains("email") {
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
            DieselError::DatabaseError(_, info) if is_storage_full(info.message()) => {
                Self::StorageFull(error)
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

/// Disk full, as each backend words it: SQLite's SQLITE_FULL, PostgreSQL's `disk_full`
/// (53100, "could not extend file … No space left on device"), MariaDB's 1114 ("The table
/// … is full") and the operating system's ENOSPC (errno 28) it passes on.
fn is_storage_full(message: &str) -> bool {
    [
        "database or disk is full",
        "No space left on device",
        "could not extend file",
        "errno: 28",
    ]
    .iter()
    .any(|known| message.contains(known))
        || (message.starts_with("The table") && message.ends_with("is full"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_told_apart_on_every_backend() {
        let full = |message: &str| {
            let error = DieselError::DatabaseError(
                DatabaseErrorKind::Unknown,
                Box::new(message.to_owned()),
            );
            matches!(StoreError::from(error), StoreError::StorageFull(_))
        };
        assert!(full("database or disk is full"));
        assert!(full(
            "could not extend file \"base/16384/2619\": No space left on device"
        ));
        assert!(full("The table 'users' is full"));
        assert!(full(
            "Error writing file './ibdata1' (errno: 28 \"No space left on device\")"
        ));
        assert!(!full("syntax error at or near \"FULL\""));
    }

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
