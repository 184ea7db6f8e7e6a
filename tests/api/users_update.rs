use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{form, Body, TestApp};

backend_tests! {
    async fn an_admin_updates_some_fields_and_updated_moves() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let path = format!("/users/{}", user.id);
        let before = app.get(&path, Some(&admin.token)).await.ok().clone();

        app.advance(Duration::from_secs(1));
        let body = json!({"name": "Alice L.", "username": "alice2", "email": "new@example.com"});
        let answer = app.post(&path, Some(&admin.token), body).await;
        let after = answer.ok();
        assert_eq!(after["name"], json!("Alice L."));
        assert_eq!(after["username"], json!("alice2"));
        assert_eq!(after["email"], json!("new@example.com"));
        assert_eq!(after["created"], before["created"]);
        assert!(after["updated"].as_i64() > before["updated"].as_i64());
        assert_eq!(app.get(&path, Some(&admin.token)).await.ok(), after);
        // The user logs in with the new name; the old one is gone.
        app.login("alice2", &user.password).await.ok();
        app.login("alice", &user.password)
            .await
            .assert_error(401, 2003);
    }

    async fn update_takes_the_form_value_user() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let body = form(&[("user", r#"{"name": "Lorem Impsum"}"#)]);
        let path = format!("/users/{}", user.id);
        let answer = app
            .request(Method::POST, &path, Some(&admin.token), body)
            .await;
        assert_eq!(answer.ok()["name"], json!("Lorem Impsum"));
    }

    async fn the_email_can_be_removed() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let path = format!("/users/{}", user.id);
        let answer = app
            .post(&path, Some(&admin.token), json!({"email": null}))
            .await;
        assert_eq!(answer.ok()["email"], json!(""));
        // The address is free again.
        let body = json!({"username": "other", "password": "plum-kayak-41", "email": "alice@example.com"});
        app.put("/users", Some(&admin.token), body).await.ok();
    }

    async fn absent_keeps_a_field_and_null_clears_it_where_it_can_be_empty() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let path = format!("/users/{}", user.id);
        app.post(&path, Some(&admin.token), json!({"name": "Alice A."})).await.ok();
        // Both nulls clear; nothing else changes.
        let cleared = app
            .post(&path, Some(&admin.token), json!({"name": null, "email": null}))
            .await;
        let cleared = cleared.ok();
        assert_eq!((&cleared["name"], &cleared["email"]), (&json!(""), &json!("")));
        assert_eq!(cleared["username"], json!("alice"));
        // `null` alone is a change too, not "nothing to update".
        app.post(&path, Some(&admin.token), json!({"name": "Alice B."})).await.ok();
        let alone = app.post(&path, Some(&admin.token), json!({"name": null})).await;
        assert_eq!(alone.ok()["name"], json!(""));
        // Fields that cannot be empty refuse `null` rather than ignore it.
        for field in ["username", "isAdmin", "disabled"] {
            let answer = app.post(&path, Some(&admin.token), json!({field: null})).await;
            let message = answer.assert_error(400, 1001);
            assert!(message.contains(field) || message.contains("null"), "{field}: {message}");
        }
        let stored = app.get(&path, Some(&admin.token)).await;
        assert_eq!((&stored.ok()["username"], &stored.ok()["disabled"]), (&json!("alice"), &json!(false)));
    }

    async fn bad_updates_are_refused_and_change_nothing() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        app.user(&admin, "bob").await;
        let path = format!("/users/{}", user.id);
        let before = app.get(&path, Some(&admin.token)).await.ok().clone();

        let cases = [
            (json!({}), 1003),
            (json!({"password": "new-glacier-kettle-1"}), 1004),
            (json!({"password": ""}), 1004),
            (json!({"name": "Changed", "password": "x"}), 1004),
            (json!({"name": "Changed", "email": "broken"}), 1012),
            (json!({"name": "Changed", "username": "BOB"}), 1020),
            (json!({"name": "Changed", "email": "BOB@example.com"}), 1021),
            (json!({"name": "Changed", "username": ""}), 1010),
            (json!({"name": "Changed", "isadmin": true}), 1001),
            (json!({"name": "Changed", "disabled": "yes"}), 1001),
            (json!({"id": 99}), 1001),
        ];
        for (body, code) in cases {
            let answer = app.post(&path, Some(&admin.token), body.clone()).await;
            answer.assert_error(400, code);
        }
        let empty = Body::Raw("application/json", Vec::new());
        app.request(Method::POST, &path, Some(&admin.token), empty)
            .await
            .assert_error(400, 1002);

        assert_eq!(app.get(&path, Some(&admin.token)).await.ok(), &before);
        app.login("alice", &user.password).await.ok();
    }

    async fn unknown_ids_and_non_admins() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        app.post("/users/999", Some(&admin.token), json!({"name": "x"}))
            .await
            .assert_error(404, 4001);
        app.post("/users/x", Some(&admin.token), json!({"name": "x"}))
            .await
            .assert_error(400, 1014);
        let own = format!("/users/{}", user.id);
        app.post(&own, Some(&user.token), json!({"isAdmin": true}))
            .await
            .assert_error(403, 3001);
        let me = app.get("/user", Some(&user.token)).await;
        assert_eq!(me.ok()["isAdmin"], json!(false));
    }

    async fn disabling_purges_tokens_and_enabling_restores_login() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let path = format!("/users/{}", user.id);

        let answer = app
            .post(&path, Some(&admin.token), json!({"disabled": true}))
            .await;
        assert_eq!(answer.ok()["disabled"], json!(true));
        app.get("/user", Some(&user.token))
            .await
            .assert_error(401, 2002);

        app.post(&path, Some(&admin.token), json!({"disabled": false}))
            .await
            .ok();
        // The purged token stays dead; a new login works.
        app.get("/user", Some(&user.token))
            .await
            .assert_error(401, 2002);
        let login = app.login("alice", &user.password).await;
        app.get("/user", Some(login.ok()["token"].as_str().unwrap()))
            .await
            .ok();
    }

    async fn the_last_enabled_admin_cannot_be_demoted_or_disabled() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let own = format!("/users/{}", admin.id);
        for body in [json!({"isAdmin": false}), json!({"disabled": true})] {
            let answer = app.post(&own, Some(&admin.token), body).await;
            let message = answer.assert_error(400, 1030);
            assert_eq!(
                message,
                "The last enabled admin cannot be deleted, demoted or disabled."
            );
        }
        let me = app.get("/user", Some(&admin.token)).await;
        assert_eq!(me.ok()["isAdmin"], json!(true));
        assert_eq!(me.ok()["disabled"], json!(false));

        // A disabled admin does not count as a second admin.
        let other = app.user(&admin, "other").await;
        let other_path = format!("/users/{}", other.id);
        app.post(
            &other_path,
            Some(&admin.token),
            json!({"isAdmin": true, "disabled": true}),
        )
        .await
        .ok();
        app.post(&own, Some(&admin.token), json!({"isAdmin": false}))
            .await
            .assert_error(400, 1030);

        // With a second enabled admin, the first may step down.
        app.post(&other_path, Some(&admin.token), json!({"disabled": false}))
            .await
            .ok();
        let answer = app
            .post(&own, Some(&admin.token), json!({"isAdmin": false}))
            .await;
        assert_eq!(answer.ok()["isAdmin"], json!(false));
    }
}
