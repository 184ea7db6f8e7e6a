//! Database rows and the queries on them. Each function takes `&mut Conn`, so several can
//! share the one transaction the accounts layer opens per operation.

pub mod audit;
pub mod bulk;
pub mod group;
pub mod mail;
pub mod scim;
pub mod throttle;
pub mod token;
pub mod user;

pub use user::{Credentials, NewUserRow, User};
