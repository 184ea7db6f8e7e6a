use serde_json::json;

use crate::helpers::TestApp;

backend_tests! {
    async fn data_and_tokens_survive_a_restart() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let path = format!("/users/{}", user.id);
        app.post(&path, Some(&admin.token), json!({"name": "Alice"}))
            .await
            .ok();
        let before = app.all_users(&admin).await;

        let app = app.restart().await;

        assert_eq!(app.all_users(&admin).await, before);
        let me = app.get("/user", Some(&user.token)).await;
        assert_eq!(me.ok()["name"], json!("Alice"));
        app.login("alice", &user.password).await.ok();
        // Registration after a restart still knows an admin exists.
        let late = app.register("late", "plum-kayak-41", "late@example.com").await;
        let token = late.ok()["token"].as_str().unwrap();
        assert_eq!(
            app.get("/user", Some(token)).await.ok()["isAdmin"],
            json!(false)
        );
    }
}
