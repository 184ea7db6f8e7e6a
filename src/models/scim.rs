//! SCIM reads: filters translated to parameterized SQL, sorted and paged lists, and the
//! `externalId` and memberships each resource shows.
//!
//! Every comparison becomes one SQL fragment with at most one bound parameter; the column
//! names are fixed here, never taken from the request. Case-insensitive attributes compare
//! `lower(column)` with `lower(?)`, as the unique indexes on `lower(username)`,
//! `lower(email)` and `lower(name)` are built, so `userName eq "x"` is an index lookup.

use std::collections::{BTreeMap, HashMap};

use diesel::dsl::{self, sql};
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use sha2::{Digest, Sha256};

use crate::db::schema::{group_members, user_groups, users};
use crate::db::{Backend, Conn, StoreError};
use crate::domain::scim::{Filter, GroupAttr, Op, ScimError, UserAttr, Value};

use super::group::Group;
use super::User;

/// A condition on rows of table `T`.
type Condition<T> = Box<dyn BoxableExpression<T, Backend, SqlType = Bool>>;

/// The escape character of the `LIKE` patterns built here: one that needs no quoting on
/// any backend (a backslash does on MySQL).
const LIKE_ESCAPE: char = '!';

/// What the SQL of an attribute is.
#[derive(Debug, Clone, Copy)]
enum Column {
    /// Text compared ignoring case; `nullable` when it may be absent.
    Folded(&'static str, bool),
    /// Text compared exactly, possibly absent.
    Exact(&'static str),
    /// The integer primary key (SCIM ids are its decimal string).
    Id(&'static str),
    /// `active`: the negation of `users.disabled`.
    Active,
    /// Unix seconds, compared with RFC 3339 date-times.
    Time(&'static str),
    /// The `type` of the user's one address: "work" whenever there is an address.
    EmailType,
    /// The `primary` flag of the user's one address: true whenever there is an address.
    EmailPrimary,
    /// `members.value`: a user id among the group's members.
    Member,
}

fn user_column(attr: UserAttr) -> Column {
    match attr {
        UserAttr::Id => Column::Id("users.id"),
        UserAttr::UserName => Column::Folded("users.username", false),
        UserAttr::Name => Column::Folded("users.name", false),
        UserAttr::Email => Column::Folded("users.email", true),
        UserAttr::EmailType => Column::EmailType,
        UserAttr::EmailPrimary => Column::EmailPrimary,
        UserAttr::ExternalId => Column::Exact("users.external_id"),
        UserAttr::Active => Column::Active,
        UserAttr::Created => Column::Time("users.created"),
        UserAttr::LastModified => Column::Time("users.updated"),
    }
}

fn group_column(attr: GroupAttr) -> Column {
    match attr {
        GroupAttr::Id => Column::Id("user_groups.id"),
        GroupAttr::DisplayName => Column::Folded("user_groups.name", false),
        GroupAttr::ExternalId => Column::Exact("user_groups.external_id"),
        GroupAttr::MemberValue => Column::Member,
        GroupAttr::Created => Column::Time("user_groups.created"),
        GroupAttr::LastModified => Column::Time("user_groups.updated"),
    }
}

/// The SQL condition of `filter` over rows of `T`, each attribute's column by `column`.
fn condition<T: 'static, A: Copy>(
    filter: &Filter<A>,
    column: &impl Fn(A) -> Column,
) -> Result<Condition<T>, ScimError> {
    Ok(match filter {
        Filter::And(a, b) => Box::new(condition(a, column)?.and(condition(b, column)?)),
        Filter::Or(a, b) => Box::new(condition(a, column)?.or(condition(b, column)?)),
        Filter::Not(inner) => Box::new(dsl::not(condition(inner, column)?)),
        Filter::Present(attr) => present(column(*attr)),
        Filter::Compare(attr, op, value) => compare(column(*attr), *op, value)?,
    })
}

fn constant<T: 'static>(truth: bool) -> Condition<T> {
    Box::new(sql::<Bool>(if truth { "1 = 1" } else { "1 = 0" }))
}

/// `sql` with one bound text parameter between `before` and `after`.
fn with_text<T: 'static>(before: String, value: String, after: &'static str) -> Condition<T> {
    Box::new(sql::<Bool>(&before).bind::<Text, _>(value).sql(after))
}

fn with_number<T: 'static>(before: String, value: i64, after: &'static str) -> Condition<T> {
    Box::new(sql::<Bool>(&before).bind::<BigInt, _>(value).sql(after))
}

fn present<T: 'static>(column: Column) -> Condition<T> {
    match column {
        Column::Folded(col, true) | Column::Exact(col) => {
            Box::new(sql::<Bool>(&format!("({col} IS NOT NULL AND {col} <> '')")))
        }
        Column::Folded(col, false) => Box::new(sql::<Bool>(&format!("{col} <> ''"))),
        Column::EmailType | Column::EmailPrimary => present(Column::Folded("users.email", true)),
        Column::Member => Box::new(sql::<Bool>(
            "EXISTS (SELECT 1 FROM group_members WHERE group_members.group_id = user_groups.id)",
        )),
        Column::Id(_) | Column::Active | Column::Time(_) => constant(true),
    }
}

fn unsupported(op: Op, value: &Value) -> ScimError {
    ScimError::InvalidFilter(format!(
        "the comparison {op:?} with {value:?} is not supported on this attribute"
    ))
}

/// The SQL operator of an ordering or equality comparison.
fn sql_operator(op: Op) -> Option<&'static str> {
    Some(match op {
        Op::Eq => "=",
        Op::Ne => "<>",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Co | Op::Sw | Op::Ew => return None,
    })
}

/// `value` as a `LIKE` pattern for `co`, `sw` or `ew`, its wildcards escaped.
fn like_pattern(op: Op, value: &str) -> String {
    let mut escaped = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            escaped.push(LIKE_ESCAPE);
        }
        escaped.push(c);
    }
    match op {
        Op::Co => format!("%{escaped}%"),
        Op::Sw => format!("{escaped}%"),
        _ => format!("%{escaped}"),
    }
}

fn compare<T: 'static>(column: Column, op: Op, value: &Value) -> Result<Condition<T>, ScimError> {
    // `eq null` asks for absence, `ne null` for presence (RFC 7644 §3.4.2.2).
    if *value == Value::Null {
        return match op {
            Op::Eq => Ok(Box::new(dsl::not(present::<T>(column)))),
            Op::Ne => Ok(present(column)),
            _ => Err(unsupported(op, value)),
        };
    }
    match column {
        Column::Folded(col, _) | Column::Exact(col) => {
            let Value::Str(text) = value else {
                return Err(unsupported(op, value));
            };
            let folded = matches!(column, Column::Folded(..));
            let nullable = !matches!(column, Column::Folded(_, false));
            // lower() on both sides for attributes compared ignoring case.
            let (lhs, open) = match folded {
                true => (format!("lower({col})"), "lower("),
                false => (col.to_owned(), ""),
            };
            let guard = match nullable {
                true => format!("{col} IS NOT NULL AND "),
                false => String::new(),
            };
            Ok(match (op, sql_operator(op)) {
                (Op::Ne, _) if nullable => with_text(
                    format!("({col} IS NULL OR {lhs} <> {open}"),
                    text.clone(),
                    if folded { "))" } else { ")" },
                ),
                (_, Some(operator)) => with_text(
                    format!("({guard}{lhs} {operator} {open}"),
                    text.clone(),
                    if folded { "))" } else { ")" },
                ),
                (_, None) => with_text(
                    format!("({guard}{lhs} LIKE {open}"),
                    like_pattern(op, text),
                    if folded {
                        ") ESCAPE '!')"
                    } else {
                        " ESCAPE '!')"
                    },
                ),
            })
        }
        Column::Id(col) => {
            let operator = sql_operator(op).ok_or_else(|| unsupported(op, value))?;
            let id = match value {
                Value::Str(text) => text.trim().parse::<i64>().ok(),
                Value::Num(n) if n.fract() == 0.0 => Some(*n as i64),
                _ => return Err(unsupported(op, value)),
            };
            Ok(match (id, op) {
                (Some(id), _) => with_number(format!("{col} {operator} "), id, ""),
                // No resource has an id that is not a number.
                (None, Op::Eq) => constant(false),
                (None, Op::Ne) => constant(true),
                (None, _) => return Err(unsupported(op, value)),
            })
        }
        Column::Active => {
            let active = match value {
                Value::Bool(b) => *b,
                Value::Str(s) if s.eq_ignore_ascii_case("true") => true,
                Value::Str(s) if s.eq_ignore_ascii_case("false") => false,
                _ => return Err(unsupported(op, value)),
            };
            match op {
                Op::Eq | Op::Ne => {
                    let disabled = (op == Op::Eq) != active;
                    Ok(Box::new(
                        sql::<Bool>("users.disabled = ").bind::<Bool, _>(disabled),
                    ))
                }
                _ => Err(unsupported(op, value)),
            }
        }
        Column::Time(col) => {
            let operator = sql_operator(op).ok_or_else(|| unsupported(op, value))?;
            let Value::Str(text) = value else {
                return Err(unsupported(op, value));
            };
            let at = chrono::DateTime::parse_from_rfc3339(text)
                .map_err(|_| {
                    ScimError::InvalidFilter(format!("`{text}` is not an RFC 3339 date-time"))
                })?
                .timestamp();
            Ok(with_number(format!("{col} {operator} "), at, ""))
        }
        Column::EmailType | Column::EmailPrimary => {
            const WORK: &str = "work";
            let truth = match (column, value, op) {
                (Column::EmailType, Value::Str(v), Op::Eq) => WORK.eq_ignore_ascii_case(v),
                (Column::EmailType, Value::Str(v), Op::Ne) => !WORK.eq_ignore_ascii_case(v),
                (Column::EmailType, Value::Str(v), Op::Co) => WORK.contains(&v.to_lowercase()),
                (Column::EmailType, Value::Str(v), Op::Sw) => WORK.starts_with(&v.to_lowercase()),
                (Column::EmailType, Value::Str(v), Op::Ew) => WORK.ends_with(&v.to_lowercase()),
                (Column::EmailPrimary, Value::Bool(v), Op::Eq) => *v,
                (Column::EmailPrimary, Value::Bool(v), Op::Ne) => !*v,
                _ => return Err(unsupported(op, value)),
            };
            Ok(match truth {
                true => present(Column::Folded("users.email", true)),
                false => constant(false),
            })
        }
        Column::Member => {
            let member = match value {
                Value::Str(text) => text.trim().parse::<i64>().ok(),
                Value::Num(n) if n.fract() == 0.0 => Some(*n as i64),
                _ => return Err(unsupported(op, value)),
            };
            let exists = |id| {
                with_number::<T>(
                    "EXISTS (SELECT 1 FROM group_members WHERE group_members.group_id = \
                     user_groups.id AND group_members.user_id = "
                        .to_owned(),
                    id,
                    ")",
                )
            };
            Ok(match (op, member) {
                (Op::Eq, Some(id)) => exists(id),
                (Op::Ne, Some(id)) => Box::new(dsl::not(exists(id))),
                (Op::Eq, None) => constant(false),
                (Op::Ne, None) => constant(true),
                _ => return Err(unsupported(op, value)),
            })
        }
    }
}

/// One page of the rows of `$table` that `$query` asks for, each a `$row` with its
/// `external_id`, and how many match in all; `Err` when the filter cannot be translated.
macro_rules! page {
    ($conn:expr, $query:expr, $table:ident, $row:ty, $column:expr, $sort:expr) => {{
        let matching = || -> Result<$table::BoxedQuery<'static, Backend>, ScimError> {
            let rows = $table::table.into_boxed();
            Ok(match &$query.filter {
                Some(filter) => rows.filter(condition(filter, &$column)?),
                None => rows,
            })
        };
        // Two translations of the one filter: a boxed query is consumed by its use.
        match (matching(), matching()) {
            (Err(refused), _) | (_, Err(refused)) => Err(refused),
            (Ok(counted), Ok(rows)) => {
                let rows = match $query.sort {
                    None => rows.order($table::id.asc()),
                    Some((attr, descending)) => $sort(rows, attr, descending),
                };
                let found: Vec<($row, Option<String>)> = rows
                    .then_order_by($table::id.asc())
                    .offset($query.offset)
                    .limit($query.limit)
                    .select((<$row>::as_select(), $table::external_id))
                    .load($conn)?;
                // A page that is not full, and not past the end, says how many match: the
                // count (a second pass over what matches) only when it cannot.
                let seen = found.len() as i64;
                let total: i64 = match seen < $query.limit && (seen > 0 || $query.offset == 0) {
                    true => $query.offset + seen,
                    false => counted.count().get_result($conn)?,
                };
                Ok((found, total))
            }
        }
    }};
}

/// Which page of which resources, in which order.
#[derive(Debug, Clone)]
pub struct ScimQuery<A> {
    /// Only the resources matching.
    pub filter: Option<Filter<A>>,
    /// Ordered by this attribute (by id when `None`), descending when `true`.
    pub sort: Option<(A, bool)>,
    /// Rows to skip (`startIndex - 1`).
    pub offset: i64,
    /// Rows to return at most.
    pub limit: i64,
}

/// A user as SCIM shows it: the user, its `externalId` and its groups (id and name).
#[derive(Debug, Clone)]
pub struct ScimUser {
    /// The user.
    pub user: User,
    /// `externalId`
    pub external_id: Option<String>,
    /// Its groups, by name.
    pub groups: Vec<(i64, String)>,
}

/// A group as SCIM shows it: the group, its `externalId` and its members' user ids.
#[derive(Debug, Clone)]
pub struct ScimGroup {
    /// The group.
    pub group: Group,
    /// `externalId`
    pub external_id: Option<String>,
    /// Its members' user ids, ascending.
    pub members: Vec<i64>,
}

/// A weak ETag's opaque value: a digest of everything a representation shows, so any
/// change to it (even twice in one second) gives another version.
fn digest(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    format!("{:x}", hasher.finalize())[..16].to_owned()
}

impl ScimUser {
    /// The version of this representation (`meta.version`, the `ETag`).
    pub fn version(&self) -> String {
        let u = &self.user;
        let groups: Vec<String> = self.groups.iter().map(|(id, _)| id.to_string()).collect();
        digest(&[
            &u.id.to_string(),
            &u.updated.to_string(),
            &u.username,
            &u.name,
            u.email.as_deref().unwrap_or("\u{1}"),
            if u.disabled { "0" } else { "1" },
            self.external_id.as_deref().unwrap_or("\u{1}"),
            &groups.join(","),
        ])
    }

    /// The users `query` asks for, and how many match in all.
    pub fn list(
        conn: &mut Conn,
        query: &ScimQuery<UserAttr>,
    ) -> Result<Result<(Vec<Self>, i64), ScimError>, StoreError> {
        match page!(conn, query, users, User, user_column, sort_users) {
            Ok((found, total)) => Ok(Ok((Self::with_groups(conn, found)?, total))),
            Err(refused) => Ok(Err(refused)),
        }
    }

    /// User `id`.
    pub fn find(conn: &mut Conn, id: i64) -> Result<Self, StoreError> {
        let found: (User, Option<String>) = users::table
            .find(id)
            .select((User::as_select(), users::external_id))
            .first(conn)
            .optional()?
            .ok_or(StoreError::UserNotFound)?;
        let mut one = Self::with_groups(conn, vec![found])?;
        one.pop().ok_or(StoreError::UserNotFound)
    }

    fn with_groups(
        conn: &mut Conn,
        found: Vec<(User, Option<String>)>,
    ) -> Result<Vec<Self>, StoreError> {
        let ids: Vec<i64> = found.iter().map(|(user, _)| user.id).collect();
        let pairs: Vec<(i64, i64, String)> = group_members::table
            .inner_join(user_groups::table)
            .filter(group_members::user_id.eq_any(&ids))
            .order(user_groups::name)
            .select((group_members::user_id, user_groups::id, user_groups::name))
            .load(conn)?;
        let mut groups: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        for (user_id, group_id, name) in pairs {
            groups.entry(user_id).or_default().push((group_id, name));
        }
        Ok(found
            .into_iter()
            .map(|(user, external_id)| Self {
                groups: groups.remove(&user.id).unwrap_or_default(),
                user,
                external_id,
            })
            .collect())
    }

    /// Sets the user's `externalId` (a change: `updated` is bumped). Run inside a write
    /// transaction.
    pub fn set_external_id(
        conn: &mut Conn,
        id: i64,
        external_id: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        diesel::update(users::table.find(id))
            .set((users::external_id.eq(external_id), users::updated.eq(now)))
            .execute(conn)?;
        Ok(())
    }
}

fn sort_users(
    rows: users::BoxedQuery<'static, Backend>,
    attr: UserAttr,
    descending: bool,
) -> users::BoxedQuery<'static, Backend> {
    macro_rules! by {
        ($col:expr) => {
            match descending {
                true => rows.order($col.desc()),
                false => rows.order($col.asc()),
            }
        };
    }
    match attr {
        UserAttr::Id => by!(users::id),
        UserAttr::UserName => by!(users::username),
        UserAttr::Name => by!(users::name),
        UserAttr::Email | UserAttr::EmailType | UserAttr::EmailPrimary => by!(users::email),
        UserAttr::ExternalId => by!(users::external_id),
        UserAttr::Active => by!(users::disabled),
        UserAttr::Created => by!(users::created),
        UserAttr::LastModified => by!(users::updated),
    }
}

impl ScimGroup {
    /// The version of this representation (`meta.version`, the `ETag`).
    pub fn version(&self) -> String {
        let g = &self.group;
        let members: Vec<String> = self.members.iter().map(i64::to_string).collect();
        digest(&[
            &g.id.to_string(),
            &g.updated.to_string(),
            &g.name,
            self.external_id.as_deref().unwrap_or("\u{1}"),
            &members.join(","),
        ])
    }

    /// The groups `query` asks for, and how many match in all.
    pub fn list(
        conn: &mut Conn,
        query: &ScimQuery<GroupAttr>,
    ) -> Result<Result<(Vec<Self>, i64), ScimError>, StoreError> {
        match page!(conn, query, user_groups, Group, group_column, sort_groups) {
            Ok((found, total)) => Ok(Ok((Self::with_members(conn, found)?, total))),
            Err(refused) => Ok(Err(refused)),
        }
    }

    /// Group `id`, with its members.
    pub fn find(conn: &mut Conn, id: i64) -> Result<Self, StoreError> {
        let found: (Group, Option<String>) = user_groups::table
            .find(id)
            .select((Group::as_select(), user_groups::external_id))
            .first(conn)
            .optional()?
            .ok_or(StoreError::GroupNotFound)?;
        let mut one = Self::with_members(conn, vec![found])?;
        one.pop().ok_or(StoreError::GroupNotFound)
    }

    /// The user ids of the members of each of `ids`.
    fn member_ids(conn: &mut Conn, ids: &[i64]) -> Result<BTreeMap<i64, Vec<i64>>, StoreError> {
        let pairs: Vec<(i64, i64)> = group_members::table
            .filter(group_members::group_id.eq_any(ids))
            .order((group_members::group_id, group_members::user_id))
            .select((group_members::group_id, group_members::user_id))
            .load(conn)?;
        let mut members: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (group_id, user_id) in pairs {
            members.entry(group_id).or_default().push(user_id);
        }
        Ok(members)
    }

    fn with_members(
        conn: &mut Conn,
        found: Vec<(Group, Option<String>)>,
    ) -> Result<Vec<Self>, StoreError> {
        let ids: Vec<i64> = found.iter().map(|(group, _)| group.id).collect();
        let mut members = Self::member_ids(conn, &ids)?;
        Ok(found
            .into_iter()
            .map(|(group, external_id)| Self {
                members: members.remove(&group.id).unwrap_or_default(),
                group,
                external_id,
            })
            .collect())
    }

    /// Sets the group's `externalId` (a change: `updated` is bumped). Run inside a write
    /// transaction.
    pub fn set_external_id(
        conn: &mut Conn,
        id: i64,
        external_id: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        diesel::update(user_groups::table.find(id))
            .set((
                user_groups::external_id.eq(external_id),
                user_groups::updated.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }
}

fn sort_groups(
    rows: user_groups::BoxedQuery<'static, Backend>,
    attr: GroupAttr,
    descending: bool,
) -> user_groups::BoxedQuery<'static, Backend> {
    macro_rules! by {
        ($col:expr) => {
            match descending {
                true => rows.order($col.desc()),
                false => rows.order($col.asc()),
            }
        };
    }
    match attr {
        GroupAttr::Id | GroupAttr::MemberValue => by!(user_groups::id),
        GroupAttr::DisplayName => by!(user_groups::name),
        GroupAttr::ExternalId => by!(user_groups::external_id),
        GroupAttr::Created => by!(user_groups::created),
        GroupAttr::LastModified => by!(user_groups::updated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(Op::Co, "50%_!"), "%50!%!_!!%");
        assert_eq!(like_pattern(Op::Sw, "a"), "a%");
        assert_eq!(like_pattern(Op::Ew, "a"), "%a");
    }
}
