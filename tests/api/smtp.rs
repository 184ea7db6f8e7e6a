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
            let body = body.trim_end_matches(|c| c == '\r' || c == '\n');
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
        if bytes[i] == b'=' && i + 2 < bytes.len() + 1 {
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

/// An SMTP server listening on 127.0.0.1 until the test process ends.
pub struct SmtpServer {
    /// Its port.
    pub port: u16,
    mails: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<AtomicBool>,
}

impl SmtpServer {
    /// A server on a free port.
    pub fn start() -> Self {
        Self::on(TcpListener::bind("127.0.0.1:0").expect("a free port"))
    }

    /// A server on `port` (one a test kept free while "the server was down").
    pub fn start_on(port: u16) -> Self {
        Self::on(TcpListener::bind(("127.0.0.1", port)).expect("the port is free again"))
    }

    fn on(listener: TcpListener) -> Self {
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let refuse = Arc::new(AtomicBool::new(false));
        let keeper = Keeper {
            mails: mails.clone(),
            refuse: refuse.clone(),
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
            mails,
            refuse,
        }
    }

    /// A port nothing listens on (an SMTP server that is down).
    pub fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    /// From now on, refuses every recipient for good (550).
    pub fn refuse_recipients(&self) {
        self.refuse.store(true, Ordering::SeqCst);
    }

    /// What arrived so far.
    pub fn received(&self) -> Vec<Received> {
        self.mails.lock().unwrap().clone()
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
