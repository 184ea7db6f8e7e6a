//! Login and registration throttling, in memory, per instance.
//!
//! - Failed logins are counted per username (ignoring case) in a sliding window. Once a
//!   username has `max_failures` in the window, attempts for it are refused for a delay
//!   that starts at `base_delay` and doubles with each further failure after a lockout, up
//!   to `max_delay`, whether or not the password is right; a window without failures (or a
//!   correct password) forgives. Unknown usernames are counted the same way, so
//!   the answers do not tell whether an account exists. A successful login clears the count.
//! - Per client IP, failed logins and registrations are each limited per minute.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::clock::Clock;
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
}

/// Why an attempt is refused, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// When a retry may succeed.
    pub retry_after: Duration,
}

/// Entries are pruned once the maps pass this size, so a flood of distinct usernames or
/// addresses cannot grow memory without bound.
const PRUNE_ABOVE: usize = 10_000;
/// Past this many live entries even recent, unlocked ones are dropped: a few dozen MiB at
/// most, whatever a botnet sends. Lockouts in force are kept.
const HARD_CAP: usize = 200_000;
const MINUTE: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
struct UsernameRecord {
    failures: VecDeque<Duration>,
    locked_until: Duration,
    lockouts: u32,
}

#[derive(Debug, Default)]
struct IpRecord {
    failed_logins: VecDeque<Duration>,
    registrations: VecDeque<Duration>,
}

#[derive(Debug, Default)]
struct Records {
    usernames: HashMap<String, UsernameRecord>,
    ips: HashMap<IpAddr, IpRecord>,
}

/// The throttle shared by all workers of an instance.
#[derive(Debug)]
pub struct Throttle {
    limits: Limits,
    clock: Arc<dyn Clock>,
    records: Mutex<Records>,
}

impl Throttle {
    /// A throttle with these limits, reading time from `clock`.
    pub fn new(limits: Limits, clock: Arc<dyn Clock>) -> Self {
        Self {
            limits,
            clock,
            records: Mutex::default(),
        }
    }

    /// Whether a login for `username` from `ip` may be tried now.
    pub fn check_login(&self, username: &str, ip: IpAddr) -> Result<(), Refused> {
        if !self.limits.enabled {
            return Ok(());
        }
        let now = self.clock.now();
        let mut records = self.records();
        if let Some(record) = records.ips.get_mut(&ip) {
            let limit = self.limits.ip_failed_logins_per_minute;
            over_rate(&mut record.failed_logins, now, limit)?;
        }
        if let Some(record) = records.usernames.get(&key(username)) {
            if record.locked_until > now {
                return Err(Refused {
                    retry_after: record.locked_until - now,
                });
            }
        }
        Ok(())
    }

    /// Counts a failed login. Returns the lockout it triggered, if any.
    pub fn login_failed(&self, username: &str, ip: IpAddr) -> Option<Refused> {
        if !self.limits.enabled {
            return None;
        }
        let now = self.clock.now();
        let mut records = self.records();
        records.prune(now, self.limits.window);
        records
            .ips
            .entry(ip)
            .or_default()
            .failed_logins
            .push_back(now);
        let record = records.usernames.entry(key(username)).or_default();
        let last_activity = record
            .failures
            .back()
            .copied()
            .unwrap_or_default()
            .max(record.locked_until);
        if now.saturating_sub(last_activity) >= self.limits.window {
            // A whole window without failures or lockouts forgives the past.
            record.lockouts = 0;
        }
        forget_before(&mut record.failures, now.saturating_sub(self.limits.window));
        record.failures.push_back(now);
        // Once locked, every further failure locks again, for longer, until a correct
        // password or a window without failures.
        if record.failures.len() < self.limits.max_failures && record.lockouts == 0 {
            return None;
        }
        let doublings = record.lockouts.min(16);
        record.lockouts += 1;
        let delay = self
            .limits
            .base_delay
            .saturating_mul(1 << doublings)
            .min(self.limits.max_delay);
        record.locked_until = now + delay;
        Some(Refused { retry_after: delay })
    }

    /// Clears the failures of `username` after a correct password.
    pub fn login_succeeded(&self, username: &str) {
        self.records().usernames.remove(&key(username));
    }

    /// Counts a registration attempt from `ip`, refusing it over the rate.
    pub fn register_attempt(&self, ip: IpAddr) -> Result<(), Refused> {
        if !self.limits.enabled {
            return Ok(());
        }
        let now = self.clock.now();
        let mut records = self.records();
        records.prune(now, self.limits.window);
        let record = records.ips.entry(ip).or_default();
        over_rate(
            &mut record.registrations,
            now,
            self.limits.ip_registrations_per_minute,
        )?;
        record.registrations.push_back(now);
        Ok(())
    }

    fn records(&self) -> MutexGuard<'_, Records> {
        // A panic while holding the lock cannot leave the counters inconsistent in a way
        // that matters more than losing them; keep serving.
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Records {
    fn prune(&mut self, now: Duration, window: Duration) {
        if self.usernames.len() + self.ips.len() <= PRUNE_ABOVE {
            return;
        }
        self.usernames.retain(|_, r| {
            r.locked_until > now || r.failures.back().is_some_and(|t| *t + window > now)
        });
        self.ips.retain(|_, r| {
            let recent = |q: &VecDeque<Duration>| q.back().is_some_and(|t| *t + MINUTE > now);
            recent(&r.failed_logins) || recent(&r.registrations)
        });
        if self.usernames.len() > HARD_CAP {
            self.usernames.retain(|_, r| r.locked_until > now);
        }
        if self.ips.len() > HARD_CAP {
            self.ips.clear();
        }
    }
}

/// Refuses when `events` holds `limit` or more events in the last minute.
fn over_rate(events: &mut VecDeque<Duration>, now: Duration, limit: usize) -> Result<(), Refused> {
    forget_before(events, now.saturating_sub(MINUTE));
    match events.front() {
        Some(oldest) if events.len() >= limit => Err(Refused {
            retry_after: (*oldest + MINUTE).saturating_sub(now),
        }),
        _ => Ok(()),
    }
}

fn forget_before(events: &mut VecDeque<Duration>, cutoff: Duration) {
    while events.front().is_some_and(|t| *t <= cutoff) {
        events.pop_front();
    }
}

/// Usernames are matched ignoring case, like logins. No account name is longer than 64
/// characters, so longer attempts are cut there: an entry never holds a large body.
fn key(username: &str) -> String {
    username
        .chars()
        .take(Username::MAX_LEN)
        .collect::<String>()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::clock::ManualClock;

    fn throttle() -> (Throttle, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::at(Duration::from_secs(1_000_000)));
        (Throttle::new(defaults(), clock.clone()), clock)
    }

    /// The documented defaults, from the one table of settings.
    fn defaults() -> Limits {
        crate::config::Settings::from_lookup(|_| None)
            .unwrap()
            .throttle
    }

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn ten_failures_lock_the_username_with_a_growing_delay() {
        let (throttle, clock) = throttle();
        for _ in 0..9 {
            assert_eq!(throttle.login_failed("Alice", IP), None);
            clock.advance(Duration::from_secs(1));
        }
        let lock = throttle.login_failed("ALICE", IP).unwrap();
        assert_eq!(lock.retry_after, Duration::from_secs(60));
        assert!(throttle.check_login("alice", IP).is_err());
        clock.advance(Duration::from_secs(61));
        assert!(throttle.check_login("alice", IP).is_ok());
        // Still ten in the window: the next failure locks again, twice as long.
        let lock = throttle.login_failed("alice", IP).unwrap();
        assert_eq!(lock.retry_after, Duration::from_secs(120));
        // A whole quiet window after the lockout forgives: one failure locks no more.
        clock.advance(Duration::from_secs(120 + 900));
        assert_eq!(throttle.login_failed("alice", IP), None);
        assert!(throttle.check_login("alice", IP).is_ok());
    }

    #[test]
    fn the_delay_is_capped() {
        let (throttle, clock) = throttle();
        let mut last = Duration::ZERO;
        for _ in 0..20 {
            if let Some(lock) = throttle.login_failed("bob", IP) {
                last = lock.retry_after;
                clock.advance(lock.retry_after);
            }
        }
        assert_eq!(last, Duration::from_secs(15 * 60));
    }

    #[test]
    fn long_names_are_counted_by_their_first_64_characters() {
        let (throttle, _) = throttle();
        let long = "x".repeat(10_000);
        for _ in 0..10 {
            throttle.login_failed(&long, IP);
        }
        assert!(throttle.check_login(&"X".repeat(64), IP).is_err());
        let records = throttle.records();
        assert!(records.usernames.keys().all(|k| k.len() <= 64));
    }

    #[test]
    fn success_clears_the_count() {
        let (throttle, _) = throttle();
        for _ in 0..9 {
            throttle.login_failed("carol", IP);
        }
        throttle.login_succeeded("Carol");
        assert_eq!(throttle.login_failed("carol", IP), None);
    }

    #[test]
    fn per_ip_rates() {
        let (throttle, clock) = throttle();
        for i in 0..30 {
            throttle.login_failed(&format!("user{i}"), IP);
        }
        let refused = throttle.check_login("someone-else", IP).unwrap_err();
        assert!(refused.retry_after <= MINUTE);
        clock.advance(MINUTE);
        assert!(throttle.check_login("someone-else", IP).is_ok());

        for _ in 0..60 {
            throttle.register_attempt(IP).unwrap();
        }
        assert!(throttle.register_attempt(IP).is_err());
        let other: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(throttle.register_attempt(other).is_ok());
    }
}
