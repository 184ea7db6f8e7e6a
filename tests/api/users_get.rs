use serde_json::json;

use crate::helpers::TestApp;

backend_tests! {
    async fn an_admin_gets_a_user_by_id() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let answer = app
            .get(&format!("/users/{}", user.id), Some(&admin.token))
            .await;
        let body = answer.ok();
        assert_eq!(body["id"], json!(user.id));
        assert_eq!(body["username"], json!("alice"));
        assert_eq!(body["email"], json!("alice@example.com"));
        assert_eq!(body["password"], json!(""));
    }

    async fn bad_and_unknown_ids() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        for id in ["abc", "0", "-1", "1.5", "99999999999999999999"] {
            let answer = app.get(&format!("/users/{id}"), Some(&admin.token)).await;
            let message = answer.assert_error(400, 1014);
            assert_eq!(message, "The user id must be a positive integer.");
        }
        let answer = app.get("/users/999", Some(&admin.token)).await;
        assert_eq!(answer.assert_error(404, 4001), "The user does not exist.");
    }

    async fn non_admins_are_refused_before_the_id_is_looked_at() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        app.get(&format!("/users/{}", admin.id), Some(&user.token))
            .await
            .assert_error(403, 3001);
        app.get("/users/abc", Some(&user.token))
            .await
            .assert_error(403, 3001);
        app.get("/users/abc", None).await.assert_error(401, 2001);
    }
}
