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

/// Inserts `rows`, each by the one insert every user goes through ([`NewUserRow::insert`]).
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
    // One statement per row: diesel's multi-row insert is not available through
    // `MultiConnection`, and the prepared statement is reused.
    for row in rows {
        row.insert(conn)?;
    }
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

/// Refreshes the planner's statistics of `users` after a bulk change, on PostgreSQL (whose
/// autovacuum would do so only later; SQLite keeps none unless asked, and InnoDB updates
/// its own).
pub fn refresh_statistics(conn: &mut Conn) -> Result<(), StoreError> {
    if conn.is_postgres() {
        conn.batch_execute("ANALYZE users")?;
    }
    Ok(())
}
