//! The database: connection type, pool, per-connection settings, migrations, the write
//! transaction and the blocking helper ([`Store`]). Everything backend-specific lives here; `models` uses only portable DSL.

mod connection;
mod error;
pub mod maintenance;
mod readers;
pub mod schema;
mod store;

use std::time::{Duration, Instant};

#[cfg(feature = "sqlite")]
use diesel::connection::AnsiTransactionManager;
use diesel::connection::TransactionManager;
use diesel::{Connection, ExpressionMethods, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use connection::{AnyConnection, MultiBackend};
pub use error::StoreError;
pub use store::{Read, Store};

use crate::config::{DatabaseUrl, Settings};

/// The connection every query runs on.
pub type Conn = AnyConnection;

/// The backend of [`Conn`].
pub type Backend = MultiBackend;

/// A pool of [`Conn`].
pub type Pool = r2d2::Pool<connection::Manager>;

#[cfg(feature = "sqlite")]
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
#[cfg(feature = "postgres")]
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
#[cfg(feature = "mysql")]
const MYSQL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/mysql");

diesel::define_sql_function! {
    /// SQL `lower()`, available on every backend (unlike `ILIKE` or `COLLATE NOCASE`).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// SQL `lower()` of a nullable column.
    #[sql_name = "lower"]
    fn lower_nullable(
        x: diesel::sql_types::Nullable<diesel::sql_types::Text>
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// Why the database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection could be made within the start-up wait.
    #[error("cannot connect to the database {url}: {reason}")]
    Connect {
        /// The URL, password masked.
        url: String,
        /// The last error.
        reason: String,
    },
    /// A migration failed.
    #[error("cannot migrate the database: {0}")]
    Migrate(String),
    /// The reader threads could not be started.
    #[error("cannot start the database reader threads: {0}")]
    Readers(std::io::Error),
}

/// The server's store over `pool`: on SQLite with a reader thread per async worker
/// (`workers`) for the lookups every request makes.
pub fn server_store(settings: &Settings, pool: Pool, workers: usize) -> Result<Store, DbError> {
    let readers = match &settings.database_url {
        DatabaseUrl::Sqlite(_) => Some(std::sync::Arc::new(
            readers::Readers::start(
                workers,
                connection::Manager::new(settings.database_url.clone(), settings.db_timeout),
            )
            .map_err(DbError::Readers)?,
        )),
        _ => None,
    };
    Ok(Store::Pool {
        pool,
        deadline: settings.db_timeout,
        readers,
    })
}

/// Opens one connection, without a pool, for commands that run and exit. (A pool keeps
/// background threads that would still be using the client library while the process
/// exits.) Retries like [`connect`].
pub fn connect_one(settings: &Settings) -> Result<Conn, DbError> {
    let url = &settings.database_url;
    let deadline = Instant::now() + settings.db_startup_wait;
    loop {
        match bounded_attempt(settings) {
            Ok(conn) => return Ok(conn),
            Err(reason) if Instant::now() >= deadline => {
                return Err(DbError::Connect {
                    url: url.to_string(),
                    reason,
                })
            }
            Err(reason) => {
                log::warn!("database {url} not reachable yet ({reason}); retrying");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

/// Opens a pool on the configured database. Retries an unreachable database for
/// `db_startup_wait`, then gives up with the (masked) URL and the last error.
pub fn connect(settings: &Settings) -> Result<Pool, DbError> {
    let url = &settings.database_url;
    let pool_size = settings.db_pool_size.unwrap_or(match url {
        // SQLite has one writer at a time; a few readers beside it are plenty.
        DatabaseUrl::Sqlite(_) => 8,
        DatabaseUrl::Postgres(_) | DatabaseUrl::Mysql(_) => 10,
    });
    drop(connect_one(settings)?);
    // Connections are opened on demand, so a database that goes away later costs requests
    // a 503 (after db_timeout), not the process.
    Ok(r2d2::Pool::builder()
        .max_size(pool_size)
        .min_idle(Some(1))
        .connection_timeout(settings.db_timeout)
        // A server's connection can die with the server or the network; the ping finds it
        // before a request does. An embedded SQLite connection cannot, and the ping would
        // be a second statement on every request.
        .test_on_check_out(!matches!(url, DatabaseUrl::Sqlite(_)))
        .build_unchecked(connection::Manager::new(url.clone(), settings.db_timeout)))
}

/// One connection attempt, given at most `ROSTER_DB_TIMEOUT` (at least a second): a frozen
/// server accepts the TCP connection and then answers nothing, which would hang start-up.
/// The attempt runs on a thread of its own that is left behind if it never returns.
fn bounded_attempt(settings: &Settings) -> Result<Conn, String> {
    let wait = settings.db_timeout.max(Duration::from_secs(1));
    let (sender, receiver) = std::sync::mpsc::channel();
    let owned = settings.clone();
    std::thread::spawn(move || {
        // The receiver may have given up; then nobody needs the answer.
        let _ = sender.send(first_connection(&owned));
    });
    receiver
        .recv_timeout(wait)
        .unwrap_or_else(|_| Err(format!("no answer within {wait:?}")))
}

/// Opens one connection; for SQLite also switches the file to WAL. The switch needs an
/// exclusive lock, and pooled connections racing for it can fail with "database is
/// locked" whatever the busy timeout; WAL mode is stored in the file, so once is enough.
fn first_connection(settings: &Settings) -> Result<Conn, String> {
    use r2d2::ManageConnection;
    let manager = connection::Manager::new(settings.database_url.clone(), settings.db_timeout);
    let mut conn = manager.connect().map_err(|e| e.to_string())?;
    #[cfg(feature = "sqlite")]
    if let AnyConnection::Sqlite(sqlite) = &mut conn {
        use diesel::connection::SimpleConnection;
        sqlite
            .batch_execute("PRAGMA journal_mode = WAL;")
            .map_err(|e| e.to_string())?;
    }
    manager.is_valid(&mut conn).map_err(|e| e.to_string())?;
    Ok(conn)
}

/// Applies the migrations that have not run yet; returns how many ran. Instances starting
/// together on a new database take turns: each holds a lock while it migrates, so the
/// others find the work done instead of failing on "table already exists".
pub fn migrate(conn: &mut Conn) -> Result<usize, DbError> {
    let applied = match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => c.immediate_transaction(|c| {
            c.run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.len())
                .map_err(MigrateFailure::Migration)
        }),
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => {
            // A migration may rewrite or index every row of a big table, which takes longer
            // than any request may (1,000,000 users: ~30 s): no statement timeout while
            // migrating; the connection's own is put back after.
            let previous = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
                "current_setting('statement_timeout')",
            ))
            .get_result::<String>(c)
            .map_err(|e| DbError::Migrate(e.to_string()))?;
            with_lock(
                c,
                "SET statement_timeout = 0; SELECT pg_advisory_lock(7270736572)",
                &format!(
                    "SELECT pg_advisory_unlock(7270736572); SET statement_timeout = '{}'",
                    previous.replace('\'', "''")
                ),
                |c| {
                    c.run_pending_migrations(POSTGRES_MIGRATIONS)
                        .map(|v| v.len())
                },
            )
        }
        #[cfg(feature = "mysql")]
        AnyConnection::Mysql(c) => with_lock(
            c,
            "DO GET_LOCK('roster_migrations', 300)",
            "DO RELEASE_LOCK('roster_migrations')",
            |c| c.run_pending_migrations(MYSQL_MIGRATIONS).map(|v| v.len()),
        ),
    };
    applied.map_err(|e| DbError::Migrate(e.to_string()))
}

/// A migration run that failed, in the database or in a migration.
#[derive(Debug, thiserror::Error)]
enum MigrateFailure {
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error("{0}")]
    Migration(Box<dyn std::error::Error + Send + Sync>),
}

/// Runs `migrate` between the SQL that takes and releases a session-level lock.
#[cfg(any(feature = "postgres", feature = "mysql"))]
fn with_lock<C: diesel::connection::SimpleConnection>(
    conn: &mut C,
    lock: &str,
    unlock: &str,
    migrate: impl FnOnce(&mut C) -> Result<usize, Box<dyn std::error::Error + Send + Sync>>,
) -> Result<usize, MigrateFailure> {
    conn.batch_execute(lock)?;
    let result = migrate(conn).map_err(MigrateFailure::Migration);
    conn.batch_execute(unlock)?;
    result
}

/// Runs `f` in a transaction that holds the write lock from its first statement, so
/// read-check-write sequences (first user is admin, last-admin guard) are serialised on
/// every backend:
/// - SQLite: `BEGIN IMMEDIATE`. A deferred transaction that reads and then writes fails
///   at once with "database is locked" when another writer got in between.
/// - PostgreSQL, MariaDB: the row of `write_lock` is updated first, which blocks other
///   writers until commit (bounded by the lock timeout), while readers go on.
pub fn write_transaction<T, E>(
    conn: &mut Conn,
    f: impl FnOnce(&mut Conn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(sqlite) => {
            AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
        }
        #[allow(unreachable_patterns)] // reachable only when a server backend is built in
        _ => {
            <Conn as Connection>::TransactionManager::begin_transaction(conn)?;
            let locked = diesel::update(schema::write_lock::table)
                .set(schema::write_lock::generation.eq(schema::write_lock::generation + 1))
                .execute(conn);
            if let Err(e) = locked {
                let _ = <Conn as Connection>::TransactionManager::rollback_transaction(conn);
                return Err(e.into());
            }
        }
    }
    match f(conn) {
        Ok(value) => {
            <Conn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            // The error of `f` is the one worth reporting; a failed rollback leaves the
            // connection broken, which the pool then discards.
            let _ = <Conn as Connection>::TransactionManager::rollback_transaction(conn);
            Err(error)
        }
    }
}

/// Lets the current transaction commit without waiting for its write to reach disk, where
/// the backend allows it per transaction (PostgreSQL's `synchronous_commit`): for rows whose
/// loss in a database crash does no harm. Elsewhere a no-op.
pub fn skip_commit_flush(conn: &mut Conn) -> Result<(), diesel::result::Error> {
    #[cfg(feature = "postgres")]
    #[allow(irrefutable_let_patterns)] // when PostgreSQL is the only backend built in
    if let AnyConnection::Postgres(pg) = conn {
        use diesel::connection::SimpleConnection;
        pg.batch_execute("SET LOCAL synchronous_commit TO OFF")?;
    }
    #[cfg(not(feature = "postgres"))]
    let _ = conn;
    Ok(())
}
