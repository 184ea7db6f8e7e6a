//! Which database a test runs on. `backend_tests!` turns each test into one test per
//! backend compiled in: `name::sqlite`, `name::postgres`, `name::mysql`. SQLite always
//! runs; a server backend runs when its admin URL is set (`ROSTER_TEST_POSTGRES_URL`,
//! `ROSTER_TEST_MYSQL_URL`) and otherwise passes with a note on stderr. `.ci/run` sets
//! both and checks the servers answer, and with `CI` set a missing URL fails the test, so
//! CI never skips one.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use diesel::{Connection, RunQueryDsl};

/// A database backend under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
    #[cfg_attr(not(feature = "mysql"), allow(dead_code))] // built with --features mysql
    Mysql,
}

tokio::task_local! {
    static BACKEND: TestBackend;
}

impl TestBackend {
    /// The backend of the running test (SQLite outside `backend_tests!`).
    pub fn current() -> Self {
        BACKEND.try_with(|b| *b).unwrap_or(Self::Sqlite)
    }

    /// The admin URL of the server, from the environment.
    pub fn admin_url(self) -> Option<String> {
        let name = match self {
            Self::Sqlite => return None,
            Self::Postgres => "ROSTER_TEST_POSTGRES_URL",
            Self::Mysql => "ROSTER_TEST_MYSQL_URL",
        };
        let url = std::env::var(name).ok().filter(|v| !v.is_empty())?;
        // Local test servers need no TLS, and libpq's OpenSSL can crash the test process
        // at exit while pool threads of still-running test servers use it.
        if self == Self::Postgres && !url.contains("sslmode=") {
            let separator = if url.contains('?') { '&' } else { '?' };
            return Some(format!("{url}{separator}sslmode=disable"));
        }
        Some(url)
    }
}

/// Runs `test` with `backend` as the current backend, or skips it when the backend's
/// server is not configured.
pub async fn run_on(backend: TestBackend, test: impl Future<Output = ()>) {
    if backend != TestBackend::Sqlite && backend.admin_url().is_none() {
        // CI must never skip a backend silently.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but the ROSTER_TEST_*_URL of {backend:?} is not"
        );
        eprintln!("skipped on {backend:?}: its ROSTER_TEST_*_URL is not set");
        return;
    }
    BACKEND.scope(backend, test).await;
}

/// Declares tests that run once per backend.
macro_rules! backend_tests {
    ($(async fn $name:ident() $body:block)*) => {$(
        async fn $name() $body

        mod $name {
            #[cfg(feature = "sqlite")]
            #[tokio::test]
            async fn sqlite() {
                use $crate::backends::{run_on, TestBackend};
                run_on(TestBackend::Sqlite, super::$name()).await;
            }

            #[cfg(feature = "postgres")]
            #[tokio::test]
            async fn postgres() {
                use $crate::backends::{run_on, TestBackend};
                run_on(TestBackend::Postgres, super::$name()).await;
            }

            #[cfg(feature = "mysql")]
            #[tokio::test]
            async fn mysql() {
                use $crate::backends::{run_on, TestBackend};
                run_on(TestBackend::Mysql, super::$name()).await;
            }
        }
    )*};
}

/// A database created for one test on a server backend, dropped with this guard.
#[derive(Debug)]
pub struct ServerDatabase {
    backend: TestBackend,
    admin_url: String,
    name: String,
    /// The URL the application uses.
    pub url: String,
}

impl ServerDatabase {
    /// Creates a uniquely named, empty database.
    pub fn create(backend: TestBackend) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let admin_url = backend.admin_url().expect("checked by run_on");
        let name = format!(
            "roster_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        if let Err(e) = execute(backend, &admin_url, &format!("CREATE DATABASE {name}")) {
            panic!("cannot create a test database on {backend:?}: {e}");
        }
        let url = with_path(&admin_url, &name);
        Self {
            backend,
            admin_url,
            name,
            url,
        }
    }
}

impl Drop for ServerDatabase {
    fn drop(&mut self) {
        let sql = match self.backend {
            // FORCE ends the connections the test's servers still hold.
            TestBackend::Postgres => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            _ => format!("DROP DATABASE IF EXISTS {}", self.name),
        };
        // Never panic in drop: it may run while a failed test unwinds.
        if let Err(e) = execute(self.backend, &self.admin_url, &sql) {
            eprintln!("cannot drop test database {}: {e}", self.name);
        }
    }
}

/// `scheme://auth@host:port/old?query` → `scheme://auth@host:port/{database}?query`.
pub fn with_path(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let query = rest
        .split_once('?')
        .map_or(String::new(), |(_, q)| format!("?{q}"));
    format!("{scheme}://{authority}/{database}{query}")
}

fn execute(backend: TestBackend, url: &str, sql: &str) -> Result<usize, String> {
    match backend {
        #[cfg(feature = "postgres")]
        TestBackend::Postgres => diesel::PgConnection::establish(url)
            .map_err(|e| e.to_string())
            .and_then(|mut c| {
                diesel::sql_query(sql)
                    .execute(&mut c)
                    .map_err(|e| e.to_string())
            }),
        #[cfg(feature = "mysql")]
        TestBackend::Mysql => diesel::MysqlConnection::establish(url)
            .map_err(|e| e.to_string())
            .and_then(|mut c| {
                diesel::sql_query(sql)
                    .execute(&mut c)
                    .map_err(|e| e.to_string())
            }),
        other => Err(format!("{other:?} has no server")),
    }
}
