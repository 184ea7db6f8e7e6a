//! Account recovery and address confirmation by mail: the requests that queue a mail, the
//! links that come back, and what the delivery worker asks before sending.
//!
//! A queued mail holds no token: the worker makes the link's token when it sends the mail
//! ([`Accounts::prepare_mail`]), so the only plaintext copy is the one in the mail, and a
//! mail that is no longer meant (the address changed, the account was disabled) is dropped
//! instead of sent.

use std::net::IpAddr;
use std::time::Duration;

use crate::auth::token::{self, TokenSecret};
use crate::db::Conn;
use crate::domain::{AuditEvent, Email, EmailConfirmation, Password};
use crate::models::mail::{forget_resets, MailToken, NewMailToken, OutboxCounts, OutboxMail};
use crate::models::User;
use crate::security::throttle::Key;

use super::limits::count_attempt;
use super::{audit, personal_inputs_of, AccountError, Accounts, Caller};

/// What a mail is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// A link to set a new password.
    Reset,
    /// A link that confirms the address it was sent to.
    Confirm,
}

impl MailKind {
    /// The name stored in the outbox and on tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::Confirm => "confirm",
        }
    }

    fn parse(stored: &str) -> Option<Self> {
        match stored {
            "reset" => Some(Self::Reset),
            "confirm" => Some(Self::Confirm),
            _ => None,
        }
    }
}

/// A mail ready to send: to whom, for what, and the link's token (made just now).
#[derive(Debug)]
pub struct PreparedMail {
    /// The outbox row.
    pub id: i64,
    /// What it is for.
    pub kind: MailKind,
    /// The recipient.
    pub address: String,
    /// The recipient's username, to greet them by.
    pub username: String,
    /// The link's token: the only plaintext copy.
    pub token: TokenSecret,
    /// How long the link works.
    pub lifetime: Duration,
    /// Tries so far, this one included.
    pub attempts: i32,
}

/// What became of a claimed mail before sending.
#[derive(Debug)]
pub enum Claimed {
    /// Send it.
    Send(PreparedMail),
    /// Not meant any more (why); recorded as dropped.
    Dropped(i64, &'static str),
}

/// Queues a confirmation mail for `user`'s address when confirmation is on. Run in the
/// transaction of the change (registration, creation, a changed address).
pub(super) fn queue_confirmation(
    conn: &mut Conn,
    confirmation: EmailConfirmation,
    user: &User,
    now: i64,
) -> Result<bool, AccountError> {
    match (&user.email, confirmation.sends_mail(), user.email_confirmed) {
        (Some(address), true, false) => {
            OutboxMail::enqueue(conn, MailKind::Confirm.as_str(), user.id, address, now)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

impl Accounts {
    /// Wakes this instance's mail worker (after a mail was queued).
    pub fn mail_queued(&self) {
        self.outbox_ready.notify_one();
    }

    /// Waits until a mail is queued by this instance (the worker also polls, for mail
    /// queued by other instances).
    pub async fn wait_for_mail(&self) {
        self.outbox_ready.notified().await;
    }

    /// Asks for a mail of `kind` to `email`: a reset link, or the confirmation again. The
    /// answer is the same whether or not an account has the address, and costs the same
    /// (one write transaction, no hashing): only an enabled account with that address (and,
    /// for a confirmation, not yet confirmed) gets a mail. Throttled per address and per
    /// client address.
    pub async fn request_mail(
        &self,
        ip: IpAddr,
        kind: MailKind,
        email: Email,
    ) -> Result<(), AccountError> {
        if !self.rules.mail_enabled {
            return Err(AccountError::MailDisabled);
        }
        let keys = vec![Key::mail_address(email.as_str()), Key::MailRequests(ip)];
        self.refuse_early(keys.clone()).await?;
        let (rules, now) = (self.throttle.clone(), self.now());
        let queued = self
            .transact(move |conn| {
                for key in &keys {
                    count_attempt(conn, &rules, key, now)?;
                }
                let Some(user) = User::find_by_email(conn, email.as_str())? else {
                    return Ok((false, vec![]));
                };
                let wanted = !user.disabled && (kind == MailKind::Reset || !user.email_confirmed);
                if wanted {
                    if kind == MailKind::Reset {
                        // A new request ends the links already sent.
                        forget_resets(conn, user.id)?;
                    }
                    let address = user.email.as_deref().unwrap_or(email.as_str());
                    OutboxMail::enqueue(conn, kind.as_str(), user.id, address, now)?;
                }
                Ok((wanted, vec![]))
            })
            .await?;
        if queued {
            self.mail_queued();
        }
        Ok(())
    }

    /// Sets a new password through a reset link: the token is used up, every session
    /// ends, and the address the link reached is confirmed.
    pub async fn reset_password(
        &self,
        ip: IpAddr,
        token: String,
        new: Password,
    ) -> Result<(), AccountError> {
        let hash = TokenSecret::new(token).hash();
        let now = self.now();
        let lookup = hash.clone();
        let (stored, user) = self
            .store
            .run(move |conn| {
                let Some(stored) = MailToken::find(conn, MailKind::Reset.as_str(), &lookup)? else {
                    return Ok::<_, AccountError>(None);
                };
                let user = User::find(conn, stored.user_id)?;
                Ok(Some((stored, user)))
            })
            .await?
            .filter(|(stored, user)| stored.expires > now && !user.disabled)
            .ok_or(AccountError::InvalidResetToken)?;
        let password_hash = self.hash_new(new, personal_inputs_of(&user)).await?;
        let caller = Caller::anonymous(ip);
        let now = self.now();
        self.transact(move |conn| {
            // Single use, also when two requests race with the same link.
            if !MailToken::consume(conn, stored.id)? {
                return Err(AccountError::InvalidResetToken);
            }
            User::set_password(conn, user.id, &password_hash, None, now)?;
            let reached = user
                .email
                .as_deref()
                .is_some_and(|email| email.eq_ignore_ascii_case(&stored.email));
            if reached && !user.email_confirmed {
                User::mark_email_confirmed(conn, user.id)?;
            }
            let entry = audit::on_user(AuditEvent::PasswordReset, &caller, &user, now);
            Ok(((), vec![entry]))
        })
        .await
    }

    /// Confirms the address a confirmation link was sent to.
    pub async fn confirm_email(&self, ip: IpAddr, token: String) -> Result<(), AccountError> {
        let hash = TokenSecret::new(token).hash();
        let caller = Caller::anonymous(ip);
        let now = self.now();
        self.transact(move |conn| {
            let stored = MailToken::find(conn, MailKind::Confirm.as_str(), &hash)?
                .filter(|stored| stored.expires > now)
                .ok_or(AccountError::InvalidConfirmToken)?;
            let user = User::find(conn, stored.user_id)?;
            let current = user
                .email
                .as_deref()
                .is_some_and(|email| email.eq_ignore_ascii_case(&stored.email));
            if !current {
                return Err(AccountError::ConfirmAddressChanged);
            }
            if !MailToken::consume(conn, stored.id)? {
                return Err(AccountError::InvalidConfirmToken);
            }
            User::mark_email_confirmed(conn, user.id)?;
            let entry = audit::on_user(AuditEvent::EmailConfirmed, &caller, &user, now);
            Ok(((), vec![entry]))
        })
        .await
    }

    /// Takes up to `limit` due mails for this instance until `lease` from now and makes
    /// their links: each mail is taken by one instance only, and one no longer meant is
    /// dropped here. A reset link replaces the user's earlier ones.
    pub async fn claim_mail(
        &self,
        limit: i64,
        lease: Duration,
    ) -> Result<Vec<Claimed>, AccountError> {
        let now = self.now();
        let lease_until = now.saturating_add(i64::try_from(lease.as_secs()).unwrap_or(i64::MAX));
        let (reset_ttl, confirm_ttl) = (self.rules.reset_ttl, self.rules.confirm_ttl);
        self.transact(move |conn| {
            let mut claimed = Vec::new();
            for id in OutboxMail::due(conn, now, limit)? {
                let Some(mail) = OutboxMail::claim(conn, id, now, lease_until)? else {
                    continue;
                };
                let outcome = prepare(conn, &mail, now, reset_ttl, confirm_ttl)?;
                if let Claimed::Dropped(id, why) = &outcome {
                    OutboxMail::finish(conn, *id, "dropped", Some(why), now)?;
                }
                claimed.push(outcome);
            }
            Ok((claimed, vec![]))
        })
        .await
    }

    /// Records that mail `id` was sent.
    pub async fn mail_sent(&self, id: i64) -> Result<(), AccountError> {
        let now = self.now();
        self.transact(move |conn| {
            OutboxMail::finish(conn, id, "sent", None, now)?;
            Ok(((), vec![]))
        })
        .await
    }

    /// Records that mail `id` was not sent: retried at `retry_at` (unix seconds), or, with
    /// `None`, failed for good. Its link's token, never delivered, is discarded.
    pub async fn mail_not_sent(
        &self,
        mail: &PreparedMail,
        error: String,
        retry_at: Option<i64>,
    ) -> Result<(), AccountError> {
        let (id, hash, now) = (mail.id, mail.token.hash(), self.now());
        self.transact(move |conn| {
            MailToken::discard(conn, &hash)?;
            match retry_at {
                Some(at) => OutboxMail::retry_at(conn, id, at, &error)?,
                None => OutboxMail::finish(conn, id, "failed", Some(&error), now)?,
            }
            Ok(((), vec![]))
        })
        .await
    }

    /// Deletes finished mails older than `keep`, and expired link tokens.
    pub async fn prune_mail(&self, keep: Duration) -> Result<(), AccountError> {
        let now = self.now();
        let before = now.saturating_sub(i64::try_from(keep.as_secs()).unwrap_or(i64::MAX));
        self.transact(move |conn| {
            OutboxMail::prune(conn, before)?;
            MailToken::prune(conn, now)?;
            Ok(((), vec![]))
        })
        .await
    }

    /// How many mails are queued, sent and failed (all instances).
    pub async fn outbox_counts(&self) -> Result<OutboxCounts, AccountError> {
        Ok(self.store.run(OutboxMail::counts).await?)
    }

    /// When the next queued mail is due (unix seconds), if any.
    pub async fn next_mail_due(&self) -> Result<Option<i64>, AccountError> {
        Ok(self.store.run(OutboxMail::next_due).await?)
    }
}

/// Decides whether a claimed mail is still meant, and makes its link.
fn prepare(
    conn: &mut Conn,
    mail: &OutboxMail,
    now: i64,
    reset_ttl: Duration,
    confirm_ttl: Duration,
) -> Result<Claimed, AccountError> {
    let dropped = |why| Ok(Claimed::Dropped(mail.id, why));
    let Some(kind) = MailKind::parse(&mail.kind) else {
        return dropped("unknown kind of mail");
    };
    let user = match User::find(conn, mail.user_id) {
        Ok(user) => user,
        Err(crate::db::StoreError::UserNotFound) => return dropped("the account was deleted"),
        Err(e) => return Err(e.into()),
    };
    let current = user
        .email
        .as_deref()
        .is_some_and(|email| email.eq_ignore_ascii_case(&mail.address));
    if !current {
        return dropped("the account's address changed");
    }
    let lifetime = match kind {
        MailKind::Reset if user.disabled => return dropped("the account is disabled"),
        MailKind::Confirm if user.email_confirmed => {
            return dropped("the address is confirmed already")
        }
        MailKind::Reset => reset_ttl,
        MailKind::Confirm => confirm_ttl,
    };
    // Only the newest reset link works. Older confirmation links stay: those for this
    // address confirm it just the same, and those for an earlier one must answer that
    // the address changed.
    if kind == MailKind::Reset {
        MailToken::forget(conn, user.id, kind.as_str())?;
    }
    let issued = token::issue(now, lifetime);
    NewMailToken {
        user_id: user.id,
        purpose: kind.as_str(),
        token_hash: &issued.token_hash,
        email: &mail.address,
        created: now,
        expires: issued.expires,
    }
    .insert(conn)?;
    Ok(Claimed::Send(PreparedMail {
        id: mail.id,
        kind,
        address: mail.address.clone(),
        username: user.username,
        token: issued.secret,
        lifetime,
        attempts: mail.attempts,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_as_stored() {
        for kind in [MailKind::Reset, MailKind::Confirm] {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(MailKind::parse("other"), None);
    }
}
