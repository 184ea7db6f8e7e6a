use serde_json::json;

use crate::helpers::TestApp;

backend_tests! {
    async fn the_current_user_has_exactly_the_documented_fields() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let answer = app.get("/user", Some(&admin.token)).await;
        let body = answer.ok();
        let created = body["created"].as_i64().unwrap();
        assert!((created - chrono::Utc::now().timestamp()).abs() < 60);
        assert_eq!(
            body,
            &json!({
                "id": admin.id,
                "name": "",
                "username": "admin",
                "password": "",
                "email": "admin@example.com",
                "isAdmin": true,
                "disabled": false,
                "emailConfirmed": false,
                "created": created,
                "updated": created,
            })
        );
    }
}
