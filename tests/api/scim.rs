//! SCIM 2.0 at `/scim/v2`: discovery, Users and Groups, filters, ETags, and what Okta
//! and Microsoft Entra ID really send. The whole protocol is also checked by a
//! third-party tester (tests/scim/run.sh); these tests pin Roster's own decisions.

use reqwest::Method;
use serde_json::{json, Value};

use crate::admin_cli::user_command;
use crate::helpers::{Persona, TestApp};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A SCIM answer.
#[derive(Debug)]
struct Reply {
    status: u16,
    etag: Option<String>,
    location: Option<String>,
    content_type: String,
    body: Value,
}

impl Reply {
    /// Asserts `status` and returns the body.
    #[track_caller]
    fn expect(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "{}", self.body);
        &self.body
    }

    /// Asserts a SCIM error with `status` and `scim_type` (`None`: none given).
    #[track_caller]
    fn refused(&self, status: u16, scim_type: Option<&str>) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["schemas"], json!([ERROR]), "{}", self.body);
        assert_eq!(self.body["status"], json!(status.to_string()));
        assert_eq!(self.body["scimType"].as_str(), scim_type, "{}", self.body);
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert_eq!(self.content_type, "application/scim+json");
    }

    /// The ids of a ListResponse's resources.
    fn ids(&self) -> Vec<String> {
        self.expect(200)["Resources"]
            .as_array()
            .expect("Resources")
            .iter()
            .map(|r| r["id"].as_str().expect("an id").to_owned())
            .collect()
    }
}

/// Sends a SCIM request as `token`, with `headers`, the body as `application/scim+json`.
async fn scim(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = app
        .client
        .request(method, format!("{}/scim/v2{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/scim+json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("the server answers");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (etag, location) = (header("etag"), header("location"));
    let content_type = header("content-type").unwrap_or_default();
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        etag,
        location,
        content_type,
        body,
    }
}

/// An admin's API token of scope `scim`, as an identity provider is given.
async fn provisioning_token(app: &TestApp, admin_token: &str) -> String {
    let made = app
        .put(
            "/tokens",
            Some(admin_token),
            json!({"title": "idp", "scopes": ["scim"]}),
        )
        .await;
    made.ok()["token"].as_str().unwrap().to_owned()
}

/// A fresh instance with an admin and a provisioning token.
async fn provisioned() -> (TestApp, Persona, String) {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let token = provisioning_token(&app, &admin.token).await;
    (app, admin, token)
}

async fn get(app: &TestApp, token: &str, path: &str) -> Reply {
    scim(app, Method::GET, path, Some(token), None, &[]).await
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Reply {
    scim(app, Method::POST, path, Some(token), Some(body), &[]).await
}

async fn patch(app: &TestApp, token: &str, path: &str, operations: Value) -> Reply {
    let body = json!({"schemas": [PATCH], "Operations": operations});
    scim(app, Method::PATCH, path, Some(token), Some(body), &[]).await
}

/// Creates a user over SCIM; returns its id.
async fn provision(app: &TestApp, token: &str, user: Value) -> String {
    let made = post(app, token, "/Users", user).await;
    made.expect(201)["id"].as_str().unwrap().to_owned()
}

fn filtered(filter: &str) -> String {
    format!(
        "/Users?filter={}",
        percent_encoding::utf8_percent_encode(filter, percent_encoding::NON_ALPHANUMERIC)
    )
}

backend_tests! {
    async fn discovery_says_what_roster_supports() {
        let (app, _, token) = provisioned().await;
        let config = get(&app, &token, "/ServiceProviderConfig").await;
        assert_eq!(config.content_type, "application/scim+json");
        let config = config.expect(200);
        assert_eq!(config["patch"]["supported"], true);
        assert_eq!(config["bulk"]["supported"], false);
        assert_eq!(config["filter"], json!({"supported": true, "maxResults": 1000}));
        assert_eq!(config["etag"]["supported"], true);
        assert_eq!(config["sort"]["supported"], true);
        let types = get(&app, &token, "/ResourceTypes").await;
        assert_eq!(types.ids(), ["User", "Group"]);
        assert_eq!(get(&app, &token, "/ResourceTypes/Group").await.expect(200)["endpoint"], "/Groups");
        let schemas = get(&app, &token, "/Schemas").await;
        assert_eq!(schemas.ids(), [USER, GROUP]);
        let user = get(&app, &token, &format!("/Schemas/{USER}")).await;
        let names: Vec<&str> = user.expect(200)["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["userName", "name", "displayName", "password", "emails", "active", "groups"]);
        get(&app, &token, "/Schemas/urn:nope").await.refused(404, None);
        get(&app, &token, "/Nothing/here").await.refused(404, None);
        scim(&app, Method::DELETE, "/Users", Some(&token), None, &[]).await.refused(405, None);
    }

    async fn only_admin_tokens_with_the_scim_scope_provision() {
        let (app, admin, token) = provisioned().await;
        scim(&app, Method::GET, "/Users", None, None, &[]).await.refused(401, None);
        get(&app, "roster_wrong", "/Users").await.refused(401, None);
        let reader = app
            .put("/tokens", Some(&admin.token), json!({"title": "r", "scopes": ["users:read"]}))
            .await;
        let reader = reader.ok()["token"].as_str().unwrap().to_owned();
        get(&app, &reader, "/Users").await.refused(403, None);
        let alice = app.user(&admin, "alice").await;
        get(&app, &alice.token, "/Users").await.refused(403, None);
        // Refused before the body is read: a stranger's request changes nothing.
        let stranger = post(&app, &alice.token, "/Users", json!({"userName": "mallory"})).await;
        stranger.refused(403, None);
        assert!(app.all_users(&admin).await.iter().all(|u| u["username"] != "mallory"));
        assert_eq!(get(&app, &token, "/Users").await.expect(200)["totalResults"], 2);
        // An admin's own session holds every scope, scim included.
        get(&app, &admin.token, "/Users").await.expect(200);
    }

    async fn users_are_created_read_replaced_and_deleted_under_the_account_rules() {
        let (app, admin, token) = provisioned().await;
        let made = post(&app, &token, "/Users", json!({
            "schemas": [USER],
            "userName": "a.b+ops@example.com",
            "externalId": "00u1abc",
            "name": {"givenName": "Ada", "familyName": "Byron"},
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
            "password": "copper-lantern-harbor-9",
            "title": "kept nowhere",
        })).await;
        let user = made.expect(201).clone();
        let id = user["id"].as_str().unwrap().to_owned();
        assert_eq!(made.location.as_deref(), user["meta"]["location"].as_str());
        assert!(user["meta"]["location"].as_str().unwrap().ends_with(&format!("/scim/v2/Users/{id}")));
        assert_eq!(made.etag.as_deref(), user["meta"]["version"].as_str());
        assert!(made.etag.as_deref().unwrap().starts_with("W/\""));
        assert_eq!(user["userName"], "a.b+ops@example.com");
        assert_eq!(user["name"]["formatted"], "Ada Byron");
        assert_eq!(user["displayName"], "Ada Byron");
        assert_eq!(user["emails"], json!([{"value": "ada@example.com", "type": "work"}]));
        assert_eq!(user["externalId"], "00u1abc");
        assert_eq!(user["active"], true);
        assert_eq!(user["meta"]["resourceType"], "User");
        assert!(user.get("password").is_none());
        // The password works, and is the v1 API's user too.
        app.login("a.b+ops@example.com", "copper-lantern-harbor-9").await.ok();
        let v1 = app.get(&format!("/users/{id}"), Some(&admin.token)).await;
        assert_eq!(v1.ok()["email"], "ada@example.com");

        // Case-insensitive uniqueness, as everywhere.
        post(&app, &token, "/Users", json!({"userName": "A.B+OPS@example.com"})).await.refused(409, Some("uniqueness"));
        post(&app, &token, "/Users", json!({"userName": "other", "emails": [{"value": "ADA@example.com"}]})).await.refused(409, Some("uniqueness"));
        // The same validation and password policy.
        post(&app, &token, "/Users", json!({"userName": "bad name"})).await.refused(400, Some("invalidValue"));
        post(&app, &token, "/Users", json!({"userName": "weak", "password": "password"})).await.refused(400, Some("invalidValue"));
        post(&app, &token, "/Users", json!({"displayName": "no userName"})).await.refused(400, Some("invalidValue"));
        post(&app, &token, "/Users", json!({"userName": "long", "externalId": "x".repeat(256)})).await.refused(400, Some("invalidValue"));
        scim(&app, Method::POST, "/Users", Some(&token), None, &[("content-type", "application/scim+json")]).await.refused(400, Some("invalidSyntax"));
        let text = scim(&app, Method::POST, "/Users", Some(&token), None, &[("content-type", "text/plain")]).await;
        text.refused(415, None);

        // PUT replaces: what it leaves out is cleared, `active` is kept.
        let replaced = scim(&app, Method::PUT, &format!("/Users/{id}"), Some(&token),
            Some(json!({"schemas": [USER], "userName": "ada@example.com", "displayName": "Ada"})), &[]).await;
        let replaced = replaced.expect(200);
        assert_eq!(replaced["userName"], "ada@example.com");
        assert_eq!(replaced["displayName"], "Ada");
        assert!(replaced.get("emails").is_none() && replaced.get("externalId").is_none());
        assert_eq!(replaced["active"], true);
        // Without a password: one nobody knows; the reset flow gives the owner one.
        let bare = provision(&app, &token, json!({"userName": "bare"})).await;
        assert_eq!(get(&app, &token, &format!("/Users/{bare}")).await.expect(200)["active"], true);

        scim(&app, Method::DELETE, &format!("/Users/{id}"), Some(&token), None, &[]).await.expect(204);
        get(&app, &token, &format!("/Users/{id}")).await.refused(404, None);
        get(&app, &token, "/Users/abc").await.refused(404, None);
        scim(&app, Method::DELETE, &format!("/Users/{id}"), Some(&token), None, &[]).await.refused(404, None);
        // The last admin stays.
        let admin_id = admin.id.to_string();
        scim(&app, Method::DELETE, &format!("/Users/{admin_id}"), Some(&token), None, &[]).await.refused(400, Some("mutability"));

        // Every write is audited as the token owner's, marked as SCIM.
        let audit = app.get("/audit?type=user.created", Some(&admin.token)).await;
        let scim_made: Vec<&Value> = audit.ok().as_array().unwrap().iter().filter(|e| e["via"] == "scim").collect();
        assert_eq!(scim_made.len(), 2);
        assert!(scim_made.iter().all(|e| e["actorUsername"] == "admin"));
        let deleted = app.get("/audit?type=user.deleted", Some(&admin.token)).await;
        assert_eq!(deleted.ok()[0]["via"], "scim");
        app.user(&admin, "zed").await;
        let by_v1 = app.get("/audit?type=user.created", Some(&admin.token)).await;
        assert!(by_v1.ok().as_array().unwrap().iter().any(|e| e.get("via").is_none()));
    }

    async fn filters_sorting_paging_and_attributes_answer_exactly() {
        let (app, _, token) = provisioned().await;
        let people = [
            ("alice@contoso.com", "Alice Liddell", Some("alice@contoso.com"), "e-1", true),
            ("bob@contoso.com", "Bob Ross", Some("bob@fabrikam.com"), "e-2", false),
            ("carol", "Carol 100% Sure", None, "E-1", true),
        ];
        let mut ids = Vec::new();
        for (user_name, name, email, external, active) in people {
            let mut user = json!({"userName": user_name, "displayName": name, "externalId": external, "active": active});
            if let Some(email) = email {
                user["emails"] = json!([{"value": email, "type": "work", "primary": true}]);
            }
            ids.push(provision(&app, &token, user).await);
        }
        let admin = "1".to_owned();
        let by_id = format!(r#"id eq "{}""#, ids[1]);
        let cases: Vec<(&str, Vec<&String>)> = vec![
            (r#"userName eq "ALICE@contoso.com""#, vec![&ids[0]]),
            (r#"userName ne "alice@contoso.com" and userName ne "admin""#, vec![&ids[1], &ids[2]]),
            (r#"userName co "CONTOSO""#, vec![&ids[0], &ids[1]]),
            (r#"userName sw "car""#, vec![&ids[2]]),
            (r#"emails.value ew "@fabrikam.com""#, vec![&ids[1]]),
            (r#"emails[type eq "work" and value co "contoso"]"#, vec![&ids[0]]),
            (r#"displayName co "100%""#, vec![&ids[2]]),
            (r#"displayName co "0_""#, vec![]),
            (r#"name.formatted sw "bob""#, vec![&ids[1]]),
            (r#"externalId eq "e-1""#, vec![&ids[0]]),
            ("active eq false", vec![&ids[1]]),
            (r#"not (emails pr) and userName ne "admin""#, vec![&ids[2]]),
            (r#"(userName sw "a" or userName sw "b") and active eq true"#, vec![&admin, &ids[0]]),
            (&by_id, vec![&ids[1]]),
            (r#"id eq "x""#, vec![]),
            (r#"meta.created gt "2000-01-01T00:00:00Z" and userName eq "carol""#, vec![&ids[2]]),
            (r#"meta.lastModified lt "2000-01-01T00:00:00Z""#, vec![]),
            (r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "carol""#, vec![&ids[2]]),
        ];
        for (filter, expected) in cases {
            let found = get(&app, &token, &filtered(filter)).await;
            let expected: Vec<String> = expected.into_iter().cloned().collect();
            assert_eq!(found.ids(), expected, "{filter}");
            assert_eq!(found.body["totalResults"], expected.len(), "{filter}");
        }
        for bad in [r#"password eq "x""#, r#"userName eq"#, r#"active gt true"#, r#"userName eq "a" or"#,
                    r#"meta.created gt "yesterday""#, r#"title eq "x""#] {
            get(&app, &token, &filtered(bad)).await.refused(400, Some("invalidFilter"));
        }
        let too_many = vec![r#"userName eq "a""#; 25].join(" or ");
        get(&app, &token, &filtered(&too_many)).await.refused(400, Some("invalidFilter"));
        // Substring comparisons, which no index answers, are few.
        let scans = [r#"displayName co "a""#; 5].join(" or ");
        get(&app, &token, &filtered(&scans)).await.refused(400, Some("invalidFilter"));

        let page = get(&app, &token, "/Users?startIndex=2&count=2").await;
        assert_eq!(page.ids(), [ids[0].clone(), ids[1].clone()]);
        assert_eq!(page.body["totalResults"], 4);
        assert_eq!(page.body["startIndex"], 2);
        assert_eq!(page.body["itemsPerPage"], 2);
        assert_eq!(get(&app, &token, "/Users?count=0").await.expect(200)["totalResults"], 4);
        let sorted = get(&app, &token, "/Users?sortBy=userName&sortOrder=descending").await;
        assert_eq!(sorted.ids(), [ids[2].clone(), ids[1].clone(), ids[0].clone(), admin.clone()]);
        get(&app, &token, "/Users?sortBy=title").await.refused(400, Some("invalidValue"));
        get(&app, &token, "/Users?count=many").await.refused(400, Some("invalidValue"));

        let only = get(&app, &token, &format!("/Users/{}?attributes=userName,emails.value", ids[0])).await;
        assert_eq!(only.expect(200), &json!({"schemas": [USER], "id": ids[0], "userName": "alice@contoso.com", "emails": [{"value": "alice@contoso.com"}]}));
        let without = get(&app, &token, &format!("{}&excludedAttributes=meta,emails", filtered(r#"userName eq "alice@contoso.com""#))).await;
        let first = &without.expect(200)["Resources"][0];
        assert!(first.get("meta").is_none() && first.get("emails").is_none() && first["userName"].is_string());

        let searched = post(&app, &token, "/Users/.search", json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": "userName sw \"bob\"", "attributes": ["userName"], "count": 10
        })).await;
        assert_eq!(searched.ids(), [ids[1].clone()]);
        assert!(searched.body["Resources"][0].get("active").is_none());
        let everywhere = post(&app, &token, "/.search", json!({"filter": "externalId eq \"e-2\""})).await;
        assert_eq!(everywhere.ids(), [ids[1].clone()]);
    }

    async fn entra_id_probes_with_a_random_user_name_and_gets_an_empty_list() {
        let (app, _, token) = provisioned().await;
        let probe = get(&app, &token, &filtered(r#"userName eq "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d""#)).await;
        let probe = probe.expect(200);
        assert_eq!(probe["totalResults"], 0);
        assert_eq!(probe["Resources"], json!([]));
        assert_eq!(probe["schemas"], json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]));
    }

    async fn entra_id_patch_in_any_case_with_string_booleans_ends_sessions() {
        let (app, admin, token) = provisioned().await;
        let alice = app.user(&admin, "alice").await;
        let id = alice.id.to_string();
        let changed = patch(&app, &token, &format!("/Users/{id}"), json!([
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "alice@contoso.com"},
            {"op": "Replace", "path": "displayName", "value": "Alice L."},
            {"op": "Add", "path": "externalId", "value": "aad-1"},
            {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "R&D"},
        ])).await;
        let changed = changed.expect(200);
        assert_eq!(changed["active"], false);
        assert_eq!(changed["emails"][0]["value"], "alice@contoso.com");
        assert_eq!(changed["displayName"], "Alice L.");
        assert_eq!(changed["externalId"], "aad-1");
        // Deactivating ended alice's sessions.
        app.get("/user", Some(&alice.token)).await.assert_error(401, 2002);
        app.login("alice", &alice.password).await.assert_error(403, 3003);
        let removed = patch(&app, &token, &format!("/Users/{id}"), json!([
            {"op": "Remove", "path": "externalId"},
            {"op": "REPLACE", "path": "active", "value": "True"},
        ])).await;
        assert!(removed.expect(200).get("externalId").is_none());
        app.login("alice", &alice.password).await.ok();
        patch(&app, &token, &format!("/Users/{id}"), json!([{"op": "remove", "path": "userName"}])).await.refused(400, Some("mutability"));
        patch(&app, &token, &format!("/Users/{id}"), json!([{"op": "move", "path": "active"}])).await.refused(400, Some("invalidValue"));
        patch(&app, &token, &format!("/Users/{id}"), json!([{"op": "replace", "path": "emails[type eq", "value": "x"}])).await.refused(400, Some("invalidPath"));
        // Nothing half-written: a PATCH whose second operation fails changes nothing.
        patch(&app, &token, &format!("/Users/{id}"), json!([
            {"op": "replace", "path": "displayName", "value": "Changed"},
            {"op": "replace", "path": "active", "value": "perhaps"},
        ])).await.refused(400, Some("invalidValue"));
        assert_eq!(get(&app, &token, &format!("/Users/{id}")).await.expect(200)["displayName"], "Alice L.");
    }

    async fn okta_deactivates_with_a_put_of_active_false() {
        let (app, _, token) = provisioned().await;
        let user = json!({
            "schemas": [USER], "userName": "dana@okta.example", "name": {"givenName": "Dana", "familyName": "Scully"},
            "emails": [{"primary": true, "value": "dana@okta.example", "type": "work"}], "active": true,
            "password": "quartz-meadow-anchor-5",
        });
        let id = provision(&app, &token, user.clone()).await;
        app.login("dana@okta.example", "quartz-meadow-anchor-5").await.ok();
        let mut deactivated = user.clone();
        deactivated["active"] = json!(false);
        deactivated.as_object_mut().unwrap().remove("password");
        let put = scim(&app, Method::PUT, &format!("/Users/{id}"), Some(&token), Some(deactivated), &[]).await;
        assert_eq!(put.expect(200)["active"], false);
        assert_eq!(put.body["name"]["formatted"], "Dana Scully");
        app.login("dana@okta.example", "quartz-meadow-anchor-5").await.assert_error(403, 3003);
    }

    async fn okta_patch_without_a_path_takes_a_value_object() {
        let (app, _, token) = provisioned().await;
        let id = provision(&app, &token, json!({"userName": "erin"})).await;
        let changed = patch(&app, &token, &format!("/Users/{id}"), json!([
            {"op": "replace", "value": {"active": false, "displayName": "Erin", "id": "ignored"}}
        ])).await;
        let changed = changed.expect(200);
        assert_eq!((changed["active"].clone(), changed["displayName"].clone()), (json!(false), json!("Erin")));
        assert_eq!(changed["id"], id.as_str());
        patch(&app, &token, &format!("/Users/{id}"), json!([{"op": "remove"}])).await.refused(400, Some("noTarget"));
    }

    async fn versions_make_stale_writes_fail_with_412() {
        let (app, _, token) = provisioned().await;
        let id = provision(&app, &token, json!({"userName": "frank"})).await;
        let read = get(&app, &token, &format!("/Users/{id}")).await;
        let version = read.etag.clone().unwrap();
        assert_eq!(read.body["meta"]["version"], version.as_str());
        let path = format!("/Users/{id}");
        let body = json!({"schemas": [PATCH], "Operations": [{"op": "replace", "path": "displayName", "value": "Frank"}]});
        let first = scim(&app, Method::PATCH, &path, Some(&token), Some(body.clone()), &[("if-match", &version)]).await;
        let newer = first.expect(200)["meta"]["version"].as_str().unwrap().to_owned();
        assert_ne!(newer, version);
        assert_eq!(first.etag.as_deref(), Some(newer.as_str()));
        scim(&app, Method::PATCH, &path, Some(&token), Some(body.clone()), &[("if-match", &version)]).await.refused(412, None);
        scim(&app, Method::DELETE, &path, Some(&token), None, &[("if-match", &version)]).await.refused(412, None);
        scim(&app, Method::PATCH, &path, Some(&token), Some(body), &[("if-match", "*")]).await.expect(200);
        let current = get(&app, &token, &path).await.etag.unwrap();
        scim(&app, Method::DELETE, &path, Some(&token), None, &[("if-match", &current)]).await.expect(204);
    }

    async fn groups_are_provisioned_with_members_that_forward_auth_sees() {
        let (app, admin, token) = provisioned().await;
        let alice = app.user(&admin, "alice").await;
        let bob = app.user(&admin, "bob").await;
        let (a, b) = (alice.id.to_string(), bob.id.to_string());
        let made = post(&app, &token, "/Groups", json!({
            "schemas": [GROUP], "displayName": "ops", "externalId": "g-ops",
            "members": [{"value": a, "display": "alice"}]
        })).await;
        let group = made.expect(201).clone();
        let id = group["id"].as_str().unwrap().to_owned();
        assert_eq!(group["displayName"], "ops");
        assert_eq!(group["members"][0]["value"], a.as_str());
        assert!(group["members"][0]["$ref"].as_str().unwrap().ends_with(&format!("/scim/v2/Users/{a}")));
        post(&app, &token, "/Groups", json!({"displayName": "OPS"})).await.refused(409, Some("uniqueness"));
        post(&app, &token, "/Groups", json!({"displayName": "bad/name"})).await.refused(400, Some("invalidValue"));
        post(&app, &token, "/Groups", json!({"displayName": "x", "members": [{"value": "999999"}]})).await.refused(400, Some("invalidValue"));

        let path = format!("/Groups/{id}");
        let added = patch(&app, &token, &path, json!([{"op": "Add", "path": "members", "value": [{"value": b}]}])).await;
        assert_eq!(added.expect(200)["members"].as_array().unwrap().len(), 2);
        // The same membership through the v1 API, and in alice's groups.
        let members = app.get(&format!("/groups/{id}/members"), Some(&admin.token)).await;
        assert_eq!(members.ok().as_array().unwrap().len(), 2);
        assert_eq!(app.get("/user/groups", Some(&alice.token)).await.ok()[0]["name"], "ops");
        let user = get(&app, &token, &format!("/Users/{a}")).await;
        assert_eq!(user.expect(200)["groups"][0]["display"], "ops");
        let filtered_groups = get(&app, &token, &format!("/Groups?filter=members.value%20eq%20%22{b}%22")).await;
        assert_eq!(filtered_groups.ids(), [id.as_str()]);
        let searched = post(&app, &token, "/Groups/.search", json!({"filter": "externalId eq \"g-ops\"", "attributes": "displayName"})).await;
        assert_eq!(searched.ids(), [id.as_str()]);
        assert_eq!(searched.body["Resources"][0], json!({"schemas": [GROUP], "id": id, "displayName": "ops"}));
        post(&app, &alice.token, "/Groups/.search", json!({})).await.refused(403, None);
        let by_name = get(&app, &token, "/Groups?filter=displayName%20eq%20%22OPS%22&excludedAttributes=members").await;
        assert_eq!(by_name.ids(), [id.as_str()]);
        assert!(by_name.body["Resources"][0].get("members").is_none());

        // A membership change through the v1 API is a change of the group for SCIM too.
        let before = get(&app, &token, &path).await;
        app.advance(std::time::Duration::from_secs(5));
        app.delete(&format!("/groups/{id}/members/{b}"), Some(&admin.token)).await.ok();
        let after = get(&app, &token, &path).await;
        assert_ne!(after.expect(200)["meta"]["lastModified"], before.body["meta"]["lastModified"]);
        assert_ne!(after.etag, before.etag);
        app.put(&format!("/groups/{id}/members"), Some(&admin.token), json!({"userId": bob.id})).await.ok();

        let removed = patch(&app, &token, &path, json!([{"op": "Remove", "path": format!("members[value eq \"{a}\"]")}])).await;
        assert_eq!(removed.expect(200)["members"], json!([{"value": b, "$ref": removed.body["members"][0]["$ref"], "type": "User"}]));
        // Entra ID removes by listing the members as the value.
        let emptied = patch(&app, &token, &path, json!([{"op": "Remove", "path": "members", "value": [{"value": b}]}])).await;
        assert!(emptied.expect(200).get("members").is_none());
        let renamed = scim(&app, Method::PUT, &path, Some(&token), Some(json!({"displayName": "sre", "members": [{"value": a}, {"value": b}]})), &[]).await;
        assert_eq!(renamed.expect(200)["displayName"], "sre");
        assert!(renamed.body.get("externalId").is_none());
        assert_eq!(app.get("/user/groups", Some(&bob.token)).await.ok()[0]["name"], "sre");

        let adds = app.get("/audit?type=group.member_added", Some(&admin.token)).await;
        let (by_scim, by_v1): (Vec<&Value>, Vec<&Value>) =
            adds.ok().as_array().unwrap().iter().partition(|e| e["via"] == "scim");
        assert_eq!((by_scim.len(), by_v1.len()), (4, 1));
        assert!(by_scim.iter().all(|e| e["actorUsername"] == "admin"));
        scim(&app, Method::DELETE, &path, Some(&token), None, &[]).await.expect(204);
        get(&app, &token, &path).await.refused(404, None);
        assert_eq!(app.get("/user/groups", Some(&bob.token)).await.ok(), &json!([]));
    }

    async fn a_user_provisioned_without_a_password_sets_one_by_the_reset_mail() {
        let smtp = crate::smtp::SmtpServer::start();
        let env = crate::smtp::mail_env(smtp.port);
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let app = TestApp::spawn_with(&pairs).await;
        let admin = app.admin().await;
        let token = provisioning_token(&app, &admin.token).await;
        provision(&app, &token, json!({"userName": "gina@contoso.com", "emails": [{"value": "gina@contoso.com"}]})).await;
        // No mail at provisioning: the identity provider vouches for the address.
        let asked = app.post("/user/password/token", None, json!({"email": "gina@contoso.com"})).await;
        asked.ok();
        let mail = smtp.wait_for(1).await.remove(0);
        assert_eq!(mail.to, ["gina@contoso.com"]);
        let link = mail.token(crate::smtp::PUBLIC_URL, "reset-password");
        let reset = json!({"token": link, "newPassword": "gina-fresh-orchard-8"});
        app.post("/user/password/reset", None, reset).await.ok();
        app.login("gina@contoso.com", "gina-fresh-orchard-8").await.ok();
    }

    async fn memberships_made_before_the_scim_migration_show_in_scim() {
        let database = crate::helpers::TestDatabase::create();
        let url = database.url.clone();
        let app = TestApp::spawn_on(database, url.clone(), &[]);
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        for name in ["zeta", "alpha"] {
            let group = app.put("/groups", Some(&admin.token), json!({"name": name})).await;
            let id = group.ok()["id"].as_i64().unwrap();
            app.put(&format!("/groups/{id}/members"), Some(&admin.token), json!({"userId": alice.id})).await.ok();
        }
        let database = app.stop().await;
        // Back to before the SCIM migration, and forward again: its backfill fills the ids.
        crate::admin_cli::roster_command(&url, &["migrate", "revert", "--yes"], "").success();
        crate::admin_cli::roster_command(&url, &["migrate"], "").success();
        let app = TestApp::spawn_on(database, url, &[]);
        let session = app.login("admin", &admin.password).await;
        let token = provisioning_token(&app, session.ok()["token"].as_str().unwrap()).await;
        let user = get(&app, &token, &format!("/Users/{}", alice.id)).await;
        let names: Vec<&Value> = user.expect(200)["groups"].as_array().unwrap().iter().map(|g| &g["display"]).collect();
        assert_eq!(names, [&json!("alpha"), &json!("zeta")]);
    }

    async fn thousands_of_members_join_in_one_patch() {
        let database = crate::helpers::TestDatabase::create();
        let url = database.url.clone();
        let app = TestApp::spawn_on(database, url.clone(), &[]);
        let admin = app.admin().await;
        let token = provisioning_token(&app, &admin.token).await;
        let hash = bcrypt::hash_with_result("many-members-kettle", 4).unwrap().format_for_version(bcrypt::Version::TwoB);
        let lines: Vec<String> = (0..2500)
            .map(|i| json!({"username": format!("member{i}"), "passwordHash": hash}).to_string())
            .collect();
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), lines.join("\n")).unwrap();
        user_command(&url, &["import", file.path().to_str().unwrap()], "").success();
        let users = get(&app, &token, &filtered(r#"userName sw "member""#)).await;
        assert_eq!(users.body["totalResults"], 2500);
        let mut members = Vec::new();
        for start in (1..=2500).step_by(1000) {
            let page = get(&app, &token, &format!("{}&startIndex={start}&count=1000&attributes=id", filtered(r#"userName sw "member""#))).await;
            members.extend(page.ids().into_iter().map(|id| json!({"value": id})));
        }
        assert_eq!(members.len(), 2500);
        let id = post(&app, &token, "/Groups", json!({"displayName": "everyone"})).await.expect(201)["id"].as_str().unwrap().to_owned();
        let added = patch(&app, &token, &format!("/Groups/{id}"), json!([{"op": "add", "path": "members", "value": members}])).await;
        assert_eq!(added.expect(200)["members"].as_array().unwrap().len(), 2500);
        let counted = app.get(&format!("/groups/{id}"), Some(&admin.token)).await;
        assert_eq!(counted.ok()["memberCount"], 2500);
    }
}
