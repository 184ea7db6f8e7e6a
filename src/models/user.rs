use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use crate::db::schema::{group_members, users, users_haystack};
use crate::db::{lower, lower_nullable, Backend, Conn, StoreError};
use crate::domain::{NewUser, Page, SearchTerm, UserUpdate};

use super::mail;
use super::token::{self, Ending};

/// `count(*)` of a raw query.
#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

/// A user as the API shows it. It has no password hash field, so it cannot leak one.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Backend))]
pub struct User {
    /// Primary key.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name, possibly empty.
    pub name: String,
    /// Contact address, if any.
    pub email: Option<String>,
    /// May manage other users.
    pub is_admin: bool,
    /// May not log in.
    pub disabled: bool,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds, bumped on every change.
    pub updated: i64,
    /// Whether the address is known to reach the user.
    pub email_confirmed: bool,
}

/// What checking a password needs, and nothing the API shows.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Backend))]
pub struct Credentials {
    /// Primary key.
    pub id: i64,
    /// The login name as stored (a login may spell it in another case).
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// A disabled account may not log in.
    pub disabled: bool,
    /// The address, for the confirmation rule.
    pub email: Option<String>,
    /// Whether the address is confirmed.
    pub email_confirmed: bool,
}

/// A user row to insert: made from a checked [`NewUser`] by the accounts layer, or from an
/// imported line (which may carry a hash made elsewhere and the disabled flag).
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
// `None` is written as NULL (the columns' default), not as `DEFAULT`: PostgreSQL's COPY and
// SQLite's multi-row insert, which bulk imports use, take values only.
#[diesel(treat_none_as_default_value = false)]
pub struct NewUserRow<'a> {
    /// Login name, validated.
    pub username: &'a str,
    /// Display name, validated.
    pub name: &'a str,
    /// Contact address, validated.
    pub email: Option<&'a str>,
    /// argon2 PHC string (or an imported bcrypt hash).
    pub password_hash: &'a str,
    /// Admin flag.
    pub is_admin: bool,
    /// Disabled flag.
    pub disabled: bool,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds.
    pub updated: i64,
    /// Whether the address is confirmed.
    pub email_confirmed: bool,
    /// The identity provider's id of the user (SCIM's `externalId`), if any.
    pub external_id: Option<&'a str>,
}

impl<'a> NewUserRow<'a> {
    /// The row of `new`, enabled, made at `now`.
    pub fn of(new: &'a NewUser, is_admin: bool, password_hash: &'a str, now: i64) -> Self {
        Self {
            username: new.username.as_str(),
            name: new.name.as_str(),
            email: new.email.as_ref().map(|e| e.as_str()),
            password_hash,
            is_admin,
            disabled: false,
            created: now,
            updated: now,
            email_confirmed: new.email_confirmed && new.email.is_some(),
            external_id: None,
        }
    }

    /// Stores the row (the one insert of a user, for every way one is made).
    pub fn insert(&self, conn: &mut Conn) -> Result<(), StoreError> {
        diesel::insert_into(users::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct UserChangeset<'a> {
    username: Option<&'a str>,
    name: Option<&'a str>,
    email: Option<Option<&'a str>>,
    is_admin: Option<bool>,
    disabled: Option<bool>,
    email_confirmed: Option<bool>,
    updated: i64,
}

impl User {
    /// The user with this id.
    pub fn find(conn: &mut Conn, id: i64) -> Result<Self, StoreError> {
        Ok(crate::on_backend!(conn, |c| users::table
            .find(id)
            .select(Self::as_select())
            .get_result(c))?)
    }

    /// One page of users ordered by id, and the number of users matching `search` in all.
    pub fn list(
        conn: &mut Conn,
        search: Option<&SearchTerm>,
        page: Page,
    ) -> Result<(Vec<Self>, i64), StoreError> {
        let phrase = search.and_then(SearchTerm::trigram_phrase);
        if let (true, Some(phrase)) = (conn.is_sqlite(), phrase) {
            return indexed_page(conn, &phrase, page);
        }
        if let (true, Some(term)) = (conn.is_postgres(), search) {
            return haystack_page(conn, term, page);
        }
        let total = matching(search).count().get_result(conn)?;
        let users = matching(search)
            .order(users::id)
            .limit(page.size())
            .offset(page.offset())
            .select(Self::as_select())
            .load(conn)?;
        Ok((users, total))
    }

    /// Stores a user and reads it back (no RETURNING: not every backend has it; the
    /// unique username finds it). Run inside a write transaction.
    pub fn create(conn: &mut Conn, row: &NewUserRow<'_>) -> Result<Self, StoreError> {
        row.insert(conn)?;
        Ok(users::table
            .filter(lower(users::username).eq(lower(row.username)))
            .select(Self::as_select())
            .first(conn)?)
    }

    /// Whether no user exists yet (the first registration becomes admin). Run inside a
    /// write transaction, so two first registrations cannot both see an empty table.
    pub fn none_yet(conn: &mut Conn) -> Result<bool, StoreError> {
        Ok(users::table.count().get_result::<i64>(conn)? == 0)
    }

    /// Applies `update`, refusing to remove the last enabled admin. Disabling a user
    /// revokes all its tokens. Run inside a write transaction.
    pub fn update(
        conn: &mut Conn,
        id: i64,
        update: &UserUpdate,
        now: i64,
    ) -> Result<Self, StoreError> {
        let user = Self::find(conn, id)?;
        if update.removes_admin(user.is_admin, user.disabled) {
            ensure_another_admin(conn, id)?;
        }
        let changes = UserChangeset {
            username: update.username.as_ref().map(|u| u.as_str()),
            name: update.name.as_ref().map(|n| n.as_str()),
            email: update
                .email
                .as_ref()
                .map(|e| e.as_ref().map(|e| e.as_str())),
            is_admin: update.is_admin,
            disabled: update.disabled,
            email_confirmed: update.email_confirmed,
            updated: now,
        };
        diesel::update(users::table.find(id))
            .set(&changes)
            .execute(conn)?;
        if update.disabled == Some(true) {
            token::revoke_tokens_of(conn, id, Ending::Everything, None)?;
            mail::forget_resets(conn, id)?;
        }
        Self::find(conn, id)
    }

    /// Deletes the user and its tokens, refusing to delete the last enabled admin.
    /// Returns the user as it was. Run inside a write transaction.
    pub fn delete(conn: &mut Conn, id: i64) -> Result<Self, StoreError> {
        let user = Self::find(conn, id)?;
        if user.is_admin && !user.disabled {
            ensure_another_admin(conn, id)?;
        }
        // Also cascaded by the foreign key; explicit so it never depends on a PRAGMA.
        token::revoke_tokens_of(conn, id, Ending::Everything, None)?;
        diesel::delete(group_members::table.filter(group_members::user_id.eq(id))).execute(conn)?;
        mail::forget_user(conn, id)?;
        diesel::delete(users::table.find(id)).execute(conn)?;
        Ok(user)
    }

    /// Replaces the password hash and ends the user's sessions, except `keep_token`; API
    /// tokens stay (they were made on purpose, and a password change is not their
    /// revocation). Run inside a write transaction.
    pub fn set_password(
        conn: &mut Conn,
        id: i64,
        password_hash: &str,
        keep_token: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError> {
        let changed = diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(password_hash),
                users::updated.eq(now),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(StoreError::UserNotFound);
        }
        // A password that changed makes outstanding reset links useless.
        mail::forget_resets(conn, id)?;
        token::revoke_tokens_of(conn, id, Ending::Sessions, keep_token)
    }
}

impl User {
    /// Those of `ids` that are not users' (in batches: a SCIM group may name thousands).
    pub fn missing(conn: &mut Conn, ids: &[i64]) -> Result<Vec<i64>, StoreError> {
        let mut found = std::collections::HashSet::new();
        for chunk in ids.chunks(500) {
            let existing: Vec<i64> = users::table
                .filter(users::id.eq_any(chunk))
                .select(users::id)
                .load(conn)?;
            found.extend(existing);
        }
        Ok(ids
            .iter()
            .copied()
            .filter(|id| !found.contains(id))
            .collect())
    }

    /// The usernames of those of `ids` that exist now.
    pub fn usernames_of(
        conn: &mut Conn,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, String>, StoreError> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let rows: Vec<(i64, String)> = users::table
            .filter(users::id.eq_any(ids))
            .select((users::id, users::username))
            .load(conn)?;
        Ok(rows.into_iter().collect())
    }

    /// The user with this email address, ignoring case.
    pub fn find_by_email(conn: &mut Conn, email: &str) -> Result<Option<Self>, StoreError> {
        Ok(users::table
            .filter(lower_nullable(users::email).eq(lower_nullable(email.to_owned())))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// Marks the user's address confirmed (`updated` is not bumped: the owner acted, not
    /// an edit).
    pub fn mark_email_confirmed(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
        diesel::update(users::table.find(id))
            .set(users::email_confirmed.eq(true))
            .execute(conn)?;
        Ok(())
    }

    /// The user with this username, ignoring case.
    pub fn find_by_username(conn: &mut Conn, username: &str) -> Result<Option<Self>, StoreError> {
        Ok(users::table
            .filter(lower(users::username).eq(lower(username)))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// Stores a new hash of the same password (an upgrade of its parameters): no
    /// user-visible change, so neither `updated` nor the tokens are touched.
    pub fn replace_password_hash(
        conn: &mut Conn,
        id: i64,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        diesel::update(users::table.find(id))
            .set(users::password_hash.eq(password_hash))
            .execute(conn)?;
        Ok(())
    }

    /// Revokes the tokens `ending` names of the user but `keep_token` (the caller's own);
    /// returns the user. Run inside a write transaction.
    pub fn end_sessions(
        conn: &mut Conn,
        id: i64,
        ending: Ending,
        keep_token: Option<i64>,
    ) -> Result<Self, StoreError> {
        let user = Self::find(conn, id)?;
        token::revoke_tokens_of(conn, id, ending, keep_token)?;
        Ok(user)
    }
}

impl Credentials {
    /// The credentials of the user with this username, ignoring case.
    pub fn by_username(conn: &mut Conn, username: &str) -> Result<Option<Self>, StoreError> {
        Ok(users::table
            .filter(lower(users::username).eq(lower(username)))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// The credentials of the user with this id.
    pub fn by_id(conn: &mut Conn, id: i64) -> Result<Self, StoreError> {
        Ok(users::table
            .find(id)
            .select(Self::as_select())
            .first(conn)?)
    }
}

/// A page of the users the SQLite `users_search` index finds for `phrase` (a term of 3
/// characters or more), and their number: both answered by the index, which yields ids
/// in order, so a page reads only its own rows and the count reads no row at all.
fn indexed_page(conn: &mut Conn, phrase: &str, page: Page) -> Result<(Vec<User>, i64), StoreError> {
    let total =
        diesel::sql_query("SELECT count(*) AS count FROM users_search WHERE users_search MATCH ?")
            .bind::<Text, _>(phrase)
            .get_result::<Count>(conn)?
            .count;
    let users = users::table
        .filter(
            dsl::sql::<Bool>(
                "users.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ",
            )
            .bind::<Text, _>(phrase.to_owned())
            .sql(" ORDER BY rowid LIMIT ")
            .bind::<BigInt, _>(page.size())
            .sql(" OFFSET ")
            .bind::<BigInt, _>(page.offset())
            .sql(")"),
        )
        .order(users::id)
        .select(User::as_select())
        .load(conn)?;
    Ok((users, total))
}

/// A page of the users whose PostgreSQL `users_haystack` row holds `term`, and their
/// number. The trigram index finds the candidates; re-checking them reads the narrow
/// haystack rows, not the users'. (The term holds no control character, so it cannot match
/// across the separator between the fields.)
///
/// The page's ids come one of two ways, chosen from the total just counted: walking the
/// haystack in id order until the page is full, cheap when matches are common; or
/// collecting every match and keeping the page (`ORDER BY id + 0` rules the walk out),
/// cheap when they are rare. Left to the planner, a prepared statement's generic plan,
/// which cannot see the term, walked a million rows for a term with 5 matches (0.4 s).
fn haystack_page(
    conn: &mut Conn,
    term: &SearchTerm,
    page: Page,
) -> Result<(Vec<User>, i64), StoreError> {
    let matches = || {
        users_haystack::table.filter(
            users_haystack::haystack
                .like(lower(term.like_pattern()))
                .escape(SearchTerm::ESCAPE),
        )
    };
    let total: i64 = matches().count().get_result(conn)?;
    if total <= page.offset() {
        return Ok((Vec::new(), total));
    }
    let last_id = users_haystack::table
        .select(dsl::max(users_haystack::id))
        .get_result::<Option<i64>>(conn)?
        .unwrap_or(0);
    // The walk reads about `wanted × last_id / total` rows; collecting reads `total`.
    let wanted = page.offset() + page.size();
    let walk = i128::from(wanted) * i128::from(last_id) < i128::from(total) * i128::from(total);
    let ids: Vec<i64> = if walk {
        matches()
            .select(users_haystack::id)
            .order(users_haystack::id)
            .limit(page.size())
            .offset(page.offset())
            .load(conn)?
    } else {
        matches()
            .select(users_haystack::id)
            .order(users_haystack::id + 0)
            .limit(page.size())
            .offset(page.offset())
            .load(conn)?
    };
    let users = users::table
        .filter(users::id.eq_any(ids))
        .order(users::id)
        .select(User::as_select())
        .load(conn)?;
    Ok((users, total))
}

/// Users whose username, name or email contains the term, ignoring case: a `LIKE` on each.
/// The scan for terms too short for SQLite's trigram index, and MariaDB's search.
fn matching(search: Option<&SearchTerm>) -> users::BoxedQuery<'static, Backend> {
    let query = users::table.into_boxed();
    let Some(term) = search else {
        return query;
    };
    let pattern = term.like_pattern();
    query.filter(
        lower(users::username)
            .like(lower(pattern.clone()))
            .escape(SearchTerm::ESCAPE)
            .or(lower(users::name)
                .like(lower(pattern.clone()))
                .escape(SearchTerm::ESCAPE))
            .or(lower_nullable(users::email)
                .like(lower_nullable(pattern))
                .escape(SearchTerm::ESCAPE)
                .assume_not_null()),
    )
}

/// Fails with `LastAdmin` unless an enabled admin other than `id` exists.
fn ensure_another_admin(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
    let others: i64 = users::table
        .filter(users::is_admin.eq(true))
        .filter(users::disabled.eq(false))
        .filter(users::id.ne(id))
        .count()
        .get_result(conn)?;
    if others == 0 {
        return Err(StoreError::LastAdmin);
    }
    Ok(())
}
