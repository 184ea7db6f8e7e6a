//! Forward-auth's access rules (`[[access]]` in roster.toml): which signed-in accounts may
//! reach which host and path of the apps behind the proxy. First match wins; with none,
//! any signed-in, enabled account may pass.

use percent_encoding::percent_decode_str;
use serde::Deserialize;
use url::Url;

/// Who a rule lets in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allow {
    /// Everyone, signed in or not.
    Anyone,
    /// Any signed-in, enabled account.
    Users,
    /// Admins only.
    Admins,
    /// The named accounts (usernames, ignoring case) and members of the named groups.
    Listed {
        /// Lower-cased usernames.
        users: Vec<String>,
        /// Lower-cased group names (`group:ops` in the rule).
        groups: Vec<String>,
    },
}

/// The hosts a rule is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    /// One host, lower-cased.
    Exact(String),
    /// Every subdomain of a domain: `*.example.com` is kept as `.example.com`.
    Subdomains(String),
}

impl HostPattern {
    fn parse(raw: &str) -> Result<Self, String> {
        let lower = raw.trim().to_ascii_lowercase();
        let valid = |host: &str| {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        };
        match lower.strip_prefix("*.") {
            Some(domain) if valid(domain) => Ok(Self::Subdomains(format!(".{domain}"))),
            None if valid(&lower) => Ok(Self::Exact(lower)),
            _ => Err(format!(
                "host {raw:?}: give a host name (`wiki.example.com`) or `*.example.com`"
            )),
        }
    }

    fn matches(&self, host: &str) -> bool {
        match self {
            Self::Exact(exact) => host == exact,
            Self::Subdomains(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
        }
    }
}

/// One `[[access]]` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRule {
    host: HostPattern,
    /// A path prefix matched on segment boundaries (`/admin` matches `/admin` and
    /// `/admin/x`, not `/administrator`).
    path: Option<String>,
    allow: Allow,
}

/// What a rule says of one visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Let the request through.
    Allowed,
    /// Sign in first.
    SignInNeeded,
    /// Signed in, but not let in.
    Denied,
}

/// A signed-in visitor, as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Visitor<'a> {
    /// The username.
    pub username: &'a str,
    /// Whether an admin.
    pub is_admin: bool,
    /// Lower-cased names of the visitor's groups.
    pub groups: &'a [String],
}

impl Allow {
    /// The verdict for `visitor` (`None`: not signed in).
    pub fn verdict(&self, visitor: Option<Visitor<'_>>) -> Verdict {
        let Some(visitor) = visitor else {
            return match self {
                Self::Anyone => Verdict::Allowed,
                _ => Verdict::SignInNeeded,
            };
        };
        let allowed = match self {
            Self::Anyone | Self::Users => true,
            Self::Admins => visitor.is_admin,
            Self::Listed { users, groups } => {
                users.contains(&visitor.username.to_ascii_lowercase())
                    || visitor.groups.iter().any(|g| groups.contains(g))
            }
        };
        match allowed {
            true => Verdict::Allowed,
            false => Verdict::Denied,
        }
    }
}

/// The rules in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessRules(Vec<AccessRule>);

/// A rule as written in roster.toml (or `ROSTER_ACCESS` as JSON).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WrittenRule {
    host: String,
    #[serde(default)]
    path: Option<String>,
    allow: WrittenAllow,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum WrittenAllow {
    Word(String),
    List(Vec<String>),
}

impl AccessRules {
    /// Reads the rules from JSON (roster.toml's `[[access]]` tables arrive as such); empty
    /// text means no rules.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let written: Vec<WrittenRule> =
            serde_json::from_str(text).map_err(|e| format!("access rules: {e}"))?;
        written
            .into_iter()
            .enumerate()
            .map(|(n, rule)| Self::rule(rule).map_err(|e| format!("access rule {}: {e}", n + 1)))
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn rule(written: WrittenRule) -> Result<AccessRule, String> {
        let path = match written.path {
            None => None,
            Some(p) if p.starts_with('/') => Some(p.trim_end_matches('/').to_owned()),
            Some(p) => return Err(format!("path {p:?} must start with `/`")),
        };
        let allow = match written.allow {
            WrittenAllow::Word(word) => match word.as_str() {
                "anyone" => Allow::Anyone,
                "users" => Allow::Users,
                "admins" => Allow::Admins,
                other => {
                    return Err(format!(
                        "allow {other:?}: use \"anyone\", \"users\", \"admins\" or a list of usernames and \"group:<name>\""
                    ))
                }
            },
            WrittenAllow::List(names) => {
                let (mut users, mut groups) = (Vec::new(), Vec::new());
                for name in names {
                    let lower = name.trim().to_ascii_lowercase();
                    match lower.strip_prefix("group:") {
                        Some(group) => groups.push(group.trim().to_owned()),
                        None => users.push(lower),
                    }
                }
                Allow::Listed { users, groups }
            }
        };
        Ok(AccessRule {
            host: HostPattern::parse(&written.host)?,
            path,
            allow,
        })
    }

    /// Who may reach `target`: the first matching rule's answer, or any signed-in user.
    pub fn allow_for(&self, target: &Target) -> &Allow {
        self.0
            .iter()
            .find(|rule| rule.host.matches(&target.host) && path_under(&target.path, &rule.path))
            .map_or(&Allow::Users, |rule| &rule.allow)
    }

    /// Whether any rule names `host` (exactly, or as a subdomain of its pattern).
    pub fn names_host(&self, host: &str) -> bool {
        self.0.iter().any(|rule| rule.host.matches(host))
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn path_under(path: &str, prefix: &Option<String>) -> bool {
    match prefix.as_deref() {
        None | Some("") => true,
        Some(prefix) => path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
    }
}

/// `path` with each run of slashes made one.
fn collapse_slashes(path: &str) -> String {
    let mut collapsed = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && collapsed.ends_with('/')) {
            collapsed.push(c);
        }
    }
    collapsed
}

/// The request a proxy asks about, as the rules match it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The whole URL, as received (to send a browser back to after signing in).
    pub url: Url,
    /// The host, lower-cased, without port.
    pub host: String,
    /// The path with dot segments resolved, percent-escapes decoded and repeated slashes
    /// collapsed: the form an app behind the proxy may act on, so `/%61dmin` and
    /// `/public/../admin` meet the rule for `/admin`.
    pub path: String,
}

impl Target {
    /// Parses an absolute `http(s)` URL.
    pub fn parse(raw: &str) -> Option<Self> {
        let url = Url::parse(raw).ok()?;
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        let host = url.host_str()?.to_ascii_lowercase();
        let raw = url.path();
        // The parser resolved the dot segments already; only escapes and doubled slashes
        // need more work (the common path has neither, and forward-auth runs per request).
        let path = if !raw.contains('%') && !raw.contains("//") {
            raw.to_owned()
        } else {
            let decoded = collapse_slashes(&percent_decode_str(raw).decode_utf8_lossy());
            // A second pass of dot-segment removal catches `%2e%2e` that decoding revealed.
            let resolved = Url::parse("http://h/")
                .ok()?
                .join(&decoded.replace('?', "%3F").replace('#', "%23"))
                .ok()?;
            collapse_slashes(&percent_decode_str(resolved.path()).decode_utf8_lossy())
        };
        Some(Self { url, host, path })
    }

    /// From a proxy's `X-Forwarded-Proto`, `-Host` and `-Uri`.
    pub fn from_parts(proto: &str, host: &str, uri: &str) -> Option<Self> {
        let uri = if uri.starts_with('/') { uri } else { "/" };
        Self::parse(&format!("{proto}://{host}{uri}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(json: &str) -> AccessRules {
        AccessRules::parse(json).unwrap()
    }

    fn target(url: &str) -> Target {
        Target::parse(url).unwrap()
    }

    const ALICE: Visitor<'static> = Visitor {
        username: "Alice",
        is_admin: false,
        groups: &[],
    };

    #[test]
    fn first_matching_rule_wins_and_the_default_is_users() {
        let r = rules(
            r#"[{"host": "wiki.example.com", "path": "/admin", "allow": "admins"},
                {"host": "*.example.com", "allow": ["alice", "group:ops"]},
                {"host": "open.test", "allow": "anyone"}]"#,
        );
        let admin_page = target("https://wiki.example.com/admin/settings");
        assert_eq!(r.allow_for(&admin_page), &Allow::Admins);
        assert_eq!(
            r.allow_for(&admin_page).verdict(Some(ALICE)),
            Verdict::Denied
        );
        let wiki = target("https://WIKI.example.com:8443/administrator");
        assert_eq!(r.allow_for(&wiki).verdict(Some(ALICE)), Verdict::Allowed);
        assert_eq!(r.allow_for(&wiki).verdict(None), Verdict::SignInNeeded);
        let bob = Visitor {
            username: "bob",
            ..ALICE
        };
        assert_eq!(r.allow_for(&wiki).verdict(Some(bob)), Verdict::Denied);
        let ops = ["ops".to_owned()];
        let bob_in_ops = Visitor {
            groups: &ops,
            ..bob
        };
        assert_eq!(
            r.allow_for(&wiki).verdict(Some(bob_in_ops)),
            Verdict::Allowed
        );
        // `*.example.com` is for subdomains, not the apex.
        assert_eq!(r.allow_for(&target("https://example.com/")), &Allow::Users);
        assert_eq!(
            r.allow_for(&target("http://open.test/x")).verdict(None),
            Verdict::Allowed
        );
        assert!(r.names_host("a.example.com") && r.names_host("open.test"));
        assert!(!r.names_host("example.com") && !r.names_host("evil.test"));
    }

    #[test]
    fn paths_are_matched_in_the_form_an_app_acts_on() {
        let r = rules(r#"[{"host": "wiki.example.com", "path": "/admin/", "allow": "admins"}]"#);
        for sneaky in [
            "https://wiki.example.com/admin",
            "https://wiki.example.com/public/../admin/x",
            "https://wiki.example.com/%61dmin",
            "https://wiki.example.com//admin",
            "https://wiki.example.com/public/%2e%2e/admin",
            "https://wiki.example.com/public/%2E%2E%2fadmin",
        ] {
            assert_eq!(r.allow_for(&target(sneaky)), &Allow::Admins, "{sneaky}");
        }
        assert_eq!(
            r.allow_for(&target("https://wiki.example.com/admins")),
            &Allow::Users
        );
        assert_eq!(
            r.allow_for(&target("https://wiki.example.com/x?/admin")),
            &Allow::Users
        );
    }

    #[test]
    fn bad_rules_are_refused_with_their_number() {
        for (bad, says) in [
            (
                r#"[{"host": "a.test", "allow": "root"}]"#,
                "access rule 1: allow",
            ),
            (
                r#"[{"host": "a.test", "path": "x", "allow": "users"}]"#,
                "must start with",
            ),
            (r#"[{"host": "a b", "allow": "users"}]"#, "host"),
            (
                r#"[{"host": "a.test", "allow": "users", "deny": 1}]"#,
                "unknown field",
            ),
        ] {
            let error = AccessRules::parse(bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
        assert!(AccessRules::parse("").unwrap().is_empty());
    }

    #[test]
    fn targets_are_http_urls_only() {
        assert!(Target::parse("javascript:alert(1)").is_none());
        assert!(Target::parse("//evil.test/").is_none());
        let t = Target::from_parts("https", "App.Example.com", "/a?b=1").unwrap();
        assert_eq!(
            (t.host.as_str(), t.path.as_str()),
            ("app.example.com", "/a")
        );
        assert_eq!(t.url.as_str(), "https://app.example.com/a?b=1");
    }
}
