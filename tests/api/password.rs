use reqwest::Method;
use serde_json::json;

use crate::helpers::{form, TestApp};

const UPDATED: &str = "The password was updated successfully";

backend_tests! {
    async fn a_user_changes_its_own_password_with_the_old_one() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let other_session = app.login("alice", &user.password).await;
        let other_token = other_session.ok()["token"].as_str().unwrap();
        let path = format!("/users/{}/password", user.id);

        let body = json!({"password": "brand-new-password", "oldPassword": user.password});
        let answer = app.post(&path, Some(&user.token), body).await;
        assert_eq!(answer.ok(), &json!({"message": UPDATED}));

        app.login("alice", &user.password)
            .await
            .assert_error(401, 2003);
        app.login("alice", "brand-new-password").await.ok();
        // The token used for the change survives; the others are revoked.
        app.get("/user", Some(&user.token)).await.ok();
        app.get("/user", Some(other_token))
            .await
            .assert_error(401, 2002);
    }

    async fn the_password_route_takes_form_fields() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let path = format!("/users/{}/password", admin.id);
        let body = form(&[
            ("password", "form-password-1"),
            ("oldPassword", &admin.password),
        ]);
        app.request(Method::POST, &path, Some(&admin.token), body)
            .await
            .ok();
        app.login("admin", "form-password-1").await.ok();
    }

    async fn own_changes_need_the_correct_old_password() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let path = format!("/users/{}/password", user.id);

        app.post(
            &path,
            Some(&user.token),
            json!({"password": "brand-new-password"}),
        )
        .await
        .assert_error(400, 1017);
        // `null`, `""` and an empty form field are "not sent" too, never a wrong password.
        for old in [json!(null), json!("")] {
            let body = json!({"password": "brand-new-password", "oldPassword": old});
            app.post(&path, Some(&user.token), body).await.assert_error(400, 1017);
        }
        let fields = form(&[("password", "brand-new-password"), ("oldPassword", "")]);
        app.request(Method::POST, &path, Some(&user.token), fields)
            .await
            .assert_error(400, 1017);
        let wrong = json!({"password": "brand-new-password", "oldPassword": "wrong-password"});
        app.post(&path, Some(&user.token), wrong)
            .await
            .assert_error(403, 3004);
        let short = json!({"password": "short", "oldPassword": user.password});
        app.post(&path, Some(&user.token), short)
            .await
            .assert_error(400, 1011);
        app.post(
            &path,
            Some(&user.token),
            json!({"oldPassword": user.password}),
        )
        .await
        .assert_error(400, 1001);

        app.login("alice", &user.password).await.ok();
        app.get("/user", Some(&user.token)).await.ok();
    }

    async fn an_admin_sets_another_password_and_ends_its_sessions() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let path = format!("/users/{}/password", user.id);

        let answer = app
            .post(
                &path,
                Some(&admin.token),
                json!({"password": "set-by-admin"}),
            )
            .await;
        assert_eq!(answer.ok(), &json!({"message": UPDATED}));
        app.get("/user", Some(&user.token))
            .await
            .assert_error(401, 2002);
        app.login("alice", "set-by-admin").await.ok();
        app.get("/user", Some(&admin.token)).await.ok();

        app.post(
            "/users/999/password",
            Some(&admin.token),
            json!({"password": "whatever-1"}),
        )
        .await
        .assert_error(404, 4001);
    }

    async fn users_cannot_change_other_passwords() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let path = format!("/users/{}/password", admin.id);
        let body = json!({"password": "hijacked-password", "oldPassword": user.password});
        let answer = app.post(&path, Some(&user.token), body).await;
        assert_eq!(
            answer.assert_error(403, 3005),
            "You may only change your own password."
        );
        app.post(
            "/users/999/password",
            Some(&user.token),
            json!({"password": "x"}),
        )
        .await
        .assert_error(403, 3005);
        app.post(&path, None, json!({"password": "hijacked-password"}))
            .await
            .assert_error(401, 2001);
        app.login("admin", &admin.password).await.ok();
    }
}
