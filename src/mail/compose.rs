//! The words of each mail: a subject naming the action, a plain-text and an HTML part
//! with the link, how long it works, and what to do when the reader did not ask for it.
//! No password, hash or session token is ever in a mail: only the link's own token.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::Message;

use super::MailError;
use crate::accounts::{MailKind, PreparedMail};

/// The mail for `mail`, from `from`, with links under `public_url`.
pub fn message(
    from: &Mailbox,
    mail: &PreparedMail,
    public_url: &str,
) -> Result<Message, MailError> {
    let (subject, path, action, unasked) = match mail.kind {
        MailKind::Reset => (
            "Reset your Roster password",
            "reset-password",
            "set a new password for your account",
            "If you did not ask for a new password, ignore this mail: your password stays as it is.",
        ),
        MailKind::Confirm => (
            "Confirm your email address for Roster",
            "confirm-email",
            "confirm that this address is yours",
            "If you did not sign up or change your address, ignore this mail: nothing happens.",
        ),
    };
    let link = format!("{public_url}/{path}?token={}", mail.token.expose());
    let lifetime = lifetime(mail.lifetime);
    let text = format!(
        "Hello {user},\n\nFollow this link to {action}:\n\n{link}\n\nThe link works for {lifetime}, once.\n\n{unasked}\n",
        user = mail.username,
    );
    let html = format!(
        "<!DOCTYPE html>\n<html><body>\n<p>Hello {user},</p>\n<p>Follow this link to {action}:</p>\n\
         <p><a href=\"{href}\">{href}</a></p>\n<p>The link works for {lifetime}, once.</p>\n<p>{unasked}</p>\n</body></html>\n",
        user = escape(&mail.username),
        href = escape(&link),
    );
    build(from, &mail.address, subject, text, html)
}

/// The mail of `roster mail test`.
pub fn test_message(from: &Mailbox, to: &str) -> Result<Message, MailError> {
    let text = "This is a test mail from Roster: mail delivery works.\n".to_owned();
    let html = "<!DOCTYPE html>\n<html><body><p>This is a test mail from Roster: mail delivery works.</p></body></html>\n".to_owned();
    build(from, to, "Roster test mail", text, html)
}

fn build(
    from: &Mailbox,
    to: &str,
    subject: &str,
    text: String,
    html: String,
) -> Result<Message, MailError> {
    let to = to
        .parse::<Mailbox>()
        .map_err(|e| MailError::Compose(format!("recipient: {e}")))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| MailError::Compose(e.to_string()))
}

/// "1 hour", "7 days", "90 minutes": how long a link works, in the largest whole unit.
fn lifetime(duration: Duration) -> String {
    let seconds = duration.as_secs();
    let (count, unit) = [(86_400, "day"), (3_600, "hour"), (60, "minute")]
        .into_iter()
        .find(|(size, _)| seconds >= *size && seconds.is_multiple_of(*size))
        .map_or((seconds, "second"), |(size, unit)| (seconds / size, unit));
    match count {
        1 => format!("1 {unit}"),
        n => format!("{n} {unit}s"),
    }
}

/// Text for HTML: `&`, `<`, `>` and `"` escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_in_whole_units() {
        assert_eq!(lifetime(Duration::from_secs(3600)), "1 hour");
        assert_eq!(lifetime(Duration::from_secs(7 * 86_400)), "7 days");
        assert_eq!(lifetime(Duration::from_secs(5400)), "90 minutes");
        assert_eq!(lifetime(Duration::from_secs(45)), "45 seconds");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(escape("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
    }
}
