//! Sending mail: the SMTP connection, the mails' words, and the worker that empties the
//! outbox. The accounts layer decides what is sent and makes the links
//! ([`crate::accounts::PreparedMail`]); this module only writes and delivers them.

mod compose;
pub mod worker;

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::accounts::PreparedMail;
use crate::config::{Settings, SmtpSecurity, SmtpUrl};

/// The longest an SMTP conversation (connect, greeting, each command) may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why mail could not be set up or sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Mail is off: no `ROSTER_SMTP_URL`.
    #[error("mail is off: set ROSTER_SMTP_URL, ROSTER_MAIL_FROM and ROSTER_PUBLIC_URL")]
    Off,
    /// A setting lettre refuses (the sender, the TLS set-up).
    #[error("{0}")]
    Setup(String),
    /// The mail could not be written (an address lettre refuses).
    #[error("cannot write the mail: {0}")]
    Compose(String),
    /// The SMTP server refused the mail for good (5xx).
    #[error("the SMTP server refused the mail: {0}")]
    Refused(String),
    /// The SMTP server could not be reached or answered a temporary error (4xx): worth
    /// retrying.
    #[error("the SMTP server could not take the mail now: {0}")]
    Unreachable(String),
}

impl MailError {
    /// Whether a later try may succeed.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::Unreachable(_))
    }
}

/// The SMTP connection, the sender, and the base of links.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// The mailer the settings describe; `MailError::Off` when mail is off.
    pub fn from_settings(settings: &Settings) -> Result<Self, MailError> {
        let url = settings.smtp_url.as_ref().ok_or(MailError::Off)?;
        let from = settings
            .mail_from
            .parse::<Mailbox>()
            .map_err(|e| MailError::Setup(format!("ROSTER_MAIL_FROM: {e}")))?;
        Ok(Self {
            transport: transport(url)?,
            from,
            public_url: settings.public_url.clone(),
        })
    }

    /// Writes and sends `mail`.
    pub async fn send(&self, mail: &PreparedMail) -> Result<Response, MailError> {
        let message = compose::message(&self.from, mail, &self.public_url)?;
        self.deliver(message).await
    }

    /// Sends a test mail to `to` (`roster mail test`); the server's answer on success.
    pub async fn send_test(&self, to: &str) -> Result<Response, MailError> {
        let message = compose::test_message(&self.from, to)?;
        self.deliver(message).await
    }

    async fn deliver(&self, message: Message) -> Result<Response, MailError> {
        self.transport.send(message).await.map_err(|e| {
            if e.is_permanent() {
                MailError::Refused(e.to_string())
            } else {
                // Temporary (4xx), or no answer at all: connection refused, timeout, TLS.
                MailError::Unreachable(e.to_string())
            }
        })
    }
}

/// The SMTP transport `url` describes.
fn transport(url: &SmtpUrl) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
    let setup = |e: lettre::transport::smtp::Error| MailError::Setup(e.to_string());
    let builder = match url.security {
        SmtpSecurity::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&url.host).map_err(setup)?
        }
        SmtpSecurity::StartTls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&url.host).map_err(setup)?
        }
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&url.host),
    };
    let mut builder = builder.port(url.port).timeout(Some(SMTP_TIMEOUT));
    if let Some((user, password)) = &url.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// The server's answer as one line: `250 2.0.0 Ok: queued`.
pub fn answer(response: &Response) -> String {
    let text: Vec<&str> = response.message().collect();
    format!("{} {}", response.code(), text.join(" "))
}
