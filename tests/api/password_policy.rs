//! Common and easily guessed passwords are refused wherever a password is set.

use serde_json::json;

use crate::helpers::TestApp;

backend_tests! {
    async fn weak_passwords_are_refused_on_every_route_that_sets_one() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;

        let answer = app.register("weakling", "password1", "weak@example.com").await;
        let message = answer.assert_error(400, 1018);
        assert!(message.starts_with("The password is too easy to guess."), "{message}");

        let body = json!({"username": "weakling", "password": "12345678"});
        app.put("/users", Some(&admin.token), body).await.assert_error(400, 1018);
        // Built from the user's own name: guessable too.
        let body = json!({"username": "marguerite", "password": "marguerite2024"});
        app.put("/users", Some(&admin.token), body).await.assert_error(400, 1018);
        assert_eq!(app.all_users(&admin).await.len(), 1);

        let path = format!("/users/{}/password", admin.id);
        let body = json!({"password": "qwertyuiop", "oldPassword": admin.password});
        app.post(&path, Some(&admin.token), body).await.assert_error(400, 1018);
        // The old password still works; nothing changed.
        app.login("admin", &admin.password).await.ok();
    }

    async fn the_policy_can_be_relaxed() {
        let app = TestApp::spawn_with(&[("ROSTER_PASSWORD_MIN_SCORE", "0")]).await;
        app.register("easy", "password1", "easy@example.com").await.ok();
        app.login("easy", "password1").await.ok();
    }
}
