//! Operator work on the database itself: which migrations ran, reverting the last one, and
//! the SQLite file's backup and restore. Backend-specific, like the rest of `db`.

use std::path::{Path, PathBuf};

use diesel::migration::{MigrationSource, Result as MigrationResult};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use super::{AnyConnection, Conn, DbError};
use crate::config::DatabaseUrl;

/// A migration of this build, and whether the database has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    /// Its name, `2026-11-23-000000_create_users`.
    pub name: String,
    /// Whether it ran.
    pub applied: bool,
}

/// Every migration this build knows, oldest first, with whether it ran.
pub fn migration_status(conn: &mut Conn) -> Result<Vec<MigrationState>, DbError> {
    let status = match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => status_of(c, super::SQLITE_MIGRATIONS),
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => status_of(c, super::POSTGRES_MIGRATIONS),
        #[cfg(feature = "mysql")]
        AnyConnection::Mysql(c) => status_of(c, super::MYSQL_MIGRATIONS),
    };
    status.map_err(|e| DbError::Migrate(e.to_string()))
}

fn status_of<C, DB>(
    conn: &mut C,
    source: EmbeddedMigrations,
) -> MigrationResult<Vec<MigrationState>>
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let applied = conn.applied_migrations()?;
    let known = MigrationSource::<DB>::migrations(&source)?;
    Ok(known
        .iter()
        .map(|m| MigrationState {
            name: m.name().to_string(),
            applied: applied.contains(&m.name().version()),
        })
        .collect())
}

/// Reverts the newest applied migration; returns its version.
pub fn revert_last(conn: &mut Conn) -> Result<String, DbError> {
    let reverted = match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => c
            .revert_last_migration(super::SQLITE_MIGRATIONS)
            .map(|v| v.to_string()),
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => c
            .revert_last_migration(super::POSTGRES_MIGRATIONS)
            .map(|v| v.to_string()),
        #[cfg(feature = "mysql")]
        AnyConnection::Mysql(c) => c
            .revert_last_migration(super::MYSQL_MIGRATIONS)
            .map(|v| v.to_string()),
    };
    reverted.map_err(|e| DbError::Migrate(e.to_string()))
}

/// Why a backup or restore could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The destination exists already.
    #[error("{} exists; choose a new file", .0.display())]
    Exists(PathBuf),
    /// A running Roster (or another program) has the database open.
    #[error("{} is in use (is a server running on it?); stop it first", .0.display())]
    InUse(PathBuf),
    /// A file is not a sound Roster database.
    #[error("{} is not a sound Roster database: {reason}", path.display())]
    NotSound {
        /// The file.
        path: PathBuf,
        /// What the check found.
        reason: String,
    },
    /// SQLite or the file system failed.
    #[error("{0}")]
    Io(String),
}

impl From<std::io::Error> for BackupError {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error.to_string())
    }
}

impl From<diesel::result::Error> for BackupError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Io(error.to_string())
    }
}

/// The dump command for a server database, with no password in it (the tools read it
/// from `PGPASSWORD` / `~/.pgpass`, or prompt with `-p`).
pub fn dump_advice(url: &DatabaseUrl, to: &Path) -> String {
    let to = to.display();
    let command = match url {
        DatabaseUrl::Sqlite(_) => return String::new(),
        DatabaseUrl::Postgres(_) => format!("pg_dump --format=custom --file={to} '{url}'"),
        DatabaseUrl::Mysql(raw) => {
            let parts = ServerUrl::parse(raw);
            format!(
                "mariadb-dump --single-transaction --host={} --port={} --user={} -p {} > {to}",
                parts.host, parts.port, parts.user, parts.database
            )
        }
    };
    format!(
        "this database is backed up with its server's own tool, while Roster runs (a consistent \
         snapshot; the password is asked for or read from the environment): {command}"
    )
}

/// The parts of `scheme://user:password@host:port/database?options` a dump command needs.
struct ServerUrl<'a> {
    user: &'a str,
    host: &'a str,
    port: &'a str,
    database: &'a str,
}

impl<'a> ServerUrl<'a> {
    fn parse(url: &'a str) -> Self {
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = authority.rsplit_once('@').unwrap_or(("", authority));
        let user = userinfo.split(':').next().unwrap_or_default();
        let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, "3306"));
        let database = path.split('?').next().unwrap_or_default();
        Self {
            user,
            host,
            port,
            database,
        }
    }
}

/// Writes a consistent copy of the SQLite database of `conn` to `to` (`VACUUM INTO`, which
/// reads one snapshot while the server goes on writing), then opens the copy and checks it.
/// Returns the number of users in the copy. (A server database is dumped with its own tool:
/// [`dump_advice`].)
pub fn backup(conn: &mut Conn, to: &Path) -> Result<i64, BackupError> {
    if to.exists() {
        return Err(BackupError::Exists(to.to_owned()));
    }
    let target = to
        .to_str()
        .ok_or_else(|| BackupError::Io(format!("{} is not UTF-8", to.display())))?;
    #[cfg(feature = "sqlite")]
    if let AnyConnection::Sqlite(sqlite) = conn {
        use diesel::RunQueryDsl;
        diesel::sql_query("VACUUM INTO ?")
            .bind::<diesel::sql_types::Text, _>(target)
            .execute(sqlite)?;
    }
    #[cfg(not(feature = "sqlite"))]
    let _ = (conn, target);
    check_file(to)
}

/// Replaces the SQLite database `into` with the backup `from`, after checking the backup and
/// that nothing has `into` open. The old file's write-ahead log goes with it.
pub fn restore(into: &Path, from: &Path) -> Result<i64, BackupError> {
    let users = check_file(from)?;
    if into.exists() && in_use(into)? {
        return Err(BackupError::InUse(into.to_owned()));
    }
    let staged = into.with_extension("restoring");
    std::fs::copy(from, &staged)?;
    std::fs::File::open(&staged)?.sync_all()?;
    for stale in ["-wal", "-shm"] {
        let mut name = into.as_os_str().to_owned();
        name.push(stale);
        match std::fs::remove_file(PathBuf::from(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(&staged, into)?;
    Ok(users)
}

/// Opens the SQLite file at `path` and checks it: SQLite's integrity check, and the users
/// table Roster reads. Returns the number of users.
#[cfg(feature = "sqlite")]
fn check_file(path: &Path) -> Result<i64, BackupError> {
    use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};

    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        users: i64,
    }
    let unsound = |reason: String| BackupError::NotSound {
        path: path.to_owned(),
        reason,
    };
    if !path.is_file() {
        return Err(unsound("no such file".to_owned()));
    }
    let url = format!("file:{}?mode=ro", path.display());
    let mut conn = SqliteConnection::establish(&url).map_err(|e| unsound(e.to_string()))?;
    let rows: Vec<Row> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .map_err(|e| unsound(e.to_string()))?;
    match rows.first() {
        Some(row) if row.integrity_check == "ok" => {}
        other => {
            return Err(unsound(
                other.map_or_else(String::new, |r| r.integrity_check.clone()),
            ))
        }
    }
    let count: Count = diesel::sql_query("SELECT count(*) AS users FROM users")
        .get_result(&mut conn)
        .map_err(|e| unsound(e.to_string()))?;
    Ok(count.users)
}

#[cfg(not(feature = "sqlite"))]
fn check_file(path: &Path) -> Result<i64, BackupError> {
    Err(BackupError::Io(format!(
        "{}: this build has no SQLite",
        path.display()
    )))
}

/// Whether a connection has the SQLite database at `path` open: in WAL mode every open
/// connection holds a shared lock, so an exclusive lock is refused at once.
#[cfg(feature = "sqlite")]
fn in_use(path: &Path) -> Result<bool, BackupError> {
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, SqliteConnection};
    let mut probe = SqliteConnection::establish(&path.display().to_string())
        .map_err(|e| BackupError::Io(e.to_string()))?;
    probe.batch_execute("PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE;")?;
    match probe.batch_execute("BEGIN EXCLUSIVE; ROLLBACK;") {
        Ok(()) => Ok(false),
        Err(e) if e.to_string().contains("locked") || e.to_string().contains("busy") => Ok(true),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(feature = "sqlite"))]
fn in_use(_: &Path) -> Result<bool, BackupError> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_backups_point_to_the_dump_tools_without_the_password() {
        let to = Path::new("/backups/roster.dump");
        let pg = DatabaseUrl::Postgres("postgres://roster:s3cret@db:5432/roster".into());
        let advice = dump_advice(&pg, to);
        assert!(advice.ends_with(
            "pg_dump --format=custom --file=/backups/roster.dump 'postgres://roster:***@db:5432/roster'"
        ), "{advice}");
        let maria =
            DatabaseUrl::Mysql("mysql://roster:s3cret@db.internal:3307/accounts?ssl=1".into());
        let advice = dump_advice(&maria, to);
        assert!(advice.ends_with(
            "mariadb-dump --single-transaction --host=db.internal --port=3307 --user=roster -p accounts > /backups/roster.dump"
        ), "{advice}");
        assert!(!advice.contains("s3cret"));
    }
}
