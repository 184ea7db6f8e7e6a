//! SCIM PATCH requests (RFC 7644 §3.5.2): operations in order, each `add`, `remove` or
//! `replace` in any case (Microsoft Entra ID sends `Replace`), with an optional path.

use serde_json::Value as Json;

use super::{member, object, AttrPath, ScimError};

/// The PatchOp message schema.
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The most operations one PATCH may hold.
pub const MAX_OPERATIONS: usize = 1000;

/// What an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOp {
    /// `add`
    Add,
    /// `remove`
    Remove,
    /// `replace`
    Replace,
}

/// A PATCH path: `attr`, `attr.sub`, or `attr[filter]` with an optional `.sub` after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchPath {
    /// The attribute (with its sub-attribute when there is no filter).
    pub attr: AttrPath,
    /// The value filter between the brackets, unparsed: the resource knows its attributes.
    pub filter: Option<String>,
    /// The sub-attribute after the brackets.
    pub sub: Option<String>,
}

impl PatchPath {
    /// Parses a path.
    pub fn parse(raw: &str) -> Result<Self, ScimError> {
        let Some((attr, rest)) = raw.split_once('[') else {
            return Ok(Self {
                attr: AttrPath::parse(raw.trim())?,
                filter: None,
                sub: None,
            });
        };
        let (filter, after) = rest
            .rsplit_once(']')
            .ok_or_else(|| ScimError::InvalidPath(format!("`{raw}` lacks its `]`")))?;
        let sub = match after {
            "" => None,
            sub => Some(
                sub.strip_prefix('.')
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| ScimError::InvalidPath(format!("`{raw}` is not a path")))?
                    .to_owned(),
            ),
        };
        let attr = AttrPath::parse(attr.trim())?;
        if attr.sub.is_some() {
            return Err(ScimError::InvalidPath(format!("`{raw}` is not a path")));
        }
        Ok(Self {
            attr,
            filter: Some(filter.to_owned()),
            sub,
        })
    }
}

/// One operation of a PATCH.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    /// What it does.
    pub op: PatchOp,
    /// Where; `None`: the value is an object of attributes.
    pub path: Option<PatchPath>,
    /// The value (absent for most removes).
    pub value: Option<Json>,
}

impl PatchOperation {
    /// The operations of a PatchOp request body.
    pub fn parse_request(body: &Json) -> Result<Vec<Self>, ScimError> {
        let body = object("A PATCH request", body)?;
        if let Some(schemas) = member(body, "schemas") {
            let named = schemas
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s.as_str() == Some(PATCH_SCHEMA)));
            if !named {
                return Err(ScimError::InvalidSyntax(format!(
                    "`schemas` must name {PATCH_SCHEMA}"
                )));
            }
        }
        let operations = member(body, "Operations")
            .and_then(Json::as_array)
            .ok_or_else(|| ScimError::InvalidSyntax("`Operations` must be a list".into()))?;
        if operations.len() > MAX_OPERATIONS {
            return Err(ScimError::InvalidSyntax(format!(
                "a PATCH holds at most {MAX_OPERATIONS} operations"
            )));
        }
        operations.iter().map(Self::parse).collect()
    }

    fn parse(raw: &Json) -> Result<Self, ScimError> {
        let raw = object("An operation", raw)?;
        let op = match member(raw, "op").and_then(Json::as_str) {
            Some(op) if op.eq_ignore_ascii_case("add") => PatchOp::Add,
            Some(op) if op.eq_ignore_ascii_case("remove") => PatchOp::Remove,
            Some(op) if op.eq_ignore_ascii_case("replace") => PatchOp::Replace,
            _ => {
                return Err(ScimError::InvalidValue(
                    "`op` must be add, remove or replace".into(),
                ))
            }
        };
        let path = match member(raw, "path") {
            None | Some(Json::Null) => None,
            Some(Json::String(path)) if path.trim().is_empty() => None,
            Some(Json::String(path)) => Some(PatchPath::parse(path)?),
            Some(_) => return Err(ScimError::InvalidPath("`path` must be a string".into())),
        };
        Ok(Self {
            op,
            path,
            value: member(raw, "value").cloned(),
        })
    }

    /// The value an add or replace needs.
    pub fn value(&self) -> Result<&Json, ScimError> {
        self.value
            .as_ref()
            .ok_or_else(|| ScimError::InvalidValue("this operation needs a `value`".into()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_with_filters_and_sub_attributes() {
        let path = PatchPath::parse(r#"emails[type eq "work"].value"#).unwrap();
        assert_eq!(path.attr.name, "emails");
        assert_eq!(path.filter.as_deref(), Some(r#"type eq "work""#));
        assert_eq!(path.sub.as_deref(), Some("value"));
        let members = PatchPath::parse(r#"members[value eq "7"]"#).unwrap();
        assert_eq!(members.sub, None);
        for bad in [r#"members[value eq "7""#, "members[x].", "a.b[x]"] {
            assert!(PatchPath::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn operations_in_any_case_and_a_schema_if_named() {
        let ops = PatchOperation::parse_request(&json!({
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}, {"op": "REMOVE", "path": "externalId"}]
        }))
        .unwrap();
        assert_eq!(ops[0].op, PatchOp::Replace);
        assert_eq!(ops[1].op, PatchOp::Remove);
        assert!(
            PatchOperation::parse_request(&json!({"schemas": ["x"], "Operations": []})).is_err()
        );
        assert!(PatchOperation::parse_request(&json!({"Operations": {}})).is_err());
    }
}
