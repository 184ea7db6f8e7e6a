//! The SCIM Group as Roster keeps it: a name, an external id and members (users).

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

use super::filter::{self, Filter, Op, Value};
use super::patch::{PatchOp, PatchOperation, PatchPath};
use super::{member, object, optional_string, AttrPath, ScimError, GROUP_SCHEMA};

/// What a group filter or `sortBy` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupAttr {
    /// `id`
    Id,
    /// `displayName` (case-insensitive).
    DisplayName,
    /// `externalId` (case-exact).
    ExternalId,
    /// `members.value` (or `members`): a member's user id.
    MemberValue,
    /// `meta.created`
    Created,
    /// `meta.lastModified`
    LastModified,
}

impl GroupAttr {
    /// The attribute `path` names, if groups can be filtered or sorted on it.
    pub fn resolve(path: &AttrPath) -> Option<Self> {
        path.resolve_in(
            GROUP_SCHEMA,
            &[
                ("id", None, Self::Id),
                ("displayName", None, Self::DisplayName),
                ("externalId", None, Self::ExternalId),
                ("members", None, Self::MemberValue),
                ("members", Some("value"), Self::MemberValue),
                ("meta", Some("created"), Self::Created),
                ("meta", Some("lastModified"), Self::LastModified),
            ],
        )
    }
}

/// A group's SCIM-writable fields, before the group rules check them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupFields {
    /// `displayName`
    pub display_name: String,
    /// `externalId`
    pub external_id: Option<String>,
    /// The user ids of `members`.
    pub members: BTreeSet<i64>,
}

/// A membership `members` may name: a user id, as SCIM's string `value`.
fn member_id(entry: &Json) -> Result<i64, ScimError> {
    let bad = || ScimError::InvalidValue("a member's `value` must be a user id".into());
    let entry = object("A member", entry)?;
    match member(entry, "value").ok_or_else(bad)? {
        Json::String(id) => id.trim().parse::<i64>().ok(),
        Json::Number(id) => id.as_i64(),
        _ => None,
    }
    .filter(|id| *id > 0)
    .ok_or_else(bad)
}

/// The user ids of a `members` value: a list, or one member alone.
fn member_ids(value: &Json) -> Result<Vec<i64>, ScimError> {
    match value {
        Json::Null => Ok(Vec::new()),
        Json::Array(entries) => entries.iter().map(member_id).collect(),
        single => Ok(vec![member_id(single)?]),
    }
}

impl GroupFields {
    /// The group a POST or PUT body describes (a PUT replaces the members too).
    pub fn from_resource(body: &Json) -> Result<Self, ScimError> {
        let mut fields = Self::default();
        fields.assign_object(object("The group", body)?)?;
        if fields.display_name.is_empty() {
            return Err(ScimError::InvalidValue("`displayName` is required".into()));
        }
        Ok(fields)
    }

    /// Applies PATCH `operations` in order.
    pub fn patch(&mut self, operations: &[PatchOperation]) -> Result<(), ScimError> {
        operations.iter().try_for_each(|op| self.apply(op))
    }

    fn apply(&mut self, operation: &PatchOperation) -> Result<(), ScimError> {
        let Some(path) = &operation.path else {
            let value = object("A value without a path", operation.value()?)?;
            return match operation.op {
                PatchOp::Remove => Err(ScimError::NoTarget(
                    "a remove operation needs a path".into(),
                )),
                // Okta and Entra ID send `add` of members without a path, meaning to add.
                PatchOp::Add => match member(value, "members") {
                    Some(members) => {
                        self.members.extend(member_ids(members)?);
                        let rest: Map<String, Json> = value
                            .iter()
                            .filter(|(k, _)| !k.eq_ignore_ascii_case("members"))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        self.assign_object(&rest)
                    }
                    None => self.assign_object(value),
                },
                PatchOp::Replace => self.assign_object(value),
            };
        };
        let is_members = path.attr.is(GROUP_SCHEMA, "members", None)
            || path.attr.is(GROUP_SCHEMA, "members", Some("value"));
        if is_members {
            return self.change_members(operation.op, path, operation.value.as_ref());
        }
        if path.filter.is_some() {
            return Err(ScimError::InvalidPath(format!(
                "`{}[…]` is not a path Roster can change",
                path.attr
            )));
        }
        match operation.op {
            PatchOp::Remove => self.clear(&path.attr),
            PatchOp::Add | PatchOp::Replace => self.set(&path.attr, operation.value()?),
        }
    }

    fn change_members(
        &mut self,
        op: PatchOp,
        path: &PatchPath,
        value: Option<&Json>,
    ) -> Result<(), ScimError> {
        let selected: Option<BTreeSet<i64>> = match &path.filter {
            Some(raw) => {
                let filter = filter::parse(raw, |p: &AttrPath| {
                    (p.urn.is_none() && p.sub.is_none() && p.name.eq_ignore_ascii_case("value"))
                        .then_some(())
                })
                .map_err(|e| ScimError::InvalidPath(e.to_string()))?;
                let mut chosen = BTreeSet::new();
                for id in &self.members {
                    if matches_member(&filter, *id)? {
                        chosen.insert(*id);
                    }
                }
                Some(chosen)
            }
            None => None,
        };
        match (op, selected) {
            (PatchOp::Remove, Some(chosen)) => {
                self.members.retain(|id| !chosen.contains(id));
            }
            (PatchOp::Remove, None) => match value {
                // Entra ID removes members by listing them as the value.
                Some(value) if !value.is_null() => {
                    for id in member_ids(value)? {
                        self.members.remove(&id);
                    }
                }
                _ => self.members.clear(),
            },
            (PatchOp::Add, None) => {
                let value = value.ok_or_else(needs_value)?;
                self.members.extend(member_ids(value)?);
            }
            (PatchOp::Replace, None) => {
                let value = value.ok_or_else(needs_value)?;
                self.members = member_ids(value)?.into_iter().collect();
            }
            (PatchOp::Add | PatchOp::Replace, Some(_)) => {
                return Err(ScimError::InvalidPath(
                    "members are added or replaced with the path `members`".into(),
                ))
            }
        }
        Ok(())
    }

    fn assign_object(&mut self, body: &Map<String, Json>) -> Result<(), ScimError> {
        for (key, value) in body {
            if let Ok(path) = AttrPath::parse(key) {
                self.set(&path, value)?;
            }
        }
        Ok(())
    }

    fn set(&mut self, path: &AttrPath, value: &Json) -> Result<(), ScimError> {
        let is = |name| path.is(GROUP_SCHEMA, name, None);
        if is("displayName") {
            self.display_name = optional_string("displayName", value)?
                .ok_or_else(|| ScimError::InvalidValue("`displayName` is required".into()))?;
        } else if is("externalId") {
            self.external_id = super::external_id(optional_string("externalId", value)?)?;
        } else if is("members") {
            self.members = member_ids(value)?.into_iter().collect();
        }
        // Read-only (id, meta, schemas) and unknown attributes are passed over.
        Ok(())
    }

    fn clear(&mut self, path: &AttrPath) -> Result<(), ScimError> {
        if path.is(GROUP_SCHEMA, "externalId", None) {
            self.external_id = None;
        } else if path.is(GROUP_SCHEMA, "displayName", None) {
            return Err(ScimError::Mutability(
                "`displayName` cannot be removed".into(),
            ));
        }
        Ok(())
    }
}

fn needs_value() -> ScimError {
    ScimError::InvalidValue("this operation needs a `value`".into())
}

/// Whether member `id` matches a `members[...]` filter (on `value` only).
fn matches_member(filter: &Filter<()>, id: i64) -> Result<bool, ScimError> {
    Ok(match filter {
        Filter::Present(()) => true,
        Filter::Compare((), op, Value::Str(value)) => {
            let equal = value.trim() == id.to_string();
            match op {
                Op::Eq => equal,
                Op::Ne => !equal,
                _ => {
                    return Err(ScimError::InvalidFilter(
                        "members are chosen with eq or ne on `value`".into(),
                    ))
                }
            }
        }
        Filter::Compare(..) => {
            return Err(ScimError::InvalidFilter(
                "a member's `value` is a string".into(),
            ))
        }
        Filter::And(a, b) => matches_member(a, id)? && matches_member(b, id)?,
        Filter::Or(a, b) => matches_member(a, id)? || matches_member(b, id)?,
        Filter::Not(inner) => !matches_member(inner, id)?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ops(operations: Json) -> Vec<PatchOperation> {
        PatchOperation::parse_request(&json!({ "Operations": operations })).unwrap()
    }

    fn ops_group() -> GroupFields {
        GroupFields::from_resource(&json!({
            "displayName": "ops",
            "externalId": "g-1",
            "members": [{"value": "1"}, {"value": "2", "display": "bob"}, {"value": 3}]
        }))
        .unwrap()
    }

    #[test]
    fn members_are_added_removed_and_replaced() {
        let mut group = ops_group();
        assert_eq!(group.members, BTreeSet::from([1, 2, 3]));
        group
            .patch(&ops(json!([
                {"op": "Add", "path": "members", "value": [{"value": "4"}, {"value": "1"}]},
                {"op": "Remove", "path": "members[value eq \"2\"]"},
                {"op": "remove", "path": "members", "value": [{"value": "3"}]}
            ])))
            .unwrap();
        assert_eq!(group.members, BTreeSet::from([1, 4]));
        group
            .patch(&ops(
                json!([{"op": "replace", "path": "members", "value": [{"value": "9"}]}]),
            ))
            .unwrap();
        assert_eq!(group.members, BTreeSet::from([9]));
        group
            .patch(&ops(json!([{"op": "add", "value": {"members": [{"value": "5"}], "displayName": "ops2"}}])))
            .unwrap();
        assert_eq!(group.members, BTreeSet::from([5, 9]));
        assert_eq!(group.display_name, "ops2");
        group
            .patch(&ops(json!([{"op": "remove", "path": "members"}])))
            .unwrap();
        assert!(group.members.is_empty());
    }

    #[test]
    fn refuses_bad_members_and_paths() {
        let mut group = ops_group();
        for bad in [
            json!([{"op": "add", "path": "members", "value": [{"value": "x"}]}]),
            json!([{"op": "add", "path": "members", "value": [{"display": "no id"}]}]),
            json!([{"op": "remove", "path": "members[display eq \"bob\"]"}]),
            json!([{"op": "remove", "path": "displayName"}]),
            json!([{"op": "add", "path": "members"}]),
        ] {
            assert!(group.patch(&ops(bad.clone())).is_err(), "{bad}");
        }
        assert!(GroupFields::from_resource(&json!({"members": []})).is_err());
    }
}
