//! Groups and their members.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::schema::{group_members, user_groups, users};
use crate::db::{lower, Backend, Conn, StoreError};
use crate::domain::{GroupDescription, GroupName, GroupUpdate, Page, SearchTerm};

use super::User;

/// A stored group.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = user_groups, check_for_backend(Backend))]
pub struct Group {
    /// Assigned by the server, from 1.
    pub id: i64,
    /// Unique ignoring case.
    pub name: String,
    /// May be empty.
    pub description: String,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds.
    pub updated: i64,
}

#[derive(Insertable)]
#[diesel(table_name = user_groups)]
struct NewGroupRow<'a> {
    name: &'a str,
    description: &'a str,
    created: i64,
    updated: i64,
}

#[derive(AsChangeset)]
#[diesel(table_name = user_groups)]
struct GroupChanges<'a> {
    name: Option<&'a str>,
    description: Option<&'a str>,
    updated: i64,
}

/// How many ids one statement binds at most: well under every backend's limit.
const MEMBER_BATCH: usize = 500;

/// The group of `id`, or `GroupNotFound`.
fn not_found(error: diesel::result::Error) -> StoreError {
    match error {
        diesel::result::Error::NotFound => StoreError::GroupNotFound,
        other => other.into(),
    }
}

impl Group {
    /// Stores a group and reads it back by its unique name. Run inside a write transaction.
    pub fn create(
        conn: &mut Conn,
        name: &GroupName,
        description: &GroupDescription,
        now: i64,
    ) -> Result<Self, StoreError> {
        diesel::insert_into(user_groups::table)
            .values(NewGroupRow {
                name: name.as_str(),
                description: description.as_str(),
                created: now,
                updated: now,
            })
            .execute(conn)?;
        Ok(user_groups::table
            .filter(lower(user_groups::name).eq(lower(name.as_str())))
            .select(Self::as_select())
            .first(conn)?)
    }

    /// The group `id`.
    pub fn find(conn: &mut Conn, id: i64) -> Result<Self, StoreError> {
        user_groups::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .map_err(not_found)
    }

    /// The group named `name`, ignoring case.
    pub fn find_by_name(conn: &mut Conn, name: &str) -> Result<Option<Self>, StoreError> {
        Ok(user_groups::table
            .filter(lower(user_groups::name).eq(lower(name)))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// One page of the groups whose name or description contains `search` (ignoring
    /// case), by id, and how many match in all.
    pub fn list(
        conn: &mut Conn,
        search: Option<&SearchTerm>,
        page: Page,
    ) -> Result<(Vec<Self>, i64), StoreError> {
        let matching = || {
            let query = user_groups::table.into_boxed::<Backend>();
            match search {
                None => query,
                Some(term) => {
                    let pattern = term.like_pattern();
                    query.filter(
                        lower(user_groups::name)
                            .like(lower(pattern.clone()))
                            .escape(SearchTerm::ESCAPE)
                            .or(lower(user_groups::description)
                                .like(lower(pattern))
                                .escape(SearchTerm::ESCAPE)),
                    )
                }
            }
        };
        let total = matching().count().get_result(conn)?;
        let groups = matching()
            .order(user_groups::id)
            .limit(page.size())
            .offset(page.offset())
            .select(Self::as_select())
            .load(conn)?;
        Ok((groups, total))
    }

    /// Applies `update`. Run inside a write transaction.
    pub fn update(
        conn: &mut Conn,
        id: i64,
        update: &GroupUpdate,
        now: i64,
    ) -> Result<Self, StoreError> {
        Self::find(conn, id)?;
        diesel::update(user_groups::table.find(id))
            .set(GroupChanges {
                name: update.name.as_ref().map(GroupName::as_str),
                description: update.description.as_ref().map(GroupDescription::as_str),
                updated: now,
            })
            .execute(conn)?;
        if update.name.is_some() {
            let members = Self::member_ids(conn, id)?;
            Self::refresh_names(conn, &members)?;
        }
        Self::find(conn, id)
    }

    /// Deletes the group and its memberships (the users stay); returns it as it was.
    pub fn delete(conn: &mut Conn, id: i64) -> Result<Self, StoreError> {
        let group = Self::find(conn, id)?;
        let members = Self::member_ids(conn, id)?;
        // Also cascaded by the foreign key; explicit so it never depends on a PRAGMA.
        diesel::delete(group_members::table.filter(group_members::group_id.eq(id)))
            .execute(conn)?;
        diesel::delete(user_groups::table.find(id)).execute(conn)?;
        Self::refresh_names(conn, &members)?;
        Ok(group)
    }

    /// The ids of the group's members.
    fn member_ids(conn: &mut Conn, group_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(group_members::table
            .filter(group_members::group_id.eq(group_id))
            .select(group_members::user_id)
            .load(conn)?)
    }

    /// Rewrites `users.group_names` and `users.group_ids` of `user_ids` from their
    /// memberships: the names and the ids, by name, comma-separated. Run in the transaction
    /// of the change that affects them, so the copies forward-auth and SCIM read with the
    /// user never differ from the memberships.
    fn refresh_names(conn: &mut Conn, user_ids: &[i64]) -> Result<(), StoreError> {
        let rows: Vec<(i64, i64, String)> = group_members::table
            .inner_join(user_groups::table)
            .filter(group_members::user_id.eq_any(user_ids))
            .order(user_groups::name)
            .select((group_members::user_id, user_groups::id, user_groups::name))
            .load(conn)?;
        let mut groups: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
        for (user_id, group_id, name) in rows {
            let (ids, names) = groups.entry(user_id).or_default();
            ids.push(group_id.to_string());
            names.push(name);
        }
        for id in user_ids {
            let (ids, names) = groups.remove(id).unwrap_or_default();
            diesel::update(users::table.find(id))
                .set((
                    users::group_names.eq(names.join(",")),
                    users::group_ids.eq(ids.join(",")),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    /// How many members each of `ids` has.
    pub fn member_counts(conn: &mut Conn, ids: &[i64]) -> Result<HashMap<i64, i64>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let counts: Vec<(i64, i64)> = group_members::table
            .filter(group_members::group_id.eq_any(ids))
            .group_by(group_members::group_id)
            .select((group_members::group_id, diesel::dsl::count_star()))
            .load(conn)?;
        Ok(counts.into_iter().collect())
    }

    /// Adds user `user_id`; `false` when it was a member already. Run inside a write
    /// transaction (the check and the insert together).
    pub fn add_member(
        conn: &mut Conn,
        group_id: i64,
        user_id: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        if Self::has_member(conn, group_id, user_id)? {
            return Ok(false);
        }
        diesel::insert_into(group_members::table)
            .values((
                group_members::group_id.eq(group_id),
                group_members::user_id.eq(user_id),
            ))
            .execute(conn)?;
        Self::refresh_names(conn, &[user_id])?;
        Self::touch(conn, group_id, now)?;
        Ok(true)
    }

    /// Removes user `user_id`; `false` when it was not a member.
    pub fn remove_member(
        conn: &mut Conn,
        group_id: i64,
        user_id: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let removed = diesel::delete(
            group_members::table
                .filter(group_members::group_id.eq(group_id))
                .filter(group_members::user_id.eq(user_id)),
        )
        .execute(conn)?;
        Self::refresh_names(conn, &[user_id])?;
        if removed > 0 {
            Self::touch(conn, group_id, now)?;
        }
        Ok(removed > 0)
    }

    /// Marks group `group_id` changed at `now` (its members changed).
    fn touch(conn: &mut Conn, group_id: i64, now: i64) -> Result<(), StoreError> {
        diesel::update(user_groups::table.find(group_id))
            .set(user_groups::updated.eq(now))
            .execute(conn)?;
        Ok(())
    }

    /// Makes the members of group `group_id` exactly `wanted`, in batches (a SCIM PATCH
    /// may add thousands), and bumps the group's `updated` when they change. Returns the
    /// user ids added and removed. Run inside a write transaction.
    pub fn set_members(
        conn: &mut Conn,
        group_id: i64,
        wanted: &std::collections::BTreeSet<i64>,
        now: i64,
    ) -> Result<(Vec<i64>, Vec<i64>), StoreError> {
        let current: std::collections::BTreeSet<i64> =
            Self::member_ids(conn, group_id)?.into_iter().collect();
        let added: Vec<i64> = wanted.difference(&current).copied().collect();
        let removed: Vec<i64> = current.difference(wanted).copied().collect();
        for chunk in added.chunks(MEMBER_BATCH) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|user_id| {
                    (
                        group_members::group_id.eq(group_id),
                        group_members::user_id.eq(*user_id),
                    )
                })
                .collect();
            // A multi-row insert per batch: not available through `MultiConnection`, so on
            // the backend's own connection.
            crate::on_backend!(conn, |c| diesel::insert_into(group_members::table)
                .values(&rows)
                .execute(c))?;
        }
        for chunk in removed.chunks(MEMBER_BATCH) {
            diesel::delete(
                group_members::table
                    .filter(group_members::group_id.eq(group_id))
                    .filter(group_members::user_id.eq_any(chunk)),
            )
            .execute(conn)?;
        }
        if !added.is_empty() || !removed.is_empty() {
            Self::touch(conn, group_id, now)?;
            for chunk in added
                .chunks(MEMBER_BATCH)
                .chain(removed.chunks(MEMBER_BATCH))
            {
                Self::refresh_names(conn, chunk)?;
            }
        }
        Ok((added, removed))
    }

    fn has_member(conn: &mut Conn, group_id: i64, user_id: i64) -> Result<bool, StoreError> {
        let found: i64 = group_members::table
            .filter(group_members::group_id.eq(group_id))
            .filter(group_members::user_id.eq(user_id))
            .count()
            .get_result(conn)?;
        Ok(found > 0)
    }

    /// One page of the group's members, by user id, and how many there are.
    pub fn members(
        conn: &mut Conn,
        group_id: i64,
        page: Page,
    ) -> Result<(Vec<User>, i64), StoreError> {
        let total = group_members::table
            .filter(group_members::group_id.eq(group_id))
            .count()
            .get_result(conn)?;
        let members = group_members::table
            .inner_join(users::table)
            .filter(group_members::group_id.eq(group_id))
            .order(users::id)
            .limit(page.size())
            .offset(page.offset())
            .select(User::as_select())
            .load(conn)?;
        Ok((members, total))
    }

    /// The groups of user `user_id`, by name.
    pub fn of_user(conn: &mut Conn, user_id: i64) -> Result<Vec<Self>, StoreError> {
        Ok(group_members::table
            .inner_join(user_groups::table)
            .filter(group_members::user_id.eq(user_id))
            .order(user_groups::name)
            .select(Self::as_select())
            .load(conn)?)
    }
}
