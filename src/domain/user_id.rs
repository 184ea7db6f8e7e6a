use super::ValidationError;

/// A user id taken from a URL: a positive integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserId(i64);

impl UserId {
    /// Parses the path segment; `0`, negatives, signs and non-digits are refused.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::UserId);
        }
        match raw.parse::<i64>() {
            Ok(id) if id > 0 => Ok(Self(id)),
            _ => Err(ValidationError::UserId),
        }
    }

    /// The id as stored.
    pub fn get(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positive_integers() {
        assert_eq!(UserId::parse("7").unwrap().get(), 7);
        for bad in ["", "0", "-1", "+1", "1.0", "abc", "99999999999999999999"] {
            assert!(UserId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
