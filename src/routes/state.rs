//! What every request handler shares.

use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;

use crate::accounts::Accounts;
use crate::metrics::{Gauges, Metrics};

use super::cookie::CookiePolicy;

/// Shared, read-only application state.
#[derive(Debug)]
pub struct AppState {
    /// The account operations, with the store, clock, hashing pool and rules they use.
    pub accounts: Arc<Accounts>,
    /// Peers whose forwarding headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Request and login counters.
    pub metrics: Metrics,
    /// Prefix of the absolute URLs Roster produces (`ROSTER_PUBLIC_URL`), maybe empty.
    pub public_url: String,
    /// Longest wait for a request body (`ROSTER_REQUEST_TIMEOUT`).
    pub request_timeout: Duration,
    /// The session cookie's attributes and the origins that may use it.
    pub web: CookiePolicy,
}

impl AppState {
    /// The gauges of the metrics page, read now.
    pub fn gauges(&self) -> Gauges {
        let (hashing_in_use, hashing_total) = self.accounts.hashing_usage();
        let (db_in_use, db_idle) = self.accounts.store().usage();
        Gauges {
            hashing_in_use,
            hashing_total,
            db_in_use,
            db_idle,
        }
    }
}
