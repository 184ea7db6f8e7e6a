//! Database rows and the queries on them. Each function takes `&mut Conn`; the ones that
//! must be atomic open their own write transaction.

pub mod audit;
pub mod bulk;
mod error;
pub mod token;
pub mod user;

pub use error::StoreError;
pub use user::{Credentials, User};

/// The current time as unix seconds, the unit every timestamp column uses.
pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}
