//! Recording security events: a row in the audit log and a line in the log at info.

use crate::domain::AuditEvent;
use crate::models::audit::NewAuditEntry;
use crate::models::{unix_now, User};
use crate::state::AppState;

use super::blocking;

/// Who did what to whom, from where.
#[derive(Debug, Clone)]
pub struct Event {
    entry: NewAuditEntry,
}

impl Event {
    /// An event from the client at `ip`, now.
    pub fn new(event: AuditEvent, ip: std::net::IpAddr) -> Self {
        Self {
            entry: NewAuditEntry::new(event, unix_now(), ip.to_string()),
        }
    }

    /// An event from the client at `ip`, in which `actor` acted on `user`.
    pub fn on_user(event: AuditEvent, ip: std::net::IpAddr, actor: i64, user: &User) -> Self {
        Self::new(event, ip)
            .actor(actor)
            .target(user.id)
            .username(&user.username)
    }

    /// The user who acted.
    pub fn actor(mut self, id: i64) -> Self {
        self.entry.actor_id = Some(id);
        self
    }

    /// The user concerned.
    pub fn target(mut self, id: i64) -> Self {
        self.entry.target_id = Some(id);
        self
    }

    /// The username tried or concerned; a login may send any text, so at most 128
    /// characters of it are kept.
    pub fn username(mut self, username: &str) -> Self {
        // Control characters (NUL above all, which PostgreSQL cannot store) would only
        // garble the log; what was tried stays recognisable without them.
        self.entry.username = Some(
            username
                .chars()
                .filter(|c| !c.is_control())
                .take(128)
                .collect(),
        );
        self
    }

    /// Writes the event. The change it records has already happened, so a failure to
    /// write is logged, not turned into an error answer.
    pub async fn record(self, state: &AppState) {
        let entry = self.entry;
        log_line(&entry);
        if let Err(e) = blocking::db(state, move |conn| entry.insert(conn)).await {
            log::error!(target: "roster::audit", "cannot write the audit log: {e}");
        }
    }

    /// The row, for writing in the transaction of the change it records (one commit, and
    /// no change without its event); pass it to [`log_line`] once that committed.
    pub fn into_entry(self) -> NewAuditEntry {
        self.entry
    }
}

/// The event's line in the log.
pub fn log_line(entry: &NewAuditEntry) {
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
