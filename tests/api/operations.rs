//! Health checks, CORS for browser frontends, and request ids.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Body, TestApp};

backend_tests! {
    async fn health_checks_answer_without_a_token() {
        let app = TestApp::spawn().await;
        for path in ["/health/live", "/health/ready"] {
            let answer = app.raw_request(Method::GET, path, None, Body::None).await;
            assert_eq!(answer.ok(), &json!({"status": "ok"}));
        }
    }

    async fn allowed_origins_get_cors_headers_and_others_do_not() {
        let app = TestApp::spawn_with(&[("ROSTER_CORS_ORIGINS", "https://app.example.com")]).await;
        let admin = app.admin().await;
        let preflight = |origin: &'static str| {
            app.client
                .request(Method::OPTIONS, format!("{}/api/v1/users", app.address))
                .header("origin", origin)
                .header("access-control-request-method", "PUT")
                .header("access-control-request-headers", "authorization, content-type")
                .send()
        };
        let allowed = preflight("https://app.example.com").await.unwrap();
        assert_eq!(allowed.status().as_u16(), 200);
        let headers = allowed.headers();
        assert_eq!(headers["access-control-allow-origin"], "https://app.example.com");
        let allowed_headers = headers["access-control-allow-headers"].to_str().unwrap();
        assert!(allowed_headers.contains("authorization") && allowed_headers.contains("content-type"));

        let refused = preflight("https://evil.example.com").await.unwrap();
        assert_eq!(refused.status().as_u16(), 403);
        assert!(refused.headers().get("access-control-allow-origin").is_none());
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["code"], json!(3006));

        let list = app
            .client
            .get(format!("{}/api/v1/users", app.address))
            .header("origin", "https://app.example.com")
            .bearer_auth(&admin.token)
            .send()
            .await
            .unwrap();
        let exposed = list.headers()["access-control-expose-headers"].to_str().unwrap();
        for header in ["x-pagination-total-pages", "x-pagination-result-count", "x-pagination-total-count"] {
            assert!(exposed.contains(header), "{exposed}");
        }
    }

    async fn without_configured_origins_no_cross_origin_access() {
        let app = TestApp::spawn().await;
        let answer = app
            .client
            .get(format!("{}/api/v1/info", app.address))
            .header("origin", "https://app.example.com")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 200);
        assert!(answer.headers().get("access-control-allow-origin").is_none());
    }

    async fn request_ids_are_honoured_or_generated_and_logged() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        // Unique in this process: the captured log is shared by all tests.
        let trace = format!("trace-{}.1", app.address.rsplit(':').next().unwrap());
        let with_id = |id: String| {
            app.client
                .get(format!("{}/api/v1/users/{}", app.address, admin.id))
                .bearer_auth(&admin.token)
                .header("x-request-id", id)
                .send()
        };
        let answer = with_id(trace.clone()).await.unwrap();
        assert_eq!(answer.headers()["x-request-id"], trace.as_str());
        let forged = with_id("x\" 200 forged".to_owned()).await.unwrap();
        let replaced = forged.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(replaced.len(), 32, "{replaced}");
        let generated = app.get("/info", None).await.header("x-request-id").unwrap();
        assert_eq!(generated.len(), 32);

        // The access line is written once the answer is ready, before it is sent.
        let lines = crate::logs::lines_mentioning(&format!("\"request_id\":\"{trace}\""));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("\"route\":\"/api/v1/users/{id}\""), "{}", lines[0]);
        assert!(crate::logs::lines_mentioning("forged").is_empty());
    }

    async fn metrics_are_served_apart_and_hold_no_user_data() {
        let app = TestApp::spawn_with(&[("ROSTER_METRICS_BIND", "127.0.0.1:0")]).await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        app.get(&format!("/users/{}", alice.id), Some(&admin.token)).await.ok();
        app.login("alice", "wrong-password").await.assert_error(401, 2003);
        app.raw_request(Method::GET, "/metrics", None, Body::None).await.assert_error(404, 4002);

        let metrics_address = app.metrics_address.clone().unwrap();
        let page = app.client.get(format!("{metrics_address}/metrics")).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let text = page.text().await.unwrap();
        assert!(text.contains("roster_http_requests_total{method=\"GET\",route=\"/api/v1/users/{id}\",status=\"200\"} 1"), "{text}");
        assert!(text.contains("roster_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/login\",status=\"401\",le=\"+Inf\"} 1"), "{text}");
        assert!(text.contains("roster_logins_total{outcome=\"failure\"} 1"), "{text}");
        assert!(text.contains("roster_logins_total{outcome=\"success\"} 1"), "{text}");
        assert!(text.contains("roster_hashing_permits{state=\"in_use\"} 0"), "{text}");
        assert!(text.contains("roster_db_connections{state=\"idle\"}"), "{text}");
        for secret in ["alice", "example.com", &alice.token, &admin.token, &format!("/users/{}", alice.id)] {
            assert!(!text.contains(secret), "{secret} in metrics");
        }
    }

    async fn metrics_are_off_by_default() {
        let app = TestApp::spawn().await;
        assert!(app.metrics_address.is_none());
    }
}
