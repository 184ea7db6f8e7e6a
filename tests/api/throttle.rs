//! Brute-force throttling and the client address it keys on, with a clock the test moves.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::helpers::{Response, TestApp};
use roster::security::clock::ManualClock;

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::at(Duration::from_secs(1_800_000_000)))
}

/// A login sent with an `X-Forwarded-For` header.
async fn login_from(
    app: &TestApp,
    forwarded_for: &str,
    username: &str,
    password: &str,
) -> Response {
    let answer = app
        .client
        .post(format!("{}/api/v1/login", app.address))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    let text = answer.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_default();
    Response {
        status,
        headers,
        text,
        body,
    }
}

backend_tests! {
    async fn ten_failures_lock_a_username_even_for_the_right_password() {
        let clock = clock();
        let app = TestApp::spawn_with_clock(&[], clock.clone()).await;
        let admin = app.admin().await;
        // Case variants share one counter.
        for name in ["admin", "Admin", "ADMIN", "aDmIn", "admin"].iter().cycle().take(10) {
            app.login(name, "wrong-password").await.assert_error(401, 2003);
        }
        let locked = app.login("admin", &admin.password).await;
        assert_eq!(locked.assert_error(429, 4290), "Too many attempts; retry after 60 seconds.");
        assert_eq!(locked.header("retry-after").as_deref(), Some("60"));

        // An unknown username locks the same way and answers the same body.
        for _ in 0..10 {
            app.login("ghost", "wrong-password").await.assert_error(401, 2003);
        }
        let ghost = app.login("ghost", "whatever").await;
        assert_eq!(ghost.status, 429);
        assert_eq!(ghost.text, locked.text);

        // After the delay the right password works, and clears the count.
        clock.advance(Duration::from_secs(61));
        app.login("admin", &admin.password).await.ok();
        app.login("admin", "wrong-password").await.assert_error(401, 2003);
    }

    async fn repeated_lockouts_grow_up_to_fifteen_minutes() {
        let clock = clock();
        let app = TestApp::spawn_with_clock(&[], clock.clone()).await;
        app.admin().await;
        for _ in 0..10 {
            app.login("admin", "wrong-password").await;
        }
        let mut delays = vec![];
        for _ in 0..6 {
            let answer = app.login("admin", "wrong-password").await;
            let seconds: u64 = answer
                .header("retry-after")
                .unwrap_or_else(|| panic!("{delays:?} then {answer:?}"))
                .parse()
                .unwrap();
            delays.push(seconds);
            clock.advance(Duration::from_secs(seconds));
            // The next failure after the lockout locks again, for longer.
            app.login("admin", "wrong-password").await;
        }
        assert_eq!(delays, [60, 120, 240, 480, 900, 900]);
    }

    async fn a_client_ip_over_its_rates_is_refused() {
        let clock = clock();
        let env = [
            ("ROSTER_IP_FAILED_LOGINS_PER_MINUTE", "3"),
            ("ROSTER_IP_REGISTRATIONS_PER_MINUTE", "2"),
        ];
        let app = TestApp::spawn_with_clock(&env, clock.clone()).await;
        let admin = app.admin().await; // the first registration
        for name in ["a", "b", "c"] {
            app.login(name, "wrong-password").await.assert_error(401, 2003);
        }
        app.login("admin", &admin.password).await.assert_error(429, 4290);
        app.register("late", "password-late-1", "late@example.com")
            .await
            .ok();
        app.register("later", "password-later-1", "later@example.com")
            .await
            .assert_error(429, 4290);
        clock.advance(Duration::from_secs(60));
        app.login("admin", &admin.password).await.ok();
        app.register("later", "password-later-1", "later@example.com")
            .await
            .ok();
    }

    async fn forged_forwarding_headers_do_not_escape_the_ip_limit() {
        let app = TestApp::spawn_with_clock(
            &[("ROSTER_IP_FAILED_LOGINS_PER_MINUTE", "3")],
            clock(),
        )
        .await;
        app.admin().await;
        // The peer (127.0.0.1) is not a trusted proxy: every forged address is ignored.
        for (i, forged) in ["1.1.1.1", "2.2.2.2", "3.3.3.3"].iter().enumerate() {
            let answer = login_from(&app, forged, &format!("user{i}"), "wrong-password").await;
            answer.assert_error(401, 2003);
        }
        login_from(&app, "4.4.4.4", "user9", "wrong-password")
            .await
            .assert_error(429, 4290);
    }

    async fn a_trusted_proxy_forwards_the_client_address() {
        let app = TestApp::spawn_with_clock(
            &[
                ("ROSTER_IP_FAILED_LOGINS_PER_MINUTE", "3"),
                ("ROSTER_TRUSTED_PROXIES", "127.0.0.1/32, ::1"),
            ],
            clock(),
        )
        .await;
        app.admin().await;
        for i in 0..3 {
            login_from(&app, "6.6.6.6, 198.51.100.7", &format!("u{i}"), "wrong-password")
                .await
                .assert_error(401, 2003);
        }
        // The rightmost untrusted hop (198.51.100.7) is over its limit, whatever the
        // client writes to the left of it...
        login_from(&app, "7.7.7.7, 198.51.100.7", "u9", "wrong-password")
            .await
            .assert_error(429, 4290);
        // ...while another client behind the same proxy is not.
        login_from(&app, "198.51.100.8", "u9", "wrong-password")
            .await
            .assert_error(401, 2003);
    }
}
