//! Settings read from the environment once, at start-up, and validated there.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;

use crate::domain::PasswordPolicy;
use crate::security::client_ip;
use crate::security::throttle::Limits;

/// Where the database lives; the scheme picks the backend.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
    /// A MariaDB or MySQL connection URL (`mysql://`).
    Mysql(String),
}

impl DatabaseUrl {
    /// Parses `postgres://…`, `postgresql://…`, `mysql://…`, `sqlite://path`, `sqlite:path` or
    /// a plain file path. A backend left out of this build is refused here, at start-up.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Self::Postgres(raw.to_owned())
        } else if raw.starts_with("mysql://") {
            Self::Mysql(raw.to_owned())
        } else {
            Self::Sqlite(sqlite_path(raw)?)
        };
        let (compiled, feature) = match url {
            Self::Sqlite(_) => (cfg!(feature = "sqlite"), "sqlite"),
            Self::Postgres(_) => (cfg!(feature = "postgres"), "postgres"),
            Self::Mysql(_) => (cfg!(feature = "mysql"), "mysql"),
        };
        if !compiled {
            return Err(format!(
                "this build has no {feature} support (build with `--features {feature}`)"
            ));
        }
        Ok(url)
    }

    /// A short name of the backend, for logs.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
            Self::Mysql(_) => "MariaDB/MySQL",
        }
    }
}

fn sqlite_path(raw: &str) -> Result<PathBuf, String> {
    let path = if let Some(rest) = raw.strip_prefix("sqlite://") {
        rest
    } else if let Some(rest) = raw.strip_prefix("sqlite:") {
        rest
    } else if let Some((scheme, _)) = raw.split_once("://") {
        return Err(format!(
            "unsupported database scheme `{scheme}://` (use sqlite://, postgres:// or mysql://)"
        ));
    } else {
        raw
    };
    if path.is_empty() {
        return Err("the database path is empty".into());
    }
    if path == ":memory:" {
        // Every pooled connection would get its own empty database.
        return Err("an in-memory database cannot be shared by the connection pool".into());
    }
    Ok(PathBuf::from(path))
}

/// Shows the URL with its password replaced by `***`, so it can be logged.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Self::Postgres(url) | Self::Mysql(url) => f.write_str(&mask_password(url)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// `scheme://user:secret@host/db` → `scheme://user:***@host/db`.
fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    // The userinfo ends at the last '@' before the path.
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
        None => url.to_owned(),
    }
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
    /// `ROSTER_HASH_CONCURRENCY`: argon2 runs at once (default: the number of CPUs).
    pub hash_concurrency: usize,
    /// `ROSTER_HASH_WAIT`: longest wait for a hashing slot before answering 503.
    pub hash_wait: Duration,
    /// `ROSTER_TRUSTED_PROXIES`: peers whose forwarding headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// `ROSTER_THROTTLE*` and `ROSTER_*_PER_MINUTE`: brute-force limits.
    pub throttle: Limits,
    /// `ROSTER_PASSWORD_MIN_SCORE`: the zxcvbn score (0–4) a new password needs.
    pub password_policy: PasswordPolicy,
    /// `ROSTER_CORS_ORIGINS`: origins browsers may call the API from (none by default).
    pub cors_origins: Vec<String>,
    /// `ROSTER_SHUTDOWN_TIMEOUT`: how long in-flight requests may finish on SIGTERM/SIGINT.
    pub shutdown_timeout: Duration,
    /// `ROSTER_PUBLIC_URL`: the address clients reach Roster at (behind a proxy), for the
    /// absolute URLs it produces; empty: URLs are relative to the request's host.
    pub public_url: String,
    /// `ROSTER_METRICS_BIND`: where `/metrics` is served, apart from the API (off if unset).
    pub metrics_bind: Option<String>,
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
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`, so tests can supply their own values.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let reader = Reader {
            lookup,
            seen: RefCell::default(),
        };
        let mut settings = Self::read(&reader)?;
        settings.effective = reader.seen.into_inner();
        // The only secret a setting holds: the database password.
        if let Some(url) = settings
            .effective
            .iter_mut()
            .find(|(n, _)| *n == "ROSTER_DATABASE_URL")
        {
            url.1 = settings.database_url.to_string();
        }
        Ok(settings)
    }

    /// Every setting's environment name, in the documented order.
    pub fn names() -> Vec<&'static str> {
        let reader = Reader {
            lookup: |_: &str| None,
            seen: RefCell::default(),
        };
        // The defaults always parse; the names are recorded either way.
        let _ = Self::read(&reader);
        reader
            .seen
            .into_inner()
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    /// The effective settings as `NAME`, value pairs, the database password masked.
    pub fn effective(&self) -> &[(&'static str, String)] {
        &self.effective
    }

    fn read(reader: &Reader<impl Fn(&str) -> Option<String>>) -> Result<Self, ConfigError> {
        let cpus = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .to_string();
        Ok(Self {
            database_url: reader.get("ROSTER_DATABASE_URL", "sqlite://roster.db", |v| {
                DatabaseUrl::parse(v)
            })?,
            bind: reader.get("ROSTER_BIND", "127.0.0.1:3456", parse_bind)?,
            token_ttl: reader.get("ROSTER_TOKEN_TTL", "30d", parse_ttl)?,
            registration_enabled: reader.get("ROSTER_REGISTRATION", "true", parse_bool)?,
            db_pool_size: reader.get("ROSTER_DB_POOL_SIZE", "", parse_pool_size)?,
            db_timeout: reader.get("ROSTER_DB_TIMEOUT", "5s", parse_duration)?,
            db_startup_wait: reader.get("ROSTER_DB_STARTUP_WAIT", "30s", parse_duration)?,
            hash_concurrency: reader.get("ROSTER_HASH_CONCURRENCY", &cpus, parse_count)?,
            hash_wait: reader.get("ROSTER_HASH_WAIT", "2s", parse_duration)?,
            trusted_proxies: reader.get("ROSTER_TRUSTED_PROXIES", "", client_ip::parse_trusted)?,
            cors_origins: reader.get("ROSTER_CORS_ORIGINS", "", parse_origins)?,
            shutdown_timeout: reader.get("ROSTER_SHUTDOWN_TIMEOUT", "30s", parse_duration)?,
            public_url: reader.get("ROSTER_PUBLIC_URL", "", parse_public_url)?,
            metrics_bind: reader.get("ROSTER_METRICS_BIND", "", |v| {
                (!v.is_empty()).then(|| parse_bind(v)).transpose()
            })?,
            effective: Vec::new(),
            password_policy: PasswordPolicy {
                min_score: reader.get("ROSTER_PASSWORD_MIN_SCORE", "3", parse_score)?,
            },
            throttle: Limits {
                enabled: reader.get("ROSTER_THROTTLE", "true", parse_bool)?,
                max_failures: reader.get("ROSTER_THROTTLE_MAX_FAILURES", "10", parse_count)?,
                window: reader.get("ROSTER_THROTTLE_WINDOW", "15m", parse_duration)?,
                base_delay: reader.get("ROSTER_THROTTLE_BASE_DELAY", "1m", parse_duration)?,
                max_delay: reader.get("ROSTER_THROTTLE_MAX_DELAY", "15m", parse_duration)?,
                ip_failed_logins_per_minute: reader.get(
                    "ROSTER_IP_FAILED_LOGINS_PER_MINUTE",
                    "30",
                    parse_count,
                )?,
                ip_registrations_per_minute: reader.get(
                    "ROSTER_IP_REGISTRATIONS_PER_MINUTE",
                    "60",
                    parse_count,
                )?,
            },
        })
    }
}

/// Reads settings through a lookup, remembering what it read.
struct Reader<F> {
    lookup: F,
    seen: RefCell<Vec<(&'static str, String)>>,
}

impl<F: Fn(&str) -> Option<String>> Reader<F> {
    fn get<T>(
        &self,
        name: &'static str,
        default: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        let value = (self.lookup)(name).unwrap_or_else(|| default.to_owned());
        self.seen.borrow_mut().push((name, value.clone()));
        parse(value.trim()).map_err(|reason| ConfigError {
            name: name.to_owned(),
            value,
            reason,
        })
    }
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
    let known = Settings::names();
    let mut values = HashMap::new();
    for (key, value) in table {
        let name = if key == "rust_log" {
            "RUST_LOG".to_owned()
        } else {
            format!("ROSTER_{}", key.to_ascii_uppercase())
        };
        if name != "RUST_LOG" && !known.contains(&name.as_str()) {
            let reason = format!("unknown setting `{key}`");
            return Err(error("ROSTER_CONFIG".into(), shown.clone(), reason));
        }
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
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

fn parse_bind(value: &str) -> Result<String, String> {
    match value.to_socket_addrs().map(|mut addrs| addrs.next()) {
        Ok(Some(_)) => Ok(value.to_owned()),
        Ok(None) => Err("it resolves to no address".into()),
        Err(e) => Err(format!("expected host:port ({e})")),
    }
}

/// Accepts whole seconds (`90`) or a number with a unit: `ms`, `s`, `m`, `h` or `d`.
fn parse_duration(value: &str) -> Result<Duration, String> {
    let (digits, unit_millis) = if let Some(digits) = value.strip_suffix("ms") {
        (digits, 1)
    } else {
        match value.char_indices().last() {
            Some((i, 's')) => (&value[..i], 1_000),
            Some((i, 'm')) => (&value[..i], 60_000),
            Some((i, 'h')) => (&value[..i], 3_600_000),
            Some((i, 'd')) => (&value[..i], 86_400_000),
            _ => (value, 1_000),
        }
    };
    let expected = "expected whole seconds (`3600`) or a duration like `90s`, `15m`, `12h`, `30d`";
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(expected.into());
    }
    let count: u64 = digits.parse().map_err(|_| expected.to_owned())?;
    let millis = count
        .checked_mul(unit_millis)
        // Expiry is stored as unix seconds in an i64; keep far from overflow.
        .filter(|ms| *ms <= 100 * 365 * 86_400_000)
        .ok_or("at most 100 years")?;
    if millis == 0 {
        return Err("must be more than zero".into());
    }
    Ok(Duration::from_millis(millis))
}

/// A token lifetime: a duration of at least one second.
fn parse_ttl(value: &str) -> Result<Duration, String> {
    let ttl = parse_duration(value)?;
    if ttl < Duration::from_secs(1) {
        return Err("must be at least one second".into());
    }
    Ok(ttl)
}

/// `https://host[:port][/prefix]`, stored without a trailing slash; empty stays empty.
fn parse_public_url(value: &str) -> Result<String, String> {
    let url = value.trim_end_matches('/');
    let valid = url.is_empty()
        || ((url.starts_with("http://") || url.starts_with("https://"))
            && !url.contains(char::is_whitespace)
            && !url.contains(['?', '#']));
    if valid {
        Ok(url.to_owned())
    } else {
        Err("expected an http(s) URL like https://users.example.com".into())
    }
}

/// Comma-separated `scheme://host[:port]` origins, or `*` for any.
fn parse_origins(value: &str) -> Result<Vec<String>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|origin| {
            let valid = origin == "*"
                || ((origin.starts_with("http://") || origin.starts_with("https://"))
                    && !origin.ends_with('/')
                    && !origin.contains(char::is_whitespace));
            if valid {
                Ok(origin.to_owned())
            } else {
                Err(format!(
                    "`{origin}` is not an origin like https://app.example.com (no path, no trailing slash)"
                ))
            }
        })
        .collect()
}

fn parse_score(value: &str) -> Result<u8, String> {
    match value.parse::<u8>() {
        Ok(score) if score <= 4 => Ok(score),
        _ => Err("expected a zxcvbn score from 0 (accept any) to 4".into()),
    }
}

fn parse_count(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(n),
        _ => Err("expected a whole number from 1 to 100000".into()),
    }
}

fn parse_pool_size(value: &str) -> Result<Option<u32>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<u32>() {
        Ok(size) if (1..=1000).contains(&size) => Ok(Some(size)),
        _ => Err("expected a whole number from 1 to 1000".into()),
    }
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("expected true or false".into()),
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(names, Settings::names());
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
        let dir = std::env::temp_dir().join(format!("roster-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
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
    fn registration_flag_reads_common_spellings() {
        let off = settings(&[("ROSTER_REGISTRATION", "false")]).unwrap();
        assert!(!off.registration_enabled);
        let off = settings(&[("ROSTER_REGISTRATION", "0")]).unwrap();
        assert!(!off.registration_enabled);
    }
}
