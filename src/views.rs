//! How users, tokens and acknowledgements are shown, as JSON: by the API's answers and the
//! command line's `--json` output alike. A user is shown through `UserView` only, which
//! has no hash to leak.

use chrono::{DateTime, SecondsFormat};
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::CountedGroup;
use crate::auth::token::{IssuedToken, NEVER};
use crate::domain::Scope;
use crate::models::token::TokenRow;
use crate::models::User;
use crate::security::throttle::Lockout;

/// The user object of every answer; `password` is always `""`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = User)]
pub struct UserView {
    /// Assigned by the server, from 1.
    #[schema(example = 2)]
    id: i64,
    /// The display name; may be empty.
    #[schema(example = "Frida Kahlo")]
    name: String,
    /// Unique, ignoring case.
    #[schema(example = "frida")]
    username: String,
    /// Always empty: hashes never leave the server.
    #[schema(value_type = String, example = "", max_length = 0)]
    password: &'static str,
    /// Unique, ignoring case; empty when the user has none.
    #[schema(example = "frida@example.com")]
    email: String,
    /// Admins manage users and read the audit log.
    #[schema(example = false)]
    is_admin: bool,
    /// A disabled user cannot log in, and its tokens are refused.
    #[schema(example = false)]
    disabled: bool,
    /// Whether the address is known to reach the user: its owner followed a confirmation
    /// or reset link sent to it, or an admin said so. A changed address is unconfirmed.
    #[schema(example = true)]
    email_confirmed: bool,
    /// Unix seconds.
    #[schema(example = 1763900000)]
    created: i64,
    /// Unix seconds.
    #[schema(example = 1763900000)]
    updated: i64,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            name: user.name,
            username: user.username,
            password: "",
            email: user.email.unwrap_or_default(),
            is_admin: user.is_admin,
            disabled: user.disabled,
            email_confirmed: user.email_confirmed,
            created: user.created,
            updated: user.updated,
        }
    }
}

/// The answer of register and login.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Token)]
pub struct TokenView {
    /// The id of the signed-in user.
    #[schema(example = 2)]
    id: i64,
    /// The bearer token: send it as `Authorization: Bearer <token>`.
    #[schema(example = "n1Vd6m2vE0c4Jx0QHq7b9TzK1pW8sYfA3rLuXgC5eM4")]
    token: String,
    /// When the token stops working: RFC 3339, UTC.
    #[schema(example = "2026-11-30T12:00:00Z", format = DateTime)]
    token_expires: String,
}

impl TokenView {
    /// The token handed to user `id`.
    pub fn new(id: i64, issued: &IssuedToken) -> Self {
        Self {
            id,
            token: issued.secret.expose().to_owned(),
            token_expires: rfc3339(issued.expires),
        }
    }
}

/// The answer of a registration that must confirm its address before signing in.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PendingRegistration)]
pub struct PendingRegistrationView {
    /// The id of the new user.
    #[schema(example = 2)]
    id: i64,
    /// What to do next.
    #[schema(value_type = String, example = "Registered. Confirm your address: follow the link in the mail sent to it, then log in.")]
    message: &'static str,
}

impl PendingRegistrationView {
    /// The answer for user `id`.
    pub fn new(id: i64) -> Self {
        Self {
            id,
            message: "Registered. Confirm your address: follow the link in the mail sent to it, then log in.",
        }
    }
}

/// Unix seconds as RFC 3339 in UTC (`2026-11-30T12:00:00Z`).
pub fn rfc3339(unix_seconds: i64) -> String {
    DateTime::from_timestamp(unix_seconds, 0)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// `{"message": "..."}` for actions with nothing else to return.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Message)]
pub struct MessageView {
    #[schema(value_type = String, example = "success")]
    message: &'static str,
}

impl MessageView {
    /// The plain acknowledgement.
    pub const SUCCESS: Self = Self { message: "success" };
    /// The answer to a reset or confirmation request, whether or not the address is known.
    pub const MAIL_REQUESTED: Self = Self {
        message: "If an account has this address, a mail with a link is on its way.",
    };
    /// The acknowledgement of a confirmed address.
    pub const EMAIL_CONFIRMED: Self = Self {
        message: "The email address is confirmed.",
    };
    /// The acknowledgement of a password change.
    pub const PASSWORD_UPDATED: Self = Self {
        message: "The password was updated successfully",
    };
}

/// A username's lockout after failed logins.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Lockout)]
pub struct LockoutView {
    /// Logins are refused (429) until `until`, even with the right password.
    #[schema(example = true)]
    locked: bool,
    /// Unix seconds when the lockout ends; `null` when not locked.
    #[schema(example = 1763900060)]
    until: Option<i64>,
    /// Failed logins counted in the window (`ROSTER_THROTTLE_WINDOW`).
    #[schema(example = 10)]
    failures: u32,
}

impl From<Lockout> for LockoutView {
    fn from(lockout: Lockout) -> Self {
        Self {
            locked: lockout.locked,
            until: lockout.until,
            failures: lockout.failures,
        }
    }
}

/// One open session (what a login issued), as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Session)]
pub struct SessionView {
    #[schema(example = 12)]
    id: i64,
    /// Unix seconds: the login.
    #[schema(example = 1763900000)]
    created: i64,
    /// Unix seconds, to the minute: the last request made with it.
    #[schema(example = 1763903600)]
    last_used: i64,
    /// Unix seconds: when it stops working.
    #[schema(example = 1766492000)]
    expires: i64,
    /// The client address of the login.
    #[schema(example = "203.0.113.7")]
    ip: String,
    /// The `User-Agent` of the login.
    #[schema(example = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0")]
    user_agent: String,
    /// Whether this request was made with it.
    #[schema(example = true)]
    current: bool,
}

impl SessionView {
    /// `row`, marked current when it is `current_token`.
    pub fn new(row: TokenRow, current_token: i64) -> Self {
        Self {
            current: row.id == current_token,
            id: row.id,
            created: row.created,
            last_used: row.last_used,
            expires: row.expires,
            ip: row.ip,
            user_agent: row.user_agent,
        }
    }
}

/// An API token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ApiToken)]
pub struct ApiTokenView {
    #[schema(example = 3)]
    id: i64,
    #[schema(example = "ci-bot")]
    title: String,
    /// What it may do, within its owner's rights.
    #[schema(example = json!(["users:read"]))]
    scopes: Vec<&'static str>,
    /// Unix seconds; `null`: until revoked.
    #[schema(example = 1798761600)]
    expires_at: Option<i64>,
    /// Unix seconds.
    #[schema(example = 1763900000)]
    created: i64,
    /// Unix seconds, to the minute.
    #[schema(example = 1763903600)]
    last_used: i64,
}

impl From<&TokenRow> for ApiTokenView {
    fn from(row: &TokenRow) -> Self {
        Self {
            id: row.id,
            title: row.title.clone().unwrap_or_default(),
            scopes: row.scopes().iter().map(Scope::as_str).collect(),
            expires_at: (row.expires != NEVER).then_some(row.expires),
            created: row.created,
            last_used: row.last_used,
        }
    }
}

/// A new API token, with its secret: shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = NewApiToken)]
pub struct CreatedTokenView {
    #[schema(example = 3)]
    id: i64,
    #[schema(example = "ci-bot")]
    title: String,
    /// The secret, shown only now: send it as `Authorization: Bearer <token>`.
    #[schema(example = "roster_n1Vd6m2vE0c4Jx0QHq7b9TzK1pW8sYfA3rLuXgC5eM4")]
    token: String,
    #[schema(example = json!(["users:read"]))]
    scopes: Vec<&'static str>,
    /// Unix seconds; `null`: until revoked.
    #[schema(example = 1798761600)]
    expires_at: Option<i64>,
    /// Unix seconds.
    #[schema(example = 1763900000)]
    created: i64,
}

impl CreatedTokenView {
    /// The stored `row` and its secret.
    pub fn new(row: &TokenRow, issued: &IssuedToken) -> Self {
        let shown = ApiTokenView::from(row);
        Self {
            id: shown.id,
            title: shown.title,
            token: issued.secret.expose().to_owned(),
            scopes: shown.scopes,
            expires_at: shown.expires_at,
            created: shown.created,
        }
    }
}

/// A group, with how many members it has.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Group)]
pub struct GroupView {
    #[schema(example = 3)]
    id: i64,
    /// 1–64 of `A-Z a-z 0-9 . _ -` and space, a letter or digit first and last; unique
    /// ignoring case.
    #[schema(example = "ops")]
    name: String,
    /// At most 1000 characters; may be empty.
    #[schema(example = "On call this week")]
    description: String,
    /// Unix seconds.
    #[schema(example = 1763900000)]
    created: i64,
    /// Unix seconds.
    #[schema(example = 1763900000)]
    updated: i64,
    #[schema(example = 4)]
    member_count: i64,
}

impl From<CountedGroup> for GroupView {
    fn from(CountedGroup { group, members }: CountedGroup) -> Self {
        Self {
            id: group.id,
            name: group.name,
            description: group.description,
            created: group.created,
            updated: group.updated,
            member_count: members,
        }
    }
}
