//! Throttle counters: one row per username or client address with recent activity. The
//! rules are `security::throttle`'s; the accounts layer reads and writes a row inside its
//! write transaction, which serialises the instances sharing the database.

use diesel::prelude::*;

use crate::db::schema::throttle;
use crate::db::{Backend, Conn, StoreError};
use crate::security::throttle::Record;

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = throttle, check_for_backend(Backend))]
struct Row {
    subject: String,
    events: String,
    locked_until: i64,
    lockouts: i32,
    pending: i32,
    pending_at: i64,
    expires: i64,
}

/// The counter stored as `subject`, if it has a row.
pub fn load(conn: &mut Conn, subject: &str) -> Result<Option<Record>, StoreError> {
    let row: Option<Row> = throttle::table
        .find(subject)
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(|row| Record {
        // Written only by `save`; a mangled list counts as no events.
        events: row
            .events
            .split_whitespace()
            .map_while(|at| at.parse().ok())
            .collect(),
        locked_until: row.locked_until,
        lockouts: row.lockouts,
        pending: row.pending,
        pending_at: row.pending_at,
    }))
}

/// Stores `record` as `subject` until `expires`, or deletes its row when it matters no
/// more (`None`). `existed`: whether [`load`] found a row, in the same transaction.
pub fn save(
    conn: &mut Conn,
    subject: &str,
    record: &Record,
    expires: Option<i64>,
    existed: bool,
) -> Result<(), StoreError> {
    let Some(expires) = expires else {
        if existed {
            delete(conn, subject)?;
        }
        return Ok(());
    };
    let events: Vec<String> = record.events.iter().map(i64::to_string).collect();
    let row = Row {
        subject: subject.to_owned(),
        events: events.join(" "),
        locked_until: record.locked_until,
        lockouts: record.lockouts,
        pending: record.pending,
        pending_at: record.pending_at,
        expires,
    };
    if existed {
        diesel::update(throttle::table.find(subject))
            .set(&row)
            .execute(conn)?;
    } else {
        diesel::insert_into(throttle::table)
            .values(&row)
            .execute(conn)?;
    }
    Ok(())
}

/// Deletes the counter stored as `subject`.
pub fn delete(conn: &mut Conn, subject: &str) -> Result<(), StoreError> {
    diesel::delete(throttle::table.find(subject)).execute(conn)?;
    Ok(())
}

/// Deletes up to `batch` rows that expired before `now`; returns how many. Small batches
/// keep each write transaction short however many rows a flood left behind.
pub fn prune(conn: &mut Conn, now: i64, batch: i64) -> Result<usize, StoreError> {
    let expired: Vec<String> = throttle::table
        .filter(throttle::expires.lt(now))
        .select(throttle::subject)
        .limit(batch)
        .load(conn)?;
    if expired.is_empty() {
        return Ok(0);
    }
    Ok(diesel::delete(throttle::table.filter(throttle::subject.eq_any(&expired))).execute(conn)?)
}

/// How many counters are stored.
pub fn count(conn: &mut Conn) -> Result<i64, StoreError> {
    Ok(throttle::table.count().get_result(conn)?)
}
