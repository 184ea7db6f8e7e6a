//! The mail settings: the SMTP server's URL and the sender.

use std::fmt;
use std::net::IpAddr;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtps://`: TLS from the first byte (port 465 by default).
    Tls,
    /// `smtp://`: STARTTLS, required (port 587 by default).
    StartTls,
    /// `smtp://…?tls=none`: plain text, for a server on this machine only.
    None,
}

/// `ROSTER_SMTP_URL`, checked: where mail goes and how to log in there.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    /// How the connection is protected.
    pub security: SmtpSecurity,
    /// The server's host name or address.
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// User name and password, when the server wants a login.
    pub credentials: Option<(String, String)>,
}

impl fmt::Debug for SmtpUrl {
    // The password never reaches a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpUrl")
            .field("security", &self.security)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish()
    }
}

impl SmtpUrl {
    /// Parses `smtp://[user:pass@]host[:port]` (STARTTLS required), `smtps://…` (TLS) or
    /// `smtp://host:port?tls=none` (plain, loopback only). Empty: mail is off.
    pub fn parse_optional(value: &str) -> Result<Option<Self>, String> {
        if value.is_empty() {
            return Ok(None);
        }
        let (security, rest) = if let Some(rest) = value.strip_prefix("smtps://") {
            (SmtpSecurity::Tls, rest)
        } else if let Some(rest) = value.strip_prefix("smtp://") {
            (SmtpSecurity::StartTls, rest)
        } else {
            return Err("expected smtp://host:587 (STARTTLS) or smtps://host:465 (TLS)".into());
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let authority = rest.trim_end_matches('/');
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };
        let credentials = userinfo
            .map(|info| {
                let (user, password) = info.split_once(':').unwrap_or((info, ""));
                Ok::<_, String>((percent_decode(user)?, percent_decode(password)?))
            })
            .transpose()?;
        let (host, port) = split_host_port(hostport)?;
        let mut url = Self {
            security,
            port: port.unwrap_or(match security {
                SmtpSecurity::Tls => 465,
                _ => 587,
            }),
            host,
            credentials,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair {
                "tls=none" if security == SmtpSecurity::StartTls => {
                    if !is_loopback(&url.host) {
                        return Err("tls=none is only allowed for a server on this machine (127.0.0.1, ::1, localhost)".into());
                    }
                    url.security = SmtpSecurity::None;
                }
                "tls=required" if security == SmtpSecurity::StartTls => {}
                other => {
                    return Err(format!(
                        "unknown option `{other}` (only tls=none, for loopback servers)"
                    ))
                }
            }
        }
        Ok(Some(url))
    }
}

fn split_host_port(hostport: &str) -> Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("unclosed [ in the host")?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if host.is_empty() || host.contains(['/', ' ']) {
        return Err("the SMTP host is missing or malformed".into());
    }
    let port = port
        .map(|p| p.parse::<u16>().map_err(|_| format!("`{p}` is not a port")))
        .transpose()?;
    Ok((host.to_owned(), port))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `%XX` escapes of a URL's user name or password.
fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).ok_or("a % escape is cut short")?;
            out.push(
                u8::from_str_radix(hex, 16).map_err(|_| format!("`%{hex}` is not a % escape"))?,
            );
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the user or password is not UTF-8".into())
}

/// `ROSTER_MAIL_FROM`: `Name <address>` or a bare address; empty when unset.
pub fn parse_mail_from(value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Ok(String::new());
    }
    let address = match value.rsplit_once('<') {
        Some((_, rest)) => rest.strip_suffix('>').ok_or("expected `Name <address>`")?,
        None => value,
    };
    crate::domain::Email::parse(address.trim().to_owned())
        .map(|_| value.to_owned())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_kinds_of_url() {
        let starttls =
            SmtpUrl::parse_optional("smtp://roster%40example.com:p%3Ass@mail.example.com")
                .unwrap()
                .unwrap();
        assert_eq!(starttls.security, SmtpSecurity::StartTls);
        assert_eq!(
            (starttls.host.as_str(), starttls.port),
            ("mail.example.com", 587)
        );
        assert_eq!(
            starttls.credentials,
            Some(("roster@example.com".to_owned(), "p:ss".to_owned()))
        );
        let tls = SmtpUrl::parse_optional("smtps://mail.example.com")
            .unwrap()
            .unwrap();
        assert_eq!((tls.security, tls.port), (SmtpSecurity::Tls, 465));
        let plain = SmtpUrl::parse_optional("smtp://127.0.0.1:2525?tls=none")
            .unwrap()
            .unwrap();
        assert_eq!((plain.security, plain.port), (SmtpSecurity::None, 2525));
        assert_eq!(SmtpUrl::parse_optional("").unwrap(), None);
        // The password is not shown.
        assert!(!format!("{starttls:?}").contains("p:ss"));
    }

    #[test]
    fn refuses_plain_text_off_this_machine_and_other_schemes() {
        for bad in [
            "smtp://mail.example.com:25?tls=none",
            "http://mail.example.com",
            "smtp://:25",
            "smtp://host:port",
            "smtps://host?tls=none",
            "smtp://host?starttls=never",
        ] {
            assert!(SmtpUrl::parse_optional(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_sender_is_an_address_or_a_named_one() {
        assert!(parse_mail_from("Roster <roster@example.com>").is_ok());
        assert!(parse_mail_from("roster@example.com").is_ok());
        assert!(parse_mail_from("Roster <nobody>").is_err());
        assert!(parse_mail_from("Roster <roster@example.com").is_err());
    }
}
