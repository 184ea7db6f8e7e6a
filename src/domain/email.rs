use super::ValidationError;

/// An email address that looks deliverable: `local@domain.tld`, ASCII, no spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Checks the shape of the address (RFC 5321 lengths, one `@`, a dotted domain).
    pub fn parse(raw: String) -> Result<Self, ValidationError> {
        const INVALID: ValidationError =
            ValidationError::Email("The email address is not valid (expected name@example.com).");
        if raw.len() > 254 {
            return Err(ValidationError::Email(
                "The email address must be at most 254 characters long.",
            ));
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(INVALID);
        }
        let Some((local, domain)) = raw.split_once('@') else {
            return Err(INVALID);
        };
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(INVALID);
        }
        Ok(Self(raw))
    }

    /// An address that may be left out: absent or `""` means none.
    pub fn parse_optional(raw: Option<String>) -> Result<Option<Self>, ValidationError> {
        raw.filter(|e| !e.is_empty()).map(Self::parse).transpose()
    }

    /// The address as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in ["noom@example.com", "a.b+tag@mail.example.org", "X@Y.io"] {
            assert_eq!(Email::parse(ok.to_owned()).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@localhost",
            "a@b@c.com",
            "a b@c.com",
            "a@-x.com",
            "a@x..com",
            "ü@x.com",
        ] {
            assert!(Email::parse(bad.to_owned()).is_err(), "{bad:?}");
        }
        assert!(Email::parse(format!("{}@x.com", "a".repeat(65))).is_err());
    }
}
