//! What reaches the log: every line the service writes, captured in this process.

use std::sync::{Mutex, Once};

use serde_json::json;

use crate::helpers::TestApp;

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            let line = format!("{} {} {}", record.level(), record.target(), record.args());
            LINES.lock().unwrap().push(line);
        }
    }

    fn flush(&self) {}
}

/// Routes the service's log into `LINES` (once per test process).
pub fn capture() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_boxed_logger(Box::new(Capture)).unwrap();
        log::set_max_level(log::LevelFilter::Info);
    });
}

pub fn lines_mentioning(needle: &str) -> Vec<String> {
    LINES
        .lock()
        .unwrap()
        .iter()
        .filter(|line| line.contains(needle))
        .cloned()
        .collect()
}

backend_tests! {
    async fn no_password_token_or_hash_reaches_the_log() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let secret = "log-canary-Vq8#zt-1";
        let body = json!({"username": "canary", "password": secret, "email": "canary@example.com"});
        app.put("/users", Some(&admin.token), body).await.ok();
        let login = app.login("canary", secret).await;
        let token = login.ok()["token"].as_str().unwrap().to_owned();
        app.login("canary", "log-canary-wrong-1").await.assert_error(401, 2003);
        app.get("/user", Some(&token)).await.ok();
        let path = format!("/users/{}/password", login.ok()["id"]);
        let new_secret = "log-canary-Vq8#zt-2";
        app.post(&path, Some(&token), json!({"password": new_secret, "oldPassword": secret}))
            .await
            .ok();
        app.post("/logout", Some(&token), json!({})).await.ok();

        // The log saw these requests: the capture works.
        assert!(!lines_mentioning("login.failed actor=- target=").is_empty());
        assert!(!lines_mentioning("username=\"canary\"").is_empty());
        assert!(!lines_mentioning("\"POST /api/v1/login HTTP/1.1\" 401").is_empty());
        for needle in [secret, new_secret, "log-canary-wrong-1", &token, &admin.token, "$argon2"] {
            assert_eq!(lines_mentioning(needle), Vec::<String>::new(), "{needle} was logged");
        }
    }
}
