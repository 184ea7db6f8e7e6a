//! The SCIM User as Roster keeps it: what a POST, PUT or PATCH asks for.

use serde_json::{Map, Value as Json};

use super::patch::{PatchOp, PatchOperation, PatchPath};
use super::{boolean, member, object, optional_string, AttrPath, ScimError, USER_SCHEMA};

/// What a user filter or `sortBy` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAttr {
    /// `id`
    Id,
    /// `userName` (case-insensitive).
    UserName,
    /// `displayName` and `name.formatted`: both are Roster's one name.
    Name,
    /// `emails.value` (or `emails`): the one address.
    Email,
    /// `emails.type`: `work` for the one address.
    EmailType,
    /// `emails.primary`: true for the one address.
    EmailPrimary,
    /// `externalId` (case-exact).
    ExternalId,
    /// `active`
    Active,
    /// `meta.created`
    Created,
    /// `meta.lastModified`
    LastModified,
}

impl UserAttr {
    /// The attribute `path` names, if users can be filtered or sorted on it.
    pub fn resolve(path: &AttrPath) -> Option<Self> {
        path.resolve_in(
            USER_SCHEMA,
            &[
                ("id", None, Self::Id),
                ("userName", None, Self::UserName),
                ("displayName", None, Self::Name),
                ("name", Some("formatted"), Self::Name),
                ("emails", None, Self::Email),
                ("emails", Some("value"), Self::Email),
                ("emails", Some("type"), Self::EmailType),
                ("emails", Some("primary"), Self::EmailPrimary),
                ("externalId", None, Self::ExternalId),
                ("active", None, Self::Active),
                ("meta", Some("created"), Self::Created),
                ("meta", Some("lastModified"), Self::LastModified),
            ],
        )
    }
}

/// A user's SCIM-writable fields, before the account rules check them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserFields {
    /// `userName`
    pub user_name: String,
    /// `displayName`, else `name.formatted`, else `name.givenName name.familyName`.
    pub name: String,
    /// The primary (else first) of `emails`.
    pub email: Option<String>,
    /// `active`
    pub active: bool,
    /// `externalId`
    pub external_id: Option<String>,
    /// `password`, when one is given (write-only).
    pub password: Option<String>,
}

impl UserFields {
    /// The user a POST or PUT body describes. A PUT replaces: what it leaves out is
    /// cleared, except `active` (kept from `current`; a new user is active) and the
    /// password (kept unless given).
    pub fn from_resource(body: &Json, current: Option<&Self>) -> Result<Self, ScimError> {
        let body = object("The user", body)?;
        let mut fields = Self {
            active: current.is_none_or(|c| c.active),
            ..Self::default()
        };
        fields.assign_object(body)?;
        if fields.user_name.is_empty() {
            return Err(ScimError::InvalidValue("`userName` is required".into()));
        }
        Ok(fields)
    }

    /// Applies PATCH `operations` in order.
    pub fn patch(&mut self, operations: &[PatchOperation]) -> Result<(), ScimError> {
        operations.iter().try_for_each(|op| self.apply(op))
    }

    fn apply(&mut self, operation: &PatchOperation) -> Result<(), ScimError> {
        match (&operation.path, operation.op) {
            (None, PatchOp::Remove) => Err(ScimError::NoTarget(
                "a remove operation needs a path".into(),
            )),
            (None, _) => self.assign_object(object("A value without a path", operation.value()?)?),
            (Some(path), PatchOp::Remove) => self.clear(path),
            (Some(path), _) => self.assign(path, operation.value()?),
        }
    }

    /// Sets every attribute an object names (the body of a POST or PUT, or the value of
    /// a PATCH without a path); read-only and unknown attributes are passed over.
    fn assign_object(&mut self, body: &Map<String, Json>) -> Result<(), ScimError> {
        if let Some(name) = member(body, "name") {
            self.name = formatted_name(name)?;
        }
        for (key, value) in body {
            let Ok(path) = AttrPath::parse(key) else {
                continue;
            };
            // The enterprise extension as an object (`"urn:…:User": {…}`) names no
            // attribute Roster keeps.
            if !path.is(USER_SCHEMA, "name", None) {
                self.set(&path, value)?;
            }
        }
        // displayName wins over the name object, whatever their order in the body.
        if let Some(display) = member(body, "displayName") {
            if let Some(display) = optional_string("displayName", display)? {
                self.name = display;
            }
        }
        Ok(())
    }

    /// Add or replace at `path` (a value filter on `emails` selects the one address).
    fn assign(&mut self, path: &PatchPath, value: &Json) -> Result<(), ScimError> {
        let attr = &path.attr;
        if let Some(raw) = &path.filter {
            email_filter(raw)?;
            return match attr.is(USER_SCHEMA, "emails", None) {
                true => self.set_email(value, path.sub.as_deref()),
                false => Err(invalid_path(path)),
            };
        }
        if attr.is(USER_SCHEMA, "name", None) {
            self.name = formatted_name(value)?;
            return Ok(());
        }
        self.set(attr, value)
    }

    fn set(&mut self, path: &AttrPath, value: &Json) -> Result<(), ScimError> {
        let is = |name, sub| path.is(USER_SCHEMA, name, sub);
        if is("userName", None) {
            self.user_name = optional_string("userName", value)?
                .ok_or_else(|| ScimError::InvalidValue("`userName` is required".into()))?;
        } else if is("displayName", None) || is("name", Some("formatted")) {
            self.name = optional_string("displayName", value)?.unwrap_or_default();
        } else if is("emails", None) {
            self.set_email(value, None)?;
        } else if is("emails", Some("value")) {
            self.set_email(value, Some("value"))?;
        } else if is("active", None) {
            self.active = boolean("active", value)?;
        } else if is("externalId", None) {
            self.external_id = super::external_id(optional_string("externalId", value)?)?;
        } else if is("password", None) {
            self.password =
                Some(optional_string("password", value)?.ok_or_else(|| {
                    ScimError::InvalidValue("`password` must be a string".into())
                })?);
        }
        // Anything else (id, meta, groups, schemas, attributes Roster does not keep) is
        // passed over, as RFC 7644 asks for read-only attributes.
        Ok(())
    }

    fn set_email(&mut self, value: &Json, sub: Option<&str>) -> Result<(), ScimError> {
        self.email = match sub {
            Some(sub) if sub.eq_ignore_ascii_case("value") => {
                optional_string("emails.value", value)?
            }
            // `type` and `primary` of the one address are fixed: work, primary.
            Some(_) => return Ok(()),
            None => primary_email(value)?,
        };
        Ok(())
    }

    fn clear(&mut self, path: &PatchPath) -> Result<(), ScimError> {
        let is = |name, sub| path.attr.is(USER_SCHEMA, name, sub);
        if is("emails", None) || is("emails", Some("value")) {
            self.email = None;
        } else if path.filter.is_some() {
            return Err(invalid_path(path));
        } else if is("displayName", None) || is("name", None) || is("name", Some("formatted")) {
            self.name.clear();
        } else if is("externalId", None) {
            self.external_id = None;
        } else if is("userName", None) || is("active", None) || is("password", None) {
            return Err(ScimError::Mutability(format!(
                "`{}` cannot be removed",
                path.attr
            )));
        }
        Ok(())
    }
}

/// Checks the filter of an `emails[...]` path: on the one address's `value`, `type` or
/// `primary`. It selects the one address Roster keeps, whatever it says.
fn email_filter(raw: &str) -> Result<(), ScimError> {
    super::filter::parse(raw, |p: &AttrPath| {
        let known = ["value", "type", "primary"];
        (p.urn.is_none() && p.sub.is_none() && known.iter().any(|k| p.name.eq_ignore_ascii_case(k)))
            .then_some(())
    })
    .map(|_| ())
    .map_err(|e| ScimError::InvalidPath(e.to_string()))
}

fn invalid_path(path: &PatchPath) -> ScimError {
    ScimError::InvalidPath(format!(
        "`{}[…]` is not a path Roster can change",
        path.attr
    ))
}

/// The one name of a `name` object: `formatted`, else given and family names.
fn formatted_name(value: &Json) -> Result<String, ScimError> {
    if value.is_null() {
        return Ok(String::new());
    }
    let name = object("`name`", value)?;
    if let Some(formatted) = member(name, "formatted") {
        if let Some(formatted) = optional_string("name.formatted", formatted)? {
            return Ok(formatted);
        }
    }
    let mut parts = Vec::new();
    for part in ["givenName", "familyName"] {
        if let Some(value) = member(name, part) {
            parts.extend(optional_string(part, value)?);
        }
    }
    Ok(parts.join(" "))
}

/// The address of `emails`: the one marked primary, else the first; none for `[]` or
/// `null`. A single object is taken as a list of one.
fn primary_email(value: &Json) -> Result<Option<String>, ScimError> {
    let entries = match value {
        Json::Null => return Ok(None),
        Json::Array(entries) => entries.iter().collect::<Vec<_>>(),
        single => vec![single],
    };
    let primary = entries
        .iter()
        .find(|entry| {
            entry
                .as_object()
                .and_then(|e| member(e, "primary"))
                .is_some_and(|p| boolean("primary", p).unwrap_or(false))
        })
        .or(entries.first());
    match primary {
        None => Ok(None),
        Some(entry) => {
            let entry = object("An email", entry)?;
            match member(entry, "value") {
                Some(value) => optional_string("emails.value", value),
                None => Err(ScimError::InvalidValue("an email needs a `value`".into())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::patch::PatchOperation;
    use super::*;

    fn alice() -> UserFields {
        UserFields::from_resource(
            &json!({
                "schemas": [USER_SCHEMA],
                "userName": "alice@contoso.com",
                "name": {"givenName": "Alice", "familyName": "Liddell"},
                "emails": [
                    {"value": "home@example.com", "type": "home"},
                    {"value": "alice@contoso.com", "type": "work", "primary": true}
                ],
                "externalId": "00u1",
                "title": "not kept",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "x"}
            }),
            None,
        )
        .unwrap()
    }

    fn patched(operations: serde_json::Value) -> Result<UserFields, ScimError> {
        let mut user = alice();
        let ops = PatchOperation::parse_request(&json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": operations
        }))?;
        user.patch(&ops)?;
        Ok(user)
    }

    #[test]
    fn a_resource_maps_onto_the_fields_roster_keeps() {
        let user = alice();
        assert_eq!(user.user_name, "alice@contoso.com");
        assert_eq!(user.name, "Alice Liddell");
        assert_eq!(user.email.as_deref(), Some("alice@contoso.com"));
        assert_eq!(user.external_id.as_deref(), Some("00u1"));
        assert!(user.active);
        let named = UserFields::from_resource(
            &json!({"userName": "b", "displayName": "Bee", "name": {"formatted": "B. Formatted"}}),
            None,
        )
        .unwrap();
        assert_eq!(named.name, "Bee");
        assert!(UserFields::from_resource(&json!({"displayName": "x"}), None).is_err());
    }

    #[test]
    fn a_put_keeps_active_as_it_was_unless_given() {
        let disabled = UserFields {
            active: false,
            ..alice()
        };
        let replaced =
            UserFields::from_resource(&json!({"userName": "alice"}), Some(&disabled)).unwrap();
        assert!(!replaced.active);
        assert_eq!(replaced.email, None);
        assert_eq!(replaced.name, "");
    }

    #[test]
    fn patch_paths_value_filters_and_objects() {
        let user = patched(json!([
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@contoso.com"},
            {"op": "replace", "path": "name.formatted", "value": "Alice L."},
            {"op": "Add", "path": "externalId", "value": "00u2"},
            {"op": "replace", "value": {"active": "False", "id": "ignored"}}
        ]))
        .unwrap();
        assert_eq!(user.email.as_deref(), Some("new@contoso.com"));
        assert_eq!(user.name, "Alice L.");
        assert_eq!(user.external_id.as_deref(), Some("00u2"));
        assert!(!user.active);
        let removed = patched(json!([
            {"op": "Remove", "path": "emails[type eq \"work\"]"},
            {"op": "remove", "path": "externalId"}
        ]))
        .unwrap();
        assert_eq!((removed.email, removed.external_id), (None, None));
    }

    #[test]
    fn patch_refuses_what_it_cannot_do() {
        let refused = |ops| patched(ops).unwrap_err();
        assert!(matches!(
            refused(json!([{"op": "remove", "path": "userName"}])),
            ScimError::Mutability(_)
        ));
        assert!(matches!(
            refused(json!([{"op": "remove"}])),
            ScimError::NoTarget(_)
        ));
        assert!(matches!(
            refused(json!([{"op": "replace", "path": "active", "value": "maybe"}])),
            ScimError::InvalidValue(_)
        ));
        assert!(matches!(
            refused(json!([{"op": "merge", "path": "active", "value": true}])),
            ScimError::InvalidValue(_)
        ));
    }
}
