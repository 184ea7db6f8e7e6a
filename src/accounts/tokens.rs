//! Sessions one can see and end, and API tokens: long-lived, titled, scoped, made by their
//! owner, shown once and stored as hashes. A token's rights are its scopes within its
//! owner's rights now (the owner's row is read with every request).

use crate::auth::token::{self, IssuedToken};
use crate::domain::{AuditEvent, NewApiToken, Scope};
use crate::models::token::{self as tokens, NewToken, TokenKind, TokenRow};
use crate::models::User;

use super::{audit, AccountError, Accounts, Actor, Caller};

impl Caller {
    /// Refuses unless the caller may read the tokens of user `owner`: its own (scope
    /// `account`), anyone's for an admin (scope `users:read`) or the operator.
    fn may_read_tokens_of(&self, owner: i64) -> Result<(), AccountError> {
        match &self.actor {
            Actor::User(session) if session.user.id == owner => session.require(Scope::Account),
            Actor::User(session) => {
                self.require_admin()?;
                session.require(Scope::UsersRead)
            }
            Actor::Operator => Ok(()),
            Actor::Anonymous => Err(AccountError::InvalidToken),
        }
    }

    /// Refuses unless the caller may revoke a token of user `owner`: its own (scope
    /// `account`), anyone's for an admin (scope `users:write`) or the operator. Someone
    /// else's token is "not found" to a non-admin, so ids reveal nothing.
    fn may_revoke_token_of(&self, owner: i64, missing: AccountError) -> Result<(), AccountError> {
        match &self.actor {
            Actor::User(session) if session.user.id == owner => session.require(Scope::Account),
            Actor::User(session) if session.user.is_admin => session.require(Scope::UsersWrite),
            Actor::User(_) | Actor::Anonymous => Err(missing),
            Actor::Operator => Ok(()),
        }
    }
}

impl Accounts {
    /// The open sessions of user `owner`, newest first.
    pub async fn sessions_of(
        &self,
        caller: &Caller,
        owner: i64,
    ) -> Result<Vec<TokenRow>, AccountError> {
        self.tokens_of(caller, owner, TokenKind::Session).await
    }

    /// The unexpired API tokens of user `owner`, newest first.
    pub async fn api_tokens_of(
        &self,
        caller: &Caller,
        owner: i64,
    ) -> Result<Vec<TokenRow>, AccountError> {
        self.tokens_of(caller, owner, TokenKind::Api).await
    }

    async fn tokens_of(
        &self,
        caller: &Caller,
        owner: i64,
        kind: TokenKind,
    ) -> Result<Vec<TokenRow>, AccountError> {
        caller.may_read_tokens_of(owner)?;
        let now = self.now();
        self.store
            .run(move |conn| {
                User::find(conn, owner)?;
                Ok(tokens::list(conn, owner, kind, now)?)
            })
            .await
    }

    /// Ends session `id` of the caller's own (another's is "not found").
    pub async fn end_session(&self, caller: Caller, id: i64) -> Result<(), AccountError> {
        let session = caller
            .session()
            .cloned()
            .ok_or(AccountError::InvalidToken)?;
        session.require(Scope::Account)?;
        let now = self.now();
        self.transact(move |conn| {
            match tokens::find(conn, id, TokenKind::Session)? {
                Some(row) if row.user_id == session.user.id && row.expires > now => {
                    tokens::revoke(conn, id)?;
                }
                _ => return Err(AccountError::SessionNotFound),
            }
            let entry = audit::on_user(AuditEvent::SessionEnded, &caller, &session.user, now);
            Ok(((), vec![entry]))
        })
        .await
    }

    /// Makes an API token for the caller. Only a signed-in person may (a leaked token
    /// cannot mint others), and only admins may give a token the scopes that act on other
    /// accounts. Returns the stored row and the secret, to be shown once.
    pub async fn create_api_token(
        &self,
        caller: Caller,
        new: NewApiToken,
    ) -> Result<(TokenRow, IssuedToken), AccountError> {
        let session = caller
            .session()
            .cloned()
            .ok_or(AccountError::InvalidToken)?;
        session.require_person()?;
        if let Some(scope) = new
            .scopes
            .iter()
            .find(|scope| scope.needs_admin() && !session.user.is_admin)
        {
            return Err(AccountError::ScopeNotGrantable(scope));
        }
        let now = self.now();
        let issued = token::issue_api(now, new.expires_at);
        let row = NewToken {
            user_id: session.user.id,
            token_hash: issued.token_hash.clone(),
            created: now,
            expires: issued.expires,
            kind: TokenKind::Api.as_str(),
            title: Some(new.title.as_str().to_owned()),
            scopes: new.scopes.stored(),
            last_used: now,
            ip: caller.origin.clone(),
            user_agent: String::new(),
        };
        let stored = self
            .transact(move |conn| {
                let id = tokens::insert(conn, &row)?;
                let stored = tokens::find(conn, id, TokenKind::Api)?
                    .ok_or(AccountError::ApiTokenNotFound)?;
                let entry =
                    audit::on_user(AuditEvent::ApiTokenCreated, &caller, &session.user, now);
                Ok((stored, vec![entry]))
            })
            .await?;
        Ok((stored, issued))
    }

    /// Revokes API token `id`: the caller's own, or anyone's for an admin.
    pub async fn revoke_api_token(&self, caller: Caller, id: i64) -> Result<(), AccountError> {
        let now = self.now();
        self.transact(move |conn| {
            let row = tokens::find(conn, id, TokenKind::Api)?
                .filter(|row| row.expires > now)
                .ok_or(AccountError::ApiTokenNotFound)?;
            caller.may_revoke_token_of(row.user_id, AccountError::ApiTokenNotFound)?;
            let owner = User::find(conn, row.user_id)?;
            tokens::revoke(conn, id)?;
            let entry = audit::on_user(AuditEvent::ApiTokenRevoked, &caller, &owner, now);
            Ok(((), vec![entry]))
        })
        .await
    }
}
