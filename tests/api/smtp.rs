//! A real SMTP server on loopback for the mail tests (mailin-embedded: blocking, on its
//! own threads), keeping what it receives. Not a mock transport: Roster speaks SMTP to it
//! over TCP like to any server.

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use mailin_embedded::response::{NO_MAILBOX, OK};
use mailin_embedded::{Handler, Response, Server, SslConfig};

/// A mail as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The message as sent: headers and body.
    pub raw: String,
}

impl Received {
    /// The value of header `name` (unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next()?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The decoded body of the part of this content type (`text/plain`, `text/html`).
    pub fn part(&self, content_type: &str) -> Option<String> {
        self.raw.split("\r\n--").find_map(|part| {
            let (head, body) = part.split_once("\r\n\r\n")?;
            let head = head.to_ascii_lowercase();
            if !head.contains(&format!("content-type: {content_type}")) {
                return None;
            }
            let body = body.trim_end_matches(['\r', '\n']);
            Some(if head.contains("quoted-printable") {
                quoted_printable(body)
            } else if head.contains("base64") {
                let joined: String = body.split_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(joined)
                    .ok()?;
                String::from_utf8(bytes).ok()?
            } else {
                body.to_owned()
            })
        })
    }

    /// The token of the link to `path` (`reset-password`, `confirm-email`) in the text
    /// part, checking the HTML part has the same link.
    #[track_caller]
    pub fn token(&self, base: &str, path: &str) -> String {
        let text = self.part("text/plain").expect("a text part");
        let prefix = format!("{base}/{path}?token=");
        let start = text
            .find(&prefix)
            .unwrap_or_else(|| panic!("no {prefix} in {text}"))
            + prefix.len();
        let token: String = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let html = self.part("text/html").expect("an HTML part");
        assert!(
            html.contains(&format!("href=\"{prefix}{token}\"")),
            "{html}"
        );
        token
    }
}

fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if let Some(byte) = joined
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Clone)]
struct Keeper {
    mails: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<AtomicBool>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Keeper {
    fn rcpt(&mut self, to: &str) -> Response {
        if self.refuse.load(Ordering::SeqCst) {
            return NO_MAILBOX;
        }
        self.to.push(to.to_owned());
        OK
    }

    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> Response {
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let received = Received {
            to: std::mem::take(&mut self.to),
            raw: String::from_utf8_lossy(&self.data).into_owned(),
        };
        self.mails.lock().unwrap().push(received);
        OK
    }
}

/// Where the mails of a server are kept.
enum Kind {
    /// mailin-embedded in this process, until the test process ends.
    Embedded(Arc<Mutex<Vec<Received>>>),
    /// Python's aiosmtpd (Debian's python3-aiosmtpd) writing a Maildir, until dropped.
    Aiosmtpd(std::process::Child, tempfile::TempDir),
}

/// An SMTP server listening on 127.0.0.1. `ROSTER_TEST_SMTP=aiosmtpd` makes it Python's
/// aiosmtpd (as CI runs the mail tests a second time); otherwise it is mailin-embedded,
/// which `cargo test` needs nothing installed for.
pub struct SmtpServer {
    /// Its port.
    pub port: u16,
    kind: Kind,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Kind::Aiosmtpd(child, _) = &mut self.kind {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn aiosmtpd_wanted() -> bool {
    std::env::var("ROSTER_TEST_SMTP").is_ok_and(|v| v == "aiosmtpd")
}

impl SmtpServer {
    /// A server on a free port.
    pub fn start() -> Self {
        if aiosmtpd_wanted() {
            return Self::aiosmtpd(Self::free_port());
        }
        Self::embedded(
            TcpListener::bind("127.0.0.1:0").expect("a free port"),
            false,
        )
    }

    /// A server on `port` (one a test kept free while "the server was down").
    pub fn start_on(port: u16) -> Self {
        if aiosmtpd_wanted() {
            return Self::aiosmtpd(port);
        }
        Self::embedded(
            TcpListener::bind(("127.0.0.1", port)).expect("the port is free again"),
            false,
        )
    }

    /// A server that refuses every recipient for good (550): mailin-embedded, whose
    /// answers a test can choose.
    pub fn refusing() -> Self {
        Self::embedded(TcpListener::bind("127.0.0.1:0").expect("a free port"), true)
    }

    fn embedded(listener: TcpListener, refuse: bool) -> Self {
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let keeper = Keeper {
            mails: mails.clone(),
            refuse: Arc::new(AtomicBool::new(refuse)),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(keeper);
        server
            .with_name("smtp.test")
            .with_ssl(SslConfig::None)
            .expect("no TLS")
            .with_num_threads(2)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self {
            port,
            kind: Kind::Embedded(mails),
        }
    }

    fn aiosmtpd(port: u16) -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let python =
            std::env::var("ROSTER_TEST_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".to_owned());
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("maildir"))
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("aiosmtpd runs (apt-get install python3-aiosmtpd)");
        let server = Self {
            port,
            kind: Kind::Aiosmtpd(child, dir),
        };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("aiosmtpd did not listen on {port}");
    }

    /// A port nothing listens on (an SMTP server that is down).
    pub fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    /// What arrived so far, in order.
    pub fn received(&self) -> Vec<Received> {
        match &self.kind {
            Kind::Embedded(mails) => mails.lock().unwrap().clone(),
            Kind::Aiosmtpd(_, dir) => maildir(&dir.path().join("maildir").join("new")),
        }
    }

    /// Waits (at most 10 s) until `count` mails arrived; returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..200 {
            let mails = self.received();
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{count} mail(s) expected, {} arrived",
            self.received().len()
        );
    }
}

/// The mails of a Maildir's `new/`, in the order they arrived (the file names begin with
/// the second, `M` and the microsecond, then `Q` and a counter), with the recipients from
/// the `X-RcptTo` header aiosmtpd adds.
fn maildir(new: &std::path::Path) -> Vec<Received> {
    let Ok(entries) = std::fs::read_dir(new) else {
        return Vec::new();
    };
    let order = |name: &str| -> (u64, u64, u64) {
        let number = |text: &str| text.parse::<u64>().unwrap_or(0);
        let mut parts = name.split('.');
        let seconds = number(parts.next().unwrap_or(""));
        let rest = parts.next().unwrap_or("");
        let micro = rest
            .strip_prefix('M')
            .and_then(|r| r.split('P').next())
            .map_or(0, number);
        let counter = rest.rsplit('Q').next().map_or(0, number);
        (seconds, micro, counter)
    };
    let mut files: Vec<(String, std::path::PathBuf)> = entries
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    files.sort_by_key(|(name, _)| order(name));
    files
        .into_iter()
        .filter_map(|(_, path)| std::fs::read_to_string(path).ok())
        .map(|text| {
            let raw = text.replace("\r\n", "\n").replace('\n', "\r\n");
            let mut received = Received {
                to: Vec::new(),
                raw,
            };
            received.to = received
                .header("X-RcptTo")
                .map(|to| to.split(", ").map(str::to_owned).collect())
                .unwrap_or_default();
            received
        })
        .collect()
}

/// The settings of an instance that sends mail to the server on `port`.
pub fn mail_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        (
            "ROSTER_SMTP_URL",
            format!("smtp://127.0.0.1:{port}?tls=none"),
        ),
        ("ROSTER_MAIL_FROM", "Roster <roster@example.com>".to_owned()),
        ("ROSTER_PUBLIC_URL", PUBLIC_URL.to_owned()),
    ]
}

/// Where the links of test mails point.
pub const PUBLIC_URL: &str = "https://users.example.com";
