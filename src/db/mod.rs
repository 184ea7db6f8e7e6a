//! The database: connection type, pool, per-connection settings and migrations.
//!
//! Everything backend-specific lives here, so a second backend is a change to this module
//! (and its migrations folder), not to the queries in `models`.

pub mod schema;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::config::DatabaseUrl;

/// The connection every query runs on.
pub type Conn = SqliteConnection;

/// The backend of [`Conn`].
pub type Backend = diesel::sqlite::Sqlite;

/// A pool of [`Conn`].
pub type Pool = r2d2::Pool<ConnectionManager<Conn>>;

/// Migrations compiled into the binary and applied at start-up.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// How long a request waits for a free pooled connection before giving up.
const POOL_TIMEOUT: Duration = Duration::from_secs(10);

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
    /// No connection could be made.
    #[error("cannot open the database: {0}")]
    Connect(#[from] r2d2::Error),
    /// The database file could not be opened or set up.
    #[error("cannot open the database: {0}")]
    Open(String),
    /// A migration failed.
    #[error("cannot migrate the database: {0}")]
    Migrate(Box<dyn std::error::Error + Send + Sync>),
}

/// Opens a pool on the database, checking that a first connection can be made.
pub fn connect(url: &DatabaseUrl) -> Result<Pool, DbError> {
    let DatabaseUrl::Sqlite(path) = url;
    let path = path.to_string_lossy();
    enable_wal(&path)?;
    let manager = ConnectionManager::<Conn>::new(path);
    let pool = r2d2::Pool::builder()
        .connection_timeout(POOL_TIMEOUT)
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)?;
    Ok(pool)
}

/// Applies the migrations that have not run yet; returns how many ran.
pub fn migrate(pool: &Pool) -> Result<usize, DbError> {
    let mut conn = pool.get()?;
    let applied = conn
        .run_pending_migrations(MIGRATIONS)
        .map_err(DbError::Migrate)?;
    Ok(applied.len())
}

/// Runs `f` in a transaction that takes the write lock up front.
///
/// SQLite's default (deferred) transaction that reads and then writes fails at once with
/// "database is locked" when another writer got in between; `BEGIN IMMEDIATE` waits for
/// the lock instead (busy_timeout), so read-check-write sequences are serialised.
pub fn write_transaction<T, E>(
    conn: &mut Conn,
    f: impl FnOnce(&mut Conn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    conn.immediate_transaction(f)
}

/// Switches the database file to WAL once, before the pool opens its connections: the
/// switch needs an exclusive lock, and connections racing for it can fail with "database
/// is locked" whatever the busy timeout. WAL mode is stored in the file.
fn enable_wal(path: &str) -> Result<(), DbError> {
    let mut conn = Conn::establish(path).map_err(|e| DbError::Open(e.to_string()))?;
    conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")
        .map_err(|e| DbError::Open(e.to_string()))
}

/// Sets the SQLite PRAGMAs on every new connection.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<Conn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        // One batch, since sql_query would run only the first statement. busy_timeout
        // makes writers wait for the lock instead of failing; synchronous=FULL makes a
        // commit durable before the client is answered.
        conn.batch_execute(
            "PRAGMA busy_timeout = 10000;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}
