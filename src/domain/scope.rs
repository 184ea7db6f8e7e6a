use std::fmt;

use super::{Name, ValidationError};

/// One right an API token can be given. A session (what a login issues) has them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// One's own profile, password and sessions.
    Account,
    /// Reading users (admins).
    UsersRead,
    /// Creating, changing and deleting users (admins).
    UsersWrite,
    /// Reading the audit log (admins).
    AuditRead,
    /// Passing forward-auth checks of the apps behind the proxy.
    ForwardAuth,
    /// Provisioning over SCIM (admins).
    Scim,
}

impl Scope {
    /// Every scope, in the order the docs list them.
    pub const ALL: [Self; 6] = [
        Self::Account,
        Self::UsersRead,
        Self::UsersWrite,
        Self::AuditRead,
        Self::ForwardAuth,
        Self::Scim,
    ];

    /// The name clients send and see.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::UsersRead => "users:read",
            Self::UsersWrite => "users:write",
            Self::AuditRead => "audit:read",
            Self::ForwardAuth => "forward-auth",
            Self::Scim => "scim",
        }
    }

    /// Whether only an admin may hold it (it acts on other accounts).
    pub fn needs_admin(self) -> bool {
        matches!(
            self,
            Self::UsersRead | Self::UsersWrite | Self::AuditRead | Self::Scim
        )
    }

    /// The scope named `raw`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str() == raw)
            .ok_or(ValidationError::Scope)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u8);

impl Scopes {
    /// Every scope.
    pub const EVERY: Self = Self(0b11_1111);

    /// Whether `scope` is in the set.
    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    /// The scopes in the set, in the docs' order.
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// A non-empty set from names, each known (repeats are harmless).
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, ValidationError> {
        let set = names
            .iter()
            .map(|name| Scope::parse(name.as_ref()))
            .try_fold(0, |set, scope| scope.map(|s| set | s.bit()))?;
        if set == 0 {
            return Err(ValidationError::NoScopes);
        }
        Ok(Self(set))
    }

    /// The set as stored: names separated by spaces.
    pub fn stored(self) -> String {
        self.iter().map(Scope::as_str).collect::<Vec<_>>().join(" ")
    }

    /// Reads a stored set; names no longer known are dropped (a token never gains rights
    /// from a bad row).
    pub fn from_stored(stored: &str) -> Self {
        Self(
            stored
                .split_ascii_whitespace()
                .filter_map(|name| Scope::parse(name).ok())
                .fold(0, |set, scope| set | scope.bit()),
        )
    }
}

/// What a new API token asks for, validated.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    /// 1–250 characters, shown in lists.
    pub title: Name,
    /// Unix seconds after which it is refused; `None`: until revoked.
    pub expires_at: Option<i64>,
    /// What it may do.
    pub scopes: Scopes,
}

impl NewApiToken {
    /// Checks the title, the scopes, and that the expiry is in the future of `now`.
    pub fn parse<S: AsRef<str>>(
        title: String,
        expires_at: Option<i64>,
        scopes: &[S],
        now: i64,
    ) -> Result<Self, ValidationError> {
        if title.trim().is_empty() {
            return Err(ValidationError::TokenTitle);
        }
        let title = Name::parse(title)?;
        if expires_at.is_some_and(|at| at <= now) {
            return Err(ValidationError::TokenExpiry);
        }
        Ok(Self {
            title,
            expires_at,
            scopes: Scopes::parse(scopes)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_through_storage() {
        let set = Scopes::parse(&["users:read", "account", "users:read"]).unwrap();
        assert_eq!(set.stored(), "account users:read");
        assert_eq!(Scopes::from_stored(&set.stored()), set);
        assert!(set.contains(Scope::Account) && !set.contains(Scope::Scim));
        assert_eq!(
            Scopes::from_stored("scim bogus"),
            Scopes::parse(&["scim"]).unwrap()
        );
        assert_eq!(Scopes::EVERY.iter().count(), Scope::ALL.len());
    }

    #[test]
    fn refuses_unknown_and_empty_scope_sets() {
        assert_eq!(Scopes::parse(&["admin"]), Err(ValidationError::Scope));
        assert_eq!(Scopes::parse::<&str>(&[]), Err(ValidationError::NoScopes));
    }

    #[test]
    fn a_token_needs_a_title_and_a_future_expiry() {
        let ok = NewApiToken::parse("ci".into(), Some(101), &["account"], 100).unwrap();
        assert_eq!(ok.expires_at, Some(101));
        let past = NewApiToken::parse("ci".into(), Some(100), &["account"], 100);
        assert_eq!(past.unwrap_err(), ValidationError::TokenExpiry);
        let blank = NewApiToken::parse("  ".into(), None, &["account"], 100);
        assert_eq!(blank.unwrap_err(), ValidationError::TokenTitle);
    }
}
