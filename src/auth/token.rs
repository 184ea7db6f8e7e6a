//! Opaque bearer tokens: 256 random bits, base64url, handed out once, stored as SHA-256.

use std::fmt;
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::models::token::NewToken;

/// A token's plaintext. `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// Wraps a token sent by a client.
    pub fn new(raw: String) -> Self {
        Self(raw)
    }

    /// The plaintext, to give to the client once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hex SHA-256 stored in place of the token.
    pub fn hash(&self) -> String {
        format!("{:x}", Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(********)")
    }
}

/// A freshly generated token: the secret for the client, the row for the database.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// Returned to the client, never stored.
    pub secret: TokenSecret,
    /// What gets stored.
    pub record: NewToken,
}

/// Generates a token valid for `ttl` from `now` (unix seconds).
pub fn issue(now: i64, ttl: Duration) -> IssuedToken {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let secret = TokenSecret(URL_SAFE_NO_PAD.encode(bytes));
    // The TTL is capped at 100 years by the configuration, so this cannot overflow.
    let ttl_seconds = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    let record = NewToken {
        token_hash: secret.hash(),
        created: now,
        expires: now.saturating_add(ttl_seconds),
    };
    IssuedToken { secret, record }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_random_bits_stored_as_sha256() {
        let a = issue(1_000, Duration::from_secs(60));
        let b = issue(1_000, Duration::from_secs(60));
        assert_eq!(a.secret.expose().len(), 43);
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.record.token_hash.len(), 64);
        assert_ne!(a.record.token_hash, a.secret.expose());
        assert_eq!(
            a.record.token_hash,
            TokenSecret::new(a.secret.expose().into()).hash()
        );
        assert_eq!(a.record.expires, 1_060);
        assert!(!format!("{a:?}").contains(a.secret.expose()));
    }
}
