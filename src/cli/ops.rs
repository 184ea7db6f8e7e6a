//! The operator's commands beside `user`: the health check a supervisor runs, backups and
//! restores, and the migrations' status and revert.

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use clap::Subcommand;

use super::{CliError, Terminal};
use crate::config::{DatabaseUrl, Settings};
use crate::db::{self, maintenance};

/// `roster migrate …`: without a subcommand, applies what is pending.
#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// List every migration of this build, applied or pending.
    Status,
    /// Revert the newest applied migration (asks for confirmation without --yes).
    Revert {
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
}

/// How long the health check waits for the connection and for the answer, each.
const HEALTHCHECK_WAIT: Duration = Duration::from_secs(5);

/// `roster migrate [status|revert]`.
pub fn migrate(
    settings: &Settings,
    command: Option<MigrateCommand>,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> Result<(), CliError> {
    let mut conn = db::connect_one(settings)?;
    let mut t = Terminal { input, output };
    match command {
        None => {
            let applied = db::migrate(&mut conn)?;
            t.say(&format!(
                "applied {applied} migration(s); the database is up to date"
            ))
        }
        Some(MigrateCommand::Status) => {
            for migration in maintenance::migration_status(&mut conn)? {
                let state = if migration.applied {
                    "applied"
                } else {
                    "pending"
                };
                t.say(&format!("{state}  {}", migration.name))?;
            }
            Ok(())
        }
        Some(MigrateCommand::Revert { yes }) => {
            let status = maintenance::migration_status(&mut conn)?;
            let Some(last) = status.iter().rev().find(|m| m.applied) else {
                return Err(CliError::Refused("no migration has run".into()));
            };
            if !yes {
                let question = format!(
                    "Revert {} on {}? Its tables and their rows are dropped.",
                    last.name, settings.database_url
                );
                t.confirm(&question, "not reverted")?;
            }
            let reverted = maintenance::revert_last(&mut conn)?;
            t.say(&format!(
                "reverted {reverted}; `roster migrate` (or starting the server) applies it again"
            ))
        }
    }
}

/// `roster backup PATH`: a checked copy of a SQLite database, taken while the server runs;
/// for a server database, the dump command to use instead.
pub fn backup(settings: &Settings, to: &Path, output: &mut dyn Write) -> Result<(), CliError> {
    if !matches!(settings.database_url, DatabaseUrl::Sqlite(_)) {
        let advice = maintenance::dump_advice(&settings.database_url, to);
        return Err(CliError::Refused(advice));
    }
    let mut conn = db::connect_one(settings)?;
    let users = maintenance::backup(&mut conn, to)?;
    let size = std::fs::metadata(to)?.len();
    writeln!(
        output,
        "backed up {users} users to {} ({} KiB), checked",
        to.display(),
        size.div_ceil(1024)
    )?;
    Ok(())
}

/// `roster restore PATH`: replaces the SQLite database with a backup, when no server has
/// it open.
pub fn restore(
    settings: &Settings,
    from: &Path,
    yes: bool,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> Result<(), CliError> {
    let DatabaseUrl::Sqlite(into) = &settings.database_url else {
        return Err(CliError::Refused(
            "restore is for SQLite; restore a PostgreSQL or MariaDB dump with pg_restore or mariadb".into(),
        ));
    };
    let mut t = Terminal { input, output };
    if !yes && into.exists() {
        let question = format!(
            "Replace {} with {}? What changed since the backup is lost.",
            into.display(),
            from.display()
        );
        t.confirm(&question, "not restored")?;
    }
    let users = maintenance::restore(into, from)?;
    t.say(&format!(
        "restored {} from {} ({users} users)",
        into.display(),
        from.display()
    ))
}

/// `roster healthcheck [--url URL]`: `Ok` with a line when the readiness check answers 200,
/// the reason otherwise. By default it asks the server this configuration binds.
pub fn healthcheck(settings: &Settings, url: Option<&str>) -> Result<String, CliError> {
    let url = url.map_or_else(|| readiness_url(&settings.bind), str::to_owned);
    let (status, body) = get(&url).map_err(|e| CliError::Refused(format!("{url}: {e}")))?;
    match status {
        200 => Ok(format!("ready: {url}")),
        _ => {
            let reason = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_owned))
                .unwrap_or(body);
            Err(CliError::Refused(format!(
                "not ready: {url} answered {status} {reason}"
            )))
        }
    }
}

/// `/health/ready` on the configured bind address, a wildcard read as loopback.
fn readiness_url(bind: &str) -> String {
    let address = bind.to_socket_addrs().ok().and_then(|mut a| a.next());
    let host = match address {
        Some(SocketAddr::V4(v4)) if v4.ip().is_unspecified() => format!("127.0.0.1:{}", v4.port()),
        Some(SocketAddr::V6(v6)) if v6.ip().is_unspecified() => format!("[::1]:{}", v6.port()),
        Some(address) => address.to_string(),
        None => bind.to_owned(),
    };
    format!("http://{host}/health/ready")
}

/// A plain HTTP/1.1 GET of `url` (`http://host:port/path`): the status and the body. The
/// check runs beside the server, so TLS is not needed (and images need no curl).
fn get(url: &str) -> Result<(u16, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs are checked (run the check beside the server)")?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let address = host
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host} resolves to no address"))?;
    let mut stream = TcpStream::connect_timeout(&address, HEALTHCHECK_WAIT)
        .map_err(|e| format!("cannot connect: {e}"))?;
    let io = |e: std::io::Error| format!("no answer: {e}");
    stream
        .set_read_timeout(Some(HEALTHCHECK_WAIT))
        .map_err(io)?;
    stream
        .set_write_timeout(Some(HEALTHCHECK_WAIT))
        .map_err(io)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: roster-healthcheck\r\nConnection: close\r\n\r\n"
    )
    .map_err(io)?;
    let mut answer = String::new();
    stream
        .take(64 * 1024)
        .read_to_string(&mut answer)
        .map_err(io)?;
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {:.80}", answer))?;
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    Ok((status, body.trim().to_owned()))
}

/// `roster mail test ADDRESS`: sends a test mail through the configured SMTP server and
/// returns what the server answered (or why it could not be sent).
pub fn mail_test(settings: &Settings, to: &str) -> Result<String, CliError> {
    let mailer = crate::mail::Mailer::from_settings(settings)
        .map_err(|e| CliError::Refused(e.to_string()))?;
    let sent = actix_rt::System::new().block_on(mailer.send_test(to));
    match sent {
        Ok(response) => Ok(format!(
            "sent to {to}; the SMTP server answered: {}",
            crate::mail::answer(&response)
        )),
        Err(e) => Err(CliError::Refused(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_check_asks_the_bound_address_on_loopback() {
        assert_eq!(
            readiness_url("0.0.0.0:3456"),
            "http://127.0.0.1:3456/health/ready"
        );
        assert_eq!(readiness_url("[::]:3456"), "http://[::1]:3456/health/ready");
        assert_eq!(
            readiness_url("127.0.0.2:80"),
            "http://127.0.0.2:80/health/ready"
        );
    }

    #[test]
    fn only_plain_http_is_checked() {
        assert!(get("https://example.com/health/ready")
            .unwrap_err()
            .contains("only http://"));
    }
}
