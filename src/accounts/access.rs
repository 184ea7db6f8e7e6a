//! Forward-auth: may the request a proxy asks about pass? The caller's credential is
//! checked like any other (one indexed query, nothing cached, so a revocation or a
//! disabled account holds on the very next request on every instance), then the access
//! rules decide.

use url::Url;

use crate::domain::{AccessRules, Allow, Scope, Target, Verdict, Visitor};
use crate::models::token::TokenKind;
use crate::models::User;

use super::{AccountError, Accounts};

/// How the request to let through presented itself.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A session or API token (session cookie or `Authorization: Bearer`), by its hash.
    Token(String),
    /// `Authorization: Basic` whose password is an API token (for tools that speak only
    /// Basic); a user's password is never accepted here. A non-empty username must be the
    /// token owner's.
    Basic {
        /// As sent.
        username: String,
        /// The hash of the password part.
        token_hash: String,
    },
}

/// A signed-in user and the names of its groups.
#[derive(Debug, Clone)]
pub struct Member {
    /// The account, as it is now.
    pub user: User,
    /// Its groups' names, by name, comma-separated (as `Remote-Groups` sends them).
    pub groups: String,
}

/// The answer for the proxy.
#[derive(Debug, Clone)]
pub enum Passage {
    /// Let it through; the user, when signed in (an `anyone` rule lets strangers in too).
    Allowed(Option<Member>),
    /// Not signed in (or the credential is invalid): sign in first.
    SignInNeeded,
    /// Signed in, but not allowed there (or the token lacks the `forward-auth` scope).
    Denied,
}

/// Where forward-auth may send a browser back to after signing in.
#[derive(Debug, Clone, Default)]
pub struct ReturnHosts {
    /// `ROSTER_COOKIE_DOMAIN`: it and its subdomains.
    pub cookie_domain: Option<String>,
    /// The host of `ROSTER_PUBLIC_URL`.
    pub public_host: Option<String>,
}

impl Accounts {
    /// Decides whether the request to `target` may pass for `credential`. `target` is
    /// `None` when the proxy did not say (or is not trusted to): then only a server
    /// without rules lets anyone through, since no rule can be matched.
    pub async fn forward_auth(
        &self,
        credential: Option<Credential>,
        target: Option<&Target>,
    ) -> Result<Passage, AccountError> {
        let rules = &self.rules.access;
        let visitor = match credential {
            Some(credential) => match self.forward_session(credential).await? {
                Some(Ok(visitor)) => Some(visitor),
                Some(Err(denied)) => return Ok(denied),
                None => None,
            },
            None => None,
        };
        let Some(target) = target else {
            if !rules.is_empty() {
                log::warn!(
                    target: "roster::forward_auth",
                    "refused: the proxy did not say which URL is asked for (X-Forwarded-Host/-Uri or X-Original-URL), or is not in ROSTER_TRUSTED_PROXIES"
                );
                return Ok(Passage::Denied);
            }
            return Ok(match visitor {
                Some(member) => Passage::Allowed(Some(member)),
                None => Passage::SignInNeeded,
            });
        };
        let allow = rules.allow_for(target);
        // Only a rule that names groups needs them; names are ASCII, so lower-cased ones
        // compare ignoring case.
        let lowered: Vec<String> = match (allow, &visitor) {
            (Allow::Listed { .. }, Some(member)) => member
                .groups
                .split(',')
                .filter(|name| !name.is_empty())
                .map(str::to_ascii_lowercase)
                .collect(),
            _ => Vec::new(),
        };
        let verdict = allow.verdict(visitor.as_ref().map(|m| Visitor {
            username: &m.user.username,
            is_admin: m.user.is_admin,
            groups: &lowered,
        }));
        Ok(match verdict {
            Verdict::Allowed => Passage::Allowed(visitor),
            Verdict::SignInNeeded => Passage::SignInNeeded,
            Verdict::Denied => Passage::Denied,
        })
    }

    /// The user behind `credential`, with its groups (read with the session, in its one
    /// query): `None` when the credential is invalid (not signed in), `Err(Denied)`
    /// when it is valid but may not be used here.
    async fn forward_session(
        &self,
        credential: Credential,
    ) -> Result<Option<Result<Member, Passage>>, AccountError> {
        let (hash, basic_user) = match credential {
            Credential::Token(hash) => (hash, None),
            Credential::Basic {
                username,
                token_hash,
            } => (token_hash, Some(username)),
        };
        let session = match self.session(hash).await {
            Ok(session) => session,
            Err(AccountError::InvalidToken) => return Ok(None),
            Err(other) => return Err(other),
        };
        if let Some(username) = basic_user {
            let named_other =
                !username.is_empty() && !username.eq_ignore_ascii_case(&session.user.username);
            if session.kind != TokenKind::Api || named_other {
                return Ok(None);
            }
        }
        Ok(Some(match session.require(Scope::ForwardAuth) {
            Ok(()) => Ok(Member {
                groups: session.groups,
                user: session.user,
            }),
            Err(_) => Err(Passage::Denied),
        }))
    }

    /// `rd` if a browser may be sent there after signing in: an http(s) URL on a host
    /// under `ROSTER_COOKIE_DOMAIN`, named by an access rule, or Roster's own; anything
    /// else (other hosts, `//evil`, `javascript:`) is not, so Roster is no open redirect.
    pub fn return_address(&self, rd: &str) -> Option<Url> {
        let target = Target::parse(rd)?;
        let hosts = &self.rules.return_hosts;
        let under_domain = hosts.cookie_domain.as_deref().is_some_and(|domain| {
            target.host == domain
                || target
                    .host
                    .strip_suffix(domain)
                    .is_some_and(|sub| sub.ends_with('.'))
        });
        let allowed = under_domain
            || self.rules.access.names_host(&target.host)
            || hosts.public_host.as_deref() == Some(target.host.as_str());
        allowed.then_some(target.url)
    }

    /// The access rules in force.
    pub fn access_rules(&self) -> &AccessRules {
        &self.rules.access
    }
}
