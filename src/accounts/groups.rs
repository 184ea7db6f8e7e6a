//! Groups: made, renamed and deleted by admins, with members; every change audited. Read
//! by forward-auth (`group:` rules, `Remote-Groups`) and, later, SCIM.

use crate::db::Conn;
use crate::domain::{
    AuditEvent, GroupDescription, GroupName, GroupUpdate, Page, Scope, SearchTerm,
};
use crate::models::audit::NewAuditEntry;
use crate::models::group::Group;
use crate::models::User;

use super::{audit, AccountError, Accounts, Actor, Caller};

/// A group with its member count, as shown.
#[derive(Debug, Clone)]
pub struct CountedGroup {
    /// The group.
    pub group: Group,
    /// How many members it has.
    pub members: i64,
}

impl Caller {
    /// Refuses unless the caller may manage groups: an admin (with `scope` on a token), or
    /// the operator.
    fn require_group_admin(&self, scope: Scope) -> Result<(), AccountError> {
        self.require_admin()?;
        match &self.actor {
            Actor::User(session) => session.require(scope),
            Actor::Operator | Actor::Anonymous => Ok(()),
        }
    }
}

/// The entry of `event` on `group` (and `user`, for membership changes).
fn on_group(
    event: AuditEvent,
    caller: &Caller,
    group: &Group,
    user: Option<&User>,
    now: i64,
) -> NewAuditEntry {
    let mut entry = match user {
        Some(user) => audit::on_user(event, caller, user, now),
        None => audit::entry(event, caller, now),
    };
    entry.group_name = Some(group.name.clone());
    entry
}

impl Accounts {
    /// Creates a group.
    pub async fn create_group(
        &self,
        caller: Caller,
        name: GroupName,
        description: GroupDescription,
    ) -> Result<CountedGroup, AccountError> {
        caller.require_group_admin(Scope::UsersWrite)?;
        let now = self.now();
        self.transact(move |conn| {
            let group = Group::create(conn, &name, &description, now)?;
            let entry = on_group(AuditEvent::GroupCreated, &caller, &group, None, now);
            Ok((CountedGroup { group, members: 0 }, vec![entry]))
        })
        .await
    }

    /// One page of groups (search on name and description), with member counts.
    pub async fn groups(
        &self,
        caller: &Caller,
        search: Option<SearchTerm>,
        page: Page,
    ) -> Result<(Vec<CountedGroup>, i64), AccountError> {
        caller.require_group_admin(Scope::UsersRead)?;
        self.store
            .run(move |conn| {
                let (groups, total) = Group::list(conn, search.as_ref(), page)?;
                Ok((with_counts(conn, groups)?, total))
            })
            .await
    }

    /// Group `id`, with its member count.
    pub async fn group(&self, caller: &Caller, id: i64) -> Result<CountedGroup, AccountError> {
        caller.require_group_admin(Scope::UsersRead)?;
        self.store.run(move |conn| counted(conn, id)).await
    }

    /// Renames group `id` or changes its description.
    pub async fn update_group(
        &self,
        caller: Caller,
        id: i64,
        update: GroupUpdate,
    ) -> Result<CountedGroup, AccountError> {
        caller.require_group_admin(Scope::UsersWrite)?;
        let now = self.now();
        self.transact(move |conn| {
            Group::update(conn, id, &update, now)?;
            let shown = counted(conn, id)?;
            let entry = on_group(AuditEvent::GroupUpdated, &caller, &shown.group, None, now);
            Ok((shown, vec![entry]))
        })
        .await
    }

    /// Deletes group `id` and its memberships; the users stay.
    pub async fn delete_group(&self, caller: Caller, id: i64) -> Result<(), AccountError> {
        caller.require_group_admin(Scope::UsersWrite)?;
        let now = self.now();
        self.transact(move |conn| {
            let group = Group::delete(conn, id)?;
            let entry = on_group(AuditEvent::GroupDeleted, &caller, &group, None, now);
            Ok(((), vec![entry]))
        })
        .await
    }

    /// Adds user `user_id` to group `id`; adding a member again changes nothing and is no
    /// error (and records nothing).
    pub async fn add_member(
        &self,
        caller: Caller,
        id: i64,
        user_id: i64,
    ) -> Result<(), AccountError> {
        caller.require_group_admin(Scope::UsersWrite)?;
        let now = self.now();
        self.transact(move |conn| {
            let (group, user) = group_and_user(conn, id, user_id)?;
            let entries = match Group::add_member(conn, id, user_id, now)? {
                true => vec![on_group(
                    AuditEvent::GroupMemberAdded,
                    &caller,
                    &group,
                    Some(&user),
                    now,
                )],
                false => vec![],
            };
            Ok(((), entries))
        })
        .await
    }

    /// Removes user `user_id` from group `id`.
    pub async fn remove_member(
        &self,
        caller: Caller,
        id: i64,
        user_id: i64,
    ) -> Result<(), AccountError> {
        caller.require_group_admin(Scope::UsersWrite)?;
        let now = self.now();
        self.transact(move |conn| {
            let (group, user) = group_and_user(conn, id, user_id)?;
            if !Group::remove_member(conn, id, user_id, now)? {
                return Err(AccountError::NotAMember);
            }
            let entry = on_group(
                AuditEvent::GroupMemberRemoved,
                &caller,
                &group,
                Some(&user),
                now,
            );
            Ok(((), vec![entry]))
        })
        .await
    }

    /// One page of group `id`'s members.
    pub async fn members(
        &self,
        caller: &Caller,
        id: i64,
        page: Page,
    ) -> Result<(Vec<User>, i64), AccountError> {
        caller.require_group_admin(Scope::UsersRead)?;
        self.store
            .run(move |conn| {
                Group::find(conn, id)?;
                Ok(Group::members(conn, id, page)?)
            })
            .await
    }

    /// The groups of user `user_id`: one's own (scope `account`), anyone's for an admin
    /// (scope `users:read`).
    pub async fn groups_of(
        &self,
        caller: &Caller,
        user_id: i64,
    ) -> Result<Vec<CountedGroup>, AccountError> {
        match &caller.actor {
            Actor::User(session) if session.user.id == user_id => {
                session.require(Scope::Account)?
            }
            _ => caller.require_group_admin(Scope::UsersRead)?,
        }
        self.store
            .run(move |conn| {
                User::find(conn, user_id)?;
                let groups = Group::of_user(conn, user_id)?;
                with_counts(conn, groups)
            })
            .await
    }
}

/// Group `id` with its member count.
fn counted(conn: &mut Conn, id: i64) -> Result<CountedGroup, AccountError> {
    let group = Group::find(conn, id)?;
    let mut one = with_counts(conn, vec![group])?;
    one.pop().ok_or(AccountError::GroupNotFound)
}

/// `groups` with their member counts (one query for all).
fn with_counts(conn: &mut Conn, groups: Vec<Group>) -> Result<Vec<CountedGroup>, AccountError> {
    let ids: Vec<i64> = groups.iter().map(|g| g.id).collect();
    let counts = Group::member_counts(conn, &ids)?;
    Ok(groups
        .into_iter()
        .map(|group| CountedGroup {
            members: counts.get(&group.id).copied().unwrap_or(0),
            group,
        })
        .collect())
}

/// Group `id` and user `user_id`, both existing, for a membership change.
fn group_and_user(conn: &mut Conn, id: i64, user_id: i64) -> Result<(Group, User), AccountError> {
    Ok((Group::find(conn, id)?, User::find(conn, user_id)?))
}
