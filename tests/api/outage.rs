//! A database that goes away: requests get a JSON 503, `/info` keeps answering, and
//! service resumes by itself. Server backends only: the database is reached through a
//! proxy the test can cut.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use roster::config::Settings;
use roster::startup::Application;

use reqwest::Method;

use crate::helpers::{Body, TestApp, TestDatabase};

/// A TCP proxy on its own thread; `set_up(false)` cuts every connection and refuses new
/// ones until `set_up(true)`.
struct CuttableProxy {
    addr: SocketAddr,
    up: tokio::sync::watch::Sender<bool>,
}

impl CuttableProxy {
    fn start(target: String) -> Self {
        let (up, watch) = tokio::sync::watch::channel(true);
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                loop {
                    let Ok((mut inbound, _)) = listener.accept().await else {
                        return;
                    };
                    let mut watch = watch.clone();
                    if !*watch.borrow() {
                        continue; // dropped: the connection is refused
                    }
                    let target = target.clone();
                    tokio::spawn(async move {
                        let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else {
                            return;
                        };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                            _ = watch.wait_for(|up| !*up) => {}
                        }
                    });
                }
            });
        });
        let addr = addr_rx.recv_timeout(Duration::from_secs(5)).unwrap();
        Self { addr, up }
    }

    fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }
}

/// `host:port` of a server URL, with the backend's default port.
fn host_port(url: &str, default_port: u16) -> String {
    let rest = url.split_once("://").unwrap().1;
    let authority = rest.split(['/', '?']).next().unwrap();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:{default_port}")
    }
}

/// The URL with its host and port replaced by `addr`.
fn through(url: &str, addr: SocketAddr) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let userinfo = authority.rsplit_once('@').map(|(u, _)| format!("{u}@"));
    format!("{scheme}://{}{addr}{path}", userinfo.unwrap_or_default())
}

async fn outage_and_recovery(default_port: u16) {
    let database = TestDatabase::create();
    let proxy = CuttableProxy::start(host_port(&database.url, default_port));
    let url = through(&database.url, proxy.addr);
    let app = TestApp::spawn_on(database, url, &[("ROSTER_DB_TIMEOUT", "1s")]);
    let admin = app.admin().await;
    app.get("/user", Some(&admin.token)).await.ok();

    proxy.set_up(false);
    let answer = app.get("/user", Some(&admin.token)).await;
    answer.assert_error(503, 5030);
    app.login("admin", &admin.password)
        .await
        .assert_error(503, 5030);
    app.get("/users", Some(&admin.token))
        .await
        .assert_error(503, 5030);
    app.get("/info", None).await.ok();
    let ready = app
        .raw_request(Method::GET, "/health/ready", None, Body::None)
        .await;
    ready.assert_error(503, 5030);
    let live = app
        .raw_request(Method::GET, "/health/live", None, Body::None)
        .await;
    live.ok();

    proxy.set_up(true);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answer = app.get("/user", Some(&admin.token)).await;
        if answer.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "no recovery: {answer:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.login("admin", &admin.password).await.ok();
    assert_eq!(app.all_users(&admin).await.len(), 1);
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_outage_gives_503_and_recovers() {
    use crate::backends::{run_on, TestBackend};
    run_on(TestBackend::Postgres, outage_and_recovery(5432)).await;
}

#[cfg(feature = "mysql")]
#[tokio::test]
async fn mysql_outage_gives_503_and_recovers() {
    use crate::backends::{run_on, TestBackend};
    run_on(TestBackend::Mysql, outage_and_recovery(3306)).await;
}

/// Start-up retries for ROSTER_DB_STARTUP_WAIT, then fails naming the URL, password masked.
#[test]
fn start_up_gives_up_on_an_unreachable_database_naming_it() {
    let mut urls = vec![];
    if cfg!(feature = "postgres") {
        urls.push((
            "postgres://roster:hunter2@127.0.0.1:1/roster",
            "postgres://roster:***@127.0.0.1:1/roster",
        ));
    }
    if cfg!(feature = "mysql") {
        urls.push((
            "mysql://roster:hunter2@127.0.0.1:1/roster",
            "mysql://roster:***@127.0.0.1:1/roster",
        ));
    }
    for (url, shown) in urls {
        let settings = Settings::from_lookup(|name| match name {
            "ROSTER_DATABASE_URL" => Some(url.to_owned()),
            "ROSTER_BIND" => Some("127.0.0.1:0".to_owned()),
            "ROSTER_DB_STARTUP_WAIT" => Some("1s".to_owned()),
            _ => None,
        })
        .unwrap();
        let started = Instant::now();
        let Err(error) = Application::build(&settings) else {
            panic!("started against {url}");
        };
        let message = error.to_string();
        assert!(message.contains(shown), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "it retried for the wait"
        );
    }
}
