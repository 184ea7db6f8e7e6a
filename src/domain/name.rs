use super::ValidationError;

/// A display name: up to 250 characters, any script, no control characters, and none of the
/// invisible characters that let a name pose as another: bidirectional overrides, embeddings
/// and isolates (U+202A–U+202E, U+2066–U+2069), the left-to-right and right-to-left marks
/// (U+200E, U+200F), zero-width characters (U+200B–U+200D, U+2060) and U+FEFF.
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
        if raw.chars().any(is_invisible_format) {
            return Err(ValidationError::Name(
                "The name must not contain invisible characters (direction overrides, zero-width characters).",
            ));
        }
        Ok(Self(raw))
    }

    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Characters that change how a name is displayed without being seen.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
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
    fn refuses_characters_that_disguise_a_name() {
        for disguised in [
            "admin\u{202E}nimda",
            "ad\u{200B}min",
            "\u{FEFF}admin",
            "a\u{2066}b",
            "a\u{200F}b",
        ] {
            assert!(Name::parse(disguised.into()).is_err(), "{disguised:?}");
        }
        // Scripts written right to left are names like any other.
        assert!(Name::parse("مريم الصالح".into()).is_ok());
        assert!(Name::parse("Zoë 😀".into()).is_ok());
    }

    #[test]
    fn refuses_control_characters() {
        assert!(Name::parse("line\nbreak".into()).is_err());
        assert!(Name::parse("bell\u{7}".into()).is_err());
    }
}
