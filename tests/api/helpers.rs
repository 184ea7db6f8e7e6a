//! `TestApp`: the real service on a free port over its own temporary SQLite database,
//! with one helper per endpoint and the personas the tests need.

use std::sync::Arc;

use actix_web::dev::ServerHandle;
use reqwest::header::HeaderMap;
use reqwest::Method;
use roster::config::Settings;
use roster::security::clock::ManualClock;
use roster::startup::Application;
use serde_json::{json, Value};
use tempfile::TempDir;

use crate::backends::{ServerDatabase, TestBackend};

/// The database of one test, removed when the last instance using it is gone.
#[derive(Debug)]
pub struct TestDatabase {
    /// What the database runs on.
    pub backend: TestBackend,
    /// `ROSTER_DATABASE_URL` of the instances.
    pub url: String,
    // Held for their Drop, which removes the database.
    _dir: Option<TempDir>,
    _server: Option<ServerDatabase>,
}

impl TestDatabase {
    /// A new, empty database on the current test's backend.
    pub fn create() -> Arc<Self> {
        let backend = TestBackend::current();
        let database = match backend {
            TestBackend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temp dir");
                let url = format!("sqlite://{}", dir.path().join("roster.db").display());
                Self {
                    backend,
                    url,
                    _dir: Some(dir),
                    _server: None,
                }
            }
            _ => {
                let server = ServerDatabase::create(backend);
                Self {
                    backend,
                    url: server.url.clone(),
                    _dir: None,
                    _server: Some(server),
                }
            }
        };
        Arc::new(database)
    }
}

/// A running Roster instance.
pub struct TestApp {
    pub address: String,
    /// `http://127.0.0.1:port` of `/metrics`, when ROSTER_METRICS_BIND is set.
    pub metrics_address: Option<String>,
    pub client: reqwest::Client,
    pub database: Arc<TestDatabase>,
    handle: ServerHandle,
    database_url: String,
    env: Vec<(String, String)>,
    clock: Arc<ManualClock>,
    accounts: Arc<roster::accounts::Accounts>,
}

/// A logged-in account.
#[derive(Debug, Clone)]
pub struct Persona {
    pub id: i64,
    pub password: String,
    pub token: String,
}

/// How a request body is sent.
pub enum Body {
    None,
    Json(Value),
    Form(Vec<(&'static str, String)>),
    Raw(&'static str, Vec<u8>),
}

/// A response, read completely.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Response {
    /// Asserts a `{code, message}` error with this status and code; returns the message.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: u64) -> String {
        assert_eq!(self.status, status, "status of {:?}", self.text);
        assert_eq!(self.body["code"], json!(code), "code of {:?}", self.text);
        let message = self.body["message"].as_str().expect("a message string");
        assert!(!message.is_empty());
        assert_eq!(
            self.body.as_object().map(|o| o.len()),
            Some(2),
            "only code and message"
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/json")
        );
        message.to_owned()
    }

    /// Asserts a 200 and returns the JSON body.
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, 200, "expected 200, got {:?}", self.text);
        &self.body
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header").to_owned())
    }
}

impl TestApp {
    /// A fresh instance with the default settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A fresh instance with some environment settings changed.
    pub async fn spawn_with(env: &[(&str, &str)]) -> Self {
        let database = TestDatabase::create();
        let url = database.url.clone();
        Self::spawn_on(database, url, env)
    }

    /// A fresh instance reading time from `clock`.
    pub async fn spawn_with_clock(env: &[(&str, &str)], clock: Arc<ManualClock>) -> Self {
        let database = TestDatabase::create();
        let url = database.url.clone();
        Self::start(database, url, owned(env), clock)
    }

    /// An instance on `database`, reaching it through `database_url` (which may lead
    /// through a proxy).
    pub fn spawn_on(
        database: Arc<TestDatabase>,
        database_url: String,
        env: &[(&str, &str)],
    ) -> Self {
        Self::start(
            database,
            database_url,
            owned(env),
            Arc::new(ManualClock::starting_now()),
        )
    }

    fn start(
        database: Arc<TestDatabase>,
        database_url: String,
        env: Vec<(String, String)>,
        clock: Arc<ManualClock>,
    ) -> Self {
        crate::logs::capture();
        let settings = Settings::from_lookup(|name| match name {
            "ROSTER_DATABASE_URL" => Some(database_url.clone()),
            "ROSTER_BIND" => Some("127.0.0.1:0".to_owned()),
            _ => env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
        })
        .expect("valid test settings");
        let app = Application::build_with_clock(&settings, clock.clone())
            .expect("the application starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let metrics_address = app
            .metrics_port()
            .map(|port| format!("http://127.0.0.1:{port}"));
        let handle = app.handle();
        let accounts = app.accounts();
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            metrics_address,
            client: reqwest::Client::new(),
            database,
            handle,
            database_url,
            env,
            clock,
            accounts,
        }
    }

    /// Wakes this instance's mail worker now (after the clock moved past a retry).
    pub fn kick_mail(&self) {
        self.accounts.mail_queued();
    }

    /// Lets time pass for this instance (and its siblings): its clock moves, nobody sleeps.
    pub fn advance(&self, by: std::time::Duration) {
        self.clock.advance(by);
    }

    /// A second instance on the same database, as behind a load balancer.
    pub fn sibling(&self) -> Self {
        Self::start(
            self.database.clone(),
            self.database_url.clone(),
            self.env.clone(),
            self.clock.clone(),
        )
    }

    /// Stops this instance; returns its database, to start another on.
    pub async fn stop(self) -> Arc<TestDatabase> {
        self.handle.stop(true).await;
        self.database
    }

    /// Stops this instance and starts a new one on the same database.
    pub async fn restart(self) -> Self {
        self.handle.stop(true).await;
        Self::start(
            self.database.clone(),
            self.database_url.clone(),
            self.env.clone(),
            self.clock.clone(),
        )
    }

    /// Writes `bytes` on a new connection, then nothing more; returns what the server
    /// wrote before closing the connection, and how long that took after the write.
    pub async fn exchange_raw(&self, bytes: impl AsRef<[u8]>) -> (String, std::time::Duration) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let address = self.address.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream.write_all(bytes.as_ref()).await.unwrap();
        let started = std::time::Instant::now();
        let mut answer = Vec::new();
        // Reading to the end proves the server closed the connection; the bound only keeps
        // a broken server from hanging the test. A reset after the answer counts as a close.
        let read = stream.read_to_end(&mut answer);
        tokio::time::timeout(std::time::Duration::from_secs(10), read)
            .await
            .expect("the server closes the connection")
            .or_else(|e| match e.kind() {
                std::io::ErrorKind::ConnectionReset => Ok(0),
                _ => Err(e),
            })
            .unwrap();
        (
            String::from_utf8_lossy(&answer).into_owned(),
            started.elapsed(),
        )
    }

    /// Sends a request to `/api/v1{path}`.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Body,
    ) -> Response {
        self.raw_request(method, &format!("/api/v1{path}"), token, body)
            .await
    }

    /// Asserts that `GET path` answers a 308 redirect to `location`.
    pub async fn assert_redirect(&self, path: &str, location: &str) {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let answer = client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(answer.status(), 308, "{path}");
        assert_eq!(answer.headers()["location"], location, "{path}");
    }

    /// Sends a request to any path of the server.
    pub async fn raw_request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Body,
    ) -> Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request = match body {
            Body::None => request,
            Body::Json(value) => request.json(&value),
            Body::Form(fields) => request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(fields).expect("form encodes")),
            Body::Raw(content_type, bytes) => {
                request.header("content-type", content_type).body(bytes)
            }
        };
        read(request.send().await.expect("the server answers")).await
    }

    /// Sends `method /api/v1{path}` with exactly these headers (and a JSON body, if
    /// given), following no redirect: for cookies, origins and proxies' headers.
    pub async fn with_headers(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Response {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let mut request = client.request(method, format!("{}/api/v1{path}", self.address));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.expect("the server answers")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token, Body::None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::POST, path, token, Body::Json(body))
            .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::PUT, path, token, Body::Json(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::DELETE, path, token, Body::None).await
    }

    pub async fn register(&self, username: &str, password: &str, email: &str) -> Response {
        let body = json!({"username": username, "password": password, "email": email});
        self.post("/register", None, body).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        let body = json!({"username": username, "password": password});
        self.post("/login", None, body).await
    }

    /// Registers the first user, who becomes admin.
    pub async fn admin(&self) -> Persona {
        let password = "admin-password-1";
        let answer = self.register("admin", password, "admin@example.com").await;
        persona(password, answer.ok())
    }

    /// Has `admin` create a normal user, then logs it in.
    pub async fn user(&self, admin: &Persona, username: &str) -> Persona {
        let password = format!("{username}-glacier-kettle");
        let email = format!("{username}@example.com");
        let body = json!({"username": username, "password": password, "email": email});
        self.put("/users", Some(&admin.token), body).await.ok();
        let answer = self.login(username, &password).await;
        persona(&password, answer.ok())
    }

    /// All users, as an admin sees them.
    pub async fn all_users(&self, admin: &Persona) -> Vec<Value> {
        let answer = self.get("/users?per_page=1000", Some(&admin.token)).await;
        answer.ok().as_array().expect("a list").clone()
    }
}

impl Persona {
    /// A persona known only by its token, for calls that need nothing else.
    pub fn with_token(token: &str) -> Self {
        Self {
            id: 0,
            password: String::new(),
            token: token.to_owned(),
        }
    }
}

async fn read(response: reqwest::Response) -> Response {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a readable body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Response {
        status,
        headers,
        text,
        body,
    }
}

fn persona(password: &str, answer: &Value) -> Persona {
    Persona {
        id: answer["id"].as_i64().expect("an id"),
        password: password.to_owned(),
        token: answer["token"].as_str().expect("a token").to_owned(),
    }
}

fn owned(env: &[(&str, &str)]) -> Vec<(String, String)> {
    env.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Form fields from `(name, value)` pairs.
pub fn form(fields: &[(&'static str, &str)]) -> Body {
    Body::Form(fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
}
