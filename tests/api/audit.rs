//! The audit log: each security event with its actor, target, time and address.

use serde_json::{json, Value};

use crate::helpers::{Persona, TestApp};

fn types(entries: &Value) -> Vec<&str> {
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect()
}

async fn audit(app: &TestApp, admin: &Persona, query: &str) -> Value {
    app.get(&format!("/audit{query}"), Some(&admin.token))
        .await
        .ok()
        .clone()
}

backend_tests! {
    async fn every_event_is_recorded_with_actor_target_and_address() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        app.login("admin", "wrong-password").await.assert_error(401, 2003);
        app.login("ghost", "wrong-password").await.assert_error(401, 2003);
        let user = app.user(&admin, "alice").await; // user.created + login.succeeded
        let path = format!("/users/{}", user.id);
        app.post(&path, Some(&admin.token), json!({"name": "Alice"})).await.ok();
        app.post(&path, Some(&admin.token), json!({"disabled": true})).await.ok();
        app.post(&path, Some(&admin.token), json!({"disabled": false})).await.ok();
        let password = format!("{path}/password");
        app.post(&password, Some(&admin.token), json!({"password": "reset-by-admin-77"}))
            .await
            .ok();
        app.post(&format!("{path}/logout-all"), Some(&admin.token), json!({})).await.ok();
        app.delete(&path, Some(&admin.token)).await.ok();
        app.post("/logout", Some(&admin.token), json!({})).await.ok();
        let admin = Persona {
            token: app.login("admin", &admin.password).await.ok()["token"]
                .as_str()
                .unwrap()
                .to_owned(),
            ..admin
        };

        let entries = audit(&app, &admin, "").await;
        assert_eq!(
            types(&entries),
            [
                "login.succeeded",
                "logout",
                "user.deleted",
                "tokens.revoked",
                "password.changed",
                "user.enabled",
                "user.updated",
                "user.disabled",
                "user.updated",
                "user.updated",
                "login.succeeded",
                "user.created",
                "login.failed",
                "login.failed",
                "user.registered",
            ]
        );
        let all = entries.as_array().unwrap();
        for entry in all {
            assert_eq!(entry["ip"], json!("127.0.0.1"));
            assert!((entry["time"].as_i64().unwrap() - chrono::Utc::now().timestamp()).abs() < 60);
            let text = entry.to_string();
            assert!(!text.contains("argon2") && !text.contains("reset-by-admin-77"), "{text}");
        }
        let deleted = &all[2];
        assert_eq!(deleted["actorId"], json!(admin.id));
        assert_eq!(deleted["targetId"], json!(user.id));
        assert_eq!(deleted["username"], json!("alice"));
        // Every entry about a user records its name, ending its sessions too.
        assert_eq!((&all[3]["targetId"], &all[3]["username"]), (&json!(user.id), &json!("alice")));
        // A failed login names the username tried, and the account when it exists.
        let ghost = &all[12];
        assert_eq!((&ghost["username"], &ghost["targetId"], &ghost["actorId"]), (&json!("ghost"), &json!(null), &json!(null)));
        let wrong = &all[13];
        assert_eq!((&wrong["username"], &wrong["targetId"]), (&json!("admin"), &json!(admin.id)));
    }

    async fn the_audit_log_filters_and_pages() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        app.user(&admin, "bob").await;

        let created = audit(&app, &admin, "?type=user.created").await;
        assert_eq!(types(&created), ["user.created", "user.created"]);
        let about_alice = audit(&app, &admin, &format!("?user={}", alice.id)).await;
        assert_eq!(types(&about_alice), ["login.succeeded", "user.created"]);

        let page = app.get("/audit?per_page=2&page=2", Some(&admin.token)).await;
        assert_eq!(page.ok().as_array().unwrap().len(), 2);
        assert_eq!(page.header("x-pagination-total-pages").as_deref(), Some("3"));
        assert_eq!(page.header("x-pagination-total-count").as_deref(), Some("5"));

        app.get("/audit?type=nonsense", Some(&admin.token)).await.assert_error(400, 1019);
        app.get("/audit?user=abc", Some(&admin.token)).await.assert_error(400, 1014);
        app.get("/audit", Some(&alice.token)).await.assert_error(403, 3001);
        app.get("/audit", None).await.assert_error(401, 2001);
    }

    async fn entries_name_actor_and_target_as_they_are_now() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let carol = app.user(&admin, "carol").await;
        app.post(&format!("/users/{}", carol.id), Some(&admin.token), json!({"username": "caroline"}))
            .await
            .ok();
        let updated = audit(&app, &admin, "?type=user.updated").await;
        assert_eq!(updated[0]["actorUsername"], json!("admin"));
        assert_eq!(updated[0]["targetUsername"], json!("caroline"));
        // The entry of the creation keeps the name the account had then.
        let created = audit(&app, &admin, &format!("?type=user.created&user={}", carol.id)).await;
        assert_eq!((&created[0]["username"], &created[0]["targetUsername"]), (&json!("carol"), &json!("caroline")));

        app.delete(&format!("/users/{}", carol.id), Some(&admin.token)).await.ok();
        let deleted = audit(&app, &admin, "?type=user.deleted").await;
        assert_eq!((&deleted[0]["targetId"], &deleted[0]["targetUsername"]), (&json!(carol.id), &json!(null)));
        assert_eq!(deleted[0]["username"], json!("caroline"));
        // Anonymous attempts have neither.
        app.login("nobody-here", "wrong-password").await;
        let failed = audit(&app, &admin, "?type=login.failed").await;
        assert_eq!((&failed[0]["actorUsername"], &failed[0]["targetUsername"]), (&json!(null), &json!(null)));
    }

    async fn a_deleted_users_events_are_found_by_the_name_it_had() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let dave = app.user(&admin, "dave").await;
        app.login("DAVE", "wrong-password").await;
        app.delete(&format!("/users/{}", dave.id), Some(&admin.token)).await.ok();
        app.login("dave", "still-wrong").await;

        let found = audit(&app, &admin, "?username=Dave").await;
        assert_eq!(types(&found), ["login.failed", "user.deleted", "login.failed", "login.succeeded", "user.created"]);
        let counted = app.get("/audit?username=dave&type=login.failed", Some(&admin.token)).await;
        assert_eq!(counted.header("x-pagination-total-count").as_deref(), Some("2"));

        // An existing account: also what it did to others, recorded under their names.
        let admins = audit(&app, &admin, "?username=admin&type=user.deleted").await;
        assert_eq!(types(&admins), ["user.deleted"]);
        assert_eq!(audit(&app, &admin, "?username=nobody").await, json!([]));
        // Empty means no filter.
        let everything = app.get("/audit?username=", Some(&admin.token)).await;
        let unfiltered = app.get("/audit", Some(&admin.token)).await;
        assert_eq!(everything.header("x-pagination-total-count"), unfiltered.header("x-pagination-total-count"));
    }

    async fn a_huge_username_is_recorded_cut_short() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let huge = "ü".repeat(20_000);
        app.login(&huge, "wrong-password").await.assert_error(401, 2003);
        let failed = audit(&app, &admin, "?type=login.failed").await;
        assert_eq!(failed[0]["username"], json!("ü".repeat(128)));
    }

    async fn a_lockout_is_recorded() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        for _ in 0..10 {
            app.login("Admin", "wrong-password").await;
        }
        let throttled = audit(&app, &admin, "?type=login.throttled").await;
        assert_eq!(throttled.as_array().unwrap().len(), 1);
        // The account as stored, not the spelling typed.
        assert_eq!(throttled[0]["username"], json!("admin"));
    }

    async fn logins_are_recorded_under_the_stored_username() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        app.login("ADMIN", &admin.password).await.ok();
        app.login("aDmIn", "wrong-password").await.assert_error(401, 2003);
        app.login("GhOsT", "wrong-password").await.assert_error(401, 2003);
        let succeeded = audit(&app, &admin, "?type=login.succeeded").await;
        assert_eq!(succeeded[0]["username"], json!("admin"));
        let failed = audit(&app, &admin, "?type=login.failed").await;
        // Newest first: an unknown name as typed, an existing account as stored.
        assert_eq!((&failed[0]["username"], &failed[0]["targetId"]), (&json!("GhOsT"), &json!(null)));
        assert_eq!((&failed[1]["username"], &failed[1]["targetId"]), (&json!("admin"), &json!(admin.id)));
    }
}
