use super::ValidationError;

/// A group's name: 1–64 ASCII letters, digits, `.`, `_`, `-` and spaces, with a letter or
/// digit first and last (no name that differs from another by its edges' spaces); unique
/// ignoring case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    /// Checks the naming rules.
    pub fn parse(raw: String) -> Result<Self, ValidationError> {
        let refused = |why| Err(ValidationError::GroupName(why));
        if raw.is_empty() || raw.len() > 64 {
            return refused("A group name has 1 to 64 characters.");
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b' '))
        {
            return refused(
                "A group name may only contain letters (a-z, A-Z), digits, '.', '_', '-' and spaces.",
            );
        }
        let edges = [raw.bytes().next(), raw.bytes().last()];
        if edges
            .iter()
            .any(|b| !b.is_some_and(|b| b.is_ascii_alphanumeric()))
        {
            return refused("A group name begins and ends with a letter or digit.");
        }
        Ok(Self(raw))
    }

    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A group's description: up to 1000 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupDescription(String);

impl GroupDescription {
    /// Checks the length and refuses control characters.
    pub fn parse(raw: String) -> Result<Self, ValidationError> {
        if raw.chars().count() > 1000 || raw.chars().any(char::is_control) {
            return Err(ValidationError::GroupDescription);
        }
        Ok(Self(raw))
    }

    /// The description as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A change to a group: the fields given.
#[derive(Debug, Clone, Default)]
pub struct GroupUpdate {
    /// A new name.
    pub name: Option<GroupName>,
    /// A new description.
    pub description: Option<GroupDescription>,
}

impl GroupUpdate {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.description.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rules() {
        for ok in [
            "ops",
            "Site Reliability",
            "a",
            "team-1.b_c",
            &"x".repeat(64),
        ] {
            assert_eq!(GroupName::parse(ok.to_owned()).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            " ops",
            "ops ",
            "-ops",
            "o/ps",
            "öps",
            "a\tb",
            &"x".repeat(65),
        ] {
            assert!(GroupName::parse(bad.to_owned()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn descriptions_are_bounded_text() {
        assert!(GroupDescription::parse("On call, week 48 — Ünïcode ok".into()).is_ok());
        assert!(GroupDescription::parse("x".repeat(1001)).is_err());
        assert!(GroupDescription::parse("line\nbreak".into()).is_err());
    }
}
