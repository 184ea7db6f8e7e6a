//! Runs database work and password hashing on the blocking thread pool, so an async
//! worker never stalls on a query or an argon2 run.

use actix_web::web;

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

/// Hashes a new password.
pub async fn hash(password: Password) -> Result<String, ApiError> {
    Ok(web::block(move || password::hash(&password)).await??)
}

/// Checks a password against a stored hash.
pub async fn verify(password: Password, stored: String) -> Result<bool, ApiError> {
    Ok(web::block(move || password::verify(&password, &stored)).await?)
}
