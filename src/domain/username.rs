use super::ValidationError;

/// A login name: 1–64 ASCII letters, digits, `.`, `_`, `-`, `@` or `+`, with at least one
/// letter or digit (`.`, `..` and `-` would read as paths or options). `@` and `+` because
/// identity providers provision the person's sign-in address as the username
/// (`alice@contoso.com`, `a.b+ops@example.com`).
///
/// ASCII only, so that "unique ignoring case" means the same thing on every backend and
/// look-alike Unicode names cannot impersonate each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// The longest accepted username, in characters.
    pub const MAX_LEN: usize = 64;

    /// Checks the naming rules.
    pub fn parse(raw: String) -> Result<Self, ValidationError> {
        if raw.is_empty() {
            return Err(ValidationError::Username("The username must not be empty."));
        }
        if raw.len() > Self::MAX_LEN {
            return Err(ValidationError::Username(
                "The username must be at most 64 characters long.",
            ));
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@' | b'+'))
        {
            return Err(ValidationError::Username(
                "The username may only contain letters (a-z, A-Z), digits, '.', '_', '-', '@' and '+'.",
            ));
        }
        if !raw.bytes().any(|b| b.is_ascii_alphanumeric()) {
            return Err(ValidationError::Username(
                "The username must contain at least one letter or digit.",
            ));
        }
        Ok(Self(raw))
    }

    /// The username as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_allowed_alphabet() {
        for ok in [
            "a",
            "user24",
            "Jane.Doe_1-x",
            "-x-",
            "7",
            "alice@contoso.com",
            "a.b+ops@example.com",
            &"x".repeat(64),
        ] {
            assert_eq!(Username::parse(ok.to_owned()).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn refuses_empty_long_and_foreign_characters() {
        for bad in [
            "",
            " ",
            "a b",
            "@+",
            "a#b",
            "ünïcode",
            "tab\t",
            "semi;colon",
            ".",
            "..",
            "-",
            "._-",
            &"x".repeat(65),
        ] {
            assert!(Username::parse(bad.to_owned()).is_err(), "{bad:?}");
        }
    }
}
