//! Response bodies. A user is shown through `UserView` only, which has no hash to leak.

use actix_web::HttpResponse;
use chrono::{DateTime, SecondsFormat};
use serde::Serialize;

use crate::auth::token::IssuedToken;
use crate::domain::Page;
use crate::models::User;

/// The user object of every answer; `password` is always `""`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    id: i64,
    name: String,
    username: String,
    password: &'static str,
    email: String,
    is_admin: bool,
    disabled: bool,
    created: i64,
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
            created: user.created,
            updated: user.updated,
        }
    }
}

/// The answer of register and login.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    id: i64,
    token: String,
    /// RFC 3339, UTC.
    token_expires: String,
}

impl TokenView {
    /// The token handed to user `id`.
    pub fn new(id: i64, issued: &IssuedToken) -> Self {
        let expires = DateTime::from_timestamp(issued.record.expires, 0)
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
            .unwrap_or_default();
        Self {
            id,
            token: issued.secret.expose().to_owned(),
            token_expires: expires,
        }
    }
}

/// A page of a list: the items as JSON and the pagination headers.
pub fn paginated<T, V: Serialize>(
    page: Page,
    total: i64,
    items: Vec<T>,
    view: impl Fn(T) -> V,
) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("x-pagination-total-pages", page.count_for(total)))
        .insert_header(("x-pagination-result-count", items.len()))
        .json(items.into_iter().map(view).collect::<Vec<_>>())
}

/// `{"message": "..."}` for actions with nothing else to return.
#[derive(Debug, Serialize)]
pub struct MessageView {
    message: &'static str,
}

impl MessageView {
    /// The plain acknowledgement.
    pub const SUCCESS: Self = Self { message: "success" };
    /// The acknowledgement of a password change.
    pub const PASSWORD_UPDATED: Self = Self {
        message: "The password was updated successfully",
    };
}
