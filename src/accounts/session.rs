//! Signing in and out: registration, login, logout, and the check of a bearer token.

use std::net::IpAddr;

use crate::auth::password::needs_rehash;
use crate::auth::token::{self, IssuedToken};
use crate::db::{Conn, StoreError};
use crate::domain::{AuditEvent, EmailConfirmation, NewUser, Password, Scope, Scopes, Username};
use crate::models::token::{self as tokens, NewToken, TokenKind};
use crate::models::{Credentials, NewUserRow, User};
use crate::security::throttle::Refused;

use super::limits::{settle, Outcome, Reservation};
use super::mail::queue_confirmation;
use super::{audit, AccountError, Accounts, Caller};

/// A signed-in caller: the account behind a valid session or API token. (Named for the
/// common case; `kind` tells which.)
#[derive(Debug, Clone)]
pub struct Session {
    /// The account, as it is now (enabled: a disabled account's tokens are refused), so
    /// a token never has more rights than its owner has now.
    pub user: User,
    /// The token (for logout and "end the others").
    pub token_id: i64,
    /// A login's session, or an API token.
    pub kind: TokenKind,
    /// What the token may do (every scope for a session).
    pub scopes: Scopes,
    /// The user's group names, comma-separated, by name (read with the token, in its one
    /// query).
    pub groups: String,
    /// Whether the token's `lastUsed` is to be written after this request
    /// ([`Accounts::record_use`]).
    pub last_use_due: bool,
}

impl Session {
    /// The session if its user is an admin; `AdminRequired` otherwise.
    pub fn require_admin(self) -> Result<Self, AccountError> {
        if self.user.is_admin {
            Ok(self)
        } else {
            Err(AccountError::AdminRequired)
        }
    }

    /// Refuses unless the token's scopes include `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), AccountError> {
        match self.scopes.contains(scope) {
            true => Ok(()),
            false => Err(AccountError::ScopeMissing(scope)),
        }
    }

    /// Refuses an API token: for what only a signed-in person may do (managing tokens).
    pub fn require_person(&self) -> Result<(), AccountError> {
        match self.kind {
            TokenKind::Session => Ok(()),
            TokenKind::Api => Err(AccountError::SessionRequired),
        }
    }
}

/// Where a login comes from, kept with its session so its owner can recognise it.
#[derive(Debug, Clone)]
pub struct Client {
    /// The client address (by the trusted-proxy rule).
    pub ip: IpAddr,
    /// The `User-Agent` header, as sent (cut to 512 characters when stored).
    pub user_agent: String,
}

impl Client {
    /// The session row of `issued` for `user_id`, made from this client.
    fn session_row(&self, user_id: i64, issued: &IssuedToken) -> NewToken {
        NewToken {
            user_id,
            token_hash: issued.token_hash.clone(),
            created: issued.created,
            expires: issued.expires,
            kind: TokenKind::Session.as_str(),
            title: None,
            scopes: String::new(),
            last_used: issued.created,
            ip: self.ip.to_string(),
            user_agent: self
                .user_agent
                .chars()
                .filter(|c| !c.is_control())
                .take(512)
                .collect(),
        }
    }
}

/// The session of the token stored as `token_hash`, if it is valid at `now`: one indexed
/// query. A function on a connection, so a read can check its token and run its query in
/// one trip to the blocking pool.
pub fn authenticate(conn: &mut Conn, token_hash: &str, now: i64) -> Result<Session, AccountError> {
    tokens::authenticate(conn, token_hash, now)?
        .map(|(user, token, groups)| Session {
            last_use_due: tokens::last_use_due(&token, now),
            user,
            token_id: token.id,
            kind: token.kind(),
            scopes: token.scopes(),
            groups,
        })
        .ok_or(AccountError::InvalidToken)
}

/// Refuses unless the account still has the password hash that was verified, and is still
/// enabled. The password is checked outside the write lock (hashing takes tens of
/// milliseconds); a reset, disable or delete that committed meanwhile wins, inside the
/// lock, so a racing login never ends up holding a token the change should have ended.
fn still_valid(conn: &mut Conn, id: i64, verified: &str) -> Result<(), AccountError> {
    match Credentials::by_id(conn, id) {
        Ok(now) if now.disabled => Err(AccountError::AccountDisabled),
        Ok(now) if now.password_hash == verified => Ok(()),
        // Changed (or, rarely, upgraded by a concurrent login with the same password).
        Ok(_) | Err(StoreError::UserNotFound) => Err(AccountError::WrongCredentials),
        Err(other) => Err(other.into()),
    }
}

impl From<Refused> for AccountError {
    fn from(refused: Refused) -> Self {
        Self::Throttled {
            retry_after: refused.retry_after,
        }
    }
}

impl Accounts {
    /// The session of a bearer token, checked off the async workers (a lookup).
    pub async fn session(&self, token_hash: String) -> Result<Session, AccountError> {
        let now = self.now();
        let session = self
            .store
            .lookup(move |conn| authenticate(conn, &token_hash, now))
            .await?;
        if session.last_use_due {
            self.record_use(session.token_id, now).await;
        }
        Ok(session)
    }

    /// Writes a token's `lastUsed` (at most once a minute per token), on the pool: lookups
    /// stay reads, so an SQLite reader never waits for the write lock. Best effort: a
    /// request must not fail because this bookkeeping cannot be written (a full disk, a
    /// lock held past the timeout).
    pub(super) async fn record_use(&self, token_id: i64, now: i64) {
        let recorded = self
            .store
            .run(move |conn| tokens::record_use(conn, token_id, now))
            .await;
        if let Err(e) = recorded {
            log::warn!(target: "roster::tokens", "cannot record a token's last use: {e}");
        }
    }

    /// Creates a self-registered account, admin only if it is the very first, and signs it
    /// in; the door asks [`Accounts::admit_registration`] first. Two racing first
    /// registrations cannot both become admin: the check and the insert share one write
    /// transaction.
    /// With confirmation required, the account is not signed in (no token) until its
    /// address is confirmed; otherwise a confirmation mail goes out when confirmation is on.
    pub async fn register(
        &self,
        client: Client,
        new: NewUser,
    ) -> Result<(User, Option<IssuedToken>), AccountError> {
        if !self.rules.registration_open {
            return Err(AccountError::RegistrationClosed);
        }
        let password_hash = self
            .hash_new(new.password.clone(), new.personal_inputs())
            .await?;
        let (now, confirmation) = (self.now(), self.rules.email_confirmation);
        let issued = (confirmation != EmailConfirmation::Required)
            .then(|| token::issue(now, self.rules.token_ttl));
        let session = issued.clone();
        let caller = Caller::anonymous(client.ip);
        let (user, queued) = self
            .transact(move |conn| {
                let first = User::none_yet(conn)?;
                let user = User::create(conn, &NewUserRow::of(&new, first, &password_hash, now))?;
                if let Some(issued) = &session {
                    tokens::insert(conn, &client.session_row(user.id, issued))?;
                }
                let queued = queue_confirmation(conn, confirmation, &user, now)?;
                let mut entry = audit::on_user(AuditEvent::UserRegistered, &caller, &user, now);
                entry.actor_id = Some(user.id);
                Ok(((user, queued), vec![entry]))
            })
            .await?;
        if queued {
            self.mail_queued();
        }
        Ok((user, issued))
    }

    /// Exchanges a username and password for a token. The attempt is reserved on the
    /// username's and the address's counters before any lookup or hashing, and settled
    /// after; an unknown user costs one verification too (against the dummy hash), so
    /// neither the answer nor its timing tells who exists. A hash made with older
    /// parameters is upgraded while the plaintext is at hand.
    pub async fn login(
        &self,
        client: Client,
        username: &str,
        password: Password,
    ) -> Result<(i64, IssuedToken), AccountError> {
        let mut reservation = self.reserve_login(username, client.ip).await?;
        let answer = self
            .login_reserved(client, username, password, &mut reservation)
            .await;
        self.release(reservation).await;
        answer
    }

    /// The login once its attempt is reserved; settles the reservation on every path that
    /// got an answer from the password.
    async fn login_reserved(
        &self,
        client: Client,
        username: &str,
        password: Password,
        reservation: &mut Reservation,
    ) -> Result<(i64, IssuedToken), AccountError> {
        // A name outside the naming rules cannot exist, and some (NUL) no database takes.
        let found = match Username::parse(username.to_owned()) {
            Ok(valid) => {
                self.store
                    .run(move |conn| Credentials::by_username(conn, valid.as_str()))
                    .await?
            }
            Err(_) => None,
        };
        let stored = found
            .as_ref()
            .map_or_else(|| self.dummy_hash.clone(), |c| c.password_hash.clone());
        let matches = self.verify(password.clone(), stored).await?;
        let ip = client.ip;
        let caller = Caller::anonymous(ip);
        let credentials = match found {
            Some(credentials) if matches => credentials,
            not_matched => {
                let target = not_matched.map(|c| (c.id, c.username));
                self.login_failed(ip, username, target, reservation).await;
                return Err(AccountError::WrongCredentials);
            }
        };
        let (rules, keys) = (self.throttle.clone(), reservation.keys());
        let unconfirmed = self.rules.email_confirmation == EmailConfirmation::Required
            && credentials.email.is_some()
            && !credentials.email_confirmed;
        if credentials.disabled || unconfirmed {
            let now = self.now();
            self.transact(move |conn| {
                settle(conn, &rules, &keys, Outcome::Succeeded, now)?;
                Ok(((), vec![]))
            })
            .await?;
            reservation.settled();
            return Err(match credentials.disabled {
                true => AccountError::AccountDisabled,
                false => AccountError::EmailNotConfirmed,
            });
        }
        let upgraded = match needs_rehash(&credentials.password_hash) {
            true => Some(self.rehash(password).await?),
            false => None,
        };
        let user_id = credentials.id;
        let verified = credentials.password_hash;
        let now = self.now();
        let issued = token::issue(now, self.rules.token_ttl);
        let record = client.session_row(user_id, &issued);
        let mut entry = audit::entry(AuditEvent::LoginSucceeded, &caller, now);
        (entry.actor_id, entry.target_id) = (Some(user_id), Some(user_id));
        entry.username = Some(credentials.username);
        // One transaction, so one commit (and fsync) per login; a change that committed
        // meanwhile wins, and the reservation is then released instead.
        self.transact(move |conn| {
            still_valid(conn, user_id, &verified)?;
            settle(conn, &rules, &keys, Outcome::Succeeded, now)?;
            if let Some(hash) = &upgraded {
                User::replace_password_hash(conn, user_id, hash)?;
            }
            tokens::purge_expired(conn, user_id, now)?;
            tokens::insert(conn, &record)?;
            Ok(((), vec![entry]))
        })
        .await?;
        reservation.settled();
        Ok((user_id, issued))
    }

    /// Records a failed login on its counters, with its audit entries (and the lockout it
    /// may trigger) in one transaction. The entries name an existing account (`target`: its
    /// id and stored username) as stored, an unknown one as typed. Nothing else changed, so
    /// a failure to write is logged rather than answered (the reservation is then released,
    /// or lapses).
    async fn login_failed(
        &self,
        ip: IpAddr,
        username: &str,
        target: Option<(i64, String)>,
        reservation: &mut Reservation,
    ) {
        let now = self.now();
        let caller = Caller::anonymous(ip);
        let (target, tried) = match target {
            Some((id, stored)) => (Some(id), stored),
            None => (None, audit::tried(username)),
        };
        let (rules, keys) = (self.throttle.clone(), reservation.keys());
        let written = self
            .transact(move |conn| {
                let mut failed = audit::entry(AuditEvent::LoginFailed, &caller, now);
                failed.target_id = target;
                failed.username = Some(tried.clone());
                let mut entries = vec![failed];
                if settle(conn, &rules, &keys, Outcome::Failed, now)?.is_some() {
                    let mut locked = audit::entry(AuditEvent::LoginThrottled, &caller, now);
                    locked.username = Some(tried);
                    entries.push(locked);
                }
                Ok(((), entries))
            })
            .await;
        match written {
            Ok(()) => reservation.settled(),
            Err(e) => log::error!(target: "roster::audit", "cannot record a failed login: {e}"),
        }
    }

    /// Ends the caller's own session (revokes the token it signed in with).
    pub async fn logout(&self, caller: Caller) -> Result<(), AccountError> {
        let session = caller
            .session()
            .cloned()
            .ok_or(AccountError::InvalidToken)?;
        let now = self.now();
        let entry = audit::on_user(AuditEvent::Logout, &caller, &session.user, now);
        self.transact(move |conn| {
            tokens::revoke(conn, session.token_id)?;
            Ok(((), vec![entry]))
        })
        .await
    }
}
