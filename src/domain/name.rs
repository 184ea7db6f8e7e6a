use super::ValidationError;

/// A display name: up to 250 characters, any script, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Name(String);

impl Name {
    /// Checks the length and refuses control characters (newlines, escapes).
    pub fn parse(raw: String) -> Result<Self, ValidationError> {
        if raw.chars().count() > 250 {
            return Err(ValidationError::Name(
                "The name must be at most 250 characters long.",
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(ValidationError::Name(
                "The name must not contain control characters.",
            ));
        }
        Ok(Self(raw))
    }

    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        assert!(Name::parse("é".repeat(250)).is_ok());
        assert!(Name::parse("é".repeat(251)).is_err());
        assert_eq!(Name::parse(String::new()).unwrap().as_str(), "");
    }

    #[test]
    fn refuses_control_characters() {
        assert!(Name::parse("line\nbreak".into()).is_err());
        assert!(Name::parse("bell\u{7}".into()).is_err());
    }
}
