use reqwest::Method;
use serde_json::json;

use crate::helpers::{Body, TestApp};

backend_tests! {
    async fn unknown_routes_and_methods_answer_in_json() {
        let app = TestApp::spawn().await;
        app.get("/nothing-here", None).await.assert_error(404, 4002);
        app.raw_request(Method::GET, "/console-not", None, Body::None)
            .await
            .assert_error(404, 4002);
        app.raw_request(Method::GET, "/api/v2/info", None, Body::None)
            .await
            .assert_error(404, 4002);
        app.request(Method::DELETE, "/info", None, Body::None)
            .await
            .assert_error(405, 4050);
        app.request(Method::GET, "/login", None, Body::None)
            .await
            .assert_error(405, 4050);
    }

    async fn bodies_over_64_kib_are_too_large() {
        let app = TestApp::spawn().await;
        let padding = "x".repeat(64 * 1024);
        let body = json!({"username": "big", "password": "plum-kayak-41", "email": "b@example.com", "name": padding});
        let answer = app.post("/register", None, body).await;
        assert_eq!(
            answer.assert_error(413, 4130),
            "The request body is larger than 64 KiB."
        );
        // Just under the limit is parsed (and refused for its content, not its size).
        let name = "x".repeat(60 * 1024);
        let body = json!({"username": "big", "password": "plum-kayak-41", "email": "b@example.com", "name": name});
        app.post("/register", None, body)
            .await
            .assert_error(400, 1013);
    }

    async fn malformed_empty_and_foreign_bodies() {
        let app = TestApp::spawn().await;
        let send = |body: Body| app.request(Method::POST, "/login", None, body);
        let answer = send(Body::Raw("application/json", b"{\"username\": ".to_vec())).await;
        assert!(answer
            .assert_error(400, 1001)
            .starts_with("The request body is invalid: "));
        send(Body::Raw("application/json", Vec::new()))
            .await
            .assert_error(400, 1002);
        send(Body::None).await.assert_error(400, 1002);
        send(Body::Raw("text/plain", b"username=a".to_vec()))
            .await
            .assert_error(415, 4150);
        send(Body::Raw(
            "application/json; charset=utf-8",
            b"[1, 2]".to_vec(),
        ))
        .await
        .assert_error(400, 1001);
    }

    async fn password_hashes_never_leave_the_server() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let user_path = format!("/users/{}", user.id);
        let answers = [
            app.get("/user", Some(&admin.token)).await,
            app.get("/users", Some(&admin.token)).await,
            app.get("/users?s=alice", Some(&admin.token)).await,
            app.get(&user_path, Some(&admin.token)).await,
            app.post(&user_path, Some(&admin.token), json!({"name": "A"}))
                .await,
            app.put(
                "/users",
                Some(&admin.token),
                json!({"username": "bob", "password": "bob-glacier-kettle"}),
            )
            .await,
            app.login("alice", &user.password).await,
        ];
        for answer in answers {
            answer.ok();
            assert!(!answer.text.contains("argon2"), "{}", answer.text);
            assert!(!answer.text.contains(&user.password), "{}", answer.text);
            for object in answer
                .body
                .as_array()
                .cloned()
                .unwrap_or(vec![answer.body.clone()])
            {
                if object.get("username").is_some() {
                    assert_eq!(object["password"], json!(""));
                }
            }
        }
    }
}
