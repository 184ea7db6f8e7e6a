use std::fmt;

use super::ValidationError;

/// A plaintext password of 8–1024 characters, kept exactly as sent.
///
/// `Debug` prints a placeholder so a stray log line never shows it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Checks the length, in characters; no trimming.
    pub fn parse(raw: String) -> Result<Self, ValidationError> {
        let len = raw.chars().count();
        if len < 8 {
            return Err(ValidationError::Password(
                "The password must be at least 8 characters long.",
            ));
        }
        if len > 1024 {
            return Err(ValidationError::Password(
                "The password must be at most 1024 characters long.",
            ));
        }
        Ok(Self(raw))
    }

    /// Wraps a password from a login attempt, where only the stored hash decides.
    pub fn unchecked(raw: String) -> Self {
        Self(raw)
    }

    /// The plaintext, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(********)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_and_kept_exact() {
        assert!(Password::parse("1234567".into()).is_err());
        let p = Password::parse("  ünïcødé  ".into()).unwrap();
        assert_eq!(p.expose(), "  ünïcødé  ");
        assert!(Password::parse("ü".repeat(1024)).is_ok());
        assert!(Password::parse("ü".repeat(1025)).is_err());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let p = Password::parse("hunter2-hunter2".into()).unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}
