//! Defences that are not about who the caller is: where a request really comes from, and
//! how often it may try. Pure logic; the HTTP side lives in `auth` and `routes`.

pub mod client_ip;
pub mod clock;
pub mod throttle;
