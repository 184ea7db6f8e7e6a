//! Runs database work and password hashing on the blocking thread pool, so an async
//! worker never stalls on a query or an argon2 run.

use actix_web::web;
use tokio::sync::SemaphorePermit;

use crate::auth::password;
use crate::db::Conn;
use crate::domain::Password;
use crate::error::ApiError;
use crate::models::StoreError;
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

/// Checks a new password against the policy (refusing it with 400), then hashes it.
/// `user_inputs` are the user's own details, which make a password guessable.
pub async fn hash_new(
    state: &AppState,
    password: Password,
    user_inputs: Vec<String>,
) -> Result<String, ApiError> {
    let policy = state.password_policy;
    let _permit = hashing_permit(state).await?;
    // Both are CPU work: zxcvbn takes milliseconds, argon2 tens of them.
    web::block(move || {
        let inputs: Vec<&str> = user_inputs.iter().map(String::as_str).collect();
        policy.check(&password, &inputs)?;
        Ok(password::hash(&password)?)
    })
    .await?
}

/// Hashes a password already accepted once (an upgrade of an existing hash).
pub async fn rehash(state: &AppState, password: Password) -> Result<String, ApiError> {
    let _permit = hashing_permit(state).await?;
    Ok(web::block(move || password::hash(&password)).await??)
}

/// Checks a password against a stored hash.
pub async fn verify(
    state: &AppState,
    password: Password,
    stored: String,
) -> Result<bool, ApiError> {
    let _permit = hashing_permit(state).await?;
    Ok(web::block(move || password::verify(&password, &stored)).await?)
}

/// One of the permits that bound concurrent argon2 runs (each holds 19 MiB for ~30 ms).
/// Waiting is async and cheap; past `hash_wait` the request gets 503 with Retry-After
/// rather than queueing without bound.
async fn hashing_permit(state: &AppState) -> Result<SemaphorePermit<'_>, ApiError> {
    match tokio::time::timeout(state.hash_wait, state.hash_permits.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(closed)) => Err(ApiError::Internal(closed.into())),
        Err(_elapsed) => Err(ApiError::HashingBusy),
    }
}
