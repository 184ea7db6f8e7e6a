//! Validated input types. Holding one of these means the value was checked; nothing here
//! knows about HTTP or the database.

mod access;
mod audit;
mod confirmation;
mod email;
mod error;
mod group;
mod name;
mod page;
mod password;
pub mod scim;
mod scope;
mod search;
mod user;
mod user_id;
mod username;

pub use access::{AccessRules, Allow, Target, Verdict, Visitor};
pub use audit::AuditEvent;
pub use confirmation::EmailConfirmation;
pub use email::Email;
pub use error::ValidationError;
pub use group::{GroupDescription, GroupName, GroupUpdate};
pub use name::Name;
pub use page::Page;
pub use password::{Password, PasswordPolicy};
pub use scope::{NewApiToken, Scope, Scopes};
pub use search::SearchTerm;
pub use user::{personal_inputs, NewUser, UserUpdate};
pub use user_id::UserId;
pub use username::Username;
