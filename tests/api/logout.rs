use serde_json::json;

use crate::helpers::TestApp;

backend_tests! {
    async fn logout_revokes_only_the_token_it_was_called_with() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let second = app.login("admin", &admin.password).await;
        let second_token = second.ok()["token"].as_str().unwrap();

        let answer = app.post("/logout", Some(&admin.token), json!({})).await;
        assert_eq!(answer.ok(), &json!({"message": "success"}));

        app.get("/user", Some(&admin.token))
            .await
            .assert_error(401, 2002);
        app.post("/logout", Some(&admin.token), json!({}))
            .await
            .assert_error(401, 2002);
        app.get("/user", Some(second_token)).await.ok();
    }

    async fn logout_needs_a_token() {
        let app = TestApp::spawn().await;
        app.post("/logout", None, json!({}))
            .await
            .assert_error(401, 2001);
    }
}
