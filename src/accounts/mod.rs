//! The accounts layer: every account operation, once, for every door (the HTTP API, the
//! command line, the import, and later mail links, SCIM and forward-auth).
//!
//! Each operation validates with the domain types, hashes through the bounded hashing pool,
//! writes its rows and its audit entry in one write transaction, and answers with an
//! [`AccountError`] that knows nothing of HTTP. Doors parse their input into domain types,
//! call one function here, and map the answer.

mod access;
mod audit;
mod error;
mod groups;
mod limits;
mod mail;
mod passwords;
mod scim;
mod session;
mod tokens;
pub mod transfer;
mod users;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::auth::hashing::HashingPool;
use crate::auth::password::{self, HashError};
use crate::config::Settings;
use crate::db::{write_transaction, Conn, Store};
use crate::domain::{AccessRules, EmailConfirmation, PasswordPolicy};
use crate::models::audit::NewAuditEntry;
use crate::models::User;
use crate::security::clock::Clock;
use crate::security::throttle::{Limits, Throttle};

/// Which way an admin read runs ([`Accounts::read_as_admin`]).
pub use crate::db::Read;
pub use access::{Credential, Member, Passage, ReturnHosts};
pub use audit::{read_page as read_audit_page, AuditQuery, NamedEntry};
pub use error::AccountError;
pub use groups::CountedGroup;
pub use mail::{Claimed, MailKind, PreparedMail};
pub use scim::IfMatch;
pub use session::{authenticate, Client, Session};

/// The account rules in force, from the settings.
#[derive(Debug, Clone)]
pub struct Rules {
    /// How strong new passwords must be.
    pub password_policy: PasswordPolicy,
    /// Lifetime of newly issued tokens.
    pub token_ttl: Duration,
    /// Whether anyone may register.
    pub registration_open: bool,
    /// Brute-force limits on logins and registrations.
    pub limits: Limits,
    /// Whether mail can be sent (an SMTP server is set).
    pub mail_enabled: bool,
    /// Whether addresses are confirmed by mail, and must be.
    pub email_confirmation: EmailConfirmation,
    /// How long a reset link works.
    pub reset_ttl: Duration,
    /// How long a confirmation link works.
    pub confirm_ttl: Duration,
    /// Forward-auth's access rules.
    pub access: AccessRules,
    /// Where forward-auth may send a browser back to.
    pub return_hosts: ReturnHosts,
}

impl Rules {
    /// The rules the settings ask for.
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            password_policy: settings.password_policy,
            token_ttl: settings.token_ttl,
            registration_open: settings.registration_enabled,
            limits: settings.throttle.clone(),
            mail_enabled: settings.mail_enabled(),
            email_confirmation: settings.email_confirmation,
            reset_ttl: settings.reset_token_ttl,
            confirm_ttl: settings.confirm_token_ttl,
            access: settings.access.clone(),
            return_hosts: ReturnHosts {
                cookie_domain: settings.cookie_domain.clone(),
                public_host: url::Url::parse(&settings.public_url)
                    .ok()
                    .and_then(|url| url.host_str().map(str::to_ascii_lowercase)),
            },
        }
    }
}

/// What every operation needs: where the rows are, the one clock, the hashing pool and the
/// rules. One per process, shared by all requests.
#[derive(Debug)]
pub struct Accounts {
    store: Store,
    clock: Arc<dyn Clock>,
    hashing: HashingPool,
    rules: Rules,
    throttle: Throttle,
    /// Verified against when a login names an unknown user, to keep timing constant.
    dummy_hash: String,
    /// When a write last failed for a full disk (unix seconds; 0: not since the last
    /// write that succeeded), for readiness.
    storage_full_at: AtomicI64,
    /// Wakes this instance's mail worker when a mail is queued.
    outbox_ready: Arc<Notify>,
}

/// How long after a write failed for a full disk readiness reports it (the `Retry-After`
/// of that answer): long enough for a load balancer to notice, short enough that an
/// instance nobody writes to recovers once space is freed.
const STORAGE_FULL_REPORTED: i64 = 60;

impl Accounts {
    /// The accounts over `store`; computes the dummy hash (one argon2 run).
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        hashing: HashingPool,
        rules: Rules,
    ) -> Result<Self, HashError> {
        Ok(Self {
            throttle: Throttle::new(rules.limits.clone()),
            dummy_hash: password::dummy_hash()?,
            storage_full_at: AtomicI64::new(0),
            outbox_ready: Arc::default(),
            store,
            clock,
            hashing,
            rules,
        })
    }

    /// Where the rows are, for reads that need no account rule (lists, the audit log).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Now, in unix seconds, by the one clock.
    pub fn now(&self) -> i64 {
        self.clock.unix_seconds()
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Runs `change` and writes the audit entries it returns in one write transaction,
    /// then logs the entries' lines once that committed: an operation that fails leaves no
    /// entry, and no entry exists without its change.
    async fn transact<T, F>(&self, change: F) -> Result<T, AccountError>
    where
        F: FnOnce(&mut Conn) -> Result<(T, Vec<NewAuditEntry>), AccountError> + Send + 'static,
        T: Send + 'static,
    {
        let written = self
            .store
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    let (value, entries) = change(conn)?;
                    audit::insert(conn, &entries)?;
                    Ok::<_, AccountError>((value, entries))
                })
            })
            .await;
        match &written {
            Ok(_) => self.storage_full_at.store(0, Ordering::Relaxed),
            Err(AccountError::StorageFull(_)) => {
                self.storage_full_at.store(self.now(), Ordering::Relaxed);
            }
            Err(_) => {}
        }
        let (value, entries) = written?;
        entries.iter().for_each(audit::log_line);
        Ok(value)
    }

    /// Whether writes failed for a full disk within the last minute, for readiness.
    pub fn writes_failing(&self) -> bool {
        let at = self.storage_full_at.load(Ordering::Relaxed);
        at != 0 && self.now() - at < STORAGE_FULL_REPORTED
    }

    /// Hashing permits taken, and permits in all.
    pub fn hashing_usage(&self) -> (usize, usize) {
        self.hashing.usage()
    }
}

/// Who asks for an operation, and from where: what the audit log records.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Whose rights the operation runs with.
    pub actor: Actor,
    /// The client address (by the trusted-proxy rule), or `cli`.
    pub origin: String,
    /// The door, when the audit log marks it: `scim`.
    pub via: Option<&'static str>,
}

/// Whose rights an operation runs with.
#[derive(Debug, Clone)]
pub enum Actor {
    /// Nobody signed in (register, login).
    Anonymous,
    /// A signed-in user, by the session of its token.
    User(Session),
    /// The operator at the command line: every right, no account.
    Operator,
}

impl Caller {
    /// A client that has not signed in, at `ip`.
    pub fn anonymous(ip: impl ToString) -> Self {
        Self {
            actor: Actor::Anonymous,
            origin: ip.to_string(),
            via: None,
        }
    }

    /// The signed-in `session`, at `ip`.
    pub fn user(session: Session, ip: impl ToString) -> Self {
        Self {
            actor: Actor::User(session),
            origin: ip.to_string(),
            via: None,
        }
    }

    /// The operator at the command line (audited as `cli`, with no actor).
    pub fn operator() -> Self {
        Self {
            actor: Actor::Operator,
            origin: "cli".to_owned(),
            via: None,
        }
    }

    /// The same caller, provisioning over SCIM (so marked in the audit log).
    pub fn through_scim(self) -> Self {
        Self {
            via: Some("scim"),
            ..self
        }
    }

    /// The acting user's id, when a user acts.
    pub fn actor_id(&self) -> Option<i64> {
        self.session().map(|s| s.user.id)
    }

    /// The session, when a user acts.
    pub fn session(&self) -> Option<&Session> {
        match &self.actor {
            Actor::User(session) => Some(session),
            Actor::Anonymous | Actor::Operator => None,
        }
    }

    /// Refuses unless the caller may manage users: an admin, or the operator.
    fn require_admin(&self) -> Result<(), AccountError> {
        match &self.actor {
            Actor::Operator => Ok(()),
            Actor::User(session) if session.user.is_admin => Ok(()),
            Actor::User(_) | Actor::Anonymous => Err(AccountError::AdminRequired),
        }
    }
}

/// A user's own details, which make a password guessable.
fn personal_inputs_of(user: &User) -> Vec<String> {
    crate::domain::personal_inputs(&user.username, &user.name, user.email.as_deref())
}
