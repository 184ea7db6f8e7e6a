use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{form, TestApp};

backend_tests! {
    async fn the_first_user_is_admin_and_later_ones_are_not() {
        let app = TestApp::spawn().await;
        let first = app
            .register("first", "plum-kayak-41", "first@example.com")
            .await;
        let second = app
            .register("second", "plum-kayak-42", "second@example.com")
            .await;
        let first_token = first.ok()["token"].as_str().unwrap().to_owned();
        let second_token = second.ok()["token"].as_str().unwrap().to_owned();

        let me = app.get("/user", Some(&first_token)).await;
        assert_eq!(me.ok()["isAdmin"], json!(true));
        let me = app.get("/user", Some(&second_token)).await;
        assert_eq!(me.ok()["isAdmin"], json!(false));
        assert_eq!(me.ok()["username"], json!("second"));
    }

    async fn register_answers_id_token_and_expiry() {
        let app = TestApp::spawn_with(&[("ROSTER_TOKEN_TTL", "12h")]).await;
        let answer = app.register("noom", "plum-kayak-41", "noom@example.com").await;
        let body = answer.ok();
        assert_eq!(body.as_object().unwrap().len(), 3);
        assert_eq!(body["id"], json!(1));
        let token = body["token"].as_str().unwrap();
        assert_eq!(token.len(), 43, "256 bits in unpadded base64url");
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let expires: DateTime<Utc> = body["tokenExpires"].as_str().unwrap().parse().unwrap();
        let expected = Utc::now() + chrono::Duration::hours(12);
        assert!((expires - expected).num_seconds().abs() <= 5, "{expires}");
    }

    async fn register_takes_form_fields() {
        let app = TestApp::spawn().await;
        let body = form(&[
            ("username", "formuser"),
            ("password", "plum-kayak-41"),
            ("email", "form@example.com"),
            ("name", "Form User"),
        ]);
        let answer = app.request(Method::POST, "/register", None, body).await;
        let token = answer.ok()["token"].as_str().unwrap().to_owned();
        let me = app.get("/user", Some(&token)).await;
        assert_eq!(me.ok()["name"], json!("Form User"));
        assert_eq!(me.ok()["email"], json!("form@example.com"));
    }

    async fn invalid_registrations_are_refused_and_store_nothing() {
        let app = TestApp::spawn().await;
        let cases = [
            (json!({"username": "a", "password": "plum-kayak-41"}), 1016),
            (
                json!({"username": "a", "password": "plum-kayak-41", "email": ""}),
                1016,
            ),
            (
                json!({"username": "a", "password": "plum-kayak-41", "email": "nope"}),
                1012,
            ),
            (
                json!({"username": "a", "password": "short", "email": "a@example.com"}),
                1011,
            ),
            (
                json!({"username": "a b", "password": "plum-kayak-41", "email": "a@example.com"}),
                1010,
            ),
            (
                json!({"username": "", "password": "plum-kayak-41", "email": "a@example.com"}),
                1010,
            ),
            (
                json!({"username": "a", "password": "plum-kayak-41", "email": "a@example.com", "name": "x".repeat(251)}),
                1013,
            ),
            (
                json!({"username": "a", "password": "plum-kayak-41", "email": "a@example.com", "isAdmin": true}),
                1001,
            ),
            (
                json!({"password": "plum-kayak-41", "email": "a@example.com"}),
                1001,
            ),
            (
                json!({"username": 5, "password": "plum-kayak-41", "email": "a@example.com"}),
                1001,
            ),
        ];
        for (body, code) in cases {
            let answer = app.post("/register", None, body.clone()).await;
            answer.assert_error(400, code);
        }
        // Nothing was stored: the next registration is still the first, hence admin.
        let admin = app.admin().await;
        assert_eq!(admin.id, 1);
        assert_eq!(app.all_users(&admin).await.len(), 1);
    }

    async fn usernames_and_emails_are_unique_ignoring_case() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let answer = app
            .register("ADMIN", "plum-kayak-41", "other@example.com")
            .await;
        assert_eq!(
            answer.assert_error(400, 1020),
            "A user with this username already exists."
        );
        let answer = app
            .register("other", "plum-kayak-41", "Admin@Example.COM")
            .await;
        answer.assert_error(400, 1021);
        assert_eq!(app.all_users(&admin).await.len(), 1);
    }

    async fn closed_registration_is_forbidden() {
        let app = TestApp::spawn_with(&[("ROSTER_REGISTRATION", "false")]).await;
        let answer = app.register("noom", "plum-kayak-41", "noom@example.com").await;
        assert_eq!(answer.assert_error(403, 3002), "Registration is closed.");
        app.login("noom", "plum-kayak-41")
            .await
            .assert_error(401, 2003);
    }

    async fn racing_first_registrations_make_exactly_one_admin() {
        let app = TestApp::spawn().await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..8 {
            let client = app.client.clone();
            let url = format!("{}/api/v1/register", app.address);
            tasks.spawn(async move {
                let body = json!({"username": format!("racer{i}"), "password": "plum-kayak-41", "email": format!("r{i}@example.com")});
                let answer = client.post(url).json(&body).send().await.unwrap();
                assert_eq!(answer.status().as_u16(), 200);
                let body: serde_json::Value = answer.json().await.unwrap();
                body["token"].as_str().unwrap().to_owned()
            });
        }
        let mut admins = 0;
        for token in tasks.join_all().await {
            let me = app.get("/user", Some(&token)).await;
            if me.ok()["isAdmin"] == json!(true) {
                admins += 1;
            }
        }
        assert_eq!(admins, 1);
    }
}
