//! What every request handler shares.

use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use tokio::sync::Semaphore;

use crate::auth::password::{self, HashError};
use crate::config::Settings;
use crate::db::Pool;
use crate::domain::PasswordPolicy;
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
    /// Bounds how many argon2 runs happen at once.
    pub hash_permits: Semaphore,
    /// Longest wait for a hashing permit.
    pub hash_wait: Duration,
    /// Peers whose forwarding headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Brute-force limits.
    pub throttle: Throttle,
    /// How strong new passwords must be.
    pub password_policy: PasswordPolicy,
}

impl AppState {
    /// Builds the state; computes the dummy hash (one argon2 run).
    pub fn new(pool: Pool, settings: &Settings, clock: Arc<dyn Clock>) -> Result<Self, HashError> {
        Ok(Self {
            pool,
            token_ttl: settings.token_ttl,
            registration_enabled: settings.registration_enabled,
            dummy_hash: password::dummy_hash()?,
            hash_permits: Semaphore::new(settings.hash_concurrency),
            hash_wait: settings.hash_wait,
            trusted_proxies: settings.trusted_proxies.clone(),
            throttle: Throttle::new(settings.throttle.clone(), clock),
            password_policy: settings.password_policy,
        })
    }
}
