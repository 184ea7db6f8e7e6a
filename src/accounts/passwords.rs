//! Passwords through the hashing pool: the policy check and argon2 are CPU work, kept off
//! the async workers and bounded.

use crate::auth::password;
use crate::domain::Password;

use super::{AccountError, Accounts};

impl Accounts {
    /// Checks a new password against the policy (`personal` are the user's own details,
    /// which make a password guessable), then hashes it. The one way a new password is
    /// accepted, whatever the door.
    pub(super) async fn hash_new(
        &self,
        new: Password,
        personal: Vec<String>,
    ) -> Result<String, AccountError> {
        let policy = self.rules.password_policy;
        // zxcvbn takes milliseconds, argon2 tens of them: both on the pool.
        self.hashing
            .run(move |memory| {
                policy.check(&new, &personal)?;
                Ok(password::hash(&new, memory)?)
            })
            .await?
    }

    /// A hash no password is known to match, for an account made without one.
    pub(super) async fn hash_unguessable(&self) -> Result<String, AccountError> {
        Ok(self.hashing.run(password::unguessable).await??)
    }

    /// Hashes a password already accepted once (an upgrade of an existing hash).
    pub(super) async fn rehash(&self, known: Password) -> Result<String, AccountError> {
        Ok(self
            .hashing
            .run(move |memory| password::hash(&known, memory))
            .await??)
    }

    /// Whether `candidate` matches the stored hash.
    pub(super) async fn verify(
        &self,
        candidate: Password,
        stored: String,
    ) -> Result<bool, AccountError> {
        Ok(self
            .hashing
            .run(move |memory| password::verify(&candidate, &stored, memory))
            .await?)
    }
}
