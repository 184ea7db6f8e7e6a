//! Sessions one can see and end, and scoped API tokens.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Persona, TestApp};

/// Makes an API token for `owner` with `scopes`; returns its id and secret.
async fn api_token(app: &TestApp, owner: &Persona, scopes: &[&str]) -> (i64, String) {
    let body = json!({"title": "ci-bot", "expiresAt": null, "scopes": scopes});
    let answer = app.put("/tokens", Some(&owner.token), body).await;
    let made = answer.ok();
    (
        made["id"].as_i64().unwrap(),
        made["token"].as_str().unwrap().to_owned(),
    )
}

backend_tests! {
    async fn users_see_their_sessions_and_end_one() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let phone = app
            .with_headers(
                Method::POST,
                "/login",
                &[("user-agent", "Phone/1.0")],
                Some(json!({"username": "alice", "password": alice.password})),
            )
            .await;
        let phone = phone.ok()["token"].as_str().unwrap().to_owned();

        let listed = app.get("/user/sessions", Some(&alice.token)).await;
        let sessions = listed.ok().as_array().unwrap().clone();
        assert_eq!(sessions.len(), 2, "{sessions:?}");
        // Newest first: the phone's login; the current one is marked.
        assert_eq!(sessions[0]["userAgent"], "Phone/1.0");
        assert_eq!(sessions[0]["ip"], "127.0.0.1");
        assert_eq!(sessions[0]["current"], false);
        assert_eq!(sessions[1]["current"], true);
        for key in ["id", "created", "lastUsed", "expires"] {
            assert!(sessions[0][key].is_i64(), "{key}");
        }

        // Someone else's session is not found; one's own ends at once.
        let phone_id = sessions[0]["id"].as_i64().unwrap();
        app.delete(&format!("/user/sessions/{phone_id}"), Some(&admin.token))
            .await
            .assert_error(404, 4003);
        app.get("/user", Some(&phone)).await.ok();
        app.delete(&format!("/user/sessions/{phone_id}"), Some(&alice.token))
            .await
            .ok();
        app.get("/user", Some(&phone)).await.assert_error(401, 2002);
        app.delete("/user/sessions/nope", Some(&alice.token))
            .await
            .assert_error(404, 4003);
        let left = app.get("/user/sessions", Some(&alice.token)).await;
        assert_eq!(left.ok().as_array().unwrap().len(), 1);

        // Admins see anyone's; others may not.
        let path = format!("/users/{}/sessions", alice.id);
        assert_eq!(app.get(&path, Some(&admin.token)).await.ok().as_array().unwrap().len(), 1);
        app.get(&path, Some(&alice.token)).await.assert_error(403, 3001);
        let audit = app.get("/audit?type=session.ended", Some(&admin.token)).await;
        assert_eq!(audit.ok()[0]["targetUsername"], "alice");
    }

    async fn last_used_is_written_at_most_once_a_minute() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let first = app.get("/user/sessions", Some(&admin.token)).await;
        let created = first.ok()[0]["created"].as_i64().unwrap();
        assert_eq!(first.ok()[0]["lastUsed"], created);
        app.advance(Duration::from_secs(30));
        let soon = app.get("/user/sessions", Some(&admin.token)).await;
        assert_eq!(soon.ok()[0]["lastUsed"], created, "not within the minute");
        app.advance(Duration::from_secs(31));
        app.get("/user", Some(&admin.token)).await.ok();
        let later = app.get("/user/sessions", Some(&admin.token)).await;
        assert_eq!(later.ok()[0]["lastUsed"], created + 61);
    }

    async fn an_api_token_is_shown_once_and_stored_as_a_hash() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let expires = chrono_now() + 3600;
        let body = json!({"title": "ci-bot", "expiresAt": expires, "scopes": ["users:read"]});
        let made = app.put("/tokens", Some(&admin.token), body).await;
        let made = made.ok().clone();
        let secret = made["token"].as_str().unwrap();
        assert!(secret.starts_with("roster_") && secret.len() > 40, "{secret}");
        assert_eq!(made["title"], "ci-bot");
        assert_eq!(made["scopes"], json!(["users:read"]));
        assert_eq!(made["expiresAt"], expires);
        assert!(made["created"].is_i64() && made["id"].is_i64());

        let listed = app.get("/tokens", Some(&admin.token)).await;
        let listed = listed.ok()[0].clone();
        assert_eq!(listed["id"], made["id"]);
        assert!(listed.get("token").is_none(), "{listed}");
        assert!(listed["lastUsed"].is_i64());
        // The stored row holds only its SHA-256.
        let stored = crate::storage::column(&app, "SELECT token_hash AS value FROM tokens WHERE kind = 'api'");
        let expected = {
            use sha2::Digest;
            format!("{:x}", sha2::Sha256::digest(secret.as_bytes()))
        };
        assert_eq!(stored, vec![expected]);
        // It works as a bearer token within its scope, and is not a session.
        assert_eq!(app.get("/users", Some(secret)).await.ok().as_array().unwrap().len(), 1);
        let sessions = app.get("/user/sessions", Some(&admin.token)).await;
        assert_eq!(sessions.ok().as_array().unwrap().len(), 1);
    }

    async fn a_request_outside_the_scopes_is_refused_with_its_own_code() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let (_, reader) = api_token(&app, &admin, &["users:read"]).await;
        app.get("/users", Some(&reader)).await.ok();
        app.get(&format!("/users/{}", alice.id), Some(&reader)).await.ok();
        let says = app
            .post(&format!("/users/{}", alice.id), Some(&reader), json!({"name": "A"}))
            .await
            .assert_error(403, 3009);
        assert!(says.contains("users:write"), "{says}");
        app.get("/user", Some(&reader)).await.assert_error(403, 3009);
        app.get("/audit", Some(&reader)).await.assert_error(403, 3009);
        app.delete(&format!("/users/{}", alice.id), Some(&reader))
            .await
            .assert_error(403, 3009);
        // A token cannot make tokens, whatever its scopes.
        let body = json!({"title": "x", "scopes": ["account"]});
        app.put("/tokens", Some(&reader), body).await.assert_error(403, 3010);

        let (_, writer) = api_token(&app, &admin, &["users:write"]).await;
        app.post(&format!("/users/{}", alice.id), Some(&writer), json!({"name": "A"}))
            .await
            .ok();
        app.get("/users", Some(&writer)).await.assert_error(403, 3009);
        let (_, auditor) = api_token(&app, &admin, &["audit:read"]).await;
        app.get("/audit", Some(&auditor)).await.ok();

        // A user's own password with `account`; another's needs `users:write`.
        let (_, own) = api_token(&app, &admin, &["account"]).await;
        app.get("/user", Some(&own)).await.ok();
        let change = json!({"password": "another-fine-password-9"});
        app.post(&format!("/users/{}/password", alice.id), Some(&own), change.clone())
            .await
            .assert_error(403, 3009);
        app.post(&format!("/users/{}/password", alice.id), Some(&writer), change)
            .await
            .ok();
    }

    async fn bad_token_requests_get_clear_errors() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        for (body, code) in [
            (json!({"title": "x", "scopes": ["root"]}), 1043),
            (json!({"title": "x", "scopes": []}), 1044),
            (json!({"title": " ", "scopes": ["account"]}), 1045),
            (json!({"title": "x", "scopes": ["account"], "expiresAt": 1}), 1046),
            (json!({"title": "x"}), 1001),
        ] {
            app.put("/tokens", Some(&alice.token), body).await.assert_error(400, code);
        }
        // Admin scopes are for admins.
        let body = json!({"title": "x", "scopes": ["account", "users:read"]});
        app.put("/tokens", Some(&alice.token), body).await.assert_error(403, 3011);
        assert!(app.get("/tokens", Some(&alice.token)).await.ok().as_array().unwrap().is_empty());
        // Form data takes the scopes as one string.
        let form = crate::helpers::form(&[("title", "f"), ("scopes", "account forward-auth")]);
        let made = app
            .request(Method::PUT, "/tokens", Some(&alice.token), form)
            .await;
        assert_eq!(made.ok()["scopes"], json!(["account", "forward-auth"]));
    }

    async fn a_token_never_has_more_rights_than_its_owner_now() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let bob = app.user(&admin, "bob").await;
        app.post(&format!("/users/{}", bob.id), Some(&admin.token), json!({"isAdmin": true}))
            .await
            .ok();
        let relogin = app.login("bob", &bob.password).await;
        let bob = Persona::with_token(relogin.ok()["token"].as_str().unwrap());
        let (_, bobs) = api_token(&app, &bob, &["users:read"]).await;
        app.get("/users", Some(&bobs)).await.ok();
        let bob_id = app.get("/user", Some(&bob.token)).await.ok()["id"].as_i64().unwrap();
        // Demoted: the token loses the admin reads on the next request.
        app.post(&format!("/users/{bob_id}"), Some(&admin.token), json!({"isAdmin": false}))
            .await
            .ok();
        app.get("/users", Some(&bobs)).await.assert_error(403, 3001);
        // Disabled: refused outright; re-enabling does not bring it back (disable ends both).
        app.post(&format!("/users/{bob_id}"), Some(&admin.token), json!({"disabled": true}))
            .await
            .ok();
        app.get("/users", Some(&bobs)).await.assert_error(401, 2002);
        app.post(&format!("/users/{bob_id}"), Some(&admin.token), json!({"disabled": false}))
            .await
            .ok();
        app.get("/users", Some(&bobs)).await.assert_error(401, 2002);
    }

    async fn logout_all_and_password_changes_leave_api_tokens_unless_asked() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let (_, token) = api_token(&app, &alice, &["account"]).await;
        let path = format!("/users/{}/logout-all", alice.id);
        app.post(&path, Some(&admin.token), json!({})).await.ok();
        app.get("/user", Some(&alice.token)).await.assert_error(401, 2002);
        app.get("/user", Some(&token)).await.ok();

        // A password change ends sessions, not API tokens (as GitHub does).
        let alice = app.login("alice", &alice.password).await.ok()["token"].as_str().unwrap().to_owned();
        let change = json!({"password": "a-brand-new-secret-77"});
        app.post(&format!("/users/{}/password", admin_id_of(&app, &alice).await), Some(&admin.token), change)
            .await
            .ok();
        app.get("/user", Some(&alice)).await.assert_error(401, 2002);
        app.get("/user", Some(&token)).await.ok();

        app.post(&format!("{path}?tokens=true"), Some(&admin.token), json!({}))
            .await
            .ok();
        app.get("/user", Some(&token)).await.assert_error(401, 2002);
        app.post(&format!("{path}?tokens=maybe"), Some(&admin.token), json!({}))
            .await
            .assert_error(400, 1005);
    }

    async fn tokens_are_revoked_by_their_owner_or_an_admin_only() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let bob = app.user(&admin, "bob").await;
        let (id, token) = api_token(&app, &alice, &["account"]).await;
        // Bob cannot see or end Alice's token; the answer is "not found".
        app.delete(&format!("/tokens/{id}"), Some(&bob.token))
            .await
            .assert_error(404, 4004);
        app.get(&format!("/users/{}/tokens", alice.id), Some(&bob.token))
            .await
            .assert_error(403, 3001);
        let listed = app.get(&format!("/users/{}/tokens", alice.id), Some(&admin.token)).await;
        assert_eq!(listed.ok()[0]["id"], id);
        app.get("/user", Some(&token)).await.ok();
        app.delete(&format!("/tokens/{id}"), Some(&alice.token)).await.ok();
        app.get("/user", Some(&token)).await.assert_error(401, 2002);
        app.delete(&format!("/tokens/{id}"), Some(&alice.token))
            .await
            .assert_error(404, 4004);

        let (id, token) = api_token(&app, &alice, &["account"]).await;
        app.delete(&format!("/tokens/{id}"), Some(&admin.token)).await.ok();
        app.get("/user", Some(&token)).await.assert_error(401, 2002);
        let audit = app.get("/audit?type=token.revoked", Some(&admin.token)).await;
        let entries = audit.ok().as_array().unwrap().clone();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0]["actorUsername"], "admin");
        assert_eq!(entries[0]["targetUsername"], "alice");
    }

    async fn an_expiring_token_stops_at_its_time() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let at = chrono_now() + 120;
        let body = json!({"title": "short", "expiresAt": at, "scopes": ["account"]});
        let token = app.put("/tokens", Some(&admin.token), body).await;
        let token = token.ok()["token"].as_str().unwrap().to_owned();
        app.get("/user", Some(&token)).await.ok();
        app.advance(Duration::from_secs(121));
        app.get("/user", Some(&token)).await.assert_error(401, 2002);
        // Expired tokens leave the list.
        assert!(app.get("/tokens", Some(&admin.token)).await.ok().as_array().unwrap().is_empty());
    }
}

/// The user id behind `token`.
async fn admin_id_of(app: &TestApp, token: &str) -> i64 {
    app.get("/user", Some(token)).await.ok()["id"]
        .as_i64()
        .unwrap()
}

/// Now in unix seconds (the test clock starts at the real now).
fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
