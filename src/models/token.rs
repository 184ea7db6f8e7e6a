//! Bearer tokens: rows keyed by the SHA-256 of the token, never the token itself.

use diesel::prelude::*;

use crate::db::schema::{tokens, users};
use crate::db::{Conn, StoreError};

use super::User;

/// A token about to be stored.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Hex SHA-256 of the plaintext.
    pub token_hash: String,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds after which the token is refused.
    pub expires: i64,
}

#[derive(Insertable)]
#[diesel(table_name = tokens)]
struct NewTokenRow<'a> {
    user_id: i64,
    token_hash: &'a str,
    created: i64,
    expires: i64,
}

/// Stores a token for `user_id`.
pub fn insert(conn: &mut Conn, user_id: i64, token: &NewToken) -> Result<(), StoreError> {
    diesel::insert_into(tokens::table)
        .values(NewTokenRow {
            user_id,
            token_hash: &token.token_hash,
            created: token.created,
            expires: token.expires,
        })
        .execute(conn)?;
    Ok(())
}

/// The enabled user owning the unexpired token with this hash, and the token's id:
/// one indexed query per authenticated request.
pub fn authenticate(
    conn: &mut Conn,
    token_hash: &str,
    now: i64,
) -> Result<Option<(User, i64)>, StoreError> {
    Ok(crate::on_backend!(conn, |c| tokens::table
        .inner_join(users::table)
        .filter(tokens::token_hash.eq(token_hash))
        .filter(tokens::expires.gt(now))
        .filter(users::disabled.eq(false))
        .select((User::as_select(), tokens::id))
        .get_result(c)
        .optional())?)
}

/// Deletes one token (logout).
pub fn revoke(conn: &mut Conn, token_id: i64) -> Result<(), StoreError> {
    diesel::delete(tokens::table.find(token_id)).execute(conn)?;
    Ok(())
}

/// Deletes every token of `user_id` but `except`.
pub fn revoke_tokens_of(
    conn: &mut Conn,
    user_id: i64,
    except: Option<i64>,
) -> Result<(), StoreError> {
    let owned = tokens::table.filter(tokens::user_id.eq(user_id));
    match except {
        Some(keep) => diesel::delete(owned.filter(tokens::id.ne(keep))).execute(conn)?,
        None => diesel::delete(owned).execute(conn)?,
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
