//! Provisioning over SCIM: the identity provider's door onto the same account rules as
//! the v1 API (validation, password policy, the last-admin guard, confirmation mail), with
//! every change audited as the token owner's, marked `via=scim`.

use std::collections::BTreeSet;

use crate::db::{Conn, Read};
use crate::domain::scim::{GroupAttr, GroupFields, ScimError, UserAttr, UserFields};
use crate::domain::{
    AuditEvent, Email, GroupDescription, GroupName, GroupUpdate, Name, Password, Scope, UserUpdate,
    Username,
};
use crate::models::audit::NewAuditEntry;
use crate::models::group::Group;
use crate::models::scim::{ScimGroup, ScimQuery, ScimUser};
use crate::models::{NewUserRow, User};

use super::users::{apply_update, insert_user, remove_user};
use super::{audit, AccountError, Accounts, Actor, Caller};

/// The versions an `If-Match` header accepts; `None` (no header, or `*`) accepts any.
pub type IfMatch = Option<Vec<String>>;

impl Caller {
    /// Refuses unless the caller may provision: an admin whose token has scope `scim`.
    fn require_scim(&self) -> Result<(), AccountError> {
        self.require_admin()?;
        match &self.actor {
            Actor::User(session) => session.require(Scope::Scim),
            Actor::Operator | Actor::Anonymous => Ok(()),
        }
    }
}

/// Refuses unless `version` is one `if_match` accepts.
fn check_version(if_match: &IfMatch, version: &str) -> Result<(), AccountError> {
    match if_match {
        Some(accepted) if !accepted.iter().any(|v| v == version) => {
            Err(AccountError::VersionMismatch)
        }
        _ => Ok(()),
    }
}

/// The SCIM-writable fields `user` has now.
fn fields_of(user: &ScimUser) -> UserFields {
    UserFields {
        user_name: user.user.username.clone(),
        name: user.user.name.clone(),
        email: user.user.email.clone(),
        active: !user.user.disabled,
        external_id: user.external_id.clone(),
        password: None,
    }
}

/// The update turning `before` into `after`, each changed field validated. An address
/// the identity provider sends counts as confirmed: it vouches for it, as an admin can.
fn update_between(before: &UserFields, after: &UserFields) -> Result<UserUpdate, AccountError> {
    let mut update = UserUpdate::default();
    if after.user_name != before.user_name {
        update.username = Some(Username::parse(after.user_name.clone())?);
    }
    if after.name != before.name {
        update.name = Some(Name::parse(after.name.clone())?);
    }
    if after.email != before.email {
        let email = Email::parse_optional(after.email.clone())?;
        update.email_confirmed = Some(email.is_some());
        update.email = Some(email);
    }
    if after.active != before.active {
        update.disabled = Some(!after.active);
    }
    Ok(update)
}

/// The entry of a membership change of `group` concerning user `user_id`.
fn member_entry(
    event: AuditEvent,
    caller: &Caller,
    group: &Group,
    user_id: i64,
    username: Option<String>,
    now: i64,
) -> NewAuditEntry {
    let mut entry = audit::entry(event, caller, now);
    entry.target_id = Some(user_id);
    entry.username = username;
    entry.group_name = Some(group.name.clone());
    entry
}

impl Accounts {
    /// The users `query` asks for, and how many match in all, for the admin behind
    /// `token_hash` (scope `scim`): the token and the query in one trip to the database.
    pub async fn scim_users(
        &self,
        token_hash: String,
        query: ScimQuery<UserAttr>,
    ) -> Result<(Vec<ScimUser>, i64), AccountError> {
        self.read_as_admin(token_hash, Scope::Scim, Read::Scan, move |conn| {
            Ok(ScimUser::list(conn, &query)??)
        })
        .await
    }

    /// User `id`, for the admin behind `token_hash` (scope `scim`).
    pub async fn scim_user(&self, token_hash: String, id: i64) -> Result<ScimUser, AccountError> {
        self.read_as_admin(token_hash, Scope::Scim, Read::Lookup, move |conn| {
            Ok(ScimUser::find(conn, id)?)
        })
        .await
    }

    /// Creates the user `fields` describe; without a password, with one nobody knows
    /// (its owner sets one by the reset flow).
    pub async fn scim_create_user(
        &self,
        caller: Caller,
        fields: UserFields,
    ) -> Result<ScimUser, AccountError> {
        caller.require_scim()?;
        let username = Username::parse(fields.user_name)?;
        let name = Name::parse(fields.name)?;
        let email = Email::parse_optional(fields.email)?;
        let password_hash = match fields.password {
            Some(password) => {
                let personal = crate::domain::personal_inputs(
                    username.as_str(),
                    name.as_str(),
                    email.as_ref().map(Email::as_str),
                );
                self.hash_new(Password::parse(password)?, personal).await?
            }
            None => self.hash_unguessable().await?,
        };
        let (now, confirmation) = (self.now(), self.rules.email_confirmation);
        let (active, external_id) = (fields.active, fields.external_id);
        let (user, queued) = self
            .transact(move |conn| {
                let row = NewUserRow {
                    username: username.as_str(),
                    name: name.as_str(),
                    email: email.as_ref().map(Email::as_str),
                    password_hash: &password_hash,
                    is_admin: false,
                    disabled: !active,
                    created: now,
                    updated: now,
                    email_confirmed: email.is_some(),
                    external_id: external_id.as_deref(),
                };
                let ((user, queued), entries) =
                    insert_user(conn, &caller, &row, now, confirmation)?;
                Ok(((ScimUser::find(conn, user.id)?, queued), entries))
            })
            .await?;
        if queued {
            self.mail_queued();
        }
        Ok(user)
    }

    /// Changes user `id` by `change` (a PUT's replacement or a PATCH's operations) applied
    /// to its current fields, if its version is one `if_match` accepts.
    pub async fn scim_change_user(
        &self,
        caller: Caller,
        id: i64,
        if_match: IfMatch,
        change: impl FnOnce(&UserFields) -> Result<UserFields, ScimError>,
    ) -> Result<ScimUser, AccountError> {
        caller.require_scim()?;
        let current = self.store.run(move |conn| ScimUser::find(conn, id)).await?;
        check_version(&if_match, &current.version())?;
        let before = fields_of(&current);
        let after = change(&before)?;
        let mut update = update_between(&before, &after)?;
        let password_hash = match after.password.clone() {
            Some(password) => {
                let personal = crate::domain::personal_inputs(
                    &after.user_name,
                    &after.name,
                    after.email.as_deref(),
                );
                Some(self.hash_new(Password::parse(password)?, personal).await?)
            }
            None => None,
        };
        let (now, confirmation) = (self.now(), self.rules.email_confirmation);
        let (user, queued) = self
            .transact(move |conn| {
                // Checked again in the write transaction: a change in between wins the race.
                let current = ScimUser::find(conn, id)?;
                check_version(&if_match, &current.version())?;
                let mut entries = Vec::new();
                let mut queued = false;
                if !update.is_empty() {
                    let ((_, mail), done) =
                        apply_update(conn, &caller, id, &mut update, now, confirmation)?;
                    (queued, entries) = (mail, done);
                }
                if after.external_id != current.external_id {
                    ScimUser::set_external_id(conn, id, after.external_id.as_deref(), now)?;
                    if entries.is_empty() {
                        let user = User::find(conn, id)?;
                        entries.push(audit::on_user(AuditEvent::UserUpdated, &caller, &user, now));
                    }
                }
                if let Some(hash) = &password_hash {
                    User::set_password(conn, id, hash, None, now)?;
                    let user = User::find(conn, id)?;
                    entries.push(audit::on_user(
                        AuditEvent::PasswordChanged,
                        &caller,
                        &user,
                        now,
                    ));
                }
                Ok(((ScimUser::find(conn, id)?, queued), entries))
            })
            .await?;
        if queued {
            self.mail_queued();
        }
        Ok(user)
    }

    /// Deletes user `id`, if its version is one `if_match` accepts.
    pub async fn scim_delete_user(
        &self,
        caller: Caller,
        id: i64,
        if_match: IfMatch,
    ) -> Result<(), AccountError> {
        caller.require_scim()?;
        let now = self.now();
        self.transact(move |conn| {
            check_version(&if_match, &ScimUser::find(conn, id)?.version())?;
            let (_, entries) = remove_user(conn, &caller, id, now)?;
            Ok(((), entries))
        })
        .await
    }

    /// The groups `query` asks for, and how many match in all, for the admin behind
    /// `token_hash` (scope `scim`).
    pub async fn scim_groups(
        &self,
        token_hash: String,
        query: ScimQuery<GroupAttr>,
    ) -> Result<(Vec<ScimGroup>, i64), AccountError> {
        self.read_as_admin(token_hash, Scope::Scim, Read::Scan, move |conn| {
            Ok(ScimGroup::list(conn, &query)??)
        })
        .await
    }

    /// Group `id`, with its members, for the admin behind `token_hash` (scope `scim`).
    pub async fn scim_group(&self, token_hash: String, id: i64) -> Result<ScimGroup, AccountError> {
        self.read_as_admin(token_hash, Scope::Scim, Read::Scan, move |conn| {
            Ok(ScimGroup::find(conn, id)?)
        })
        .await
    }

    /// Creates the group `fields` describe, with its members.
    pub async fn scim_create_group(
        &self,
        caller: Caller,
        fields: GroupFields,
    ) -> Result<ScimGroup, AccountError> {
        caller.require_scim()?;
        let name = GroupName::parse(fields.display_name.clone())?;
        let now = self.now();
        self.transact(move |conn| {
            let group = Group::create(conn, &name, &GroupDescription::default(), now)?;
            let mut entries = vec![group_entry(AuditEvent::GroupCreated, &caller, &group, now)];
            ScimGroup::set_external_id(conn, group.id, fields.external_id.as_deref(), now)?;
            entries.extend(set_members(conn, &caller, &group, &fields.members, now)?);
            Ok((ScimGroup::find(conn, group.id)?, entries))
        })
        .await
    }

    /// Changes group `id` by `change` (a PUT's replacement or a PATCH's operations)
    /// applied to its current fields, if its version is one `if_match` accepts.
    pub async fn scim_change_group(
        &self,
        caller: Caller,
        id: i64,
        if_match: IfMatch,
        change: impl FnOnce(&GroupFields) -> Result<GroupFields, ScimError> + Send + 'static,
    ) -> Result<ScimGroup, AccountError> {
        caller.require_scim()?;
        let now = self.now();
        // Read, changed and written in one transaction: a PATCH adding members to a group
        // that another request changes at once loses neither change.
        self.transact(move |conn| {
            let current = ScimGroup::find(conn, id)?;
            check_version(&if_match, &current.version())?;
            let before = GroupFields {
                display_name: current.group.name.clone(),
                external_id: current.external_id.clone(),
                members: current.members.iter().copied().collect(),
            };
            let after = change(&before)?;
            let mut entries = Vec::new();
            let mut group = current.group;
            if after.display_name != before.display_name {
                let update = GroupUpdate {
                    name: Some(GroupName::parse(after.display_name.clone())?),
                    description: None,
                };
                group = Group::update(conn, id, &update, now)?;
            }
            if after.external_id != before.external_id {
                ScimGroup::set_external_id(conn, id, after.external_id.as_deref(), now)?;
            }
            if after.display_name != before.display_name || after.external_id != before.external_id
            {
                entries.push(group_entry(AuditEvent::GroupUpdated, &caller, &group, now));
            }
            entries.extend(set_members(conn, &caller, &group, &after.members, now)?);
            Ok((ScimGroup::find(conn, id)?, entries))
        })
        .await
    }

    /// Deletes group `id` (the users stay), if its version is one `if_match` accepts.
    pub async fn scim_delete_group(
        &self,
        caller: Caller,
        id: i64,
        if_match: IfMatch,
    ) -> Result<(), AccountError> {
        caller.require_scim()?;
        let now = self.now();
        self.transact(move |conn| {
            check_version(&if_match, &ScimGroup::find(conn, id)?.version())?;
            let group = Group::delete(conn, id)?;
            Ok((
                (),
                vec![group_entry(AuditEvent::GroupDeleted, &caller, &group, now)],
            ))
        })
        .await
    }
}

fn group_entry(event: AuditEvent, caller: &Caller, group: &Group, now: i64) -> NewAuditEntry {
    let mut entry = audit::entry(event, caller, now);
    entry.group_name = Some(group.name.clone());
    entry
}

/// Makes `wanted` the members of `group`, refusing ids that are no user's; returns an
/// audit entry per member added or removed.
fn set_members(
    conn: &mut Conn,
    caller: &Caller,
    group: &Group,
    wanted: &BTreeSet<i64>,
    now: i64,
) -> Result<Vec<NewAuditEntry>, AccountError> {
    let ids: Vec<i64> = wanted.iter().copied().collect();
    if let Some(missing) = User::missing(conn, &ids)?.first() {
        return Err(ScimError::InvalidValue(format!("no user has the id {missing}")).into());
    }
    let (added, removed) = Group::set_members(conn, group.id, wanted, now)?;
    let mut changed: Vec<i64> = added.iter().chain(&removed).copied().collect();
    changed.sort_unstable();
    let mut names = std::collections::HashMap::new();
    for chunk in changed.chunks(500) {
        names.extend(User::usernames_of(conn, chunk)?);
    }
    let entries = added
        .iter()
        .map(|id| (AuditEvent::GroupMemberAdded, id))
        .chain(
            removed
                .iter()
                .map(|id| (AuditEvent::GroupMemberRemoved, id)),
        )
        .map(|(event, id)| member_entry(event, caller, group, *id, names.get(id).cloned(), now))
        .collect();
    Ok(entries)
}
