//! Two `roster` processes on one database, as behind a load balancer.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::json;

use crate::helpers::TestDatabase;

/// A `roster serve` process on a free port, killed when dropped.
struct Process {
    child: Child,
    base: String,
}

impl Process {
    fn start(database_url: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .arg("serve")
            .env("ROSTER_DATABASE_URL", database_url)
            .env("ROSTER_BIND", "127.0.0.1:0")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (port_tx, port_rx) = mpsc::channel();
        // Reads the log for the port, then keeps draining it so the process never blocks.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("(port ").nth(1) {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = port_tx.send(port);
                }
            }
        });
        let port = port_rx.recv_timeout(Duration::from_secs(60)).unwrap();
        Self {
            child,
            base: format!("http://127.0.0.1:{port}/api/v1"),
        }
    }
}

impl Process {
    /// Sends SIGTERM and waits (at most `within`) for the exit status.
    fn terminate(&mut self, within: Duration) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "still running after {within:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut request = client.request(method, url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or_default())
}

backend_tests! {
    async fn two_processes_share_tokens_revocations_and_uniqueness() {
        use reqwest::Method;
        let database = TestDatabase::create();
        let (one, two) = (Process::start(&database.url), Process::start(&database.url));
        let client = reqwest::Client::new();

        let body = json!({"username": "admin", "password": "admin-glacier-kettle-1", "email": "admin@example.com"});
        let (status, admin) = call(&client, Method::POST, format!("{}/register", one.base), None, body).await;
        assert_eq!(status, 200, "{admin}");
        let admin = admin["token"].as_str().unwrap().to_owned();

        // A token issued by one process works on the other.
        let (status, me) = call(&client, Method::GET, format!("{}/user", two.base), Some(&admin), json!(null)).await;
        assert_eq!((status, &me["isAdmin"]), (200, &json!(true)));

        // Created on the second, disabled through the first: locked out on the second.
        let body = json!({"username": "alice", "password": "alice-glacier-kettle-1"});
        let (status, alice) = call(&client, Method::PUT, format!("{}/users", two.base), Some(&admin), body).await;
        assert_eq!(status, 200, "{alice}");
        let login = json!({"username": "alice", "password": "alice-glacier-kettle-1"});
        let (_, session) = call(&client, Method::POST, format!("{}/login", two.base), None, login.clone()).await;
        let alice_token = session["token"].as_str().unwrap().to_owned();
        let path = format!("{}/users/{}", one.base, alice["id"]);
        let (status, _) = call(&client, Method::POST, path, Some(&admin), json!({"disabled": true})).await;
        assert_eq!(status, 200);
        let (status, body) = call(&client, Method::GET, format!("{}/user", two.base), Some(&alice_token), json!(null)).await;
        assert_eq!((status, &body["code"]), (401, &json!(2002)));
        let (status, body) = call(&client, Method::POST, format!("{}/login", two.base), None, login).await;
        assert_eq!((status, &body["code"]), (403, &json!(3003)));

        // Racing creates of one name, spread over both processes: exactly one wins.
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..10 {
            let base = if i % 2 == 0 { one.base.clone() } else { two.base.clone() };
            let (client, admin) = (client.clone(), admin.clone());
            tasks.spawn(async move {
                let body = json!({"username": "racer", "password": "racer-glacier-kettle-1"});
                call(&client, Method::PUT, format!("{base}/users"), Some(&admin), body).await
            });
        }
        let answers = tasks.join_all().await;
        let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{answers:?}");
        assert!(answers.iter().all(|(s, b)| *s == 200 || (*s == 400 && b["code"] == json!(1020))), "{answers:?}");
    }

    async fn sigterm_during_a_burst_of_creates_loses_no_acknowledged_write() {
        use reqwest::Method;
        let database = TestDatabase::create();
        let mut server = Process::start(&database.url);
        let client = reqwest::Client::new();
        let body = json!({"username": "admin", "password": "admin-glacier-kettle-1", "email": "admin@example.com"});
        let (_, admin) = call(&client, Method::POST, format!("{}/register", server.base), None, body).await;
        let admin = admin["token"].as_str().unwrap().to_owned();

        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..40 {
            let (client, admin, base) = (client.clone(), admin.clone(), server.base.clone());
            tasks.spawn(async move {
                tokio::time::sleep(Duration::from_millis(i * 5)).await;
                let body = json!({"username": format!("burst{i}"), "password": "burst-glacier-kettle-1"});
                let answer = client.put(format!("{base}/users")).bearer_auth(&admin).json(&body).send().await;
                (i, answer.map(|a| a.status().as_u16()).unwrap_or(0))
            });
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
        let status = server.terminate(Duration::from_secs(30));
        assert!(status.success(), "exit status {status}");
        let answers = tasks.join_all().await;
        let acknowledged: Vec<u64> = answers.iter().filter(|(_, s)| *s == 200).map(|(i, _)| *i).collect();
        assert!(!acknowledged.is_empty(), "{answers:?}");

        let restarted = Process::start(&database.url);
        let (_, users) = call(&client, Method::GET, format!("{}/users?s=burst&per_page=100", restarted.base), Some(&admin), json!(null)).await;
        let stored: Vec<&str> = users.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        for i in acknowledged {
            assert!(stored.contains(&format!("burst{i}").as_str()), "burst{i} was acknowledged but lost");
        }
    }
}

/// Under systemd (`Type=notify`), `roster serve` says `READY=1` on `NOTIFY_SOCKET` once it
/// listens: the unit counts as started only then.
#[test]
fn serve_tells_systemd_when_it_listens() {
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let database = dir.path().join("roster.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("serve")
        .env(
            "ROSTER_DATABASE_URL",
            format!("sqlite://{}", database.display()),
        )
        .env("ROSTER_BIND", "127.0.0.1:0")
        .env("NOTIFY_SOCKET", &socket_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut message = [0u8; 512];
    let received = socket.recv(&mut message);
    child.kill().unwrap();
    child.wait().unwrap();
    let text = String::from_utf8_lossy(&message[..received.unwrap()]).into_owned();
    assert!(text.lines().any(|l| l == "READY=1"), "{text}");
    assert!(text.contains("STATUS=listening on 127.0.0.1:0"), "{text}");
}
