use serde_json::json;

use crate::helpers::TestApp;

backend_tests! {
    async fn deleting_a_user_removes_it_and_its_tokens() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let path = format!("/users/{}", user.id);

        let answer = app.delete(&path, Some(&admin.token)).await;
        assert_eq!(answer.ok(), &json!({"message": "success"}));
        app.get(&path, Some(&admin.token))
            .await
            .assert_error(404, 4001);
        app.get("/user", Some(&user.token))
            .await
            .assert_error(401, 2002);
        app.login("alice", &user.password)
            .await
            .assert_error(401, 2003);
        app.delete(&path, Some(&admin.token))
            .await
            .assert_error(404, 4001);
        // The username is free again, and the new user gets a new id.
        let answer = app
            .register("alice", "plum-kayak-41", "alice@example.com")
            .await;
        assert!(answer.ok()["id"].as_i64().unwrap() > user.id);
    }

    async fn the_last_enabled_admin_cannot_be_deleted() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let path = format!("/users/{}", admin.id);
        app.delete(&path, Some(&admin.token))
            .await
            .assert_error(400, 1030);
        app.get("/user", Some(&admin.token)).await.ok();

        let body = json!({"username": "second", "password": "plum-kayak-42", "isAdmin": true});
        app.put("/users", Some(&admin.token), body).await.ok();
        app.delete(&path, Some(&admin.token)).await.ok();
        app.login("admin", &admin.password)
            .await
            .assert_error(401, 2003);
    }

    async fn only_admins_delete() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        app.delete(&format!("/users/{}", admin.id), Some(&user.token))
            .await
            .assert_error(403, 3001);
        app.delete(&format!("/users/{}", user.id), None)
            .await
            .assert_error(401, 2001);
        app.delete("/users/0", Some(&admin.token))
            .await
            .assert_error(400, 1014);
        assert_eq!(app.all_users(&admin).await.len(), 2);
    }
}
