//! argon2id password hashing. These calls take tens of milliseconds of CPU: run them on
//! the blocking pool, never on an async worker.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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

/// Working memory for one argon2 run with the configured parameters (19 MiB). Reused from
/// run to run: allocating it anew each time lets the allocator keep freed blocks per
/// thread, and resident memory then grows far past what the concurrent runs need.
pub struct Workspace(Vec<Block>);

impl Workspace {
    /// Allocates the memory of one run.
    pub fn new() -> Self {
        Self(vec![Block::default(); configured_block_count()])
    }
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Workspace({} KiB)", self.0.len())
    }
}

fn configured_block_count() -> usize {
    Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).map_or(0, |params| params.block_count())
}

/// Hashes `password` with a fresh random salt into a PHC string.
pub fn hash(password: &Password, memory: &mut Workspace) -> Result<String, HashError> {
    let failed = |e: &dyn std::fmt::Display| HashError(e.to_string());
    let argon2 = argon2()?;
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buffer).map_err(|e| failed(&e))?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        argon2
            .hash_password_into_with_memory(
                password.expose().as_bytes(),
                salt_bytes,
                out,
                &mut memory.0,
            )
            .map_err(|_| password_hash::Error::Crypto)
    })
    .map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params()).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// True when `password` matches the PHC string `stored`. A malformed `stored` never
/// matches. Hashes with other parameters than the configured ones (before their rehash)
/// get memory of their own for the run.
pub fn verify(password: &Password, stored: &str, memory: &mut Workspace) -> bool {
    if is_bcrypt(stored) {
        // Imported from Vikunja, Wekan and the like; upgraded to argon2id at the next login.
        return bcrypt::verify(password.expose(), stored).unwrap_or(false);
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_buffer = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buffer) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    let pwd = password.expose().as_bytes();
    let computed = if params.block_count() == memory.0.len() {
        argon2.hash_password_into_with_memory(pwd, salt_bytes, &mut out, &mut memory.0)
    } else {
        argon2.hash_password_into(pwd, salt_bytes, &mut out)
    };
    // `Output` compares in constant time.
    computed.is_ok() && Output::new(&out).is_ok_and(|output| output == expected)
}

/// Whether `stored` is a bcrypt hash (`$2a$`, `$2b$`, `$2y$`, with its cost).
fn is_bcrypt(stored: &str) -> bool {
    ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|prefix| stored.starts_with(prefix))
}

/// Whether a hash from elsewhere can be stored as is: an argon2 PHC string whose
/// parameters verify here, or a well-formed bcrypt hash.
pub fn is_importable_hash(stored: &str) -> bool {
    if is_bcrypt(stored) {
        return stored.parse::<bcrypt::HashParts>().is_ok();
    }
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Algorithm::try_from(parsed.algorithm).is_ok()
            && Params::try_from(&parsed).is_ok()
            && parsed.salt.is_some()
            && parsed.hash.is_some()
    })
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
    unguessable(&mut Workspace::new())
}

/// A hash of a random password nobody knows (128 random bits): what an account made
/// without a password stores until its owner sets one by the reset flow.
pub fn unguessable(memory: &mut Workspace) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    hash(&Password::unchecked(salt.as_str().to_owned()), memory)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHasher;

    #[test]
    fn hash_verifies_its_own_password_only() {
        let password = Password::parse("correct horse battery".into()).unwrap();
        let memory = &mut Workspace::new();
        let stored = hash(&password, memory).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(&password, &stored, memory));
        let other = Password::unchecked("correct horse battery ".into());
        assert!(!verify(&other, &stored, memory));
        assert!(!verify(&password, "not a phc string", memory));
        // Hashes made by the argon2 crate's own encoder verify too (interoperability).
        let standard = Argon2::default()
            .hash_password(b"correct horse battery", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify(&password, &standard, memory));
        assert!(!needs_rehash(&stored));
    }

    #[test]
    fn hashes_with_other_parameters_still_verify() {
        let password = Password::parse("correct horse battery".into()).unwrap();
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8_192, 1, 1, None).unwrap(),
        );
        let old = weak
            .hash_password(b"correct horse battery", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify(&password, &old, &mut Workspace::new()));
    }

    #[test]
    fn bcrypt_hashes_from_other_systems_verify_and_need_a_rehash() {
        // Made by PHP's password_hash (Vikunja-era $2y$) and by bcrypt 4 ($2b$), cost 10.
        let hashes = [
            bcrypt::hash_with_result("plum-kayak-41", 4)
                .unwrap()
                .format_for_version(bcrypt::Version::TwoY),
            bcrypt::hash_with_result("plum-kayak-41", 4)
                .unwrap()
                .format_for_version(bcrypt::Version::TwoB),
            bcrypt::hash_with_result("plum-kayak-41", 4)
                .unwrap()
                .format_for_version(bcrypt::Version::TwoA),
        ];
        let mut memory = Workspace::new();
        for stored in &hashes {
            assert!(is_importable_hash(stored), "{stored}");
            assert!(verify(
                &Password::unchecked("plum-kayak-41".into()),
                stored,
                &mut memory
            ));
            assert!(!verify(
                &Password::unchecked("plum-kayak-42".into()),
                stored,
                &mut memory
            ));
            assert!(needs_rehash(stored));
        }
        assert!(!is_importable_hash("$2y$10$short"));
        assert!(!is_importable_hash("plain text"));
        assert!(is_importable_hash(&dummy_hash().unwrap()));
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
