//! Brute-force throttling and the client address it keys on, with a clock the test moves.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::admin_cli::{stdout, user_command};
use crate::helpers::{Response, TestApp};
use roster::config::Settings;
use roster::db;
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

/// The throttle counters stored in the database of `app`.
fn stored_counters(app: &TestApp) -> i64 {
    let url = app.database.url.clone();
    let settings =
        Settings::from_lookup(|name| (name == "ROSTER_DATABASE_URL").then(|| url.clone())).unwrap();
    let mut conn = db::connect_one(&settings).unwrap();
    roster::models::throttle::count(&mut conn).unwrap()
}

/// Sends `count` logins at once, spread over `apps`, for the usernames `name(i)`; returns
/// their statuses (each 401 is a password that was checked).
async fn burst(apps: &[&TestApp], count: usize, name: impl Fn(usize) -> String) -> Vec<u16> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        let url = format!("{}/api/v1/login", apps[i % apps.len()].address);
        let client = apps[0].client.clone();
        let body = json!({"username": name(i), "password": "wrong-password"});
        tasks.spawn(async move {
            let answer = client.post(url).json(&body).send().await.unwrap();
            answer.status().as_u16()
        });
    }
    tasks.join_all().await
}

/// How many of `statuses` are `status`.
fn counted(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
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

    async fn a_parallel_burst_over_three_instances_checks_no_more_passwords_than_the_limits() {
        let one = TestApp::spawn_with_clock(&[], clock()).await;
        let (two, three) = (one.sibling(), one.sibling());
        let admin = one.admin().await;
        let instances = [&one, &two, &three];

        // 64 wrong passwords for one username, all at once: ten are checked (the limit), the
        // others wait their turn and find it locked.
        let statuses = burst(&instances, 64, |_| "admin".to_owned()).await;
        assert!(statuses.iter().all(|s| [401, 429, 503].contains(s)), "{statuses:?}");
        let checked = counted(&statuses, 401);
        assert!(checked <= 10, "{checked} passwords checked: {statuses:?}");
        if counted(&statuses, 503) == 0 {
            assert_eq!(checked, 10, "{statuses:?}");
        }
        let audit = one.get("/audit?type=login.failed", Some(&admin.token)).await;
        assert_eq!(audit.ok().as_array().unwrap().len(), checked);
        for app in instances {
            app.login("admin", &admin.password).await.assert_error(429, 4290);
        }

        // 64 wrong logins for different usernames from one address: 30 a minute.
        three.advance(Duration::from_secs(60));
        let statuses = burst(&instances, 64, |i| format!("user{i}")).await;
        let checked = counted(&statuses, 401);
        assert!(checked <= 30, "{checked} passwords checked: {statuses:?}");
        if counted(&statuses, 503) == 0 {
            assert_eq!(checked, 30, "{statuses:?}");
        }
    }

    async fn three_instances_hold_the_limits_of_one() {
        let one = TestApp::spawn_with_clock(&[], clock()).await;
        let (two, three) = (one.sibling(), one.sibling());
        let admin = one.admin().await;
        let instances = [&one, &two, &three];
        // Taking turns, as a load balancer would spread them: the tenth failure locks the
        // username on every instance.
        for attempt in 0..12 {
            let answer = instances[attempt % 3].login("admin", "wrong-password").await;
            match attempt {
                0..10 => drop(answer.assert_error(401, 2003)),
                _ => drop(answer.assert_error(429, 4290)),
            }
        }
        one.advance(Duration::from_secs(61));
        two.login("admin", &admin.password).await.ok();
        // 30 failed logins a minute from one address, whichever instances take them.
        one.advance(Duration::from_secs(60));
        for attempt in 0..32 {
            let answer = instances[attempt % 3].login(&format!("u{attempt}"), "wrong-password").await;
            match attempt {
                0..30 => drop(answer.assert_error(401, 2003)),
                _ => drop(answer.assert_error(429, 4290)),
            }
        }
    }

    async fn a_lockout_survives_a_restart_and_an_admin_can_lift_it() {
        let app = TestApp::spawn_with_clock(&[], clock()).await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let path = format!("/users/{}/lockout", alice.id);
        let unlocked = json!({"locked": false, "until": null, "failures": 0});
        assert_eq!(app.get(&path, Some(&admin.token)).await.ok(), &unlocked);
        for _ in 0..10 {
            app.login("Alice", "wrong-password").await.assert_error(401, 2003);
        }
        let app = app.restart().await;
        app.login("alice", &alice.password).await.assert_error(429, 4290);
        let lockout = app.get(&path, Some(&admin.token)).await;
        let until = lockout.ok()["until"].as_i64().unwrap();
        assert_eq!(lockout.ok(), &json!({"locked": true, "until": until, "failures": 10}));
        assert_eq!(until, 1_800_000_000 + 60);

        // Only admins see or lift it, and only for users that exist.
        app.get(&path, Some(&alice.token)).await.assert_error(403, 3001);
        app.delete(&path, Some(&alice.token)).await.assert_error(403, 3001);
        app.delete("/users/999/lockout", Some(&admin.token)).await.assert_error(404, 4001);

        assert_eq!(app.delete(&path, Some(&admin.token)).await.ok(), &unlocked);
        assert_eq!(app.get(&path, Some(&admin.token)).await.ok(), &unlocked);
        app.login("alice", &alice.password).await.ok();
        let audit = app.get("/audit?type=user.unlocked", Some(&admin.token)).await;
        let entry = &audit.ok()[0];
        assert_eq!((&entry["actorId"], &entry["targetId"]), (&json!(admin.id), &json!(alice.id)));

        // The operator's way: `roster user unlock`.
        for _ in 0..10 {
            app.login("alice", "wrong-password").await;
        }
        app.login("alice", &alice.password).await.assert_error(429, 4290);
        let done = user_command(&app.database.url, &["unlock", "ALICE"], "").success();
        let said = stdout(&done);
        assert!(said.starts_with("user alice unlocked (was locked until 2027-01-15T08:01:00Z; 10 failed logins cleared)"), "{said}");
        app.login("alice", &alice.password).await.ok();
    }

    async fn counters_stay_bounded_and_a_clean_login_leaves_none() {
        let clock = clock();
        let env = [("ROSTER_TRUSTED_PROXIES", "127.0.0.1/32, ::1")];
        let app = TestApp::spawn_with_clock(&env, clock.clone()).await;
        let admin = app.admin().await;
        let before = stored_counters(&app); // the registration's, for a minute
        app.login("admin", &admin.password).await.ok();
        assert_eq!(stored_counters(&app), before, "a clean login stores no counter");

        // A flood of random usernames from many addresses: a counter each, while they matter.
        for i in 0..150 {
            let from = format!("198.51.100.{i}");
            login_from(&app, &from, &format!("random-{i}"), "wrong-password")
                .await
                .assert_error(401, 2003);
        }
        assert_eq!(stored_counters(&app), before + 300);
        // Once their window is over, later failures prune them, 100 at a time: four
        // failures remove the 301 dead ones and leave their own five.
        clock.advance(Duration::from_secs(15 * 60 + 1));
        for i in 0..4 {
            login_from(&app, "203.0.113.9", &format!("late-{i}"), "wrong-password").await;
        }
        assert_eq!(stored_counters(&app), 5);
        // A right password clears its username's counter.
        login_from(&app, "203.0.113.9", "admin", "wrong-password").await;
        assert_eq!(stored_counters(&app), 6);
        login_from(&app, "203.0.113.9", "admin", &admin.password).await;
        assert_eq!(stored_counters(&app), 5);
    }
}
