//! What reaches the log: every line the service writes, captured in this process.

use std::sync::{Mutex, Once};

use roster::logging::{self, LogFormat};
use serde_json::{json, Value};

use crate::helpers::{Body, TestApp};
use reqwest::Method;

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Where the service's logger writes: complete lines go to `LINES`.
struct Capture(String);

impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.push_str(&String::from_utf8_lossy(bytes));
        while let Some(end) = self.0.find('\n') {
            let line: String = self.0.drain(..=end).collect();
            LINES.lock().unwrap().push(line.trim_end().to_owned());
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the service's own logger, in its JSON form, writing into `LINES` (once per
/// test process).
pub fn capture() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let logger = logging::builder(LogFormat::Json, "info")
            .target(env_logger::Target::Pipe(Box::new(Capture(String::new()))))
            .build();
        log::set_max_level(logger.filter());
        log::set_boxed_logger(Box::new(logger)).unwrap();
    });
}

/// The raw lines holding `needle`.
pub fn lines_mentioning(needle: &str) -> Vec<String> {
    LINES
        .lock()
        .unwrap()
        .iter()
        .filter(|line| line.contains(needle))
        .cloned()
        .collect()
}

/// Every line, parsed: each must be one JSON object.
fn parsed_lines() -> Vec<Value> {
    let lines = LINES.lock().unwrap().clone();
    lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// The parsed lines whose message holds `needle`.
fn messages_mentioning(needle: &str) -> Vec<Value> {
    parsed_lines()
        .into_iter()
        .filter(|line| line["message"].as_str().is_some_and(|m| m.contains(needle)))
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
        assert!(!messages_mentioning("login.failed actor=- target=").is_empty());
        assert!(!messages_mentioning("username=\"canary\"").is_empty());
        assert!(!messages_mentioning("\"POST /api/v1/login HTTP/1.1\" 401").is_empty());
        for needle in [secret, new_secret, "log-canary-wrong-1", &token, &admin.token, "$argon2"] {
            assert_eq!(lines_mentioning(needle), Vec::<String>::new(), "{needle} was logged");
        }
    }

    async fn every_line_of_a_request_carries_its_id_and_client_address() {
        let app = TestApp::spawn().await;
        app.admin().await;
        // Unique in this process, whose log every test shares.
        let id = format!("trace-login-{}", app.address.rsplit(':').next().unwrap());
        // A forged X-Forwarded-For from an untrusted peer: the client is the peer.
        let answer = app
            .client
            .post(format!("{}/api/v1/login", app.address))
            .header("x-request-id", &id)
            .header("x-forwarded-for", "203.0.113.66")
            .json(&json!({"username": "admin", "password": "wrong-password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 401);
        assert_eq!(answer.headers()["x-request-id"], id.as_str());
        let text = answer.text().await.unwrap();

        let lines: Vec<Value> = parsed_lines()
            .into_iter()
            .filter(|line| line["request_id"] == id.as_str())
            .collect();
        let targets: Vec<&str> = lines.iter().map(|l| l["target"].as_str().unwrap()).collect();
        assert_eq!(targets, ["roster::audit", "roster::access"], "{lines:#?}");
        for line in &lines {
            assert_eq!(line["client_ip"], "127.0.0.1", "{line}");
            assert_eq!(line["level"], "INFO");
            assert!(line["time"].as_str().unwrap().ends_with('Z'), "{line}");
        }
        let access = &lines[1];
        assert_eq!(access["message"], "\"POST /api/v1/login HTTP/1.1\" 401");
        assert_eq!((&access["method"], &access["route"]), (&json!("POST"), &json!("/api/v1/login")));
        assert_eq!(access["status"], 401);
        assert_eq!(access["bytes"], json!(text.len()));
        assert!(access["duration_ms"].as_i64().is_some_and(|ms| ms >= 0), "{access}");
        // Health probes write no access line.
        app.raw_request(Method::GET, "/health/live", None, Body::None).await;
        assert!(messages_mentioning("/health/live").is_empty());
    }
}
