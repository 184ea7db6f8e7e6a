//! argon2id password hashing. These calls take tens of milliseconds of CPU: run them on
//! the blocking pool, never on an async worker.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::domain::Password;

/// Memory cost in KiB (the OWASP recommendation: m = 19456 KiB, t = 2, p = 1).
const MEMORY_KIB: u32 = 19_456;
/// Passes over memory.
const ITERATIONS: u32 = 2;
/// Lanes.
const PARALLELISM: u32 = 1;

/// argon2id with the configured parameters.
fn argon2() -> Result<Argon2<'static>, HashError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| HashError(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashing failed; only a misconfiguration or an exhausted system does this.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes `password` with a fresh random salt into a PHC string.
pub fn hash(password: &Password) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2()?
        .hash_password(password.expose().as_bytes(), &salt)
        .map_err(|e| HashError(e.to_string()))?
        .to_string())
}

/// True when `password` matches the PHC string `stored`. A malformed `stored` never
/// matches, but still costs about one hash, like a real check.
pub fn verify(password: &Password, stored: &str) -> bool {
    let Ok(argon2) = argon2() else {
        return false;
    };
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// True when `stored` was made with another algorithm, version or parameters than the
/// configured ones, so a successful login should replace it.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm != Algorithm::Argon2id.ident()
        || parsed.version != Some(Version::V0x13.into())
        || (params.m_cost(), params.t_cost(), params.p_cost())
            != (MEMORY_KIB, ITERATIONS, PARALLELISM)
}

/// A hash of a random password, made at start-up: logins for unknown users verify against
/// it, so they take as long as logins with a wrong password.
pub fn dummy_hash() -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    hash(&Password::unchecked(salt.as_str().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_its_own_password_only() {
        let password = Password::parse("correct horse battery".into()).unwrap();
        let stored = hash(&password).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(&password, &stored));
        assert!(!verify(
            &Password::unchecked("correct horse battery ".into()),
            &stored
        ));
        assert!(!verify(&password, "not a phc string"));
        assert!(!needs_rehash(&stored));
    }

    #[test]
    fn older_parameters_need_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8_192, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let old = weak.hash_password(b"pw", &salt).unwrap().to_string();
        assert!(needs_rehash(&old));
        assert!(needs_rehash("$2b$12$abcdefghijklmnopqrstuu"));
    }
}
