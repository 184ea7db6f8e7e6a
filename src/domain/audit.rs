use super::ValidationError;

/// A kind of security event in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEvent {
    /// A correct password; a token was issued.
    LoginSucceeded,
    /// A wrong password or an unknown username.
    LoginFailed,
    /// A username got locked out after repeated failures.
    LoginThrottled,
    /// A token was revoked by its owner.
    Logout,
    /// A user registered itself.
    UserRegistered,
    /// An admin created a user.
    UserCreated,
    /// An admin changed a user's fields.
    UserUpdated,
    /// An admin disabled a user.
    UserDisabled,
    /// An admin re-enabled a user.
    UserEnabled,
    /// An admin deleted a user.
    UserDeleted,
    /// A password was changed, by its user or an admin.
    PasswordChanged,
    /// An admin ended all sessions of a user.
    TokensRevoked,
    /// An admin cleared a username's failed logins and lockout.
    UserUnlocked,
    /// A password was set through a reset link sent by mail.
    PasswordReset,
    /// An address was confirmed through a link sent to it.
    EmailConfirmed,
    /// A user ended one of its sessions from the list.
    SessionEnded,
    /// A user made an API token.
    ApiTokenCreated,
    /// An API token was revoked, by its owner or an admin.
    ApiTokenRevoked,
    /// An admin created a group.
    GroupCreated,
    /// An admin renamed a group or changed its description.
    GroupUpdated,
    /// An admin deleted a group.
    GroupDeleted,
    /// A user was added to a group.
    GroupMemberAdded,
    /// A user was removed from a group.
    GroupMemberRemoved,
}

impl AuditEvent {
    /// Every event, for validation and docs.
    pub const ALL: [Self; 23] = [
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::LoginThrottled,
        Self::Logout,
        Self::UserRegistered,
        Self::UserCreated,
        Self::UserUpdated,
        Self::UserDisabled,
        Self::UserEnabled,
        Self::UserDeleted,
        Self::PasswordChanged,
        Self::TokensRevoked,
        Self::UserUnlocked,
        Self::PasswordReset,
        Self::EmailConfirmed,
        Self::SessionEnded,
        Self::ApiTokenCreated,
        Self::ApiTokenRevoked,
        Self::GroupCreated,
        Self::GroupUpdated,
        Self::GroupDeleted,
        Self::GroupMemberAdded,
        Self::GroupMemberRemoved,
    ];

    /// The stable name stored and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginSucceeded => "login.succeeded",
            Self::LoginFailed => "login.failed",
            Self::LoginThrottled => "login.throttled",
            Self::Logout => "logout",
            Self::UserRegistered => "user.registered",
            Self::UserCreated => "user.created",
            Self::UserUpdated => "user.updated",
            Self::UserDisabled => "user.disabled",
            Self::UserEnabled => "user.enabled",
            Self::UserDeleted => "user.deleted",
            Self::PasswordChanged => "password.changed",
            Self::TokensRevoked => "tokens.revoked",
            Self::UserUnlocked => "user.unlocked",
            Self::PasswordReset => "password.reset",
            Self::EmailConfirmed => "email.confirmed",
            Self::SessionEnded => "session.ended",
            Self::ApiTokenCreated => "token.created",
            Self::ApiTokenRevoked => "token.revoked",
            Self::GroupCreated => "group.created",
            Self::GroupUpdated => "group.updated",
            Self::GroupDeleted => "group.deleted",
            Self::GroupMemberAdded => "group.member_added",
            Self::GroupMemberRemoved => "group.member_removed",
        }
    }

    /// Parses a `?type=` filter.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|event| event.as_str() == raw)
            .ok_or(ValidationError::AuditEvent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for event in AuditEvent::ALL {
            assert_eq!(AuditEvent::parse(event.as_str()), Ok(event));
        }
        assert!(AuditEvent::parse("login").is_err());
    }
}
