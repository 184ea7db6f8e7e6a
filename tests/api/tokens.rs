use std::time::Duration;

use reqwest::Method;

use crate::helpers::{Body, TestApp};

backend_tests! {
    async fn requests_without_a_usable_token_are_unauthorized() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;

        let answer = app.get("/user", None).await;
        answer.assert_error(401, 2001);
        assert_eq!(answer.header("www-authenticate").as_deref(), Some("Bearer"));
        app.get("/user", Some("not-a-real-token"))
            .await
            .assert_error(401, 2002);

        let basic = app
            .client
            .get(format!("{}/api/v1/user", app.address))
            .header("authorization", format!("Basic {}", admin.token))
            .send()
            .await
            .unwrap();
        assert_eq!(basic.status().as_u16(), 401);

        // The scheme is case-insensitive, as HTTP says.
        let lower = app
            .client
            .get(format!("{}/api/v1/user", app.address))
            .header("authorization", format!("bearer {}", admin.token))
            .send()
            .await
            .unwrap();
        assert_eq!(lower.status().as_u16(), 200);
    }

    async fn tokens_expire_after_the_configured_ttl() {
        let app = TestApp::spawn_with(&[("ROSTER_TOKEN_TTL", "1")]).await;
        let admin = app.admin().await;
        app.get("/user", Some(&admin.token)).await.ok();

        app.advance(Duration::from_secs(2));

        app.get("/user", Some(&admin.token))
            .await
            .assert_error(401, 2002);
        app.request(Method::GET, "/users", Some(&admin.token), Body::None)
            .await
            .assert_error(401, 2002);
        // A new login works again.
        let answer = app.login("admin", &admin.password).await;
        let token = answer.ok()["token"].as_str().unwrap();
        app.get("/user", Some(token)).await.ok();
    }
}
