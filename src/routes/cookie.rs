//! The session cookie (`roster_session`), and the same-origin rule for the requests it
//! authenticates: a browser attaches the cookie to requests other sites make it send, so a
//! cookie-carried change must come from Roster's own origin or a configured one.

use std::time::Duration;

use actix_web::http::header::{HeaderValue, COOKIE, HOST, ORIGIN};
use actix_web::HttpRequest;
use url::Url;

use crate::auth::token::TokenSecret;
use crate::config::Settings;

/// The cookie's name.
pub const SESSION_COOKIE: &str = "roster_session";

/// How the cookie is set, and whose origins may use it to change state.
#[derive(Debug, Clone)]
pub struct CookiePolicy {
    /// `Secure` (https only).
    secure: bool,
    /// `Domain`, when the cookie is shared with sibling hosts.
    domain: Option<String>,
    /// Origins allowed to send cookie-authenticated changes (`scheme://host[:port]`):
    /// `ROSTER_PUBLIC_URL`'s and `ROSTER_CORS_ORIGINS` (never `*`).
    origins: Vec<String>,
}

impl CookiePolicy {
    /// The policy the settings ask for.
    pub fn from_settings(settings: &Settings) -> Self {
        let public = Url::parse(&settings.public_url)
            .ok()
            .map(|url| url.origin().ascii_serialization());
        let configured = settings.cors_origins.iter().filter(|o| *o != "*").cloned();
        Self {
            secure: settings.cookie_secure,
            domain: settings.cookie_domain.clone(),
            origins: public.into_iter().chain(configured).collect(),
        }
    }

    /// The `Set-Cookie` value carrying `token` for `lifetime`.
    pub fn set(&self, token: &TokenSecret, lifetime: Duration) -> String {
        self.cookie(token.expose(), lifetime.as_secs())
    }

    /// The `Set-Cookie` value that removes the cookie.
    pub fn clear(&self) -> String {
        self.cookie("", 0)
    }

    fn cookie(&self, value: &str, max_age: u64) -> String {
        let mut cookie =
            format!("{SESSION_COOKIE}={value}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax");
        if self.secure {
            cookie.push_str("; Secure");
        }
        if let Some(domain) = &self.domain {
            cookie.push_str("; Domain=");
            cookie.push_str(domain);
        }
        cookie
    }

    /// Whether `req`'s `Origin` is allowed to change state with the cookie: one of the
    /// configured origins, or the request's own host (a page of Roster's, such as the
    /// console; a browser never lets a page of another site set `Host`). A request
    /// without `Origin` is refused (browsers send it with every such request).
    pub fn same_origin(&self, req: &HttpRequest) -> bool {
        let Some(origin) = req.headers().get(ORIGIN).and_then(|o| o.to_str().ok()) else {
            return false;
        };
        if self.origins.iter().any(|allowed| allowed == origin) {
            return true;
        }
        let host = req.headers().get(HOST).and_then(|h| h.to_str().ok());
        let origin_host = origin.split_once("://").map(|(_, host)| host);
        host.is_some() && origin_host == host
    }
}

/// The session token of the request's cookie, if it has one.
pub fn session_token(req: &HttpRequest) -> Option<TokenSecret> {
    req.headers()
        .get_all(COOKIE)
        .filter_map(|header: &HeaderValue| header.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| TokenSecret::new(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn policy(public: &str, cors: &[&str], domain: Option<&str>) -> CookiePolicy {
        let mut settings = Settings::from_lookup(|_| None).unwrap();
        settings.public_url = public.to_owned();
        settings.cors_origins = cors.iter().map(|s| s.to_string()).collect();
        settings.cookie_domain = domain.map(str::to_owned);
        CookiePolicy::from_settings(&settings)
    }

    #[test]
    fn the_cookie_has_every_attribute_asked_for() {
        let p = policy("", &[], Some("example.com"));
        let set = p.set(&TokenSecret::new("abc".into()), Duration::from_secs(60));
        assert_eq!(
            set,
            "roster_session=abc; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure; Domain=example.com"
        );
        assert!(p.clear().starts_with("roster_session=; Max-Age=0; Path=/;"));
    }

    #[test]
    fn changes_by_cookie_need_an_allowed_origin() {
        let p = policy(
            "https://users.example.com/roster",
            &["https://app.test", "*"],
            None,
        );
        let from = |origin: &str| {
            TestRequest::post()
                .insert_header((ORIGIN, origin))
                .to_http_request()
        };
        assert!(p.same_origin(&from("https://users.example.com")));
        assert!(p.same_origin(&from("https://app.test")));
        assert!(!p.same_origin(&from("https://evil.test")));
        assert!(!p.same_origin(&TestRequest::post().to_http_request()));
        let own_host = policy("", &[], None);
        let req = TestRequest::post()
            .insert_header((HOST, "127.0.0.1:3456"))
            .insert_header((ORIGIN, "http://127.0.0.1:3456"))
            .to_http_request();
        assert!(own_host.same_origin(&req));
        let req = TestRequest::post()
            .insert_header((HOST, "127.0.0.1:3456"))
            .insert_header((ORIGIN, "http://evil.test"))
            .to_http_request();
        assert!(!own_host.same_origin(&req));
    }

    #[test]
    fn reads_the_session_cookie_among_others() {
        let req = TestRequest::get()
            .insert_header((COOKIE, "a=1; roster_session=tok; b=2"))
            .to_http_request();
        assert_eq!(session_token(&req), Some(TokenSecret::new("tok".into())));
        let none = TestRequest::get()
            .insert_header((COOKIE, "roster_session="))
            .to_http_request();
        assert_eq!(session_token(&none), None);
    }
}
