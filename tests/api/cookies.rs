//! The session as a cookie, and the same-origin rule for the changes it authenticates.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{form, TestApp};

/// The `roster_session` value of a `Set-Cookie` header.
fn cookie_value(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.strip_prefix("roster_session="))
        .unwrap()
}

backend_tests! {
    async fn login_with_cookie_sets_a_hardened_session_cookie() {
        let app = TestApp::spawn_with(&[("ROSTER_COOKIE_DOMAIN", "example.com"), ("ROSTER_TOKEN_TTL", "2h")]).await;
        let admin = app.admin().await;
        let body = json!({"username": "admin", "password": admin.password, "cookie": true});
        let answer = app.post("/login", None, body).await;
        let set = answer.header("set-cookie").unwrap();
        let token = answer.ok()["token"].as_str().unwrap();
        assert_eq!(cookie_value(&set), token);
        for part in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Domain=example.com", "Max-Age=7200"] {
            assert!(set.split("; ").any(|p| p == part), "{part} missing in {set}");
        }
        // Form logins ask with cookie=true; without it, no cookie.
        let with_form = app
            .request(Method::POST, "/login", None, form(&[("username", "admin"), ("password", &admin.password), ("cookie", "true")]))
            .await;
        assert!(with_form.header("set-cookie").is_some());
        assert!(app.login("admin", &admin.password).await.header("set-cookie").is_none());
    }

    async fn the_cookie_authenticates_reads_and_same_origin_changes_only() {
        let app = TestApp::spawn_with(&[("ROSTER_COOKIE_SECURE", "false"), ("ROSTER_PUBLIC_URL", "http://roster.test"), ("ROSTER_CORS_ORIGINS", "http://app.test")]).await;
        let admin = app.admin().await;
        let body = json!({"username": "admin", "password": admin.password, "cookie": true});
        let answer = app.post("/login", None, body).await;
        let set = answer.header("set-cookie").unwrap();
        assert!(!set.contains("Secure"), "{set}");
        let cookie = format!("roster_session={}", cookie_value(&set));

        let me = app.with_headers(Method::GET, "/user", &[("cookie", &cookie)], None).await;
        assert_eq!(me.ok()["username"], "admin");
        let users = app.with_headers(Method::GET, "/users", &[("cookie", &cookie)], None).await;
        assert_eq!(users.ok().as_array().unwrap().len(), 1);

        let create = json!({"username": "eve", "password": "correct-horse-battery-9", "email": "eve@example.com"});
        // From another site, or with no Origin at all: refused, nothing created.
        for origin in [Some("http://evil.test"), None] {
            let mut headers = vec![("cookie", cookie.as_str())];
            headers.extend(origin.map(|o| ("origin", o)));
            app.with_headers(Method::PUT, "/users", &headers, Some(create.clone()))
                .await
                .assert_error(403, 3012);
        }
        assert_eq!(app.all_users(&admin).await.len(), 1);
        // From Roster's own origin, or a configured one: done.
        app.with_headers(Method::PUT, "/users", &[("cookie", &cookie), ("origin", "http://roster.test")], Some(create))
            .await
            .ok();
        let bob = json!({"username": "bob", "password": "correct-horse-battery-9", "email": "bob@example.com"});
        app.with_headers(Method::PUT, "/users", &[("cookie", &cookie), ("origin", "http://app.test")], Some(bob))
            .await
            .ok();
        // A bearer token is unaffected by origins.
        let carol = json!({"username": "carol", "password": "correct-horse-battery-9", "email": "carol@example.com"});
        let bearer = format!("Bearer {}", admin.token);
        app.with_headers(Method::PUT, "/users", &[("authorization", &bearer), ("origin", "http://evil.test")], Some(carol))
            .await
            .ok();

        // Logout by cookie clears it, and the session is gone.
        let out = app
            .with_headers(Method::POST, "/logout", &[("cookie", &cookie), ("origin", "http://roster.test")], None)
            .await;
        out.ok();
        assert!(out.header("set-cookie").unwrap().starts_with("roster_session=; Max-Age=0"));
        app.with_headers(Method::GET, "/user", &[("cookie", &cookie)], None)
            .await
            .assert_error(401, 2002);
    }
}
