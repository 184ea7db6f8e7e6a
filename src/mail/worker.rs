//! The delivery worker: one per instance, emptying the outbox every instance shares.
//!
//! It wakes when this instance queues a mail, and otherwise every few seconds (for mail
//! queued by another instance, and retries falling due). Each mail is claimed with a
//! lease (a compare-and-set in the database, so of several instances exactly one sends
//! it), its link made, then sent. A temporary failure (no connection, 4xx) queues it again
//! with a growing delay; a permanent one (5xx) or the last try marks it failed. A worker
//! stopped mid-send leaves its lease to lapse, and the mail is sent again: at least once,
//! and once in every case but that crash.

use std::sync::Arc;
use std::time::Duration;

use crate::accounts::{Accounts, Claimed, PreparedMail};
use crate::metrics::{MailMetrics, MailOutcome};

use super::{answer, Mailer};

/// How long a claimed mail is held before another instance may take it: well past the
/// SMTP timeouts of one conversation.
const LEASE: Duration = Duration::from_secs(120);
/// Mails claimed at a time.
const BATCH: i64 = 10;
/// The longest the worker sleeps between looks at the outbox.
const POLL: Duration = Duration::from_secs(5);
/// Tries before a mail counts as failed (about 8½ hours of retries in all).
pub const MAX_ATTEMPTS: i32 = 10;
/// Finished mails are kept this long (what was sent, for an admin's questions), then
/// deleted.
const KEEP: Duration = Duration::from_secs(7 * 86_400);
/// How often finished mails and expired link tokens are pruned.
const PRUNE_EVERY: i64 = 3600;

/// The delay before try `attempt + 1` after try `attempt` failed: 30 s, doubling, at most
/// an hour.
pub fn retry_delay(attempt: i32) -> i64 {
    let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    (30_i64 << doublings).min(3600)
}

/// The worker of one instance.
#[derive(Debug)]
pub struct Worker {
    accounts: Arc<Accounts>,
    mailer: Mailer,
    metrics: MailMetrics,
}

impl Worker {
    /// A worker sending through `mailer`.
    pub fn new(accounts: Arc<Accounts>, mailer: Mailer, metrics: MailMetrics) -> Self {
        Self {
            accounts,
            mailer,
            metrics,
        }
    }

    /// Delivers mail until the future is dropped (when the server stops).
    pub async fn run(self) {
        let mut pruned_at = i64::MIN;
        loop {
            if let Err(e) = self.deliver_due().await {
                log::error!(target: "roster::mail", "cannot read the outbox: {e}");
            }
            let now = self.accounts.now();
            if now.saturating_sub(pruned_at) >= PRUNE_EVERY {
                match self.accounts.prune_mail(KEEP).await {
                    Ok(()) => pruned_at = now,
                    Err(e) => log::warn!(target: "roster::mail", "cannot prune the outbox: {e}"),
                }
            }
            let wait = match self.accounts.next_mail_due().await {
                Ok(Some(due)) => {
                    let seconds =
                        u64::try_from(due.saturating_sub(self.accounts.now())).unwrap_or(0);
                    Duration::from_secs(seconds).min(POLL)
                }
                _ => POLL,
            };
            tokio::select! {
                () = self.accounts.wait_for_mail() => {}
                () = tokio::time::sleep(wait.max(Duration::from_millis(200))) => {}
            }
        }
    }

    /// Sends every mail due now, a batch at a time.
    pub async fn deliver_due(&self) -> Result<(), crate::accounts::AccountError> {
        loop {
            let claimed = self.accounts.claim_mail(BATCH, LEASE).await?;
            if claimed.is_empty() {
                break;
            }
            for mail in claimed {
                match mail {
                    Claimed::Send(mail) => self.deliver(mail).await,
                    Claimed::Dropped(id, why) => {
                        log::info!(target: "roster::mail", "mail {id} dropped: {why}");
                        self.metrics.mail(MailOutcome::Dropped);
                    }
                }
            }
        }
        if let Ok(counts) = self.accounts.outbox_counts().await {
            self.metrics.queued(counts.queued);
        }
        Ok(())
    }

    async fn deliver(&self, mail: PreparedMail) {
        let kind = mail.kind.as_str();
        let (id, attempts) = (mail.id, mail.attempts);
        match self.mailer.send(&mail).await {
            Ok(response) => {
                log::info!(target: "roster::mail", "mail {id} ({kind}) sent: {}", answer(&response));
                self.metrics.mail(MailOutcome::Sent);
                if let Err(e) = self.accounts.mail_sent(id).await {
                    log::error!(target: "roster::mail", "mail {id} was sent but cannot be marked so: {e}");
                }
            }
            Err(error) => {
                let retry = (error.is_temporary() && attempts < MAX_ATTEMPTS)
                    .then(|| self.accounts.now().saturating_add(retry_delay(attempts)));
                let outcome = match retry {
                    Some(at) => {
                        log::warn!(target: "roster::mail", "mail {id} ({kind}) not sent, try {attempts}, retried at {at}: {error}");
                        MailOutcome::Retried
                    }
                    None => {
                        log::error!(target: "roster::mail", "mail {id} ({kind}) failed after {attempts} tries: {error}");
                        MailOutcome::Failed
                    }
                };
                self.metrics.mail(outcome);
                if let Err(e) = self
                    .accounts
                    .mail_not_sent(&mail, error.to_string(), retry)
                    .await
                {
                    log::error!(target: "roster::mail", "cannot record mail {id}: {e}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        let delays: Vec<i64> = (1..=MAX_ATTEMPTS).map(retry_delay).collect();
        assert_eq!(delays[..4], [30, 60, 120, 240]);
        assert!(delays.windows(2).all(|pair| pair[0] <= pair[1]));
        assert_eq!(*delays.last().unwrap(), 3600);
    }
}
