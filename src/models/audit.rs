//! The audit log: security events, written after the change they record.

use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::{lower_nullable, Backend, Conn, StoreError};
use crate::domain::{AuditEvent, Page};

/// An event to record. Never holds a password, token or hash: there is no field for one.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditEntry {
    /// Unix seconds.
    pub at: i64,
    /// `AuditEvent::as_str`.
    pub event: &'static str,
    /// Who acted (`None` for an anonymous login attempt).
    pub actor_id: Option<i64>,
    /// Whom it concerned.
    pub target_id: Option<i64>,
    /// The username tried or concerned.
    pub username: Option<String>,
    /// The client address, by the trusted-proxy rule.
    pub ip: String,
    /// The group concerned, as named then.
    pub group_name: Option<String>,
    /// The door, when not the v1 API or the command line: `scim`.
    pub via: Option<&'static str>,
}

/// A recorded event.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log, check_for_backend(Backend))]
pub struct AuditRecord {
    /// Increasing with time.
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// The event type.
    pub event: String,
    /// Who acted.
    pub actor_id: Option<i64>,
    /// Whom it concerned.
    pub target_id: Option<i64>,
    /// The username tried or concerned.
    pub username: Option<String>,
    /// The client address.
    pub ip: String,
    /// The group concerned, as named then.
    pub group_name: Option<String>,
    /// The door, when not the v1 API or the command line: `scim`.
    pub via: Option<String>,
}

impl NewAuditEntry {
    /// An entry of `event` at `at` from `ip`, to be completed with the people involved.
    pub fn new(event: AuditEvent, at: i64, ip: String) -> Self {
        Self {
            at,
            event: event.as_str(),
            actor_id: None,
            target_id: None,
            username: None,
            ip,
            group_name: None,
            via: None,
        }
    }

    /// Stores the entry.
    pub fn insert(&self, conn: &mut Conn) -> Result<(), StoreError> {
        diesel::insert_into(audit_log::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }
}

/// Which events a read of the log wants; every given part must match.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Events this user id did or that concerned it.
    pub user: Option<i64>,
    /// Events that recorded this username (ignoring case), and those the existing account
    /// of that name (its id) did or that concerned it.
    pub username: Option<(String, Option<i64>)>,
    /// Events of this type.
    pub event: Option<AuditEvent>,
}

impl AuditRecord {
    /// One page of events matching `filter`, newest first, and how many match in all.
    pub fn list(
        conn: &mut Conn,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<(Vec<Self>, i64), StoreError> {
        let involving = |id: i64| audit_log::actor_id.eq(id).or(audit_log::target_id.eq(id));
        let matching = || {
            let mut query = audit_log::table.into_boxed::<Backend>();
            if let Some(user) = filter.user {
                query = query.filter(involving(user));
            }
            if let Some((name, account)) = &filter.username {
                let recorded = lower_nullable(audit_log::username).eq(lower_nullable(name.clone()));
                query = match account {
                    // The ids cover what the account did to others under another name.
                    Some(id) => query.filter(recorded.or(involving(*id))),
                    None => query.filter(recorded),
                };
            }
            if let Some(event) = filter.event {
                query = query.filter(audit_log::event.eq(event.as_str()));
            }
            query
        };
        let total = matching().count().get_result(conn)?;
        let records = matching()
            .order(audit_log::id.desc())
            .limit(page.size())
            .offset(page.offset())
            .select(Self::as_select())
            .load(conn)?;
        Ok((records, total))
    }
}
