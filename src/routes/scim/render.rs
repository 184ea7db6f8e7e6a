//! What SCIM clients read: Users and Groups as JSON, list responses, the `attributes` and
//! `excludedAttributes` projections, and the discovery documents, which describe exactly
//! what the representations hold.

use serde_json::{json, Map, Value as Json};

use crate::domain::scim::{AttrPath, GROUP_SCHEMA, USER_SCHEMA};
use crate::models::scim::{ScimGroup, ScimUser};

/// The ListResponse message schema.
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// Unix seconds as an RFC 3339 date-time.
fn datetime(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The ETag of a version.
pub fn etag(version: &str) -> String {
    format!("W/\"{version}\"")
}

fn meta(kind: &str, base: &str, id: i64, created: i64, updated: i64, version: &str) -> Json {
    json!({
        "resourceType": kind,
        "created": datetime(created),
        "lastModified": datetime(updated),
        "location": format!("{base}/{kind}s/{id}"),
        "version": etag(version),
    })
}

/// User `u` as SCIM shows it, with URLs under `base` (`…/scim/v2`).
pub fn user(u: &ScimUser, base: &str) -> Json {
    let user = &u.user;
    let mut out = Map::new();
    out.insert("schemas".into(), json!([USER_SCHEMA]));
    out.insert("id".into(), json!(user.id.to_string()));
    if let Some(external_id) = &u.external_id {
        out.insert("externalId".into(), json!(external_id));
    }
    out.insert("userName".into(), json!(user.username));
    if !user.name.is_empty() {
        out.insert("name".into(), json!({ "formatted": user.name }));
        out.insert("displayName".into(), json!(user.name));
    }
    if let Some(email) = &user.email {
        out.insert("emails".into(), json!([{ "value": email, "type": "work" }]));
    }
    out.insert("active".into(), json!(!user.disabled));
    if !u.groups.is_empty() {
        let groups: Vec<Json> = u
            .groups
            .iter()
            .map(|(id, name)| {
                json!({
                    "value": id.to_string(),
                    "$ref": format!("{base}/Groups/{id}"),
                    "display": name,
                    "type": "direct",
                })
            })
            .collect();
        out.insert("groups".into(), Json::Array(groups));
    }
    out.insert(
        "meta".into(),
        meta(
            "User",
            base,
            user.id,
            user.created,
            user.updated,
            &u.version(),
        ),
    );
    Json::Object(out)
}

/// Group `g` as SCIM shows it, with URLs under `base`.
pub fn group(g: &ScimGroup, base: &str) -> Json {
    let group = &g.group;
    let mut out = Map::new();
    out.insert("schemas".into(), json!([GROUP_SCHEMA]));
    out.insert("id".into(), json!(group.id.to_string()));
    if let Some(external_id) = &g.external_id {
        out.insert("externalId".into(), json!(external_id));
    }
    out.insert("displayName".into(), json!(group.name));
    if !g.members.is_empty() {
        let members: Vec<Json> = g
            .members
            .iter()
            .map(|id| {
                json!({
                    "value": id.to_string(),
                    "$ref": format!("{base}/Users/{id}"),
                    "type": "User",
                })
            })
            .collect();
        out.insert("members".into(), Json::Array(members));
    }
    out.insert(
        "meta".into(),
        meta(
            "Group",
            base,
            group.id,
            group.created,
            group.updated,
            &g.version(),
        ),
    );
    Json::Object(out)
}

/// A ListResponse of `resources`, the page starting at `start_index` of `total`.
pub fn list(resources: Vec<Json>, start_index: i64, total: i64) -> Json {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "itemsPerPage": resources.len(),
        "startIndex": start_index,
        "Resources": resources,
    })
}

/// Which attributes a response carries (RFC 7644 §3.4.2.5). `id` and `schemas` are
/// always returned.
#[derive(Debug, Clone, Default)]
pub enum Projection {
    /// The default set.
    #[default]
    Default,
    /// Only these (and `id`, `schemas`).
    Only(Vec<AttrPath>),
    /// The default set without these.
    Without(Vec<AttrPath>),
}

impl Projection {
    /// The projection of comma-separated `attributes` or `excludedAttributes` (given
    /// both, `attributes` wins). Names may carry the resource's schema URN.
    pub fn parse(attributes: Option<&str>, excluded: Option<&str>) -> Self {
        let paths = |raw: &str| -> Vec<AttrPath> {
            raw.split(',')
                .filter_map(|p| AttrPath::parse(p.trim()).ok())
                .collect()
        };
        match (attributes, excluded) {
            (Some(raw), _) if !raw.trim().is_empty() => Self::Only(paths(raw)),
            (_, Some(raw)) if !raw.trim().is_empty() => Self::Without(paths(raw)),
            _ => Self::Default,
        }
    }

    /// Applies the projection to a resource.
    pub fn apply(&self, resource: Json) -> Json {
        let (Json::Object(fields), Self::Only(paths) | Self::Without(paths)) = (&resource, self)
        else {
            return resource;
        };
        let only = matches!(self, Self::Only(_));
        let kept = fields.iter().filter_map(|(key, value)| {
            if key == "id" || key == "schemas" {
                return Some((key.clone(), value.clone()));
            }
            let named: Vec<&AttrPath> = paths
                .iter()
                .filter(|p| p.name.eq_ignore_ascii_case(key))
                .collect();
            let whole = named.iter().any(|p| p.sub.is_none());
            let subs: Vec<&str> = named.iter().filter_map(|p| p.sub.as_deref()).collect();
            match (only, whole, named.is_empty()) {
                // Asked for whole, or not excluded at all.
                (true, true, _) | (false, false, true) => Some((key.clone(), value.clone())),
                (true, false, true) | (false, true, _) => None,
                (true, false, false) => Some((key.clone(), keep_subs(value.clone(), &subs))),
                (false, false, false) => Some((key.clone(), drop_subs(value.clone(), &subs))),
            }
        });
        Json::Object(kept.collect())
    }
}

/// Applies `keep` to the sub-attributes of a complex value, or of each of a list's.
fn map_subs(value: Json, keep: &dyn Fn(&str) -> bool) -> Json {
    match value {
        Json::Object(fields) => Json::Object(fields.into_iter().filter(|(k, _)| keep(k)).collect()),
        Json::Array(items) => Json::Array(items.into_iter().map(|v| map_subs(v, keep)).collect()),
        other => other,
    }
}

fn keep_subs(value: Json, subs: &[&str]) -> Json {
    map_subs(value, &|k| subs.iter().any(|s| s.eq_ignore_ascii_case(k)))
}

fn drop_subs(value: Json, subs: &[&str]) -> Json {
    map_subs(value, &|k| !subs.iter().any(|s| s.eq_ignore_ascii_case(k)))
}

/// One attribute of a schema: its name, type and characteristics (RFC 7643 §7).
#[allow(clippy::too_many_arguments)]
fn attribute(
    name: &str,
    kind: &str,
    multi: bool,
    description: &str,
    required: bool,
    case_exact: bool,
    mutability: &str,
    returned: &str,
    uniqueness: &str,
) -> Map<String, Json> {
    let Json::Object(map) = json!({
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": description,
        "required": required,
        "caseExact": case_exact,
        "mutability": mutability,
        "returned": returned,
        "uniqueness": uniqueness,
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

/// A simple attribute, not required, returned by default, not unique.
fn simple(name: &str, kind: &str, mutability: &str, description: &str) -> Json {
    Json::Object(attribute(
        name,
        kind,
        false,
        description,
        false,
        false,
        mutability,
        "default",
        "none",
    ))
}

fn with(mut attribute: Map<String, Json>, key: &str, value: Json) -> Map<String, Json> {
    attribute.insert(key.into(), value);
    attribute
}

/// The schemas Roster serves: what its Users and Groups hold, and nothing more.
pub fn schemas(base: &str) -> Vec<Json> {
    let user_attributes = json!([
        attribute(
            "userName", "string", false,
            "The sign-in name: letters, digits and . _ - @ +, unique ignoring case.",
            true, false, "readWrite", "default", "server",
        ),
        with(
            attribute("name", "complex", false, "The user's name.", false, false, "readWrite", "default", "none"),
            "subAttributes",
            json!([simple("formatted", "string", "readWrite",
                "The full name; the same value as displayName (Roster keeps one name).")]),
        ),
        simple("displayName", "string", "readWrite",
            "The name shown; the same value as name.formatted (Roster keeps one name)."),
        attribute("password", "string", false,
            "Write-only; the password policy applies. A user provisioned without one sets one by the reset mail.",
            false, false, "writeOnly", "never", "none"),
        with(
            attribute("emails", "complex", true,
                "Roster keeps one address per user, unique ignoring case: the primary one sent (else the first).",
                false, false, "readWrite", "default", "none"),
            "subAttributes",
            json!([
                simple("value", "string", "readWrite", "The address."),
                with(
                    attribute("type", "string", false, "Always work.", false, false, "readWrite", "default", "none"),
                    "canonicalValues", json!(["work"]),
                ),
            ]),
        ),
        // Required: every user has a state, which cannot be removed (absent from a POST,
        // it is true).
        attribute("active", "boolean", false,
            "false disables the user and ends its sessions and tokens; true when a POST leaves it out.",
            true, false, "readWrite", "default", "none"),
        with(
            attribute("groups", "complex", true,
                "The groups the user is in; changed through the Groups.",
                false, false, "readOnly", "default", "none"),
            "subAttributes",
            json!([
                simple("value", "string", "readOnly", "The group's id."),
                with(
                    attribute("$ref", "reference", false, "The group's URI.", false, false, "readOnly", "default", "none"),
                    "referenceTypes", json!(["Group"]),
                ),
                simple("display", "string", "readOnly", "The group's name."),
                with(
                    attribute("type", "string", false, "Always direct.", false, false, "readOnly", "default", "none"),
                    "canonicalValues", json!(["direct"]),
                ),
            ]),
        ),
    ]);
    let group_attributes = json!([
        attribute(
            "displayName",
            "string",
            false,
            "1–64 of A-Z a-z 0-9 . _ - and space, unique ignoring case.",
            true,
            false,
            "readWrite",
            "default",
            "server",
        ),
        with(
            attribute(
                "members",
                "complex",
                true,
                "The users in the group.",
                false,
                false,
                "readWrite",
                "default",
                "none"
            ),
            "subAttributes",
            json!([
                simple("value", "string", "immutable", "The user's id."),
                with(
                    attribute(
                        "$ref",
                        "reference",
                        false,
                        "The user's URI.",
                        false,
                        false,
                        "immutable",
                        "default",
                        "none"
                    ),
                    "referenceTypes",
                    json!(["User"]),
                ),
                with(
                    attribute(
                        "type",
                        "string",
                        false,
                        "Always User: groups hold users only.",
                        false,
                        false,
                        "immutable",
                        "default",
                        "none"
                    ),
                    "canonicalValues",
                    json!(["User"]),
                ),
            ]),
        ),
    ]);
    let schema = |id: &str, name: &str, description: &str, attributes: Json| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": id,
            "name": name,
            "description": description,
            "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")},
        })
    };
    vec![
        schema(USER_SCHEMA, "User", "User Account", user_attributes),
        schema(GROUP_SCHEMA, "Group", "Group", group_attributes),
    ]
}

/// The resource types: Users and Groups, without schema extensions.
pub fn resource_types(base: &str) -> Vec<Json> {
    let resource_type = |name: &str, schema: &str, description: &str| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": name,
            "name": name,
            "endpoint": format!("/{name}s"),
            "description": description,
            "schema": schema,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{name}")},
        })
    };
    vec![
        resource_type("User", USER_SCHEMA, "User Account"),
        resource_type("Group", GROUP_SCHEMA, "Group"),
    ]
}

/// What Roster supports, truthfully: PATCH, filters up to `max_results`, sorting, ETags
/// and password changes; no bulk operations.
pub fn service_provider_config(base: &str, max_results: i64) -> Json {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://github.com/roster/roster/blob/main/docs/scim.md",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": max_results},
        "changePassword": {"supported": true},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "An API token of scope scim, made by an admin: Authorization: Bearer roster_…",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projections_keep_id_and_schemas_and_select_sub_attributes() {
        let resource = json!({
            "schemas": [USER_SCHEMA], "id": "7", "userName": "a",
            "name": {"formatted": "A"}, "emails": [{"value": "a@x", "type": "work"}], "meta": {}
        });
        let only = Projection::parse(Some("userName,emails.value"), None).apply(resource.clone());
        assert_eq!(
            only,
            json!({"schemas": [USER_SCHEMA], "id": "7", "userName": "a", "emails": [{"value": "a@x"}]})
        );
        let without = Projection::parse(None, Some("meta,name,emails.type")).apply(resource);
        assert_eq!(
            without,
            json!({"schemas": [USER_SCHEMA], "id": "7", "userName": "a", "emails": [{"value": "a@x"}]})
        );
        let urn = Projection::parse(Some(&format!("{USER_SCHEMA}:userName")), None)
            .apply(json!({"id": "7", "userName": "a", "active": true}));
        assert_eq!(urn, json!({"id": "7", "userName": "a"}));
    }
}
