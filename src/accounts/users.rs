//! Managing users: create, update (disable and enable too), delete, end sessions, set a
//! password; and the admin reads.

use crate::db::{Conn, Read, StoreError};
use crate::domain::{AuditEvent, EmailConfirmation, NewUser, Password, Scope, UserUpdate};
use crate::models::audit::NewAuditEntry;
use crate::models::token::Ending;
use crate::models::{Credentials, NewUserRow, User};

use super::mail::queue_confirmation;
use super::{audit, authenticate, personal_inputs_of, AccountError, Accounts, Actor, Caller};

impl Accounts {
    /// Runs the read `query` for the admin behind `token_hash`, in one trip off the async
    /// workers and on one connection: an admin read costs one hop, not one for the token
    /// and one for the query. `query` runs only for an admin whose token has `scope`; `read`
    /// says whether it is a short read by key ([`Read::Lookup`], one user) or not.
    pub async fn read_as_admin<T, E, F>(
        &self,
        token_hash: String,
        scope: Scope,
        read: Read,
        query: F,
    ) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<AccountError> + From<StoreError> + Send + 'static,
    {
        let now = self.now();
        let work = move |conn: &mut Conn| {
            let session = authenticate(conn, &token_hash, now)?.require_admin()?;
            session.require(scope)?;
            let due = session.last_use_due.then_some(session.token_id);
            Ok::<_, E>((query(conn)?, due))
        };
        let (found, due) = match read {
            Read::Lookup => self.store.lookup(work).await?,
            Read::Scan => self.store.run(work).await?,
        };
        if let Some(token_id) = due {
            self.record_use(token_id, now).await;
        }
        Ok(found)
    }

    /// Creates a user with the flags it asks for (admins and the operator).
    pub async fn create(&self, caller: Caller, new: NewUser) -> Result<User, AccountError> {
        caller.require_admin()?;
        let password_hash = self
            .hash_new(new.password.clone(), new.personal_inputs())
            .await?;
        let (now, confirmation) = (self.now(), self.rules.email_confirmation);
        let (user, queued) = self
            .transact(move |conn| {
                let row = NewUserRow::of(&new, new.is_admin, &password_hash, now);
                insert_user(conn, &caller, &row, now, confirmation)
            })
            .await?;
        if queued {
            self.mail_queued();
        }
        Ok(user)
    }

    /// Changes some fields of user `id`, refusing to remove the last enabled admin.
    /// Disabling ends every session of the user (and makes its reset links useless);
    /// re-enabling brings none back. A new address is unconfirmed unless the update says
    /// otherwise, and gets a confirmation mail when confirmation is on.
    pub async fn update(
        &self,
        caller: Caller,
        id: i64,
        mut update: UserUpdate,
    ) -> Result<User, AccountError> {
        caller.require_admin()?;
        let (now, confirmation) = (self.now(), self.rules.email_confirmation);
        let (user, queued) = self
            .transact(move |conn| apply_update(conn, &caller, id, &mut update, now, confirmation))
            .await?;
        if queued {
            self.mail_queued();
        }
        Ok(user)
    }

    /// Deletes user `id` and its sessions, refusing to delete the last enabled admin.
    /// Returns the user as it was.
    pub async fn delete(&self, caller: Caller, id: i64) -> Result<User, AccountError> {
        caller.require_admin()?;
        let now = self.now();
        self.transact(move |conn| remove_user(conn, &caller, id, now))
            .await
    }

    /// Ends every session of user `id`, but the caller's own; with `Ending::Everything`
    /// its API tokens too.
    pub async fn end_sessions(
        &self,
        caller: Caller,
        id: i64,
        ending: Ending,
    ) -> Result<(), AccountError> {
        caller.require_admin()?;
        let keep = caller
            .session()
            .filter(|session| session.user.id == id)
            .map(|session| session.token_id);
        let now = self.now();
        self.transact(move |conn| {
            let user = User::end_sessions(conn, id, ending, keep)?;
            let entry = audit::on_user(AuditEvent::TokensRevoked, &caller, &user, now);
            Ok(((), vec![entry]))
        })
        .await
    }

    /// Refuses unless `caller` may set the password of user `id`: its own, or anyone's
    /// for an admin or the operator. Doors may ask before reading the new password.
    pub fn may_set_password(&self, caller: &Caller, id: i64) -> Result<(), AccountError> {
        match &caller.actor {
            Actor::User(session) if session.user.id == id => session.require(Scope::Account),
            Actor::User(session) => {
                caller
                    .require_admin()
                    .map_err(|_| AccountError::NotOwnAccount)?;
                session.require(Scope::UsersWrite)
            }
            Actor::Anonymous => Err(AccountError::NotOwnAccount),
            Actor::Operator => Ok(()),
        }
    }

    /// Sets the password of user `id`. A user changing its own sends the current one
    /// (`old`) and keeps the session it asks from; every other session of the user ends.
    pub async fn set_password(
        &self,
        caller: Caller,
        id: i64,
        new: Password,
        old: Option<String>,
    ) -> Result<(), AccountError> {
        self.may_set_password(&caller, id)?;
        let target = self.store.run(move |conn| User::find(conn, id)).await?;
        let own = caller.session().filter(|session| session.user.id == id);
        let keep = own.map(|session| session.token_id);
        if own.is_some() {
            let old = old.ok_or(AccountError::OldPasswordRequired)?;
            let stored = self
                .store
                .run(move |conn| Credentials::by_id(conn, id))
                .await?
                .password_hash;
            if !self.verify(Password::unchecked(old), stored).await? {
                return Err(AccountError::WrongOldPassword);
            }
        }
        let password_hash = self.hash_new(new, personal_inputs_of(&target)).await?;
        let now = self.now();
        self.transact(move |conn| {
            User::set_password(conn, id, &password_hash, keep, now)?;
            let entry = audit::on_user(AuditEvent::PasswordChanged, &caller, &target, now);
            Ok(((), vec![entry]))
        })
        .await
    }
}

/// Stores `row`, queues its confirmation mail if the rules ask for one, and returns the
/// user with whether a mail was queued, and its audit entry. Run inside a write
/// transaction.
pub(super) fn insert_user(
    conn: &mut Conn,
    caller: &Caller,
    row: &NewUserRow<'_>,
    now: i64,
    confirmation: EmailConfirmation,
) -> Result<((User, bool), Vec<NewAuditEntry>), AccountError> {
    let user = User::create(conn, row)?;
    let queued = queue_confirmation(conn, confirmation, &user, now)?;
    let entry = audit::on_user(AuditEvent::UserCreated, caller, &user, now);
    Ok(((user, queued), vec![entry]))
}

/// Applies `update` to user `id` (see [`Accounts::update`]) and returns the user, whether
/// a confirmation mail was queued, and the audit entries. Run inside a write transaction.
pub(super) fn apply_update(
    conn: &mut Conn,
    caller: &Caller,
    id: i64,
    update: &mut UserUpdate,
    now: i64,
    confirmation: EmailConfirmation,
) -> Result<((User, bool), Vec<NewAuditEntry>), AccountError> {
    let before = User::find(conn, id)?;
    let new_address = update.unconfirm_new_email(before.email.as_deref());
    let user = User::update(conn, id, update, now)?;
    let queued = new_address && queue_confirmation(conn, confirmation, &user, now)?;
    let toggled = update.disabled.map(|disabled| match disabled {
        true => AuditEvent::UserDisabled,
        false => AuditEvent::UserEnabled,
    });
    let entries = [Some(AuditEvent::UserUpdated), toggled]
        .into_iter()
        .flatten()
        .map(|event| audit::on_user(event, caller, &user, now))
        .collect();
    Ok(((user, queued), entries))
}

/// Deletes user `id` (see [`Accounts::delete`]); returns it as it was, and the audit entry.
/// Run inside a write transaction.
pub(super) fn remove_user(
    conn: &mut Conn,
    caller: &Caller,
    id: i64,
    now: i64,
) -> Result<(User, Vec<NewAuditEntry>), AccountError> {
    let user = User::delete(conn, id)?;
    let entry = audit::on_user(AuditEvent::UserDeleted, caller, &user, now);
    Ok((user, vec![entry]))
}
