//! Mail rows: the single-use tokens of reset and confirmation links (hashes only), and the
//! outbox the delivery worker sends from.

use diesel::prelude::*;

use crate::db::schema::{mail_tokens, outbox};
use crate::db::{Backend, Conn, StoreError};

/// A stored link token.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mail_tokens, check_for_backend(Backend))]
pub struct MailToken {
    /// Primary key.
    pub id: i64,
    /// Whose it is.
    pub user_id: i64,
    /// The address the link was sent to.
    pub email: String,
    /// Unix seconds after which it is refused.
    pub expires: i64,
}

/// A link token to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = mail_tokens)]
pub struct NewMailToken<'a> {
    /// Whose it is.
    pub user_id: i64,
    /// `reset` or `confirm`.
    pub purpose: &'a str,
    /// SHA-256 of the token, hex.
    pub token_hash: &'a str,
    /// The address the link goes to.
    pub email: &'a str,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds.
    pub expires: i64,
}

impl NewMailToken<'_> {
    /// Stores the token.
    pub fn insert(&self, conn: &mut Conn) -> Result<(), StoreError> {
        diesel::insert_into(mail_tokens::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }
}

impl MailToken {
    /// The token of `purpose` stored as `token_hash`, expired or not.
    pub fn find(
        conn: &mut Conn,
        purpose: &str,
        token_hash: &str,
    ) -> Result<Option<Self>, StoreError> {
        Ok(mail_tokens::table
            .filter(mail_tokens::token_hash.eq(token_hash))
            .filter(mail_tokens::purpose.eq(purpose))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// Uses the token up; false when another request used it first.
    pub fn consume(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
        Ok(diesel::delete(mail_tokens::table.find(id)).execute(conn)? == 1)
    }

    /// Deletes the token stored as `token_hash` (a link whose mail was never delivered).
    pub fn discard(conn: &mut Conn, token_hash: &str) -> Result<(), StoreError> {
        diesel::delete(mail_tokens::table.filter(mail_tokens::token_hash.eq(token_hash)))
            .execute(conn)?;
        Ok(())
    }

    /// Deletes every token of `purpose` of the user.
    pub fn forget(conn: &mut Conn, user_id: i64, purpose: &str) -> Result<(), StoreError> {
        diesel::delete(
            mail_tokens::table
                .filter(mail_tokens::user_id.eq(user_id))
                .filter(mail_tokens::purpose.eq(purpose)),
        )
        .execute(conn)?;
        Ok(())
    }

    /// Deletes tokens expired before `now`; how many.
    pub fn prune(conn: &mut Conn, now: i64) -> Result<usize, StoreError> {
        Ok(
            diesel::delete(mail_tokens::table.filter(mail_tokens::expires.lt(now)))
                .execute(conn)?,
        )
    }
}

/// Invalidates the user's outstanding reset links (a new request, a password change, a
/// disable).
pub fn forget_resets(conn: &mut Conn, user_id: i64) -> Result<(), StoreError> {
    MailToken::forget(conn, user_id, "reset")
}

/// Deletes a deleted user's tokens and mails (also cascaded where foreign keys are on).
pub fn forget_user(conn: &mut Conn, user_id: i64) -> Result<(), StoreError> {
    diesel::delete(mail_tokens::table.filter(mail_tokens::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(outbox::table.filter(outbox::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}

/// A mail in the outbox.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox, check_for_backend(Backend))]
pub struct OutboxMail {
    /// Primary key, increasing: mails go out in order.
    pub id: i64,
    /// `reset` or `confirm`.
    pub kind: String,
    /// To whom.
    pub user_id: i64,
    /// The address it was queued for.
    pub address: String,
    /// Tries so far, this one included once claimed.
    pub attempts: i32,
}

/// A mail to queue.
#[derive(Debug, Insertable)]
#[diesel(table_name = outbox)]
struct NewOutboxMail<'a> {
    kind: &'a str,
    user_id: i64,
    address: &'a str,
    created: i64,
    state: &'a str,
    attempts: i32,
    next_attempt: i64,
    lease_until: i64,
}

/// How many mails are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Waiting to be sent (or retried).
    pub queued: i64,
    /// Delivered to the SMTP server.
    pub sent: i64,
    /// Refused for good, or out of tries.
    pub failed: i64,
}

impl OutboxMail {
    /// Queues a mail of `kind` to `address` for the user, due now. Run in the transaction
    /// of the change that causes it.
    pub fn enqueue(
        conn: &mut Conn,
        kind: &str,
        user_id: i64,
        address: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        diesel::insert_into(outbox::table)
            .values(NewOutboxMail {
                kind,
                user_id,
                address,
                created: now,
                state: "queued",
                attempts: 0,
                next_attempt: now,
                lease_until: 0,
            })
            .execute(conn)?;
        Ok(())
    }

    /// The ids of up to `limit` queued mails due at `now` and held by no instance, oldest
    /// first.
    pub fn due(conn: &mut Conn, now: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
        Ok(outbox::table
            .filter(outbox::state.eq("queued"))
            .filter(outbox::next_attempt.le(now))
            .filter(outbox::lease_until.le(now))
            .order(outbox::id)
            .limit(limit)
            .select(outbox::id)
            .load(conn)?)
    }

    /// When the next queued mail falls due (unix seconds), if any is queued.
    pub fn next_due(conn: &mut Conn) -> Result<Option<i64>, StoreError> {
        Ok(outbox::table
            .filter(outbox::state.eq("queued"))
            .select(diesel::dsl::min(outbox::next_attempt.nullable()))
            .first::<Option<i64>>(conn)?)
    }

    /// Takes mail `id` for this instance until `lease_until`, counting the try: a
    /// compare-and-set, so of several instances exactly one gets it. `None` when another
    /// instance holds it or it is no longer queued.
    pub fn claim(
        conn: &mut Conn,
        id: i64,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<Self>, StoreError> {
        let taken = diesel::update(
            outbox::table
                .find(id)
                .filter(outbox::state.eq("queued"))
                .filter(outbox::lease_until.le(now)),
        )
        .set((
            outbox::lease_until.eq(lease_until),
            outbox::attempts.eq(outbox::attempts + 1),
        ))
        .execute(conn)?;
        if taken == 0 {
            return Ok(None);
        }
        Ok(Some(
            outbox::table
                .find(id)
                .select(Self::as_select())
                .first(conn)?,
        ))
    }

    /// Records the end of mail `id`: `sent`, `failed` or `dropped`, with the reason.
    pub fn finish(
        conn: &mut Conn,
        id: i64,
        state: &str,
        error: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        diesel::update(outbox::table.find(id))
            .set((
                outbox::state.eq(state),
                outbox::last_error.eq(error),
                outbox::finished.eq(Some(now)),
                outbox::lease_until.eq(0),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Puts mail `id` back in the queue until `next_attempt`, with the reason.
    pub fn retry_at(
        conn: &mut Conn,
        id: i64,
        next_attempt: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        diesel::update(outbox::table.find(id))
            .set((
                outbox::next_attempt.eq(next_attempt),
                outbox::last_error.eq(Some(error)),
                outbox::lease_until.eq(0),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Deletes mails that ended before `before`; how many.
    pub fn prune(conn: &mut Conn, before: i64) -> Result<usize, StoreError> {
        Ok(diesel::delete(
            outbox::table
                .filter(outbox::state.ne("queued"))
                .filter(outbox::finished.lt(before)),
        )
        .execute(conn)?)
    }

    /// How many mails are in each state.
    pub fn counts(conn: &mut Conn) -> Result<OutboxCounts, StoreError> {
        let rows: Vec<(String, i64)> = outbox::table
            .group_by(outbox::state)
            .select((outbox::state, diesel::dsl::count_star()))
            .load(conn)?;
        let mut counts = OutboxCounts::default();
        for (state, count) in rows {
            match state.as_str() {
                "queued" => counts.queued = count,
                "sent" => counts.sent = count,
                "failed" => counts.failed = count,
                _ => {}
            }
        }
        Ok(counts)
    }
}
