//! Audit entries: who did what to whom, from where. Each operation writes its entry in the
//! transaction of the change it records (no change without its entry, no entry without
//! its change), then logs the entry's line once that committed.

use crate::db::{Conn, StoreError};
use crate::domain::AuditEvent;
use crate::models::audit::NewAuditEntry;
use crate::models::User;

use super::Caller;

/// Builds the entry of `event` by `caller` at `now`.
pub(super) fn entry(event: AuditEvent, caller: &Caller, now: i64) -> NewAuditEntry {
    let mut entry = NewAuditEntry::new(event, now, caller.origin.clone());
    entry.actor_id = caller.actor_id();
    entry
}

/// The entry of `event` by `caller` concerning `user`.
pub(super) fn on_user(event: AuditEvent, caller: &Caller, user: &User, now: i64) -> NewAuditEntry {
    let mut entry = entry(event, caller, now);
    entry.target_id = Some(user.id);
    entry.username = Some(user.username.clone());
    entry
}

/// The username tried or concerned; a login may send any text, so at most 128 characters
/// of it are kept, without control characters (NUL above all, which PostgreSQL cannot
/// store): what was tried stays recognisable without them.
pub(super) fn tried(username: &str) -> String {
    username
        .chars()
        .filter(|c| !c.is_control())
        .take(128)
        .collect()
}

/// Writes entries inside the caller's transaction.
pub(super) fn insert(conn: &mut Conn, entries: &[NewAuditEntry]) -> Result<(), StoreError> {
    entries.iter().try_for_each(|entry| entry.insert(conn))
}

/// The entry's line in the log, once its transaction committed.
pub(super) fn log_line(entry: &NewAuditEntry) {
    log::info!(
        target: "roster::audit",
        "{} actor={} target={} username={:?} ip={}",
        entry.event,
        shown(entry.actor_id),
        shown(entry.target_id),
        entry.username.as_deref().unwrap_or(""),
        entry.ip
    );
}

fn shown(id: Option<i64>) -> String {
    id.map_or_else(|| "-".to_owned(), |id| id.to_string())
}
