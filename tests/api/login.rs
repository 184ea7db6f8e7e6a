use reqwest::Method;
use serde_json::json;

use crate::helpers::{form, TestApp};

backend_tests! {
    async fn login_with_json_or_form_gives_a_working_token() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;

        let answer = app.login("admin", &admin.password).await;
        let body = answer.ok();
        assert_eq!(body["id"], json!(admin.id));
        let token = body["token"].as_str().unwrap();
        assert_ne!(token, admin.token, "each login gets its own token");
        assert_eq!(
            app.get("/user", Some(token)).await.ok()["id"],
            json!(admin.id)
        );

        let fields = form(&[("username", "admin"), ("password", &admin.password)]);
        let answer = app.request(Method::POST, "/login", None, fields).await;
        let token = answer.ok()["token"].as_str().unwrap();
        assert_eq!(
            app.get("/user", Some(token)).await.ok()["id"],
            json!(admin.id)
        );
    }

    async fn the_username_is_matched_ignoring_case() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        app.login("AdMiN", &admin.password).await.ok();
    }

    async fn unknown_user_and_wrong_password_get_the_same_answer() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let wrong_password = app.login("admin", "not-the-password").await;
        let unknown_user = app.login("nobody", &admin.password).await;
        wrong_password.assert_error(401, 2003);
        assert_eq!(wrong_password.status, unknown_user.status);
        assert_eq!(wrong_password.text, unknown_user.text);
        // The password is compared exactly: no trimming.
        let padded = format!(" {} ", admin.password);
        app.login("admin", &padded).await.assert_error(401, 2003);
        // Names no account can have (NUL cannot even reach PostgreSQL) get the same answer,
        // and the attempt is still audited.
        let impossible = app.login("ad\u{0}min", &admin.password).await;
        assert_eq!(impossible.text, unknown_user.text);
        let audit = app.get("/audit?type=login.failed", Some(&admin.token)).await;
        assert!(audit.ok().as_array().unwrap().iter().any(|e| e["username"] == "admin"
            && e["targetId"].is_null()), "{}", audit.text);
    }

    async fn a_disabled_account_is_refused_only_after_a_correct_password() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let path = format!("/users/{}", user.id);
        app.post(&path, Some(&admin.token), json!({"disabled": true}))
            .await
            .ok();

        let answer = app.login("alice", &user.password).await;
        assert_eq!(answer.assert_error(403, 3003), "This account is disabled.");
        app.login("alice", "wrong-password")
            .await
            .assert_error(401, 2003);
    }

    async fn missing_fields_are_bad_requests() {
        let app = TestApp::spawn().await;
        app.post("/login", None, json!({"username": "admin"}))
            .await
            .assert_error(400, 1001);
        app.request(Method::POST, "/login", None, form(&[("password", "x")]))
            .await
            .assert_error(400, 1001);
    }
}
