//! Audit entries: who did what to whom, from where. Each operation writes its entry in the
//! transaction of the change it records (no change without its entry, no entry without
//! its change), then logs the entry's line once that committed.

use crate::db::{Conn, StoreError};
use crate::domain::{AuditEvent, Page};
use crate::models::audit::{AuditFilter, AuditRecord, NewAuditEntry};
use crate::models::User;

use super::Caller;

/// Builds the entry of `event` by `caller` at `now`.
pub(super) fn entry(event: AuditEvent, caller: &Caller, now: i64) -> NewAuditEntry {
    let mut entry = NewAuditEntry::new(event, now, caller.origin.clone());
    entry.actor_id = caller.actor_id();
    entry.via = caller.via;
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
        "{} actor={} target={} username={:?} ip={}{}{}",
        entry.event,
        shown(entry.actor_id),
        shown(entry.target_id),
        entry.username.as_deref().unwrap_or(""),
        entry.ip,
        entry
            .group_name
            .as_deref()
            .map_or_else(String::new, |group| format!(" group={group:?}")),
        entry
            .via
            .map_or_else(String::new, |via| format!(" via={via}"))
    );
}

fn shown(id: Option<i64>) -> String {
    id.map_or_else(|| "-".to_owned(), |id| id.to_string())
}

/// Which events to read: every given part must match.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Events this user id did or that concerned it.
    pub user: Option<i64>,
    /// Events of the account named so now (what it did or what concerned it), and every
    /// event that recorded the name: a deleted account's, logins tried with it.
    pub username: Option<String>,
    /// Events of this type.
    pub event: Option<AuditEvent>,
}

/// An audit entry with the current usernames of its actor and target (`None` once that
/// account is deleted; the entry's own `username` keeps the name it had).
#[derive(Debug, Clone)]
pub struct NamedEntry {
    /// The entry as stored.
    pub record: AuditRecord,
    /// The actor's username now.
    pub actor: Option<String>,
    /// The target's username now.
    pub target: Option<String>,
}

/// Reads one page of the audit log, newest first, and how many entries match in all.
/// Run inside an admin read.
pub fn read_page(
    conn: &mut Conn,
    query: AuditQuery,
    page: Page,
) -> Result<(Vec<NamedEntry>, i64), StoreError> {
    let username = match query.username {
        Some(name) => {
            let account = User::find_by_username(conn, &name)?.map(|user| user.id);
            Some((name, account))
        }
        None => None,
    };
    let filter = AuditFilter {
        user: query.user,
        username,
        event: query.event,
    };
    let (records, total) = AuditRecord::list(conn, &filter, page)?;
    let mut ids: Vec<i64> = records
        .iter()
        .flat_map(|record| [record.actor_id, record.target_id])
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names = User::usernames_of(conn, &ids)?;
    let name_of = |id: Option<i64>| id.and_then(|id| names.get(&id).cloned());
    let entries = records
        .into_iter()
        .map(|record| NamedEntry {
            actor: name_of(record.actor_id),
            target: name_of(record.target_id),
            record,
        })
        .collect();
    Ok((entries, total))
}
