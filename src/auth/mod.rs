//! Who is calling: password hashing, bearer tokens and the extractors that check them.

mod extractors;
pub mod password;
pub mod token;

pub use extractors::{client_ip_of, AdminUser, AuthUser, Bearer, ClientIp};
