//! Ending sessions, bounded hashing and the headers every answer carries.

use serde_json::json;

use crate::helpers::TestApp;

backend_tests! {
    async fn an_admin_ends_all_sessions_of_a_user() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let second = app.login("alice", &user.password).await;
        let second = second.ok()["token"].as_str().unwrap().to_owned();

        let path = format!("/users/{}/logout-all", user.id);
        let answer = app.post(&path, Some(&admin.token), json!({})).await;
        assert_eq!(answer.ok(), &json!({"message": "success"}));
        for token in [&user.token, &second] {
            app.get("/user", Some(token)).await.assert_error(401, 2002);
        }
        // The account itself is untouched: a new login works.
        app.login("alice", &user.password).await.ok();

        app.post("/users/999/logout-all", Some(&admin.token), json!({}))
            .await
            .assert_error(404, 4001);
        let fresh = app.login("alice", &user.password).await;
        let fresh = fresh.ok()["token"].as_str().unwrap();
        let own = format!("/users/{}/logout-all", admin.id);
        app.post(&own, Some(fresh), json!({}))
            .await
            .assert_error(403, 3001);
    }

    async fn ending_ones_own_sessions_keeps_the_current_one() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let other = app.login("admin", &admin.password).await;
        let other = other.ok()["token"].as_str().unwrap().to_owned();
        let own = format!("/users/{}/logout-all", admin.id);
        app.post(&own, Some(&admin.token), json!({})).await.ok();
        app.get("/user", Some(&admin.token)).await.ok();
        app.get("/user", Some(&other)).await.assert_error(401, 2002);
    }

    async fn answers_are_never_cached_or_sniffed() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        for answer in [
            app.get("/info", None).await,
            app.get("/user", Some(&admin.token)).await,
            app.login("admin", "wrong-password").await,
            app.get("/nope", None).await,
        ] {
            assert_eq!(answer.header("x-content-type-options").as_deref(), Some("nosniff"));
            assert_eq!(answer.header("cache-control").as_deref(), Some("no-store"));
        }
    }

    async fn a_login_storm_beyond_the_hashing_slots_gets_503_with_retry_after() {
        let app = TestApp::spawn_with(&[
            ("ROSTER_HASH_CONCURRENCY", "1"),
            ("ROSTER_HASH_WAIT", "100ms"),
            // Room for all 40 in flight at once (each is a possible failure until checked).
            ("ROSTER_THROTTLE_MAX_FAILURES", "40"),
            ("ROSTER_IP_FAILED_LOGINS_PER_MINUTE", "40"),
        ])
        .await;
        let admin = app.admin().await;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..40 {
            let client = app.client.clone();
            let url = format!("{}/api/v1/login", app.address);
            let password = admin.password.clone();
            tasks.spawn(async move {
                let body = json!({"username": "admin", "password": password});
                let answer = client.post(url).json(&body).send().await.unwrap();
                let status = answer.status().as_u16();
                let retry_after = answer.headers().get("retry-after").cloned();
                let body: serde_json::Value = answer.json().await.unwrap();
                (status, retry_after, body)
            });
        }
        let answers = tasks.join_all().await;
        let busy: Vec<_> = answers.iter().filter(|(status, _, _)| *status == 503).collect();
        assert!(answers.iter().any(|(status, _, _)| *status == 200));
        assert!(!busy.is_empty(), "40 logins through one slot in 100 ms cannot all pass");
        for (status, retry_after, body) in &answers {
            assert!(*status == 200 || *status == 503, "{status} {body}");
            if *status == 503 {
                assert_eq!(body["code"], json!(5031));
                assert_eq!(retry_after.as_ref().unwrap(), "1");
            }
        }
        // Other requests are served meanwhile, and afterwards logins work again.
        app.get("/info", None).await.ok();
        app.login("admin", &admin.password).await.ok();
    }
}
