//! Opaque bearer tokens: 256 random bits, base64url, handed out once, stored as SHA-256.
//! API tokens carry the prefix `roster_`, so secret scanners can recognise a leaked one.

use std::fmt;
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

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

/// The expiry stored for a token that lasts until revoked.
pub const NEVER: i64 = i64::MAX;

/// The prefix of every API token.
pub const API_TOKEN_PREFIX: &str = "roster_";

/// A freshly generated token: the secret for the client, its hash for the database.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// Returned to the client, never stored.
    pub secret: TokenSecret,
    /// Hex SHA-256 of the secret: what gets stored.
    pub token_hash: String,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds after which the token is refused ([`NEVER`]: until revoked).
    pub expires: i64,
}

/// Generates a token valid for `ttl` from `now` (unix seconds).
pub fn issue(now: i64, ttl: Duration) -> IssuedToken {
    // The TTL is capped at 100 years by the configuration, so this cannot overflow.
    let ttl_seconds = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    generate("", now, now.saturating_add(ttl_seconds))
}

/// Generates an API token, valid until `expires_at` or, without one, until revoked.
pub fn issue_api(now: i64, expires_at: Option<i64>) -> IssuedToken {
    generate(API_TOKEN_PREFIX, now, expires_at.unwrap_or(NEVER))
}

fn generate(prefix: &str, now: i64, expires: i64) -> IssuedToken {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let secret = TokenSecret(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)));
    IssuedToken {
        token_hash: secret.hash(),
        secret,
        created: now,
        expires,
    }
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
        assert_eq!(a.token_hash.len(), 64);
        assert_ne!(a.token_hash, a.secret.expose());
        assert_eq!(
            a.token_hash,
            TokenSecret::new(a.secret.expose().into()).hash()
        );
        assert_eq!(a.expires, 1_060);
        assert!(!format!("{a:?}").contains(a.secret.expose()));
    }

    #[test]
    fn api_tokens_are_recognisable_and_may_last_until_revoked() {
        let t = issue_api(1_000, None);
        assert!(t.secret.expose().starts_with("roster_"));
        assert_eq!(t.secret.expose().len(), 50);
        assert_eq!(t.expires, NEVER);
        assert_eq!(issue_api(1_000, Some(2_000)).expires, 2_000);
    }
}
