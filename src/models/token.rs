//! Sessions and API tokens: rows keyed by the SHA-256 of the token, never the token itself.

use diesel::prelude::*;

use crate::db::schema::{tokens, users};
use crate::db::{Conn, StoreError};
use crate::domain::Scopes;

use super::User;

/// What a token is: a login's session, or an API token made by its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Issued by a login or registration; may do all its owner may.
    Session,
    /// Made by its owner with a title and scopes; may do only what they allow.
    Api,
}

impl TokenKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Api => "api",
        }
    }

    fn from_stored(stored: &str) -> Self {
        match stored {
            "api" => Self::Api,
            _ => Self::Session,
        }
    }
}

/// A token about to be stored.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = tokens)]
pub struct NewToken {
    /// Whose.
    pub user_id: i64,
    /// Hex SHA-256 of the plaintext.
    pub token_hash: String,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds after which the token is refused.
    pub expires: i64,
    /// `session` or `api`.
    pub kind: &'static str,
    /// An API token's title.
    pub title: Option<String>,
    /// An API token's scopes, space-separated; empty for a session.
    pub scopes: String,
    /// Unix seconds; starts at `created`.
    pub last_used: i64,
    /// The client address of the login.
    pub ip: String,
    /// The `User-Agent` of the login, cut to 512 characters.
    pub user_agent: String,
}

/// A stored session or API token, without its hash.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tokens)]
pub struct TokenRow {
    /// Its id.
    pub id: i64,
    /// Whose.
    pub user_id: i64,
    /// `session` or `api`.
    kind: String,
    /// An API token's title.
    pub title: Option<String>,
    scopes: String,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds ([`crate::auth::token::NEVER`]: until revoked).
    pub expires: i64,
    /// Unix seconds, to the minute.
    pub last_used: i64,
    /// The client address of the login.
    pub ip: String,
    /// The `User-Agent` of the login.
    pub user_agent: String,
}

impl TokenRow {
    /// Session or API token.
    pub fn kind(&self) -> TokenKind {
        TokenKind::from_stored(&self.kind)
    }

    /// What the token may do: everything for a session, its scopes for an API token.
    pub fn scopes(&self) -> Scopes {
        match self.kind() {
            TokenKind::Session => Scopes::EVERY,
            TokenKind::Api => Scopes::from_stored(&self.scopes),
        }
    }
}

/// How stale `last_used` may be before a request writes it again.
const LAST_USED_RESOLUTION: i64 = 60;

/// Stores a token.
pub fn insert(conn: &mut Conn, token: &NewToken) -> Result<i64, StoreError> {
    diesel::insert_into(tokens::table)
        .values(token)
        .execute(conn)?;
    Ok(tokens::table
        .filter(tokens::token_hash.eq(&token.token_hash))
        .select(tokens::id)
        .first(conn)?)
}

/// The enabled user owning the unexpired token with this hash, the token, and the user's
/// group names (comma-separated, as `users.group_names` keeps them): one indexed query per
/// authenticated request, and nothing written (see [`last_use_due`]).
pub fn authenticate(
    conn: &mut Conn,
    token_hash: &str,
    now: i64,
) -> Result<Option<(User, TokenRow, String)>, StoreError> {
    Ok(crate::on_backend!(conn, |c| tokens::table
        .inner_join(users::table)
        .filter(tokens::token_hash.eq(token_hash))
        .filter(tokens::expires.gt(now))
        .filter(users::disabled.eq(false))
        .select((User::as_select(), TokenRow::as_select(), users::group_names))
        .get_result(c)
        .optional())?)
}

/// Whether a request at `now` should write the token's `last_used` ([`record_use`]): at
/// most once a minute per token.
pub fn last_use_due(token: &TokenRow, now: i64) -> bool {
    now - token.last_used >= LAST_USED_RESOLUTION
}

/// Writes the token's `last_used`, conditionally, so instances racing to write it write it
/// once.
pub fn record_use(conn: &mut Conn, token_id: i64, now: i64) -> Result<(), StoreError> {
    diesel::update(
        tokens::table
            .find(token_id)
            .filter(tokens::last_used.le(now - LAST_USED_RESOLUTION)),
    )
    .set(tokens::last_used.eq(now))
    .execute(conn)?;
    Ok(())
}

/// The unexpired tokens of `kind` of `user_id`, newest first.
pub fn list(
    conn: &mut Conn,
    user_id: i64,
    kind: TokenKind,
    now: i64,
) -> Result<Vec<TokenRow>, StoreError> {
    Ok(tokens::table
        .filter(tokens::user_id.eq(user_id))
        .filter(tokens::kind.eq(kind.as_str()))
        .filter(tokens::expires.gt(now))
        .order((tokens::created.desc(), tokens::id.desc()))
        .select(TokenRow::as_select())
        .load(conn)?)
}

/// The token `id`, if it is of `kind`.
pub fn find(conn: &mut Conn, id: i64, kind: TokenKind) -> Result<Option<TokenRow>, StoreError> {
    Ok(tokens::table
        .find(id)
        .filter(tokens::kind.eq(kind.as_str()))
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes one token.
pub fn revoke(conn: &mut Conn, token_id: i64) -> Result<(), StoreError> {
    diesel::delete(tokens::table.find(token_id)).execute(conn)?;
    Ok(())
}

/// Which of a user's tokens a change ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Sessions only (logout-all, a password change): API tokens are not sessions.
    Sessions,
    /// Sessions and API tokens (disable, delete, logout-all with `?tokens=true`).
    Everything,
}

/// Deletes the tokens of `user_id` that `ending` names, but `except`.
pub fn revoke_tokens_of(
    conn: &mut Conn,
    user_id: i64,
    ending: Ending,
    except: Option<i64>,
) -> Result<(), StoreError> {
    let owned = tokens::table
        .filter(tokens::user_id.eq(user_id))
        .filter(tokens::id.ne(except.unwrap_or(0)));
    match ending {
        Ending::Sessions => {
            diesel::delete(owned.filter(tokens::kind.eq(TokenKind::Session.as_str())))
                .execute(conn)?
        }
        Ending::Everything => diesel::delete(owned).execute(conn)?,
    };
    Ok(())
}

/// Deletes the expired tokens of `user_id`, so the table does not grow with every login.
pub fn purge_expired(conn: &mut Conn, user_id: i64, now: i64) -> Result<(), StoreError> {
    diesel::delete(
        tokens::table
            .filter(tokens::user_id.eq(user_id))
            .filter(tokens::expires.le(now)),
    )
    .execute(conn)?;
    Ok(())
}
