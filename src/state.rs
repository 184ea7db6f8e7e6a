//! What every request handler shares.

use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;

use crate::auth::password::{self, HashError};
use crate::config::Settings;
use crate::db::Pool;
use crate::domain::PasswordPolicy;
use crate::metrics::{Gauges, Metrics};
use crate::routes::blocking::HashingPool;
use crate::security::clock::Clock;
use crate::security::throttle::Throttle;

/// Shared, read-only application state.
#[derive(Debug)]
pub struct AppState {
    /// Database connections.
    pub pool: Pool,
    /// Lifetime of newly issued tokens.
    pub token_ttl: Duration,
    /// Whether `POST /register` is open.
    pub registration_enabled: bool,
    /// Verified against when a login names an unknown user, to keep timing constant.
    pub dummy_hash: String,
    /// Runs argon2 with bounded concurrency and memory.
    pub hashing: HashingPool,
    /// Peers whose forwarding headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Brute-force limits.
    pub throttle: Throttle,
    /// How strong new passwords must be.
    pub password_policy: PasswordPolicy,
    /// Request and login counters.
    pub metrics: Metrics,
    /// Prefix of the absolute URLs Roster produces (`ROSTER_PUBLIC_URL`), maybe empty.
    pub public_url: String,
}

impl AppState {
    /// Builds the state; computes the dummy hash (one argon2 run).
    pub fn new(pool: Pool, settings: &Settings, clock: Arc<dyn Clock>) -> Result<Self, HashError> {
        Ok(Self {
            pool,
            token_ttl: settings.token_ttl,
            registration_enabled: settings.registration_enabled,
            dummy_hash: password::dummy_hash()?,
            hashing: HashingPool::new(settings.hash_concurrency, settings.hash_wait),
            trusted_proxies: settings.trusted_proxies.clone(),
            throttle: Throttle::new(settings.throttle.clone(), clock),
            password_policy: settings.password_policy,
            metrics: Metrics::default(),
            public_url: settings.public_url.clone(),
        })
    }
}

impl AppState {
    /// The gauges of the metrics page, read now.
    pub fn gauges(&self) -> Gauges {
        let (hashing_in_use, hashing_total) = self.hashing.usage();
        let pool = self.pool.state();
        Gauges {
            hashing_in_use,
            hashing_total,
            db_in_use: pool.connections - pool.idle_connections,
            db_idle: pool.idle_connections,
        }
    }
}
