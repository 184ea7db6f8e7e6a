//! `AccountError`: why an account operation did not happen, in terms of the accounts
//! themselves. It knows nothing of HTTP: each door maps it (the API to a status and a
//! stable code, the command line to a line on stderr). The messages are written for the
//! person who asked, and are the same through every door.

use std::time::Duration;

use crate::auth::hashing::HashingError;
use crate::auth::password::HashError;
use crate::db::StoreError;
use crate::domain::{Scope, ValidationError};

/// Why an account operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// A field failed validation.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
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
    /// Unknown, malformed, expired or revoked token, or a disabled account's.
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
    /// No user with this id.
    #[error("The user does not exist.")]
    UserNotFound,
    /// An API token used outside its scopes.
    #[error("This token's scopes do not allow this request: it needs the scope {0}.")]
    ScopeMissing(Scope),
    /// Managing API tokens with an API token: only a signed-in person may.
    #[error("API tokens are managed from a signed-in session, not with an API token.")]
    SessionRequired,
    /// A non-admin asking for a token with a scope only admins may hold.
    #[error("Only admins may create tokens with the scope {0}.")]
    ScopeNotGrantable(Scope),
    /// Signed in, but the access rules do not let this user reach this address.
    #[error("The access rules do not allow this account here.")]
    AccessDenied,
    /// No group with this id.
    #[error("The group does not exist.")]
    GroupNotFound,
    /// Another group has this name, ignoring case.
    #[error("A group with this name already exists.")]
    GroupNameTaken,
    /// A SCIM request Roster cannot carry out as sent (its `scimType` says why).
    #[error("{0}")]
    Scim(#[from] crate::domain::scim::ScimError),
    /// A SCIM `If-Match` naming a version the resource no longer has.
    #[error("The resource changed since the version given in If-Match: read it again.")]
    VersionMismatch,
    /// Removing a user from a group it is not in.
    #[error("The user is not a member of this group.")]
    NotAMember,
    /// No session with this id among the caller's (or the user's).
    #[error("The session does not exist.")]
    SessionNotFound,
    /// No API token with this id among the caller's (or, for an admin, anyone's).
    #[error("The API token does not exist.")]
    ApiTokenNotFound,
    /// Mail is off (`ROSTER_SMTP_URL` unset): nothing can be sent.
    #[error(
        "This server sends no mail: ask an admin to reset your password or confirm your address."
    )]
    MailDisabled,
    /// A reset link's token is unknown, used or expired.
    #[error("The password reset link is invalid, used or expired: ask for a new one.")]
    InvalidResetToken,
    /// A confirmation link's token is unknown, used or expired.
    #[error("The confirmation link is invalid, used or expired: ask for a new one.")]
    InvalidConfirmToken,
    /// The confirmation link was for an address the user has changed since.
    #[error("The confirmation link is for an address this account no longer has.")]
    ConfirmAddressChanged,
    /// Login of an account whose address is unconfirmed, with confirmation required.
    #[error("Confirm your email address first: follow the link in the mail we sent (or ask for a new one).")]
    EmailNotConfirmed,
    /// Too many attempts: a locked username, or a client over its rate.
    #[error("Too many attempts; retry after {} seconds.", whole_seconds(*.retry_after))]
    Throttled {
        /// When a retry may succeed.
        retry_after: Duration,
    },
    /// Every hashing slot stayed busy for ROSTER_HASH_WAIT.
    #[error("The server is busy checking passwords; retry in a moment.")]
    HashingBusy,
    /// The database cannot be reached, or has no free connection within ROSTER_DB_TIMEOUT.
    #[error("The service is temporarily unavailable; try again shortly.")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The database's storage is full: changes cannot be stored until an operator frees
    /// space. Reads still work.
    #[error("Changes cannot be stored right now: the server's storage is full. Try again later.")]
    StorageFull(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Anything unexpected; the cause goes to the log, never to a client.
    #[error("Internal server error.")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AccountError {
    /// Seconds until a retry may succeed, rounded up (retrying at the advertised second
    /// must not be refused again), at least 1.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            Self::HashingBusy | Self::Unavailable(_) => Some(1),
            // Space is freed by an operator, not in a second.
            Self::StorageFull(_) => Some(60),
            Self::Throttled { retry_after } => Some(whole_seconds(*retry_after)),
            _ => None,
        }
    }
}

fn whole_seconds(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis().div_ceil(1000))
        .unwrap_or(u64::MAX)
        .max(1)
}

impl From<StoreError> for AccountError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::UserNotFound => Self::UserNotFound,
            StoreError::GroupNotFound => Self::GroupNotFound,
            StoreError::GroupNameTaken => Self::GroupNameTaken,
            StoreError::UsernameTaken => Self::UsernameTaken,
            StoreError::EmailTaken => Self::EmailTaken,
            StoreError::LastAdmin => Self::LastAdmin,
            StoreError::Unavailable(e) => Self::Unavailable(e),
            StoreError::StorageFull(e) => Self::StorageFull(e.into()),
            e @ (StoreError::Database(_) | StoreError::Task(_)) => Self::Internal(e.into()),
        }
    }
}

impl From<diesel::result::Error> for AccountError {
    fn from(error: diesel::result::Error) -> Self {
        StoreError::from(error).into()
    }
}

impl From<HashingError> for AccountError {
    fn from(error: HashingError) -> Self {
        match error {
            HashingError::Busy => Self::HashingBusy,
            e @ HashingError::Task(_) => Self::Internal(e.into()),
        }
    }
}

impl From<HashError> for AccountError {
    fn from(error: HashError) -> Self {
        Self::Internal(error.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_waits_round_up_to_whole_seconds() {
        let throttled = |millis| AccountError::Throttled {
            retry_after: Duration::from_millis(millis),
        };
        assert_eq!(throttled(60_000).retry_after_seconds(), Some(60));
        assert_eq!(throttled(59_001).retry_after_seconds(), Some(60));
        assert_eq!(throttled(10).retry_after_seconds(), Some(1));
        assert_eq!(
            throttled(60_000).to_string(),
            "Too many attempts; retry after 60 seconds."
        );
        assert_eq!(AccountError::LastAdmin.retry_after_seconds(), None);
    }
}
