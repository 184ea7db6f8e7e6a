//! Secrets: password hashing (and the pool that bounds it) and bearer tokens. Knows
//! nothing of HTTP or of the account rules.

pub mod hashing;
pub mod password;
pub mod token;
