//! Settings: each declared once — name, default, parser, one-line description — in
//! [`Settings::read`]. That one declaration drives reading (the environment over
//! `roster.toml`, a secret also from `NAME_FILE`), `roster config`, the `--help` summary and
//! the settings table in docs/operations.md (a test compares them). Read once, at
//! start-up, and validated there.

mod mail;
mod parse;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use ipnet::IpNet;

use crate::domain::{AccessRules, EmailConfirmation, PasswordPolicy};
use crate::logging::LogFormat;
use crate::security::client_ip;
use crate::security::throttle::Limits;

pub use mail::{SmtpSecurity, SmtpUrl};
pub use parse::DatabaseUrl;
use parse::{
    mask_password, parse_bind, parse_bool, parse_cookie_domain, parse_count, parse_duration,
    parse_origins, parse_pool_size, parse_public_url, parse_score, parse_ttl,
};

/// One setting: its environment name, default, parser and meaning.
pub struct Setting<T> {
    name: &'static str,
    default: &'static str,
    about: &'static str,
    parse: fn(&str) -> Result<T, String>,
    shown_default: Option<&'static str>,
    secret: bool,
}

impl<T> Setting<T> {
    /// A setting named `name` (`ROSTER_…`), `default` when unset, read by `parse`.
    pub fn new(
        name: &'static str,
        default: &'static str,
        parse: fn(&str) -> Result<T, String>,
        about: &'static str,
    ) -> Self {
        Self {
            name,
            default,
            about,
            parse,
            shown_default: None,
            secret: false,
        }
    }

    /// How the docs show a default that is worked out at start-up (or left empty).
    pub const fn shown(mut self, text: &'static str) -> Self {
        self.shown_default = Some(text);
        self
    }

    /// A secret: may come from the file named by `NAME_FILE`, and is masked when shown.
    pub const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }
}

/// What is known of a setting, whatever its type: for the docs table, `--help` and
/// `roster config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// The environment name.
    pub name: &'static str,
    /// The default, as the docs show it.
    pub default: String,
    /// The meaning.
    pub about: &'static str,
    /// Whether it may come from `NAME_FILE`.
    pub secret: bool,
}

/// Everything the service can be configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `ROSTER_DATABASE_URL`
    pub database_url: DatabaseUrl,
    /// `ROSTER_BIND`: an address `HttpServer::bind` accepts, checked to resolve.
    pub bind: String,
    /// `ROSTER_TOKEN_TTL`: how long a bearer token stays valid.
    pub token_ttl: Duration,
    /// `ROSTER_REGISTRATION`: whether `POST /api/v1/register` is open.
    pub registration_enabled: bool,
    /// `ROSTER_DB_POOL_SIZE`: most connections held open; `None` means the backend default.
    pub db_pool_size: Option<u32>,
    /// `ROSTER_DB_TIMEOUT`: longest wait for a connection, a lock or a statement.
    pub db_timeout: Duration,
    /// `ROSTER_DB_STARTUP_WAIT`: how long start-up retries an unreachable database.
    pub db_startup_wait: Duration,
    /// `ROSTER_HASH_CONCURRENCY`: argon2 runs at once.
    pub hash_concurrency: usize,
    /// `ROSTER_HASH_WAIT`: longest wait for a hashing slot before answering 503.
    pub hash_wait: Duration,
    /// `ROSTER_PASSWORD_MIN_SCORE`: how strong a new password must be.
    pub password_policy: PasswordPolicy,
    /// `ROSTER_TRUSTED_PROXIES`: peers whose forwarding headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// `ROSTER_THROTTLE*` and `ROSTER_*_PER_MINUTE`: brute-force limits.
    pub throttle: Limits,
    /// `ROSTER_CORS_ORIGINS`: origins browsers may call the API from (none by default).
    pub cors_origins: Vec<String>,
    /// `ROSTER_SHUTDOWN_TIMEOUT`: how long in-flight requests may finish on SIGTERM/SIGINT.
    pub shutdown_timeout: Duration,
    /// `ROSTER_REQUEST_TIMEOUT`: longest a client may take to send a request's headers, and
    /// then its body.
    pub request_timeout: Duration,
    /// `ROSTER_PUBLIC_URL`: the address clients reach Roster at (behind a proxy), for the
    /// absolute URLs it produces; empty: URLs are relative to the request's host.
    pub public_url: String,
    /// `ROSTER_SMTP_URL`: where mail goes; `None`: mail is off.
    pub smtp_url: Option<SmtpUrl>,
    /// `ROSTER_MAIL_FROM`: the sender of every mail.
    pub mail_from: String,
    /// `ROSTER_EMAIL_CONFIRMATION`: whether addresses are confirmed, and must be.
    pub email_confirmation: EmailConfirmation,
    /// `ROSTER_RESET_TOKEN_TTL`: how long a reset link works.
    pub reset_token_ttl: Duration,
    /// `ROSTER_CONFIRM_TOKEN_TTL`: how long a confirmation link works.
    pub confirm_token_ttl: Duration,
    /// `ROSTER_METRICS_BIND`: where `/metrics` is served, apart from the API (off if unset).
    pub metrics_bind: Option<String>,
    /// `RUST_LOG`: the log filter.
    pub log_filter: String,
    /// `ROSTER_LOG_FORMAT`: text or JSON lines.
    pub log_format: LogFormat,
    /// `ROSTER_COOKIE_SECURE`: whether the session cookie is sent over https only.
    pub cookie_secure: bool,
    /// `ROSTER_COOKIE_DOMAIN`: the session cookie's `Domain` (shared by subdomains).
    pub cookie_domain: Option<String>,
    /// `ROSTER_ACCESS` (`[[access]]` in roster.toml): forward-auth's rules.
    pub access: AccessRules,
    /// What each setting was read as, for `roster config`.
    effective: Vec<(&'static str, String)>,
}

/// A setting that could not be used; names the variable so an operator can fix it.
#[derive(Debug, thiserror::Error)]
#[error("{name}={value:?} is invalid: {reason}")]
pub struct ConfigError {
    /// The environment variable (or the file's key).
    pub name: String,
    /// The value it held.
    pub value: String,
    /// Why it was refused.
    pub reason: String,
}

impl Settings {
    /// Reads the settings through `lookup` (the environment over the file; tests supply
    /// their own values).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let reader = Reader {
            lookup,
            seen: RefCell::default(),
        };
        let mut settings = Self::read(&reader)?;
        settings.check_mail()?;
        settings.effective = reader
            .seen
            .into_inner()
            .into_iter()
            .map(|(described, value)| (described.name, value))
            .collect();
        Ok(settings)
    }

    /// Every setting, in the documented order.
    pub fn declared() -> Vec<Described> {
        let reader = Reader {
            lookup: |_: &str| None,
            seen: RefCell::default(),
        };
        // The defaults always parse; the settings are recorded either way.
        let _ = Self::read(&reader);
        reader
            .seen
            .into_inner()
            .into_iter()
            .map(|(d, _)| d)
            .collect()
    }

    /// The effective settings as `NAME`, value pairs, secrets masked.
    pub fn effective(&self) -> &[(&'static str, String)] {
        &self.effective
    }

    /// The declarations: each setting's name, default, parser and meaning, once.
    fn read(r: &Reader<impl Fn(&str) -> Option<String>>) -> Result<Self, ConfigError> {
        const BIND: &str = "`host:port` to listen on; must resolve. Use `0.0.0.0:3456` to listen on all interfaces.";
        Ok(Self {
            database_url: r.get(
                Setting::new("ROSTER_DATABASE_URL", "sqlite://roster.db", DatabaseUrl::parse,
                    "see [Choosing a backend](#choosing-a-backend).").secret(),
            )?,
            bind: r.get(Setting::new("ROSTER_BIND", "127.0.0.1:3456", parse_bind, BIND))?,
            token_ttl: r.get(Setting::new("ROSTER_TOKEN_TTL", "30d", parse_ttl,
                "lifetime of new tokens: whole seconds (`3600`) or a number with `s`, `m`, `h` or `d`; at least 1 s, at most 100 years. Changing it does not alter tokens already issued."))?,
            registration_enabled: r.get(Setting::new("ROSTER_REGISTRATION", "true", parse_bool,
                "`false` (or `0`, `no`, `off`) closes `POST /api/v1/register`; admins still create users with `PUT /api/v1/users`."))?,
            db_pool_size: r.get(Setting::new("ROSTER_DB_POOL_SIZE", "", parse_pool_size,
                "most connections one instance holds (1–1000). With N instances the server sees up to N × this: keep it under PostgreSQL's `max_connections` (100 by default) / MariaDB's `max_connections` (151).")
                .shown("8 on SQLite, 10 on PostgreSQL/MariaDB"))?,
            db_timeout: r.get(Setting::new("ROSTER_DB_TIMEOUT", "5s", parse_duration,
                "longest wait for a pooled connection (then 503), the longest a request waits for its database work (also when the server stops answering), and the statement and lock-wait timeout of every connection (PostgreSQL `statement_timeout` and `lock_timeout`, MariaDB `max_statement_time` and `innodb_lock_wait_timeout`, SQLite `busy_timeout`)."))?,
            db_startup_wait: r.get(Setting::new("ROSTER_DB_STARTUP_WAIT", "30s", parse_duration,
                "how long start-up retries a database that does not answer (a server still booting) before exiting with an error."))?,
            hash_concurrency: r.get(Setting::new("ROSTER_HASH_CONCURRENCY", cpus(), parse_count,
                "argon2 runs at once (each ~19 MiB for ~30 ms).").shown("number of CPUs"))?,
            hash_wait: r.get(Setting::new("ROSTER_HASH_WAIT", "2s", parse_duration,
                "longest wait for a hashing slot; past it a login/registration gets 503 5031 with `Retry-After`. Durations also take `ms`."))?,
            password_policy: PasswordPolicy {
                min_score: r.get(Setting::new("ROSTER_PASSWORD_MIN_SCORE", "3", parse_score,
                    "zxcvbn score (0–4) a new password needs; `0` only checks the length."))?,
            },
            trusted_proxies: r.get(Setting::new("ROSTER_TRUSTED_PROXIES", "", client_ip::parse_trusted,
                "comma-separated CIDRs or addresses of reverse proxies whose `X-Forwarded-For`/`Forwarded` are believed (see docs/security.md)."))?,
            throttle: Limits {
                enabled: r.get(Setting::new("ROSTER_THROTTLE", "true", parse_bool,
                    "`false` switches login/registration throttling off."))?,
                max_failures: r.get(Setting::new("ROSTER_THROTTLE_MAX_FAILURES", "10", parse_count,
                    "failed logins per username (any case) within the window that lock it."))?,
                window: r.get(Setting::new("ROSTER_THROTTLE_WINDOW", "15m", parse_duration,
                    "the window failures are counted in; a whole window without failures forgives."))?,
                base_delay: r.get(Setting::new("ROSTER_THROTTLE_BASE_DELAY", "1m", parse_duration,
                    "the first lockout; each further failure doubles it."))?,
                max_delay: r.get(Setting::new("ROSTER_THROTTLE_MAX_DELAY", "15m", parse_duration,
                    "the longest lockout."))?,
                ip_failed_logins_per_minute: r.get(Setting::new("ROSTER_IP_FAILED_LOGINS_PER_MINUTE", "30", parse_count,
                    "failed logins per client address per minute."))?,
                ip_registrations_per_minute: r.get(Setting::new("ROSTER_IP_REGISTRATIONS_PER_MINUTE", "60", parse_count,
                    "registrations per client address per minute."))?,
                mails_per_address_per_hour: r.get(Setting::new("ROSTER_MAILS_PER_ADDRESS_PER_HOUR", "5", parse_count,
                    "reset and confirmation requests per email address (any case, known or not) per hour."))?,
                ip_mail_requests_per_minute: r.get(Setting::new("ROSTER_IP_MAIL_REQUESTS_PER_MINUTE", "10", parse_count,
                    "reset and confirmation requests per client address per minute."))?,
            },
            cors_origins: r.get(Setting::new("ROSTER_CORS_ORIGINS", "", parse_origins,
                "comma-separated origins (`https://app.example.com`, or `*`) whose browser pages may call the API. Empty: no cross-origin access. Preflights are answered; `Authorization` and `Content-Type` are allowed; the pagination headers are exposed."))?,
            shutdown_timeout: r.get(Setting::new("ROSTER_SHUTDOWN_TIMEOUT", "30s", parse_duration,
                "on SIGTERM/SIGINT Roster stops accepting connections and gives in-flight requests this long to finish, then exits 0."))?,
            request_timeout: r.get(Setting::new("ROSTER_REQUEST_TIMEOUT", "10s", parse_duration,
                "longest a client may take to send a request's headers, and again its body; past it the answer is 408 (for a body: JSON, code 4080) and the connection closes, so slow or stalled clients cannot hold connections open."))?,
            public_url: r.get(Setting::new("ROSTER_PUBLIC_URL", "", parse_public_url,
                "the URL clients reach Roster at behind a proxy (`https://users.example.com`), used for the absolute URLs Roster produces: the `Location` of a created user. Empty: those URLs are relative (`/api/v1/users/7`)."))?,
            smtp_url: r.get(Setting::new("ROSTER_SMTP_URL", "", SmtpUrl::parse_optional,
                "the SMTP server for reset and confirmation mails: `smtp://user:pass@host:587` (STARTTLS, required), `smtps://user:pass@host:465` (TLS), or `smtp://127.0.0.1:25?tls=none` (plain, only to a server on this machine). User and password are URL-encoded (`%40` for `@`). Unset: mail is off.")
                .shown("unset (mail off)").secret())?,
            mail_from: r.get(Setting::new("ROSTER_MAIL_FROM", "", mail::parse_mail_from,
                "the sender of every mail, `Roster <roster@example.com>` or an address; required when mail is on.").shown("unset"))?,
            email_confirmation: r.get(Setting::new("ROSTER_EMAIL_CONFIRMATION", "off", EmailConfirmation::parse,
                "`off`; `optional` (new and changed addresses get a confirmation mail, login does not wait); `required` (as optional, and an account with an unconfirmed address cannot log in: 403 3007). optional and required need mail on."))?,
            reset_token_ttl: r.get(Setting::new("ROSTER_RESET_TOKEN_TTL", "1h", parse_ttl,
                "how long a password-reset link works."))?,
            confirm_token_ttl: r.get(Setting::new("ROSTER_CONFIRM_TOKEN_TTL", "7d", parse_ttl,
                "how long a confirmation link works."))?,
            metrics_bind: r.get(Setting::new("ROSTER_METRICS_BIND", "", parse_optional_bind,
                "`host:port` where `GET /metrics` (Prometheus text) is served, apart from the API; keep it on a private interface.").shown("unset (off)"))?,
            log_filter: r.get(Setting::new("RUST_LOG", "info", parse_filter,
                "env_logger filter, e.g. `warn` or `info,actix_web=warn`."))?,
            log_format: r.get(Setting::new("ROSTER_LOG_FORMAT", "text", LogFormat::parse,
                "`text` (for people) or `json` (one object per line: `time`, `level`, `target`, `message`, the line's fields, and `request_id`/`client_ip` while serving a request)."))?,
            cookie_secure: r.get(Setting::new("ROSTER_COOKIE_SECURE", "true", parse_bool,
                "whether the session cookie (`roster_session`) is marked `Secure` (sent over https only); `false` only for plain-http development."))?,
            cookie_domain: r.get(Setting::new("ROSTER_COOKIE_DOMAIN", "", parse_cookie_domain,
                "the session cookie's `Domain` (`example.com`: `app.example.com` and `roster.example.com` share it, so one sign-in covers every app behind the proxy); also the hosts forward-auth may send a browser back to. Empty: the cookie is Roster's host's only.").shown("unset"))?,
            access: r.get(Setting::new("ROSTER_ACCESS", "", AccessRules::parse,
                "forward-auth's access rules, first match wins: `[[access]]` tables in roster.toml (`host`, optional `path`, `allow`), or the same as a JSON list here; see [Forward-auth](forward-auth.md). Empty: any signed-in, enabled account passes.").shown("no rules"))?,
            effective: Vec::new(),
        })
    }
}

impl Settings {
    /// Whether mail is on (an SMTP server is set).
    pub fn mail_enabled(&self) -> bool {
        self.smtp_url.is_some()
    }

    /// Refuses mail settings that cannot work together, naming the one to set.
    fn check_mail(&self) -> Result<(), ConfigError> {
        let missing = |name: &str, reason: &str| ConfigError {
            name: name.to_owned(),
            value: String::new(),
            reason: reason.to_owned(),
        };
        if self.mail_enabled() {
            if self.mail_from.is_empty() {
                return Err(missing(
                    "ROSTER_MAIL_FROM",
                    "required when ROSTER_SMTP_URL is set: the sender of every mail",
                ));
            }
            if self.public_url.is_empty() {
                return Err(missing(
                    "ROSTER_PUBLIC_URL",
                    "required when ROSTER_SMTP_URL is set: the base of every link in a mail",
                ));
            }
        } else if self.email_confirmation.sends_mail() {
            return Err(ConfigError {
                name: "ROSTER_EMAIL_CONFIRMATION".to_owned(),
                value: self.email_confirmation.as_str().to_owned(),
                reason: "needs mail: set ROSTER_SMTP_URL (and ROSTER_MAIL_FROM, ROSTER_PUBLIC_URL)"
                    .to_owned(),
            });
        }
        Ok(())
    }
}

/// The settings table of docs/operations.md, as the declarations make it.
pub fn docs_table() -> String {
    let mut table = "| variable | default | meaning |\n|---|---|---|\n".to_owned();
    for setting in Settings::declared() {
        let file = if setting.secret {
            format!(" Also read from the file named by `{}_FILE`.", setting.name)
        } else {
            String::new()
        };
        table.push_str(&format!(
            "| `{}` | {} | {}{file} |\n",
            setting.name, setting.default, setting.about
        ));
    }
    table
}

/// The settings for `roster --help`: each name with its default.
pub fn help_summary() -> String {
    let mut text =
        "Settings (environment, or roster.toml; docs/operations.md says more):\n".to_owned();
    for setting in Settings::declared() {
        let default = setting.default.replace('`', "");
        text.push_str(&format!("  {:<36} {default}\n", setting.name));
    }
    text
}

/// Reads settings through a lookup, remembering what it read.
struct Reader<F> {
    lookup: F,
    seen: RefCell<Vec<(Described, String)>>,
}

impl<F: Fn(&str) -> Option<String>> Reader<F> {
    fn get<T>(&self, setting: Setting<T>) -> Result<T, ConfigError> {
        let refused = |name: String, value: String, reason: String| ConfigError {
            name,
            value,
            reason,
        };
        let file_name = format!("{}_FILE", setting.name);
        let from_file = match (setting.secret, (self.lookup)(&file_name)) {
            (true, Some(path)) => {
                if (self.lookup)(setting.name).is_some() {
                    let reason = format!("set either {} or {file_name}, not both", setting.name);
                    return Err(refused(file_name, path, reason));
                }
                let text = std::fs::read_to_string(path.trim())
                    .map_err(|e| refused(file_name.clone(), path.clone(), e.to_string()))?;
                Some(text.trim_end_matches(['\r', '\n']).to_owned())
            }
            _ => None,
        };
        let value = from_file
            .or_else(|| (self.lookup)(setting.name))
            .unwrap_or_else(|| setting.default.to_owned());
        let shown = match setting.secret {
            true => mask_password(&value),
            false => value.clone(),
        };
        let default = match (setting.shown_default, setting.default) {
            (Some(text), _) => text.to_owned(),
            (None, "") => "empty".to_owned(),
            (None, default) => format!("`{default}`"),
        };
        let described = Described {
            name: setting.name,
            default,
            about: setting.about,
            secret: setting.secret,
        };
        self.seen.borrow_mut().push((described, shown.clone()));
        (setting.parse)(value.trim())
            .map_err(|reason| refused(setting.name.to_owned(), shown, reason))
    }
}

/// The number of CPUs, as text: the default of `ROSTER_HASH_CONCURRENCY`.
fn cpus() -> &'static str {
    static CPUS: OnceLock<String> = OnceLock::new();
    CPUS.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .to_string()
    })
}

fn parse_optional_bind(value: &str) -> Result<Option<String>, String> {
    (!value.is_empty()).then(|| parse_bind(value)).transpose()
}

fn parse_filter(value: &str) -> Result<String, String> {
    Ok(value.to_owned())
}

/// Reads a `roster.toml`: keys are the environment names without `ROSTER_`, in lower case
/// (`token_ttl = "12h"`), plus `rust_log`. Lists become comma-separated values. Returns the
/// values by environment name; an unknown key or a value of another kind is an error.
pub fn load_file(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let error = |name: String, value: String, reason: String| ConfigError {
        name,
        value,
        reason,
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| error("ROSTER_CONFIG".into(), shown.clone(), e.to_string()))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        error(
            "ROSTER_CONFIG".into(),
            shown.clone(),
            e.message().to_owned(),
        )
    })?;
    let declared = Settings::declared();
    let known: Vec<String> = declared
        .iter()
        .flat_map(|s| {
            let file = s.secret.then(|| format!("{}_FILE", s.name));
            std::iter::once(s.name.to_owned()).chain(file)
        })
        .collect();
    let mut values = HashMap::new();
    for (key, value) in table {
        let name = if key == "rust_log" {
            "RUST_LOG".to_owned()
        } else {
            format!("ROSTER_{}", key.to_ascii_uppercase())
        };
        if !known.contains(&name) {
            let reason = format!("unknown setting `{key}`");
            return Err(error("ROSTER_CONFIG".into(), shown.clone(), reason));
        }
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            // `[[access]]`: a list of tables, handed on as JSON.
            toml::Value::Array(items) if items.iter().all(toml::Value::is_table) => {
                serde_json::to_string(&items).map_err(|e| {
                    error(
                        name.clone(),
                        shown.clone(),
                        format!("cannot read the tables: {e}"),
                    )
                })?
            }
            toml::Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned).ok_or(()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|()| {
                    error(
                        name.clone(),
                        shown.clone(),
                        "expected a list of strings".into(),
                    )
                })?
                .join(","),
            other => {
                let reason = format!(
                    "`{key}` is a {}, not a string, number, boolean or list",
                    other.type_str()
                );
                return Err(error(name, shown.clone(), reason));
            }
        };
        values.insert(name, text);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::parse::*;
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_lookup(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn defaults_match_the_documented_table() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.database_url, DatabaseUrl::Sqlite("roster.db".into()));
        assert_eq!(s.bind, "127.0.0.1:3456");
        assert_eq!(s.token_ttl, Duration::from_secs(30 * 86_400));
        assert!(s.registration_enabled);
        assert_eq!(s.db_pool_size, None);
        assert_eq!(s.db_timeout, Duration::from_secs(5));
        assert_eq!(s.db_startup_wait, Duration::from_secs(30));
        assert!(s.trusted_proxies.is_empty());
        assert!(s.throttle.enabled);
        assert_eq!(s.throttle.max_failures, 10);
        assert!(s.cors_origins.is_empty());
        assert_eq!(s.shutdown_timeout, Duration::from_secs(30));
    }

    #[test]
    fn public_urls() {
        assert_eq!(
            parse_public_url("https://u.example.com/roster/"),
            Ok("https://u.example.com/roster".into())
        );
        assert_eq!(parse_public_url(""), Ok(String::new()));
        assert!(parse_public_url("u.example.com").is_err());
        assert!(parse_public_url("https://u.example.com/?x=1").is_err());
    }

    #[test]
    fn cors_origins_are_origins() {
        let list = parse_origins("https://app.example.com, http://localhost:5173").unwrap();
        assert_eq!(list, ["https://app.example.com", "http://localhost:5173"]);
        assert!(parse_origins("https://app.example.com/").is_err());
        assert!(parse_origins("app.example.com").is_err());
        assert_eq!(parse_origins("*").unwrap(), ["*"]);
    }

    #[test]
    fn durations_take_seconds_or_a_unit() {
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(2_592_000)));
        for bad in [
            "",
            "d",
            "0",
            "-5",
            "1.5h",
            "12x",
            "1 h",
            "99999999999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn database_urls() {
        let path = |p: &str| Ok(DatabaseUrl::Sqlite(p.into()));
        assert_eq!(DatabaseUrl::parse("sqlite://roster.db"), path("roster.db"));
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/r.db"),
            path("/var/lib/r.db")
        );
        assert_eq!(DatabaseUrl::parse("data/r.db"), path("data/r.db"));
        assert!(DatabaseUrl::parse("redis://localhost/roster").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert!(DatabaseUrl::parse(":memory:").is_err());
    }

    #[test]
    fn server_urls_pick_their_backend_when_built_in() {
        let pg = DatabaseUrl::parse("postgresql://u:p@db/roster");
        assert_eq!(pg.is_ok(), cfg!(feature = "postgres"));
        let my = DatabaseUrl::parse("mysql://u:p@db/roster");
        assert_eq!(my.is_ok(), cfg!(feature = "mysql"));
        if !cfg!(feature = "mysql") {
            assert!(my.unwrap_err().contains("--features mysql"));
        }
    }

    #[test]
    fn passwords_are_masked_when_shown() {
        let url = DatabaseUrl::Postgres("postgres://roster:s3cr@t@db:5432/roster".into());
        assert_eq!(url.to_string(), "postgres://roster:***@db:5432/roster");
        assert!(!format!("{url:?}").contains("s3cr"));
        let url = DatabaseUrl::Mysql("mysql://root@localhost/test".into());
        assert_eq!(url.to_string(), "mysql://root@localhost/test");
    }

    #[test]
    fn pool_sizes() {
        assert_eq!(parse_pool_size(""), Ok(None));
        assert_eq!(parse_pool_size("4"), Ok(Some(4)));
        assert!(parse_pool_size("0").is_err());
        assert!(parse_pool_size("many").is_err());
    }

    #[test]
    fn the_effective_settings_mask_the_database_password() {
        let s = settings(&[("ROSTER_DATABASE_URL", "sqlite://secret-free.db")]).unwrap();
        let names: Vec<_> = s.effective().iter().map(|(n, _)| *n).collect();
        let declared: Vec<_> = Settings::declared().iter().map(|d| d.name).collect();
        assert_eq!(names, declared);
        assert!(names.contains(&"ROSTER_TOKEN_TTL") && names.contains(&"ROSTER_CORS_ORIGINS"));
        if cfg!(feature = "postgres") {
            let s = settings(&[("ROSTER_DATABASE_URL", "postgres://u:hunter2@db/r")]).unwrap();
            let url = &s.effective()[0];
            assert_eq!(
                url,
                &("ROSTER_DATABASE_URL", "postgres://u:***@db/r".to_owned())
            );
        }
    }

    #[test]
    fn configuration_files_map_to_the_environment_names() {
        let dir = tempfile_dir("config");
        let path = dir.join("roster.toml");
        std::fs::write(&path, "token_ttl = \"12h\"\nregistration = false\ndb_pool_size = 4\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\nrust_log = \"warn\"\n").unwrap();
        let values = load_file(&path).unwrap();
        assert_eq!(values["ROSTER_TOKEN_TTL"], "12h");
        assert_eq!(values["ROSTER_REGISTRATION"], "false");
        assert_eq!(values["ROSTER_DB_POOL_SIZE"], "4");
        assert_eq!(values["ROSTER_TRUSTED_PROXIES"], "10.0.0.0/8,::1");
        assert_eq!(values["RUST_LOG"], "warn");

        std::fs::write(&path, "token_tll = \"12h\"\n").unwrap();
        let err = load_file(&path).unwrap_err();
        assert_eq!(err.name, "ROSTER_CONFIG");
        assert!(err.reason.contains("`token_tll`"), "{err}");
        std::fs::write(&path, "bind = [1, 2]\n").unwrap();
        assert!(load_file(&path).is_err());
        std::fs::write(&path, "not toml").unwrap();
        assert_eq!(load_file(&path).unwrap_err().name, "ROSTER_CONFIG");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = settings(&[("ROSTER_REGISTRATION", "maybe")]).unwrap_err();
        assert_eq!(err.name, "ROSTER_REGISTRATION");
        assert!(err
            .to_string()
            .starts_with("ROSTER_REGISTRATION=\"maybe\" is invalid"));
        assert_eq!(
            settings(&[("ROSTER_BIND", "nowhere")]).unwrap_err().name,
            "ROSTER_BIND"
        );
        let err = settings(&[("ROSTER_TOKEN_TTL", "soon")]).unwrap_err();
        assert_eq!(err.name, "ROSTER_TOKEN_TTL");
    }

    #[test]
    fn the_docs_table_is_the_declarations() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/operations.md");
        let docs = std::fs::read_to_string(path).unwrap();
        let begin = docs.find("<!-- settings:begin -->\n").unwrap() + 24;
        let end = docs.find("<!-- settings:end -->").unwrap();
        let expected = docs_table();
        assert!(
            docs[begin..end] == expected,
            "docs/operations.md's settings table differs from the declarations in \
             src/config/mod.rs; the declarations make:\n{expected}"
        );
    }

    #[test]
    fn a_secret_comes_from_its_file() {
        let dir = tempfile_dir("secret");
        let path = dir.join("url");
        std::fs::write(&path, "sqlite://from-file.db\n").unwrap();
        let file = path.display().to_string();
        let s = settings(&[("ROSTER_DATABASE_URL_FILE", &file)]).unwrap();
        assert_eq!(s.database_url, DatabaseUrl::Sqlite("from-file.db".into()));
        let both = settings(&[
            ("ROSTER_DATABASE_URL_FILE", &file),
            ("ROSTER_DATABASE_URL", "sqlite://x.db"),
        ]);
        assert_eq!(both.unwrap_err().name, "ROSTER_DATABASE_URL_FILE");
        let missing = settings(&[("ROSTER_DATABASE_URL_FILE", "/nonexistent/roster-url")]);
        assert_eq!(missing.unwrap_err().name, "ROSTER_DATABASE_URL_FILE");
        // Not for settings that are no secret.
        let s = settings(&[("ROSTER_BIND_FILE", &file)]).unwrap();
        assert_eq!(s.bind, "127.0.0.1:3456");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir(what: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("roster-{what}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn registration_flag_reads_common_spellings() {
        let off = settings(&[("ROSTER_REGISTRATION", "false")]).unwrap();
        assert!(!off.registration_enabled);
        let off = settings(&[("ROSTER_REGISTRATION", "0")]).unwrap();
        assert!(!off.registration_enabled);
    }
}
