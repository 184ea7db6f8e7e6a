//! Login and registration limits: the rules, on one counter at a time. The counters live
//! in the database (`models::throttle`), so every instance on it enforces the same limits,
//! and the accounts layer applies these rules inside a write transaction, so concurrent
//! attempts are counted exactly:
//!
//! 1. **Reserve** before hashing: an attempt is admitted only while the failures already
//!    counted plus the attempts in flight stay under the limit, and is then counted as in
//!    flight (`pending`).
//! 2. **Settle** after: a wrong password becomes a failure; a right one clears the
//!    username's count; an attempt that never got its answer (no hashing slot, a database
//!    error) is released. An instance that dies between the two leaves a reservation that
//!    lapses after [`STALE_RESERVATION`].
//!
//! Per username (ignoring case): `max_failures` within the window lock it for a delay that
//! starts at `base_delay` and doubles with each further failure after a lockout, up to
//! `max_delay`, whether or not the password is right; a window without failures (or a right
//! password) forgives. Unknown usernames are counted the same way, so the answers do not
//! tell whether an account exists. Per client address (IPv6 by its /64): failed logins and
//! registrations are each limited per minute (a sliding minute).

use std::net::IpAddr;
use std::time::Duration;

use crate::domain::Username;

/// Thresholds, from the configuration.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Off switch (`ROSTER_THROTTLE=false`).
    pub enabled: bool,
    /// Failures per username that trigger a lockout.
    pub max_failures: usize,
    /// The window failures are counted in.
    pub window: Duration,
    /// The first lockout's length.
    pub base_delay: Duration,
    /// The longest lockout.
    pub max_delay: Duration,
    /// Failed logins per client IP per minute.
    pub ip_failed_logins_per_minute: usize,
    /// Registrations per client IP per minute.
    pub ip_registrations_per_minute: usize,
    /// Reset and confirmation requests per email address per hour.
    pub mails_per_address_per_hour: usize,
    /// Reset and confirmation requests per client IP per minute.
    pub ip_mail_requests_per_minute: usize,
}

/// Why an attempt is refused, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// When a retry may succeed.
    pub retry_after: Duration,
}

/// A reservation older than this (seconds) is taken for one whose instance died before
/// settling it. Every request ends well within it (request, hashing and database time
/// are all bounded far below).
pub const STALE_RESERVATION: i64 = 120;

/// The sliding window of the per-address rates, in seconds.
const MINUTE: i64 = 60;

/// The sliding window of the per-email-address rate of mail requests, in seconds.
const HOUR: i64 = 3600;

/// What a counter counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// Failed logins for a username, by its lowercase form (at most 64 characters).
    Username(String),
    /// Failed logins from a client address.
    LoginAddress(IpAddr),
    /// Registrations from a client address.
    Registrations(IpAddr),
    /// Reset and confirmation requests for an email address, by its lowercase form.
    MailAddress(String),
    /// Reset and confirmation requests from a client address.
    MailRequests(IpAddr),
}

impl Key {
    /// The counter of `username` as a login names it. No account name is longer than 64
    /// characters, so longer attempts are cut there: a key never holds a large body. NUL,
    /// which PostgreSQL cannot store, stands as U+FFFD.
    pub fn username(username: &str) -> Self {
        let key = username
            .chars()
            .flat_map(char::to_lowercase)
            .take(Username::MAX_LEN)
            .map(|c| {
                if c == '\0' {
                    char::REPLACEMENT_CHARACTER
                } else {
                    c
                }
            })
            .collect();
        Self::Username(key)
    }

    /// The counter of mail requests for `email` (a checked address, so at most 254 ASCII
    /// characters).
    pub fn mail_address(email: &str) -> Self {
        Self::MailAddress(email.to_ascii_lowercase())
    }

    /// How the key is stored: `u:<name>`, `a:<address>`, `r:<address>`, `e:<email>`,
    /// `m:<address>`. An IPv6 client counts by its /64, the block one subscriber usually
    /// holds.
    pub fn stored(&self) -> String {
        match self {
            Self::Username(name) => format!("u:{name}"),
            Self::LoginAddress(ip) => format!("a:{}", network(*ip)),
            Self::Registrations(ip) => format!("r:{}", network(*ip)),
            Self::MailAddress(email) => format!("e:{email}"),
            Self::MailRequests(ip) => format!("m:{}", network(*ip)),
        }
    }
}

fn network(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(prefix))
            }
        },
    }
}

/// One counter's state, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// Times (unix seconds) of the counted events still in their window, oldest first;
    /// never more than the limit.
    pub events: Vec<i64>,
    /// Locked until then (usernames only); 0 when never locked.
    pub locked_until: i64,
    /// Lockouts since the last forgiveness (usernames only): each doubles the next.
    pub lockouts: i32,
    /// Attempts admitted and not yet settled.
    pub pending: i32,
    /// When the newest of them was admitted.
    pub pending_at: i64,
}

/// A username's lockout, as an admin sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    /// Logins are refused until `until`.
    pub locked: bool,
    /// Unix seconds, while locked.
    pub until: Option<i64>,
    /// Failures counted in the window.
    pub failures: u32,
}

/// The limits applied to records.
#[derive(Debug, Clone)]
pub struct Throttle {
    limits: Limits,
}

impl Throttle {
    /// The rules of `limits`.
    pub fn new(limits: Limits) -> Self {
        Self { limits }
    }

    /// Whether the limits are in force at all.
    pub fn enabled(&self) -> bool {
        self.limits.enabled
    }

    /// Admits an attempt on `key` and reserves it in `record`, or refuses it.
    pub fn reserve(&self, key: &Key, record: &mut Record, now: i64) -> Result<(), Refused> {
        self.forget(key, record, now);
        if record.pending > 0 && now - record.pending_at > STALE_RESERVATION {
            record.pending = 0;
        }
        if record.locked_until > now {
            return Err(refused(record.locked_until - now));
        }
        let pending = usize::try_from(record.pending).unwrap_or(0);
        let allowance = match key {
            // Once locked, every further failure locks again: one attempt at a time.
            Key::Username(_) if record.lockouts > 0 => 1,
            _ => self.limit(key).saturating_sub(record.events.len()),
        };
        if pending >= allowance {
            // Waiting for attempts in flight to settle (a second at most, or they lock
            // the key), or for enough events to leave the window.
            let needed = (pending + record.events.len() + 1).saturating_sub(self.limit(key));
            let oldest_to_leave = needed.checked_sub(1).and_then(|i| record.events.get(i));
            let wait = match (key, oldest_to_leave) {
                (Key::Username(_), _) | (_, None) => 1,
                (_, Some(at)) => (at + self.window(key) - now).max(1),
            };
            return Err(refused(wait));
        }
        record.pending += 1;
        record.pending_at = now;
        Ok(())
    }

    /// Settles a reserved attempt as a failure (or, for registrations, as the attempt
    /// itself). Returns the lockout it triggered, if any.
    pub fn failed(&self, key: &Key, record: &mut Record, now: i64) -> Option<Refused> {
        self.release(record);
        self.forget(key, record, now);
        record.events.push(now);
        let limit = self.limit(key);
        let excess = record.events.len().saturating_sub(limit);
        record.events.drain(..excess);
        let Key::Username(_) = key else {
            return None;
        };
        if record.events.len() < limit && record.lockouts == 0 {
            return None;
        }
        let doublings = u32::try_from(record.lockouts.clamp(0, 16)).unwrap_or(16);
        record.lockouts += 1;
        let delay = self
            .limits
            .base_delay
            .saturating_mul(1 << doublings)
            .min(self.limits.max_delay);
        let seconds = i64::try_from(delay.as_secs()).unwrap_or(i64::MAX);
        record.locked_until = now.saturating_add(seconds);
        Some(refused(seconds))
    }

    /// Settles a reserved attempt whose password was right: a username's count is
    /// cleared; an address's reservation is released.
    pub fn succeeded(&self, key: &Key, record: &mut Record) {
        self.release(record);
        if let Key::Username(_) = key {
            unlock(record);
        }
    }

    /// Settles a reserved attempt that got no answer: it counts for nothing.
    pub fn release(&self, record: &mut Record) {
        record.pending = (record.pending - 1).max(0);
    }

    /// The lockout of a username's `record` at `now`.
    pub fn lockout(&self, record: &Record, now: i64) -> Lockout {
        let mut record = record.clone();
        forget(&mut record, self.username_window(), now);
        let locked = record.locked_until > now;
        Lockout {
            locked,
            until: locked.then_some(record.locked_until),
            failures: u32::try_from(record.events.len()).unwrap_or(u32::MAX),
        }
    }

    /// When `record` stops mattering: after that it may be deleted. A record that
    /// matters no more already is deleted at once.
    pub fn expires(&self, key: &Key, record: &Record, now: i64) -> Option<i64> {
        let window = self.window(key);
        let expires = [
            record.events.last().map_or(0, |at| at + window),
            // A lockout is remembered for a window after it ends (the next one doubles).
            match record.lockouts {
                0 => record.locked_until,
                _ => record.locked_until + window,
            },
            match record.pending {
                0 => 0,
                _ => record.pending_at + STALE_RESERVATION,
            },
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        (expires > now).then_some(expires)
    }

    fn limit(&self, key: &Key) -> usize {
        match key {
            Key::Username(_) => self.limits.max_failures,
            Key::LoginAddress(_) => self.limits.ip_failed_logins_per_minute,
            Key::Registrations(_) => self.limits.ip_registrations_per_minute,
            Key::MailAddress(_) => self.limits.mails_per_address_per_hour,
            Key::MailRequests(_) => self.limits.ip_mail_requests_per_minute,
        }
    }

    fn window(&self, key: &Key) -> i64 {
        match key {
            Key::Username(_) => self.username_window(),
            Key::LoginAddress(_) | Key::Registrations(_) | Key::MailRequests(_) => MINUTE,
            Key::MailAddress(_) => HOUR,
        }
    }

    fn username_window(&self) -> i64 {
        i64::try_from(self.limits.window.as_secs()).unwrap_or(i64::MAX)
    }

    fn forget(&self, key: &Key, record: &mut Record, now: i64) {
        forget(record, self.window(key), now);
    }
}

/// Drops events that left the `window`; a whole window without failures or lockouts
/// forgives the past lockouts too.
fn forget(record: &mut Record, window: i64, now: i64) {
    let last_activity = record
        .events
        .last()
        .copied()
        .unwrap_or_default()
        .max(record.locked_until);
    if now.saturating_sub(last_activity) >= window {
        record.lockouts = 0;
    }
    record.events.retain(|at| now - at < window);
}

/// Clears a username's failures and lockouts (a right password, or an admin's unlock);
/// attempts in flight stay reserved.
pub fn unlock(record: &mut Record) {
    record.events.clear();
    record.lockouts = 0;
    record.locked_until = 0;
}

fn refused(seconds: i64) -> Refused {
    Refused {
        retry_after: Duration::from_secs(u64::try_from(seconds).unwrap_or(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented defaults, from the one table of settings.
    fn throttle() -> Throttle {
        Throttle::new(
            crate::config::Settings::from_lookup(|_| None)
                .unwrap()
                .throttle,
        )
    }

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    const START: i64 = 1_000_000;

    /// One whole attempt: reserved, then failed.
    fn fail(throttle: &Throttle, key: &Key, record: &mut Record, now: i64) -> Option<Refused> {
        throttle.reserve(key, record, now).unwrap();
        throttle.failed(key, record, now)
    }

    #[test]
    fn ten_failures_lock_the_username_with_a_growing_delay() {
        let throttle = throttle();
        let (key, mut record) = (Key::username("Alice"), Record::default());
        let mut now = START;
        for _ in 0..9 {
            assert_eq!(fail(&throttle, &key, &mut record, now), None);
            now += 1;
        }
        let lock = fail(&throttle, &key, &mut record, now).unwrap();
        assert_eq!(lock.retry_after, Duration::from_secs(60));
        assert!(throttle
            .reserve(&Key::username("ALICE"), &mut record, now)
            .is_err());
        now += 61;
        // Still ten in the window: the next failure locks again, twice as long.
        let lock = fail(&throttle, &key, &mut record, now).unwrap();
        assert_eq!(lock.retry_after, Duration::from_secs(120));
        // A whole quiet window after the lockout forgives: one failure locks no more.
        now += 120 + 900;
        assert_eq!(fail(&throttle, &key, &mut record, now), None);
        assert_eq!(throttle.lockout(&record, now).failures, 1);
    }

    #[test]
    fn the_delay_is_capped() {
        let throttle = throttle();
        let (key, mut record) = (Key::username("bob"), Record::default());
        let (mut now, mut last) = (START, Duration::ZERO);
        for _ in 0..20 {
            if let Some(lock) = fail(&throttle, &key, &mut record, now) {
                last = lock.retry_after;
                now += i64::try_from(lock.retry_after.as_secs()).unwrap();
            }
        }
        assert_eq!(last, Duration::from_secs(15 * 60));
    }

    #[test]
    fn attempts_in_flight_count_against_the_limit() {
        let throttle = throttle();
        let (key, mut record) = (Key::username("carol"), Record::default());
        // A burst: ten are admitted at once, the eleventh waits for them.
        for _ in 0..10 {
            throttle.reserve(&key, &mut record, START).unwrap();
        }
        let waiting = throttle.reserve(&key, &mut record, START).unwrap_err();
        assert_eq!(waiting.retry_after, Duration::from_secs(1));
        // One released (no answer) frees its place; failures keep theirs.
        throttle.release(&mut record);
        throttle.reserve(&key, &mut record, START).unwrap();
        for _ in 0..9 {
            assert_eq!(throttle.failed(&key, &mut record, START), None);
        }
        assert!(throttle.failed(&key, &mut record, START).is_some());
        assert_eq!(record.pending, 0);
        // A reservation whose instance died lapses.
        let mut orphaned = Record::default();
        for _ in 0..10 {
            throttle.reserve(&key, &mut orphaned, START).unwrap();
        }
        let later = START + STALE_RESERVATION + 1;
        throttle.reserve(&key, &mut orphaned, later).unwrap();
        assert_eq!(orphaned.pending, 1);
    }

    #[test]
    fn long_names_are_counted_by_their_first_64_characters() {
        let long = Key::username(&"x".repeat(10_000));
        assert_eq!(long, Key::username(&"X".repeat(64)));
        assert_eq!(long.stored().len(), 66);
        let turkish = Key::username(&"İ".repeat(64));
        assert_eq!(turkish.stored().chars().count(), 66);
        assert_eq!(Key::username("ad\0MIN").stored(), "u:ad\u{fffd}min");
    }

    #[test]
    fn success_clears_the_count() {
        let throttle = throttle();
        let (key, mut record) = (Key::username("carol"), Record::default());
        for _ in 0..9 {
            fail(&throttle, &key, &mut record, START);
        }
        throttle.reserve(&key, &mut record, START).unwrap();
        throttle.succeeded(&key, &mut record);
        assert_eq!(
            record,
            Record {
                pending_at: START,
                ..Record::default()
            }
        );
        assert_eq!(throttle.expires(&key, &record, START), None);
    }

    #[test]
    fn per_address_rates_slide() {
        let throttle = throttle();
        let (key, mut record) = (Key::LoginAddress(IP), Record::default());
        for second in 0..30 {
            fail(&throttle, &key, &mut record, START + second);
        }
        // The oldest failure leaves the window a minute after it happened.
        let refused = throttle.reserve(&key, &mut record, START + 30).unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_secs(30));
        throttle.reserve(&key, &mut record, START + 60).unwrap();
        throttle.succeeded(&key, &mut record);
        assert_eq!(record.events.len(), 29);

        let (key, mut record) = (Key::Registrations(IP), Record::default());
        for _ in 0..60 {
            fail(&throttle, &key, &mut record, START);
        }
        assert!(throttle.reserve(&key, &mut record, START).is_err());
        assert!(throttle.reserve(&key, &mut record, START + 60).is_ok());
    }

    #[test]
    fn an_ipv6_client_counts_by_its_slash_64() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let two: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(Key::LoginAddress(one).stored(), "a:2001:db8:1:2::/64");
        assert_eq!(Key::LoginAddress(one), Key::LoginAddress(one));
        assert_eq!(
            Key::LoginAddress(one).stored(),
            Key::LoginAddress(two).stored()
        );
        assert_ne!(
            Key::LoginAddress(one).stored(),
            Key::LoginAddress(other).stored()
        );
        assert_eq!(Key::Registrations(mapped).stored(), "r:192.0.2.1");
    }
}
