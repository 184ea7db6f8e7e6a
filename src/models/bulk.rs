//! Bulk reads and writes of users for `roster user import` and `export`.

use diesel::connection::SimpleConnection;
use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::schema::users;
use crate::db::{lower, lower_nullable, Backend, Conn, StoreError};

use super::NewUserRow;

/// A user with its password hash, as exported.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Backend))]
pub struct StoredUser {
    /// Primary key (the export is ordered by it).
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Contact address, if any.
    pub email: Option<String>,
    /// The PHC string (argon2id, or an imported bcrypt hash not yet upgraded).
    pub password_hash: String,
    /// Admin flag.
    pub is_admin: bool,
    /// Disabled flag.
    pub disabled: bool,
    /// Whether the address is confirmed.
    pub email_confirmed: bool,
    /// The identity provider's id of the user, if any.
    pub external_id: Option<String>,
}

/// Up to `limit` users with an id above `after`, by id.
pub fn users_after(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<StoredUser>, StoreError> {
    Ok(users::table
        .filter(users::id.gt(after))
        .order(users::id)
        .limit(limit)
        .select(StoredUser::as_select())
        .load(conn)?)
}

/// Which of these lower-cased usernames and emails are taken already.
pub fn taken(
    conn: &mut Conn,
    usernames: &[String],
    emails: &[String],
) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let names = users::table
        .filter(lower(users::username).eq_any(usernames))
        .select(lower(users::username))
        .load(conn)?;
    let emails = users::table
        .filter(lower_nullable(users::email).eq_any(emails))
        .select(lower_nullable(users::email))
        .load::<Option<String>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    Ok((names, emails))
}

/// Readies the command line's connection for a bulk import. On SQLite: a page cache of up to
/// 256 MiB (the default 2 MiB made a million varied users' index inserts a stream of
/// reads and writes of the same pages: 95 s instead of 60) and reads through a memory map
/// (the OS may drop those pages when short of memory).
pub fn prepare_import(conn: &mut Conn) -> Result<(), StoreError> {
    if conn.is_sqlite() {
        conn.batch_execute("PRAGMA cache_size = -262144; PRAGMA mmap_size = 1073741824;")?;
    }
    Ok(())
}

/// Inserts `rows` ([`NewUserRow`], the row every user is stored from).
/// Run inside a write transaction: all of them or, on any conflict, none.
///
/// On SQLite the search index is filled once for the whole batch rather than by its
/// per-row trigger (see the `search_index_paused` migration), which is what lets a
/// million users import within a minute.
pub fn insert_batch(conn: &mut Conn, rows: &[NewUserRow<'_>]) -> Result<usize, StoreError> {
    let sqlite = conn.is_sqlite();
    if sqlite {
        conn.batch_execute("INSERT INTO search_index_paused (id) VALUES (1)")?;
    }
    // Writers are serialised, so this batch's ids are exactly those above it.
    let before = users::table
        .select(dsl::max(users::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0);
    // Many rows per statement, on the backend's own connection (`MultiConnection` has no
    // multi-row insert): PostgreSQL takes the whole batch as one COPY, the others a
    // multi-row INSERT per chunk (SQLite binds at most 32,766 values per statement).
    crate::on_backend!(conn, |c| c.insert_rows(rows))?;
    if sqlite {
        diesel::sql_query(
            "INSERT INTO users_search (rowid, username, name, email) \
             SELECT id, username, name, coalesce(email, '') FROM users WHERE id > ?",
        )
        .bind::<BigInt, _>(before)
        .execute(conn)?;
        conn.batch_execute("DELETE FROM search_index_paused")?;
    }
    Ok(rows.len())
}

/// Rows per multi-row INSERT: 11 values each.
const ROWS_PER_INSERT: usize = 1_000;

/// How a backend's own connection stores many user rows at once.
trait InsertRows {
    fn insert_rows(&mut self, rows: &[NewUserRow<'_>]) -> QueryResult<()>;
}

#[cfg(feature = "postgres")]
impl InsertRows for diesel::PgConnection {
    fn insert_rows(&mut self, rows: &[NewUserRow<'_>]) -> QueryResult<()> {
        diesel::copy_from(users::table)
            .from_insertable(rows)
            .execute(self)?;
        Ok(())
    }
}

/// Multi-row INSERTs of [`ROWS_PER_INSERT`] for a backend without COPY.
macro_rules! insert_in_chunks {
    ($feature:literal, $connection:ty) => {
        #[cfg(feature = $feature)]
        impl InsertRows for $connection {
            fn insert_rows(&mut self, rows: &[NewUserRow<'_>]) -> QueryResult<()> {
                for chunk in rows.chunks(ROWS_PER_INSERT) {
                    diesel::insert_into(users::table)
                        .values(chunk)
                        .execute(self)?;
                }
                Ok(())
            }
        }
    };
}

insert_in_chunks!("sqlite", diesel::SqliteConnection);
insert_in_chunks!("mysql", diesel::MysqlConnection);

/// Refreshes the planner's statistics of `users` (and its search haystack) after a bulk change, on PostgreSQL (whose
/// autovacuum would do so only later; SQLite keeps none unless asked, and InnoDB updates
/// its own).
pub fn refresh_statistics(conn: &mut Conn) -> Result<(), StoreError> {
    if conn.is_postgres() {
        conn.batch_execute("ANALYZE users; ANALYZE users_haystack")?;
    }
    Ok(())
}
