//! SCIM 2.0 input (RFC 7643, RFC 7644): attribute paths, filters, resources and PATCH
//! operations, parsed into what Roster keeps. Lenient where identity providers are known
//! to differ from the RFC (operation names in any case, `"False"` for `false`), strict
//! where an answer would otherwise be wrong (an attribute that cannot be filtered on).

pub mod filter;
mod group;
mod patch;
mod user;

use std::fmt;

pub use filter::{Filter, Op, Value};
pub use group::{GroupAttr, GroupFields};
pub use patch::{PatchOp, PatchOperation, PatchPath};
pub use user::{UserAttr, UserFields};

/// The core User schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The core Group schema.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The enterprise User extension: accepted, and what Roster does not keep is ignored.
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Why SCIM input was refused: each is a `400` with the RFC's `scimType`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScimError {
    /// A filter Roster cannot parse or answer.
    #[error("{0}")]
    InvalidFilter(String),
    /// A PATCH path Roster cannot parse or does not know.
    #[error("{0}")]
    InvalidPath(String),
    /// A value of the wrong type or missing.
    #[error("{0}")]
    InvalidValue(String),
    /// A PATCH path with a filter that matches nothing to change.
    #[error("{0}")]
    NoTarget(String),
    /// A change to an attribute clients may not change.
    #[error("{0}")]
    Mutability(String),
    /// A body that is not a SCIM request of the expected kind.
    #[error("{0}")]
    InvalidSyntax(String),
}

impl ScimError {
    /// The RFC 7644 `scimType` of the error.
    pub fn scim_type(&self) -> &'static str {
        match self {
            Self::InvalidFilter(_) => "invalidFilter",
            Self::InvalidPath(_) => "invalidPath",
            Self::InvalidValue(_) => "invalidValue",
            Self::NoTarget(_) => "noTarget",
            Self::Mutability(_) => "mutability",
            Self::InvalidSyntax(_) => "invalidSyntax",
        }
    }
}

/// An attribute path: `[urn:]name[.sub]`, the name and sub-attribute in any case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN before the name, if given.
    pub urn: Option<String>,
    /// The attribute.
    pub name: String,
    /// The sub-attribute, if any.
    pub sub: Option<String>,
}

impl AttrPath {
    /// Parses `raw`; names are letters, digits, `-`, `_` and `$` (for `$ref`).
    pub fn parse(raw: &str) -> Result<Self, ScimError> {
        let (urn, rest) = match raw.get(..4) {
            Some(prefix) if prefix.eq_ignore_ascii_case("urn:") => match raw.rsplit_once(':') {
                Some((urn, rest)) => (Some(urn.to_owned()), rest),
                None => (None, raw),
            },
            _ => (None, raw),
        };
        let (name, sub) = match rest.split_once('.') {
            Some((name, sub)) => (name, Some(sub)),
            None => (rest, None),
        };
        let valid = |part: &str| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '$'))
        };
        if !valid(name) || !sub.is_none_or(valid) {
            return Err(ScimError::InvalidPath(format!(
                "`{raw}` is not an attribute path"
            )));
        }
        Ok(Self {
            urn,
            name: name.to_owned(),
            sub: sub.map(str::to_owned),
        })
    }

    /// Whether the path is `name` (and `sub`), ignoring case, under `schema` or no URN.
    pub fn is(&self, schema: &str, name: &str, sub: Option<&str>) -> bool {
        self.urn
            .as_deref()
            .is_none_or(|urn| urn.eq_ignore_ascii_case(schema))
            && self.name.eq_ignore_ascii_case(name)
            && match (&self.sub, sub) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            }
    }

    /// The value of the first of `names` (name, sub-attribute, value) this path is, under
    /// `schema`.
    pub fn resolve_in<A: Copy>(
        &self,
        schema: &str,
        names: &[(&str, Option<&str>, A)],
    ) -> Option<A> {
        names
            .iter()
            .find(|(name, sub, _)| self.is(schema, name, *sub))
            .map(|(_, _, value)| *value)
    }

    /// Whether the path lies in the enterprise extension (Roster keeps none of it).
    pub fn is_enterprise(&self) -> bool {
        self.urn
            .as_deref()
            .is_some_and(|urn| urn.eq_ignore_ascii_case(ENTERPRISE_SCHEMA))
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// The member of JSON object `object` named `name`, ignoring case (SCIM attribute names
/// are case-insensitive).
fn member<'a>(
    object: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Option<&'a serde_json::Value> {
    object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

/// A string value, or `None` for `null`; anything else is refused.
fn optional_string(name: &str, value: &serde_json::Value) -> Result<Option<String>, ScimError> {
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(s.clone())),
        _ => Err(ScimError::InvalidValue(format!(
            "`{name}` must be a string"
        ))),
    }
}

/// The longest `externalId` kept: identity providers send GUIDs and short ids.
pub const MAX_EXTERNAL_ID: usize = 255;

/// An `externalId` as kept: `None` for `null` or `""`; at most [`MAX_EXTERNAL_ID`]
/// characters, none of them control characters.
pub fn external_id(raw: Option<String>) -> Result<Option<String>, ScimError> {
    match raw {
        None => Ok(None),
        Some(id) if id.is_empty() => Ok(None),
        Some(id) if id.chars().count() > MAX_EXTERNAL_ID || id.chars().any(char::is_control) => {
            Err(ScimError::InvalidValue(format!(
                "`externalId` has at most {MAX_EXTERNAL_ID} characters and no control characters"
            )))
        }
        Some(id) => Ok(Some(id)),
    }
}

/// A boolean, also as the strings `"True"` and `"False"` in any case (Microsoft Entra ID
/// sends those).
fn boolean(name: &str, value: &serde_json::Value) -> Result<bool, ScimError> {
    match value {
        serde_json::Value::Bool(b) => Ok(*b),
        serde_json::Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        serde_json::Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ScimError::InvalidValue(format!(
            "`{name}` must be a boolean"
        ))),
    }
}

/// The JSON object of a request body or value, or `InvalidSyntax`.
fn object<'a>(
    what: &str,
    value: &'a serde_json::Value,
) -> Result<&'a serde_json::Map<String, serde_json::Value>, ScimError> {
    value
        .as_object()
        .ok_or_else(|| ScimError::InvalidSyntax(format!("{what} must be a JSON object")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_paths_keep_their_urn_and_sub_attribute() {
        let path =
            AttrPath::parse("urn:ietf:params:scim:schemas:core:2.0:User:name.formatted").unwrap();
        assert_eq!(path.urn.as_deref(), Some(USER_SCHEMA));
        assert!(path.is(USER_SCHEMA, "NAME", Some("Formatted")));
        assert!(!path.is(GROUP_SCHEMA, "name", Some("formatted")));
        assert!(AttrPath::parse("members")
            .unwrap()
            .is(GROUP_SCHEMA, "members", None));
        assert!(AttrPath::parse(&format!("{ENTERPRISE_SCHEMA}:department"))
            .unwrap()
            .is_enterprise());
        for bad in ["", "a b", "name.", ".x", "emails[type"] {
            assert!(AttrPath::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn booleans_also_come_as_strings() {
        let b = |v: serde_json::Value| boolean("active", &v);
        assert_eq!(b(serde_json::json!("False")), Ok(false));
        assert_eq!(b(serde_json::json!("TRUE")), Ok(true));
        assert_eq!(b(serde_json::json!(false)), Ok(false));
        assert!(b(serde_json::json!("no")).is_err());
        assert!(b(serde_json::json!(0)).is_err());
    }
}
