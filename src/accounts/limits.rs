//! The login and registration limits, kept in the database so every instance on it counts
//! the same attempts: a login reserves its place before hashing and settles it after, each
//! step in a write transaction (the rules are `security::throttle`'s). Admins read and
//! clear a username's lockout here.

use std::net::IpAddr;

use crate::db::{self, Conn};
use crate::domain::AuditEvent;
use crate::models::{throttle as counters, User};
use crate::security::throttle::{self, Key, Lockout, Record, Refused, Throttle};

use super::{audit, AccountError, Accounts, Caller};

/// Expired counters deleted per failed login: each failure adds at most two rows and
/// removes up to this many dead ones, so rows never outlive their window by much.
const PRUNE_BATCH: i64 = 100;

/// The places one login holds on its username's and its address's counters, until it is
/// settled. An instance that dies before settling leaves them to lapse.
#[derive(Debug)]
pub(super) struct Reservation {
    keys: Vec<Key>,
    /// Set once a transaction that settles it has committed.
    settled: bool,
}

/// How a reserved attempt ended.
#[derive(Debug, Clone, Copy)]
pub(super) enum Outcome {
    /// A wrong password (or unknown user): counted.
    Failed,
    /// The right password: the username's count is cleared.
    Succeeded,
}

impl Reservation {
    /// The keys to settle in a transaction, which the caller then marks [`Self::settled`].
    pub(super) fn keys(&self) -> Vec<Key> {
        self.keys.clone()
    }

    /// Marks the reservation settled: its transaction committed.
    pub(super) fn settled(&mut self) {
        self.settled = true;
    }
}

/// Loads the counter of `key`, applies `change`, and stores the result (or deletes the row
/// once nothing in it matters). A change that refuses stores nothing.
fn update<T>(
    conn: &mut Conn,
    rules: &Throttle,
    key: &Key,
    now: i64,
    change: impl FnOnce(&mut Record) -> Result<T, Refused>,
) -> Result<T, AccountError> {
    let subject = key.stored();
    let stored = counters::load(conn, &subject)?;
    let existed = stored.is_some();
    let mut record = stored.unwrap_or_default();
    let value = change(&mut record)?;
    let expires = rules.expires(key, &record, now);
    counters::save(conn, &subject, &record, expires, existed)?;
    Ok(value)
}

/// Counts an attempt on a rate-limited `key` (a registration, a mail request) inside the
/// caller's transaction, or refuses it when the key is over its rate.
pub(super) fn count_attempt(
    conn: &mut Conn,
    rules: &Throttle,
    key: &Key,
    now: i64,
) -> Result<(), AccountError> {
    if !rules.enabled() {
        return Ok(());
    }
    update(conn, rules, key, now, |record| {
        rules.reserve(key, record, now)?;
        rules.failed(key, record, now);
        Ok(())
    })
}

/// Settles `keys` with `outcome` inside the caller's transaction. Returns the lockout a
/// failure triggered.
pub(super) fn settle(
    conn: &mut Conn,
    rules: &Throttle,
    keys: &[Key],
    outcome: Outcome,
    now: i64,
) -> Result<Option<Refused>, AccountError> {
    let mut locked = None;
    for key in keys {
        let lock = update(conn, rules, key, now, |record| {
            Ok(match outcome {
                Outcome::Failed => rules.failed(key, record, now),
                Outcome::Succeeded => {
                    rules.succeeded(key, record);
                    None
                }
            })
        })?;
        locked = locked.or(lock);
    }
    if let Outcome::Failed = outcome {
        counters::prune(conn, now, PRUNE_BATCH)?;
    }
    Ok(locked)
}

impl Accounts {
    /// Reserves a login attempt for `username` from `ip`, or refuses it (429) while either
    /// counter is at its limit, counting the attempts in flight.
    pub(super) async fn reserve_login(
        &self,
        username: &str,
        ip: IpAddr,
    ) -> Result<Reservation, AccountError> {
        if !self.throttle.enabled() {
            return Ok(Reservation {
                keys: vec![],
                settled: true,
            });
        }
        let keys = vec![Key::LoginAddress(ip), Key::username(username)];
        self.refuse_early(keys.clone()).await?;
        let (rules, reserved, now) = (self.throttle.clone(), keys.clone(), self.now());
        self.transact(move |conn| {
            // A reservation lost in a database crash only frees a place: no need to wait
            // for the disk.
            db::skip_commit_flush(conn)?;
            for key in &reserved {
                update(conn, &rules, key, now, |record| {
                    rules.reserve(key, record, now)
                })?;
            }
            Ok(((), vec![]))
        })
        .await?;
        Ok(Reservation {
            keys,
            settled: false,
        })
    }

    /// Refuses, by a read alone, an attempt that a counter of `keys` would refuse now. A
    /// refusal needs no write: a flood against a locked name or a limited address ends
    /// here and never queues for the write lock. (The write transaction checks again.)
    pub(super) async fn refuse_early(&self, keys: Vec<Key>) -> Result<(), AccountError> {
        let (rules, now) = (self.throttle.clone(), self.now());
        self.store
            .run(move |conn| {
                for key in &keys {
                    let mut record = counters::load(conn, &key.stored())?.unwrap_or_default();
                    rules.reserve(key, &mut record, now)?;
                }
                Ok(())
            })
            .await
    }

    /// Gives back the places of a reservation that was not settled (no hashing slot, a
    /// database error, a change that won the race). Best effort: a reservation that cannot
    /// be released lapses.
    pub(super) async fn release(&self, reservation: Reservation) {
        if reservation.settled {
            return;
        }
        let (rules, now) = (self.throttle.clone(), self.now());
        let released = self
            .transact(move |conn| {
                db::skip_commit_flush(conn)?;
                for key in &reservation.keys {
                    update(conn, &rules, key, now, |record| {
                        rules.release(record);
                        Ok(())
                    })?;
                }
                Ok(((), vec![]))
            })
            .await;
        if let Err(e) = released {
            log::warn!("cannot release a login reservation (it lapses by itself): {e}");
        }
    }

    /// Whether `ip` may try to register now: registration is open and the address is under
    /// its rate. Counts the attempt. Doors call it before reading the registration, so a
    /// flood of malformed ones is limited too.
    pub async fn admit_registration(&self, ip: IpAddr) -> Result<(), AccountError> {
        if !self.rules.registration_open {
            return Err(AccountError::RegistrationClosed);
        }
        if !self.throttle.enabled() {
            return Ok(());
        }
        let key = Key::Registrations(ip);
        self.refuse_early(vec![key.clone()]).await?;
        let (rules, now) = (self.throttle.clone(), self.now());
        self.transact(move |conn| {
            count_attempt(conn, &rules, &key, now)?;
            Ok(((), vec![]))
        })
        .await
    }

    /// The lockout of user `id` (admins and the operator).
    pub async fn lockout(&self, caller: &Caller, id: i64) -> Result<Lockout, AccountError> {
        caller.require_admin()?;
        let now = self.now();
        let rules = self.throttle.clone();
        self.store
            .run(move |conn| {
                let user = User::find(conn, id)?;
                let record = counters::load(conn, &Key::username(&user.username).stored())?;
                Ok::<_, AccountError>(rules.lockout(&record.unwrap_or_default(), now))
            })
            .await
    }

    /// Clears the failures and lockout of user `id` (admins and the operator), audited as
    /// `user.unlocked`. Its client addresses' rates are left to run out (a minute).
    pub async fn unlock(&self, caller: Caller, id: i64) -> Result<Lockout, AccountError> {
        caller.require_admin()?;
        let now = self.now();
        let rules = self.throttle.clone();
        self.transact(move |conn| {
            let user = User::find(conn, id)?;
            let key = Key::username(&user.username);
            update(conn, &rules, &key, now, |record| {
                throttle::unlock(record);
                Ok(())
            })?;
            let entry = audit::on_user(AuditEvent::UserUnlocked, &caller, &user, now);
            Ok((rules.lockout(&Record::default(), now), vec![entry]))
        })
        .await
    }
}
