//! The parsers of setting values, and `DatabaseUrl`.

use std::fmt;
use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::time::Duration;

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
pub(super) fn mask_password(url: &str) -> String {
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

pub(super) fn parse_bind(value: &str) -> Result<String, String> {
    match value.to_socket_addrs().map(|mut addrs| addrs.next()) {
        Ok(Some(_)) => Ok(value.to_owned()),
        Ok(None) => Err("it resolves to no address".into()),
        Err(e) => Err(format!("expected host:port ({e})")),
    }
}

/// Accepts whole seconds (`90`) or a number with a unit: `ms`, `s`, `m`, `h` or `d`.
pub(super) fn parse_duration(value: &str) -> Result<Duration, String> {
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
pub(super) fn parse_ttl(value: &str) -> Result<Duration, String> {
    let ttl = parse_duration(value)?;
    if ttl < Duration::from_secs(1) {
        return Err("must be at least one second".into());
    }
    Ok(ttl)
}

/// `https://host[:port][/prefix]`, stored without a trailing slash; empty stays empty.
pub(super) fn parse_public_url(value: &str) -> Result<String, String> {
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

/// A cookie `Domain`: a host name (`example.com`), a leading dot tolerated.
pub(super) fn parse_cookie_domain(value: &str) -> Result<Option<String>, String> {
    let domain = value.trim().trim_start_matches('.').to_ascii_lowercase();
    if domain.is_empty() {
        return Ok(None);
    }
    let valid = domain.contains('.') || domain == "localhost";
    if valid
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        Ok(Some(domain))
    } else {
        Err("expected a domain like example.com (no scheme, port or path)".into())
    }
}

/// Comma-separated `scheme://host[:port]` origins, or `*` for any.
pub(super) fn parse_origins(value: &str) -> Result<Vec<String>, String> {
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

pub(super) fn parse_score(value: &str) -> Result<u8, String> {
    match value.parse::<u8>() {
        Ok(score) if score <= 4 => Ok(score),
        _ => Err("expected a zxcvbn score from 0 (accept any) to 4".into()),
    }
}

pub(super) fn parse_count(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(n),
        _ => Err("expected a whole number from 1 to 100000".into()),
    }
}

pub(super) fn parse_pool_size(value: &str) -> Result<Option<u32>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<u32>() {
        Ok(size) if (1..=1000).contains(&size) => Ok(Some(size)),
        _ => Err("expected a whole number from 1 to 1000".into()),
    }
}

pub(super) fn parse_bool(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("expected true or false".into()),
    }
}
