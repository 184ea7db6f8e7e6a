//! Runs database work and password hashing on the blocking thread pool, so an async
//! worker never stalls on a query or an argon2 run.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use actix_web::web;
use tokio::sync::Semaphore;

use crate::auth::password::{self, Workspace};
use crate::auth::{AdminUser, Bearer};
use crate::db::Conn;
use crate::domain::Password;
use crate::error::ApiError;
use crate::models::{unix_now, StoreError};
use crate::state::AppState;

/// Runs `f` with a pooled connection on the blocking pool.
pub async fn db<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn) -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    let pool = state.pool.clone();
    let result = web::block(move || {
        let mut conn = pool.get().map_err(|e| StoreError::Unavailable(e.into()))?;
        f(&mut conn)
    })
    .await?;
    Ok(result?)
}

/// Authenticates `bearer` as an admin and runs `f`, in one trip to the blocking pool and
/// on one connection: an admin read costs one hop, not one for the token and one for the
/// query. `f` runs only for an admin, so nothing is read for anyone else.
pub async fn db_as_admin<T, F>(state: &AppState, bearer: Bearer, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut Conn, AdminUser) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let token_hash = bearer.hash();
    let now = unix_now();
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(|e| StoreError::Unavailable(e.into()))?;
        let admin = AdminUser::authenticate(&mut conn, &token_hash, now)?;
        f(&mut conn, admin)
    })
    .await?
}

/// Checks a new password against the policy (refusing it with 400), then hashes it.
/// `user_inputs` are the user's own details, which make a password guessable.
pub async fn hash_new(
    state: &AppState,
    password: Password,
    user_inputs: Vec<String>,
) -> Result<String, ApiError> {
    let policy = state.password_policy;
    // Both are CPU work: zxcvbn takes milliseconds, argon2 tens of them.
    state
        .hashing
        .run(move |memory| {
            let inputs: Vec<&str> = user_inputs.iter().map(String::as_str).collect();
            policy.check(&password, &inputs)?;
            Ok(password::hash(&password, memory)?)
        })
        .await?
}

/// Hashes a password already accepted once (an upgrade of an existing hash).
pub async fn rehash(state: &AppState, password: Password) -> Result<String, ApiError> {
    Ok(state
        .hashing
        .run(move |memory| password::hash(&password, memory))
        .await??)
}

/// Checks a password against a stored hash.
pub async fn verify(
    state: &AppState,
    password: Password,
    stored: String,
) -> Result<bool, ApiError> {
    state
        .hashing
        .run(move |memory| password::verify(&password, &stored, memory))
        .await
}

/// Runs argon2 with bounded concurrency and memory: `permits` runs at once, each with one
/// of at most `permits` reused workspaces of 19 MiB. Waiting for a permit is async and
/// cheap; past `wait` the request gets 503 with Retry-After rather than queueing without
/// bound.
#[derive(Debug)]
pub struct HashingPool {
    permits: Semaphore,
    total: usize,
    spare: Mutex<Vec<Workspace>>,
    wait: Duration,
}

impl HashingPool {
    /// A pool of `permits` concurrent runs, waiting at most `wait` for one.
    pub fn new(permits: usize, wait: Duration) -> Self {
        Self {
            permits: Semaphore::new(permits),
            total: permits,
            spare: Mutex::new(Vec::with_capacity(permits)),
            wait,
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Workspace) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = match tokio::time::timeout(self.wait, self.permits.acquire()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(closed)) => return Err(ApiError::Internal(closed.into())),
            Err(_elapsed) => return Err(ApiError::HashingBusy),
        };
        // A permit holder always finds a workspace or may make one: never more than
        // `permits` exist.
        let mut memory = self.spares().pop().unwrap_or_default();
        let (result, memory) = web::block(move || {
            let result = work(&mut memory);
            (result, memory)
        })
        .await?;
        self.spares().push(memory);
        Ok(result)
    }

    /// Permits taken, and permits in all.
    pub fn usage(&self) -> (usize, usize) {
        (self.total - self.permits.available_permits(), self.total)
    }

    fn spares(&self) -> MutexGuard<'_, Vec<Workspace>> {
        // The vector is always valid, even if a holder panicked.
        self.spare.lock().unwrap_or_else(|e| e.into_inner())
    }
}
