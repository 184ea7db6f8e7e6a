//! Groups: made, listed, renamed and deleted by admins, with members; what forward-auth
//! makes of them.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Persona, TestApp};

/// Creates group `name`; returns its id.
async fn group(app: &TestApp, admin: &Persona, name: &str) -> i64 {
    let made = app
        .put("/groups", Some(&admin.token), json!({"name": name}))
        .await;
    made.ok()["id"].as_i64().unwrap()
}

/// Asks forward-auth, as nginx would, about ops.example.com for `who`.
async fn ask(app: &TestApp, who: &Persona) -> crate::helpers::Response {
    let auth = format!("Bearer {}", who.token);
    let headers = [
        ("authorization", auth.as_str()),
        ("x-original-url", "https://ops.example.com/"),
    ];
    app.with_headers(Method::GET, "/auth/request", &headers, None)
        .await
}

backend_tests! {
    async fn admins_create_list_rename_and_delete_groups() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let made = app.put("/groups", Some(&admin.token), json!({"name": "ops", "description": "On call"})).await;
        let made = made.ok().clone();
        assert_eq!(made["name"], "ops");
        assert_eq!(made["description"], "On call");
        assert_eq!(made["memberCount"], 0);
        assert!(made["created"].is_i64() && made["updated"].is_i64());
        let id = made["id"].as_i64().unwrap();
        // Unique ignoring case.
        app.put("/groups", Some(&admin.token), json!({"name": "OPS"})).await.assert_error(400, 1023);
        for (body, code) in [
            (json!({"name": " ops"}), 1050),
            (json!({"name": "a/b"}), 1050),
            (json!({"name": "x".repeat(65)}), 1050),
            (json!({"name": "dev", "description": "x".repeat(1001)}), 1051),
            (json!({"name": "dev", "members": []}), 1001),
        ] {
            app.put("/groups", Some(&admin.token), body).await.assert_error(400, code);
        }
        for name in ["Site Reliability", "dev.team", "zeta"] {
            group(&app, &admin, name).await;
        }
        let listed = app.get("/groups?per_page=2", Some(&admin.token)).await;
        assert_eq!(listed.header("x-pagination-total-count").as_deref(), Some("4"));
        assert_eq!(listed.header("x-pagination-total-pages").as_deref(), Some("2"));
        assert_eq!(listed.ok().as_array().unwrap().len(), 2);
        let found = app.get("/groups?s=RELIAB", Some(&admin.token)).await;
        assert_eq!(found.ok()[0]["name"], "Site Reliability");
        let by_description = app.get("/groups?s=on%20call", Some(&admin.token)).await;
        assert_eq!(by_description.ok()[0]["name"], "ops");

        let renamed = app.post(&format!("/groups/{id}"), Some(&admin.token), json!({"name": "sre"})).await;
        assert_eq!(renamed.ok()["name"], "sre");
        assert_eq!(renamed.ok()["description"], "On call");
        app.post(&format!("/groups/{id}"), Some(&admin.token), json!({"name": "ZETA"})).await.assert_error(400, 1023);
        app.post(&format!("/groups/{id}"), Some(&admin.token), json!({})).await.assert_error(400, 1001);
        assert_eq!(app.get(&format!("/groups/{id}"), Some(&admin.token)).await.ok()["name"], "sre");

        app.delete(&format!("/groups/{id}"), Some(&admin.token)).await.ok();
        app.get(&format!("/groups/{id}"), Some(&admin.token)).await.assert_error(404, 4005);
        app.delete(&format!("/groups/{id}"), Some(&admin.token)).await.assert_error(404, 4005);
        app.get("/groups/abc", Some(&admin.token)).await.assert_error(400, 1052);
        let audit = app.get("/audit?type=group.created", Some(&admin.token)).await;
        assert_eq!(audit.ok().as_array().unwrap().len(), 4);
        let deleted = app.get("/audit?type=group.deleted", Some(&admin.token)).await;
        assert_eq!(deleted.ok()[0]["group"], "sre");
        assert_eq!(deleted.ok()[0]["actorUsername"], "admin");
    }

    async fn members_are_added_once_listed_and_removed() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let bob = app.user(&admin, "bob").await;
        let ops = group(&app, &admin, "ops").await;
        let members = format!("/groups/{ops}/members");
        for user in [&alice, &bob, &alice] {
            app.put(&members, Some(&admin.token), json!({"userId": user.id})).await.ok();
        }
        app.put(&members, Some(&admin.token), json!({"userId": 999})).await.assert_error(404, 4001);
        app.put("/groups/999/members", Some(&admin.token), json!({"userId": alice.id})).await.assert_error(404, 4005);
        let listed = app.get(&format!("{members}?per_page=1"), Some(&admin.token)).await;
        assert_eq!(listed.header("x-pagination-total-count").as_deref(), Some("2"));
        assert_eq!(listed.ok()[0]["username"], "alice");
        assert_eq!(listed.ok()[0]["password"], "");
        assert_eq!(app.get(&format!("/groups/{ops}"), Some(&admin.token)).await.ok()["memberCount"], 2);
        // Added twice, recorded once.
        let added = app.get("/audit?type=group.member_added", Some(&admin.token)).await;
        assert_eq!(added.ok().as_array().unwrap().len(), 2);

        let dev = group(&app, &admin, "dev").await;
        app.put(&format!("/groups/{dev}/members"), Some(&admin.token), json!({"userId": alice.id})).await.ok();
        let of_alice = app.get(&format!("/users/{}/groups", alice.id), Some(&admin.token)).await;
        let names: Vec<&str> = of_alice.ok().as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["dev", "ops"]);
        let own = app.get("/user/groups", Some(&alice.token)).await;
        assert_eq!(own.ok().as_array().unwrap().len(), 2);
        app.get(&format!("/users/{}/groups", bob.id), Some(&alice.token)).await.assert_error(403, 3001);

        app.delete(&format!("{members}/{}", bob.id), Some(&admin.token)).await.ok();
        app.delete(&format!("{members}/{}", bob.id), Some(&admin.token)).await.assert_error(404, 4006);
        // Deleting a user removes its memberships; deleting a group leaves its users.
        app.delete(&format!("/users/{}", alice.id), Some(&admin.token)).await.ok();
        assert_eq!(app.get(&format!("/groups/{ops}"), Some(&admin.token)).await.ok()["memberCount"], 0);
        app.put(&format!("/groups/{dev}/members"), Some(&admin.token), json!({"userId": bob.id})).await.ok();
        app.delete(&format!("/groups/{dev}"), Some(&admin.token)).await.ok();
        app.get(&format!("/users/{}", bob.id), Some(&admin.token)).await.ok();
        assert!(app.get("/user/groups", Some(&bob.token)).await.ok().as_array().unwrap().is_empty());
    }

    async fn only_admins_manage_groups_and_tokens_need_their_scopes() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let ops = group(&app, &admin, "ops").await;
        app.put("/groups", Some(&alice.token), json!({"name": "mine"})).await.assert_error(403, 3001);
        app.get("/groups", Some(&alice.token)).await.assert_error(403, 3001);
        app.get("/groups", None).await.assert_error(401, 2001);
        // The admin check comes before the body is read.
        app.request(Method::PUT, "/groups", Some(&alice.token), crate::helpers::Body::Raw("application/json", b"{nope".to_vec()))
            .await
            .assert_error(403, 3001);
        let reader = app.put("/tokens", Some(&admin.token), json!({"title": "r", "scopes": ["users:read"]})).await;
        let reader = reader.ok()["token"].as_str().unwrap().to_owned();
        app.get("/groups", Some(&reader)).await.ok();
        app.get(&format!("/groups/{ops}/members"), Some(&reader)).await.ok();
        app.delete(&format!("/groups/{ops}"), Some(&reader)).await.assert_error(403, 3009);
    }

    async fn forward_auth_sends_groups_and_applies_group_rules() {
        let app = TestApp::spawn_with(&[
            ("ROSTER_TRUSTED_PROXIES", "127.0.0.1/32"),
            ("ROSTER_ACCESS", r#"[{"host": "ops.example.com", "allow": ["group:Ops"]}]"#),
        ])
        .await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        ask(&app, &alice).await.assert_error(403, 3013);
        let ops = group(&app, &admin, "ops").await;
        let dev = group(&app, &admin, "dev").await;
        for id in [ops, dev] {
            app.put(&format!("/groups/{id}/members"), Some(&admin.token), json!({"userId": alice.id})).await.ok();
        }
        let passed = ask(&app, &alice).await;
        assert_eq!(passed.status, 200);
        assert_eq!(passed.header("remote-groups").as_deref(), Some("dev,ops"));
        // A rename, a deletion and a removal each show on the next request.
        app.post(&format!("/groups/{dev}"), Some(&admin.token), json!({"name": "build"})).await.ok();
        assert_eq!(ask(&app, &alice).await.header("remote-groups").as_deref(), Some("build,ops"));
        app.delete(&format!("/groups/{dev}"), Some(&admin.token)).await.ok();
        assert_eq!(ask(&app, &alice).await.header("remote-groups").as_deref(), Some("ops"));
        app.delete(&format!("/groups/{ops}/members/{}", alice.id), Some(&admin.token)).await.ok();
        ask(&app, &alice).await.assert_error(403, 3013);
    }
}
