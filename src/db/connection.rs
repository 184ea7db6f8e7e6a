//! `AnyConnection`: one connection type over every backend compiled in, chosen at run time
//! from the URL (diesel's `MultiConnection`), and the r2d2 manager that opens it.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::R2D2Connection;
use diesel::Connection;

use crate::config::DatabaseUrl;

/// Declares `AnyConnection` with the given variants. The derive cannot skip `#[cfg]`
/// variants, so each combination of backend features gets its own declaration.
macro_rules! any_connection {
    ($($variant:ident($connection:ty)),+ $(,)?) => {
        /// A connection to whichever backend the URL named.
        #[derive(diesel::MultiConnection)]
        pub enum AnyConnection {
            $(
                #[doc = concat!("A ", stringify!($variant), " connection.")]
                $variant($connection),
            )+
        }
    };
}

#[cfg(all(feature = "sqlite", feature = "postgres", feature = "mysql"))]
any_connection!(
    Sqlite(diesel::SqliteConnection),
    Postgres(diesel::PgConnection),
    Mysql(diesel::MysqlConnection),
);
#[cfg(all(feature = "sqlite", feature = "postgres", not(feature = "mysql")))]
any_connection!(
    Sqlite(diesel::SqliteConnection),
    Postgres(diesel::PgConnection)
);
#[cfg(all(feature = "sqlite", not(feature = "postgres"), feature = "mysql"))]
any_connection!(
    Sqlite(diesel::SqliteConnection),
    Mysql(diesel::MysqlConnection)
);
#[cfg(all(not(feature = "sqlite"), feature = "postgres", feature = "mysql"))]
any_connection!(
    Postgres(diesel::PgConnection),
    Mysql(diesel::MysqlConnection)
);
#[cfg(all(feature = "sqlite", not(feature = "postgres"), not(feature = "mysql")))]
any_connection!(Sqlite(diesel::SqliteConnection));
#[cfg(all(not(feature = "sqlite"), feature = "postgres", not(feature = "mysql")))]
any_connection!(Postgres(diesel::PgConnection));
#[cfg(all(not(feature = "sqlite"), not(feature = "postgres"), feature = "mysql"))]
any_connection!(Mysql(diesel::MysqlConnection));
#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!("enable at least one database feature: sqlite, postgres or mysql");

/// Runs `$body` with `$c` bound to the backend's own connection inside an
/// [`AnyConnection`]. For the queries on every request: diesel reuses prepared statements
/// on a concrete connection, while through `MultiConnection` each run parses the SQL anew.
/// (Those queries also avoid `.first()`: SQLite re-prepares a statement whenever its
/// `LIMIT ?` is bound, so a key lookup uses `get_result` instead.)
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            #[cfg(feature = "sqlite")]
            $crate::db::AnyConnection::Sqlite($c) => $body,
            #[cfg(feature = "postgres")]
            $crate::db::AnyConnection::Postgres($c) => $body,
            #[cfg(feature = "mysql")]
            $crate::db::AnyConnection::Mysql($c) => $body,
        }
    };
}

impl AnyConnection {
    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        #[cfg(feature = "postgres")]
        if let Self::Postgres(_) = self {
            return true;
        }
        false
    }

    /// Whether this is the embedded SQLite, where some queries take their own form.
    pub fn is_sqlite(&self) -> bool {
        #[cfg(feature = "sqlite")]
        if let Self::Sqlite(_) = self {
            return true;
        }
        false
    }
}

/// `url` with libpq's `connect_timeout` (whole seconds, at least 2, libpq's minimum) unless
/// it sets one: a server that accepts the connection but never answers is given up on.
#[cfg(feature = "postgres")]
fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let seconds = timeout.as_secs().max(2);
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={seconds}")
}

/// Opens connections for the pool and checks them before reuse.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
    timeout: Duration,
}

impl Manager {
    /// A manager for `url`; `timeout` bounds lock waits and statements on each connection.
    pub fn new(url: DatabaseUrl, timeout: Duration) -> Self {
        Self { url, timeout }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        let millis = self.timeout.as_millis();
        // Settings go in one batch_execute: sql_query would run only the first statement.
        let (mut conn, settings) = match &self.url {
            #[cfg(feature = "sqlite")]
            DatabaseUrl::Sqlite(path) => {
                let conn = diesel::SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // busy_timeout: writers wait for the lock instead of failing.
                // synchronous=FULL: a commit is durable before the client is answered.
                let settings = format!(
                    "PRAGMA busy_timeout = {millis}; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON;"
                );
                (AnyConnection::Sqlite(conn), settings)
            }
            #[cfg(feature = "postgres")]
            DatabaseUrl::Postgres(url) => {
                let url = with_connect_timeout(url, self.timeout);
                let conn = diesel::PgConnection::establish(&url)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                let settings = format!(
                    "SET statement_timeout = {millis}; SET lock_timeout = {millis}; \
                     SET idle_in_transaction_session_timeout = {};",
                    millis * 2
                );
                (AnyConnection::Postgres(conn), settings)
            }
            #[cfg(feature = "mysql")]
            DatabaseUrl::Mysql(url) => {
                let conn = diesel::MysqlConnection::establish(url)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                let seconds = self.timeout.as_secs().max(1);
                let settings = format!("SET SESSION innodb_lock_wait_timeout = {seconds};");
                (AnyConnection::Mysql(conn), settings)
            }
            #[allow(unreachable_patterns)] // reachable only when a backend is left out
            other => {
                let message = format!("this build has no support for {other}");
                return Err(diesel::r2d2::Error::ConnectionError(
                    diesel::ConnectionError::BadConnection(message),
                ));
            }
        };
        conn.batch_execute(&settings)
            .map_err(diesel::r2d2::Error::QueryError)?;
        #[cfg(feature = "mysql")]
        if let AnyConnection::Mysql(mysql) = &mut conn {
            let seconds = self.timeout.as_secs_f64();
            // Ignored on MySQL, which lacks the variable; MariaDB honours it.
            let _ = mysql.batch_execute(&format!("SET SESSION max_statement_time = {seconds}"));
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        match conn {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(c) => c.ping(),
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(c) => c.ping(),
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(c) => c.ping(),
        }
        .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        match conn {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(c) => c.is_broken(),
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(c) => c.is_broken(),
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(c) => c.is_broken(),
        }
    }
}

#[cfg(all(test, feature = "postgres"))]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_get_a_connect_timeout_unless_they_set_one() {
        let five = Duration::from_secs(5);
        assert_eq!(
            with_connect_timeout("postgres://u@h/db", five),
            "postgres://u@h/db?connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout(
                "postgres://u@h/db?sslmode=disable",
                Duration::from_millis(300)
            ),
            "postgres://u@h/db?sslmode=disable&connect_timeout=2"
        );
        let own = "postgres://u@h/db?connect_timeout=30";
        assert_eq!(with_connect_timeout(own, five), own);
    }
}
