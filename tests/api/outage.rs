//! A database that goes away: requests get a JSON 503, `/info` keeps answering, and
//! service resumes by itself. Server backends only: the database is reached through a
//! proxy the test can cut.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use roster::config::Settings;
use roster::startup::Application;

use reqwest::Method;

use crate::helpers::{Body, Persona, TestApp, TestDatabase};

/// What the proxy does with the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Forwards every byte.
    Up,
    /// Keeps every connection open and accepts new ones, but forwards nothing: a database
    /// server stopped by SIGSTOP, as the client sees it.
    Frozen,
    /// Cuts every connection and refuses new ones.
    Down,
}

/// A TCP proxy on its own thread, between Roster and the database server.
struct CuttableProxy {
    addr: SocketAddr,
    mode: tokio::sync::watch::Sender<Mode>,
}

/// Copies `from` to `to` while the mode allows: held while frozen, ended when down.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut mode: tokio::sync::watch::Receiver<Mode>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = tokio::select! {
            read = from.read(&mut buffer) => read,
            _ = mode.wait_for(|m| *m == Mode::Down) => return,
        };
        let Ok(n @ 1..) = read else { return };
        match mode.wait_for(|m| *m != Mode::Frozen).await.map(|m| *m) {
            Ok(Mode::Up) => {}
            _ => return,
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}

impl CuttableProxy {
    fn start(target: String) -> Self {
        let (mode, watch) = tokio::sync::watch::channel(Mode::Up);
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
                    let Ok((inbound, _)) = listener.accept().await else {
                        return;
                    };
                    let mut watch = watch.clone();
                    if *watch.borrow() == Mode::Down {
                        continue; // dropped: the connection is refused
                    }
                    let target = target.clone();
                    tokio::spawn(async move {
                        // A frozen server accepts, and answers nothing until it thaws.
                        match watch.wait_for(|m| *m != Mode::Frozen).await.map(|m| *m) {
                            Ok(Mode::Up) => {}
                            _ => return,
                        }
                        let Ok(outbound) = tokio::net::TcpStream::connect(target).await else {
                            return;
                        };
                        let (in_read, in_write) = inbound.into_split();
                        let (out_read, out_write) = outbound.into_split();
                        tokio::join!(
                            pipe(in_read, out_write, watch.clone()),
                            pipe(out_read, in_write, watch),
                        );
                    });
                }
            });
        });
        let addr = addr_rx.recv_timeout(Duration::from_secs(5)).unwrap();
        Self { addr, mode }
    }

    fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
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

/// Waits (at most 20 s) until the admin's reads work again, then logs in.
async fn service_resumes(app: &TestApp, admin: &Persona) {
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
}

async fn outage_and_recovery(default_port: u16) {
    let database = TestDatabase::create();
    let proxy = CuttableProxy::start(host_port(&database.url, default_port));
    let url = through(&database.url, proxy.addr);
    let app = TestApp::spawn_on(database, url, &[("ROSTER_DB_TIMEOUT", "1s")]);
    let admin = app.admin().await;
    app.get("/user", Some(&admin.token)).await.ok();

    proxy.set(Mode::Down);
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

    proxy.set(Mode::Up);
    service_resumes(&app, &admin).await;
    assert_eq!(app.all_users(&admin).await.len(), 1);
}

/// A database server that stops answering (SIGSTOP, a hung host): every request, login
/// and readiness check is answered 503 within its bound instead of hanging, and service
/// resumes when the server does.
async fn frozen_and_thawed(default_port: u16) {
    let database = TestDatabase::create();
    let proxy = CuttableProxy::start(host_port(&database.url, default_port));
    let url = through(&database.url, proxy.addr);
    let app = TestApp::spawn_on(database, url.clone(), &[("ROSTER_DB_TIMEOUT", "1s")]);
    let admin = app.admin().await;
    app.get("/user", Some(&admin.token)).await.ok();

    proxy.set(Mode::Frozen);
    let bounded = |started: Instant, what: &str, most: Duration| {
        let took = started.elapsed();
        assert!(took <= most, "{what} took {took:?}, more than {most:?}");
    };
    let started = Instant::now();
    app.get("/user", Some(&admin.token))
        .await
        .assert_error(503, 5030);
    bounded(started, "a read", Duration::from_millis(2500));
    let started = Instant::now();
    app.login("admin", &admin.password)
        .await
        .assert_error(503, 5030);
    bounded(started, "a login", Duration::from_millis(2500));
    let started = Instant::now();
    let ready = app
        .raw_request(Method::GET, "/health/ready", None, Body::None)
        .await;
    ready.assert_error(503, 5030);
    bounded(started, "readiness", Duration::from_millis(2000));
    app.get("/info", None).await.ok();

    // Start-up against the frozen server gives up after its wait, with a message.
    let settings = Settings::from_lookup(|name| match name {
        "ROSTER_DATABASE_URL" => Some(url.clone()),
        "ROSTER_BIND" => Some("127.0.0.1:0".to_owned()),
        "ROSTER_DB_TIMEOUT" => Some("1s".to_owned()),
        "ROSTER_DB_STARTUP_WAIT" => Some("1s".to_owned()),
        _ => None,
    })
    .unwrap();
    let started = Instant::now();
    let starting = tokio::task::spawn_blocking(move || Application::build(&settings).err());
    let error = starting
        .await
        .unwrap()
        .expect("start-up fails against a frozen database");
    assert!(error.to_string().contains("no answer within"), "{error}");
    bounded(started, "start-up", Duration::from_secs(5));

    proxy.set(Mode::Up);
    service_resumes(&app, &admin).await;
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_frozen_gives_503_in_time_and_recovers() {
    use crate::backends::{run_on, TestBackend};
    run_on(TestBackend::Postgres, frozen_and_thawed(5432)).await;
}

#[cfg(feature = "mysql")]
#[tokio::test]
async fn mysql_frozen_gives_503_in_time_and_recovers() {
    use crate::backends::{run_on, TestBackend};
    run_on(TestBackend::Mysql, frozen_and_thawed(3306)).await;
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
