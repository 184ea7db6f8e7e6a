/// Why a piece of client input was refused. Each variant is a distinct, stable API error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// The username breaks the naming rules.
    #[error("{0}")]
    Username(&'static str),
    /// The password is too short or too long.
    #[error("{0}")]
    Password(&'static str),
    /// The password is common or easily guessed.
    #[error("{0}")]
    WeakPassword(String),
    /// The email address does not look like one.
    #[error("{0}")]
    Email(&'static str),
    /// Registration needs an email address.
    #[error("An email address is required to register.")]
    EmailRequired,
    /// The display name is too long or holds control characters.
    #[error("{0}")]
    Name(&'static str),
    /// A user id that is not a positive integer.
    #[error("The user id must be a positive integer.")]
    UserId,
    /// An audit event type that does not exist.
    #[error("Unknown event type: see docs/api.md for the list.")]
    AuditEvent,
    /// `page` or `per_page` out of range or not a number.
    #[error("{0}")]
    Page(&'static str),
    /// A search term with control characters, which no stored field can hold.
    #[error("The search term must not contain control characters.")]
    SearchTerm,
    /// A scope name that does not exist.
    #[error(
        "Unknown scope: use account, users:read, users:write, audit:read, forward-auth or scim."
    )]
    Scope,
    /// A token asked for with no scope.
    #[error("A token needs at least one scope.")]
    NoScopes,
    /// A token's title is missing or blank.
    #[error("A token needs a title (1–250 characters).")]
    TokenTitle,
    /// A token's expiry that is not in the future.
    #[error(
        "expiresAt must be in the future (unix seconds), or null for a token that does not expire."
    )]
    TokenExpiry,
    /// A return address (`rd`) a browser may not be sent to.
    #[error(
        "This return address is not allowed: only http(s) addresses on the hosts Roster protects."
    )]
    ReturnAddress,
    /// A group name that breaks the naming rules.
    #[error("{0}")]
    GroupName(&'static str),
    /// A group description that is too long or holds control characters.
    #[error("A group description has at most 1000 characters and no control characters.")]
    GroupDescription,
    /// A group id that is not a positive integer.
    #[error("The group id must be a positive integer.")]
    GroupId,
}
