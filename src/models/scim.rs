//! SCIM reads: filters translated to parameterized SQL, sorted and paged lists, and the
//! `externalId` and memberships each resource shows.
//!
//! Every comparison becomes a typed diesel expression over a column named here (never one
//! taken from the request) with its value bound as a parameter, so the statements are
//! prepared once and cached. Case-insensitive attributes compare `lower(column)` with
//! `lower(?)`, as the unique indexes on `lower(username)`, `lower(email)` and `lower(name)`
//! are built, so `userName eq "x"` is an index lookup.

use std::collections::BTreeMap;

use diesel::dsl::{self, sql};
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use sha2::{Digest, Sha256};

use crate::db::schema::{group_members, user_groups, users, users_haystack};
use crate::db::{lower, lower_nullable, Backend, Conn, StoreError};
use crate::domain::scim::{Filter, GroupAttr, Op, ScimError, UserAttr, Value};

use super::group::Group;
use super::User;

/// A condition on rows of table `T`.
type Condition<T> = Box<dyn BoxableExpression<T, Backend, SqlType = Bool>>;

/// The escape character of the `LIKE` patterns built here.
const LIKE_ESCAPE: char = '!';

/// A table SCIM filters: how each of its attributes is compared. Conditions are typed
/// diesel expressions, so the statements are prepared once and cached like the v1 API's
/// (only the rare constant and membership tests are SQL fragments).
trait Filterable: Sized + 'static {
    /// What its filters name.
    type Attr: Copy;
    /// `attr op value`; `postgres` says whether PostgreSQL's `users_haystack` is there to
    /// narrow substring matches.
    fn compare(
        attr: Self::Attr,
        op: Op,
        value: &Value,
        postgres: bool,
    ) -> Result<Condition<Self>, ScimError>;
    /// `attr pr`.
    fn present(attr: Self::Attr) -> Condition<Self>;
}

/// The SQL condition of `filter` over rows of `T`.
fn condition<T: Filterable>(
    filter: &Filter<T::Attr>,
    postgres: bool,
) -> Result<Condition<T>, ScimError> {
    Ok(match filter {
        Filter::And(a, b) => Box::new(condition(a, postgres)?.and(condition(b, postgres)?)),
        Filter::Or(a, b) => Box::new(condition(a, postgres)?.or(condition(b, postgres)?)),
        Filter::Not(inner) => Box::new(dsl::not(condition(inner, postgres)?)),
        Filter::Present(attr) => T::present(*attr),
        // `eq null` asks for absence, `ne null` for presence (RFC 7644 §3.4.2.2).
        Filter::Compare(attr, Op::Eq, Value::Null) => Box::new(dsl::not(T::present(*attr))),
        Filter::Compare(attr, Op::Ne, Value::Null) => T::present(*attr),
        Filter::Compare(attr, op, value) => T::compare(*attr, *op, value, postgres)?,
    })
}

fn constant<T: 'static>(truth: bool) -> Condition<T> {
    Box::new(sql::<Bool>(if truth { "1 = 1" } else { "1 = 0" }))
}

fn unsupported(op: Op, value: &Value) -> ScimError {
    ScimError::InvalidFilter(format!(
        "the comparison {op:?} with {value:?} is not supported on this attribute"
    ))
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

fn text(op: Op, value: &Value) -> Result<String, ScimError> {
    match value {
        Value::Str(text) => Ok(text.clone()),
        _ => Err(unsupported(op, value)),
    }
}

/// A SCIM id (a decimal string, or a number) as a row id; `None` for one no row has.
fn row_id(op: Op, value: &Value) -> Result<Option<i64>, ScimError> {
    match value {
        Value::Str(text) => Ok(text.trim().parse::<i64>().ok()),
        Value::Num(n) if n.fract() == 0.0 => Ok(Some(*n as i64)),
        _ => Err(unsupported(op, value)),
    }
}

/// An RFC 3339 date-time as unix seconds.
fn seconds(op: Op, value: &Value) -> Result<i64, ScimError> {
    let text = text(op, value)?;
    chrono::DateTime::parse_from_rfc3339(&text)
        .map(|at| at.timestamp())
        .map_err(|_| ScimError::InvalidFilter(format!("`{text}` is not an RFC 3339 date-time")))
}

/// A comparison of a text column that is never null, ignoring case (`lower` on both
/// sides, as the indexes are built).
macro_rules! folded {
    ($col:expr, $op:expr, $text:expr) => {{
        let text: String = $text;
        let condition: Condition<_> = match $op {
            Op::Eq => Box::new(lower($col).eq(lower(text))),
            Op::Ne => Box::new(lower($col).ne(lower(text))),
            Op::Gt => Box::new(lower($col).gt(lower(text))),
            Op::Ge => Box::new(lower($col).ge(lower(text))),
            Op::Lt => Box::new(lower($col).lt(lower(text))),
            Op::Le => Box::new(lower($col).le(lower(text))),
            Op::Co | Op::Sw | Op::Ew => Box::new(
                lower($col)
                    .like(lower(like_pattern($op, &text)))
                    .escape(LIKE_ESCAPE),
            ),
        };
        condition
    }};
}

/// A comparison of a nullable text column, through `$fold` (`lower_nullable`, or nothing
/// for exact columns): absent matches `ne` only.
macro_rules! nullable {
    ($col:expr, $fold:path, $op:expr, $text:expr) => {{
        let text: String = $text;
        let condition: Condition<_> = match $op {
            Op::Ne => Box::new(
                $col.is_null()
                    .or($fold($col).ne($fold(text)).assume_not_null()),
            ),
            Op::Eq => Box::new(
                $col.is_not_null()
                    .and($fold($col).eq($fold(text)).assume_not_null()),
            ),
            Op::Gt => Box::new(
                $col.is_not_null()
                    .and($fold($col).gt($fold(text)).assume_not_null()),
            ),
            Op::Ge => Box::new(
                $col.is_not_null()
                    .and($fold($col).ge($fold(text)).assume_not_null()),
            ),
            Op::Lt => Box::new(
                $col.is_not_null()
                    .and($fold($col).lt($fold(text)).assume_not_null()),
            ),
            Op::Le => Box::new(
                $col.is_not_null()
                    .and($fold($col).le($fold(text)).assume_not_null()),
            ),
            Op::Co | Op::Sw | Op::Ew => Box::new(
                $col.is_not_null().and(
                    $fold($col)
                        .like($fold(like_pattern($op, &text)))
                        .escape(LIKE_ESCAPE)
                        .assume_not_null(),
                ),
            ),
        };
        condition
    }};
}

/// A comparison of an integer column (ids, unix seconds) with `$n`.
macro_rules! ordered {
    ($col:expr, $op:expr, $n:expr, $value:expr) => {{
        let n: i64 = $n;
        let condition: Condition<_> = match $op {
            Op::Eq => Box::new($col.eq(n)),
            Op::Ne => Box::new($col.ne(n)),
            Op::Gt => Box::new($col.gt(n)),
            Op::Ge => Box::new($col.ge(n)),
            Op::Lt => Box::new($col.lt(n)),
            Op::Le => Box::new($col.le(n)),
            Op::Co | Op::Sw | Op::Ew => return Err(unsupported($op, $value)),
        };
        condition
    }};
}

/// A comparison of an id: a SCIM id that is not a number names no row.
macro_rules! id {
    ($col:expr, $op:expr, $value:expr) => {
        match (row_id($op, $value)?, $op) {
            (Some(id), _) => ordered!($col, $op, id, $value),
            (None, Op::Eq) => constant(false),
            (None, Op::Ne) => constant(true),
            (None, _) => return Err(unsupported($op, $value)),
        }
    };
}

/// Identity for exact (case-sensitive) nullable columns in `nullable!`.
fn exact<T>(value: T) -> T {
    value
}

/// Users whose PostgreSQL haystack holds `text`: a superset of those whose username, name
/// or address starts with, ends with or contains it (each is a lower-cased part of the
/// haystack), found by the haystack's trigram index; the exact comparison then runs on
/// those rows only.
fn in_haystack(text: &str) -> Condition<users::table> {
    Box::new(
        users::id.eq_any(
            users_haystack::table
                .filter(
                    users_haystack::haystack
                        .like(lower(like_pattern(Op::Co, text)))
                        .escape(LIKE_ESCAPE),
                )
                .select(users_haystack::id),
        ),
    )
}

impl Filterable for users::table {
    type Attr = UserAttr;

    fn compare(
        attr: UserAttr,
        op: Op,
        value: &Value,
        postgres: bool,
    ) -> Result<Condition<Self>, ScimError> {
        let substring = matches!(op, Op::Co | Op::Sw | Op::Ew);
        if postgres
            && substring
            && matches!(attr, UserAttr::UserName | UserAttr::Name | UserAttr::Email)
        {
            let exact = Self::compare(attr, op, value, false)?;
            return Ok(Box::new(in_haystack(&text(op, value)?).and(exact)));
        }
        Ok(match attr {
            UserAttr::Id => id!(users::id, op, value),
            UserAttr::UserName => folded!(users::username, op, text(op, value)?),
            UserAttr::Name => folded!(users::name, op, text(op, value)?),
            UserAttr::Email => nullable!(users::email, lower_nullable, op, text(op, value)?),
            UserAttr::ExternalId => nullable!(users::external_id, exact, op, text(op, value)?),
            UserAttr::Created => ordered!(users::created, op, seconds(op, value)?, value),
            UserAttr::LastModified => ordered!(users::updated, op, seconds(op, value)?, value),
            UserAttr::Active => {
                let active = match value {
                    Value::Bool(b) => *b,
                    Value::Str(s) if s.eq_ignore_ascii_case("true") => true,
                    Value::Str(s) if s.eq_ignore_ascii_case("false") => false,
                    _ => return Err(unsupported(op, value)),
                };
                match op {
                    Op::Eq => Box::new(users::disabled.eq(!active)),
                    Op::Ne => Box::new(users::disabled.eq(active)),
                    _ => return Err(unsupported(op, value)),
                }
            }
            // The one address's `type` is "work" and its `primary` true: the comparison
            // is decided here, and holds exactly for the users with an address.
            UserAttr::EmailType | UserAttr::EmailPrimary => {
                const WORK: &str = "work";
                let truth = match (attr, value, op) {
                    (UserAttr::EmailType, Value::Str(v), Op::Eq) => WORK.eq_ignore_ascii_case(v),
                    (UserAttr::EmailType, Value::Str(v), Op::Ne) => !WORK.eq_ignore_ascii_case(v),
                    (UserAttr::EmailType, Value::Str(v), Op::Co) => {
                        WORK.contains(&v.to_lowercase())
                    }
                    (UserAttr::EmailType, Value::Str(v), Op::Sw) => {
                        WORK.starts_with(&v.to_lowercase())
                    }
                    (UserAttr::EmailType, Value::Str(v), Op::Ew) => {
                        WORK.ends_with(&v.to_lowercase())
                    }
                    (UserAttr::EmailPrimary, Value::Bool(v), Op::Eq) => *v,
                    (UserAttr::EmailPrimary, Value::Bool(v), Op::Ne) => !*v,
                    _ => return Err(unsupported(op, value)),
                };
                match truth {
                    true => Self::present(UserAttr::Email),
                    false => constant(false),
                }
            }
        })
    }

    fn present(attr: UserAttr) -> Condition<Self> {
        match attr {
            UserAttr::UserName => Box::new(users::username.ne("")),
            UserAttr::Name => Box::new(users::name.ne("")),
            UserAttr::Email | UserAttr::EmailType | UserAttr::EmailPrimary => Box::new(
                users::email
                    .is_not_null()
                    .and(users::email.ne("").assume_not_null()),
            ),
            UserAttr::ExternalId => Box::new(
                users::external_id
                    .is_not_null()
                    .and(users::external_id.ne("").assume_not_null()),
            ),
            UserAttr::Id | UserAttr::Active | UserAttr::Created | UserAttr::LastModified => {
                constant(true)
            }
        }
    }
}

/// Whether the group has user `id` among its members.
fn has_member(id: i64) -> Condition<user_groups::table> {
    Box::new(
        sql::<Bool>(
            "EXISTS (SELECT 1 FROM group_members WHERE group_members.group_id = user_groups.id \
             AND group_members.user_id = ",
        )
        .bind::<BigInt, _>(id)
        .sql(")"),
    )
}

impl Filterable for user_groups::table {
    type Attr = GroupAttr;

    fn compare(
        attr: GroupAttr,
        op: Op,
        value: &Value,
        _postgres: bool,
    ) -> Result<Condition<Self>, ScimError> {
        Ok(match attr {
            GroupAttr::Id => id!(user_groups::id, op, value),
            GroupAttr::DisplayName => folded!(user_groups::name, op, text(op, value)?),
            GroupAttr::ExternalId => {
                nullable!(user_groups::external_id, exact, op, text(op, value)?)
            }
            GroupAttr::Created => ordered!(user_groups::created, op, seconds(op, value)?, value),
            GroupAttr::LastModified => {
                ordered!(user_groups::updated, op, seconds(op, value)?, value)
            }
            GroupAttr::MemberValue => match (op, row_id(op, value)?) {
                (Op::Eq, Some(id)) => has_member(id),
                (Op::Ne, Some(id)) => Box::new(dsl::not(has_member(id))),
                (Op::Eq, None) => constant(false),
                (Op::Ne, None) => constant(true),
                _ => return Err(unsupported(op, value)),
            },
        })
    }

    fn present(attr: GroupAttr) -> Condition<Self> {
        match attr {
            GroupAttr::DisplayName => Box::new(user_groups::name.ne("")),
            GroupAttr::ExternalId => Box::new(
                user_groups::external_id
                    .is_not_null()
                    .and(user_groups::external_id.ne("").assume_not_null()),
            ),
            GroupAttr::MemberValue => Box::new(sql::<Bool>(
                "EXISTS (SELECT 1 FROM group_members WHERE group_members.group_id = user_groups.id)",
            )),
            GroupAttr::Id | GroupAttr::Created | GroupAttr::LastModified => constant(true),
        }
    }
}

/// One page of the rows of `$table` that `$query` asks for, each a `$row`, and how many
/// match in all; `Err` when the filter cannot be translated.
macro_rules! page {
    ($conn:expr, $query:expr, $table:ident, $row:ty, $sort:expr) => {{
        let postgres = $conn.is_postgres();
        let matching = || -> Result<$table::BoxedQuery<'static, Backend>, ScimError> {
            let rows = $table::table.into_boxed();
            Ok(match &$query.filter {
                Some(filter) => rows.filter(condition::<$table::table>(filter, postgres)?),
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
                let found: Vec<$row> = rows
                    .then_order_by($table::id.asc())
                    .offset($query.offset)
                    .limit($query.limit)
                    .select(<$row>::as_select())
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

/// A user's row as SCIM reads it: its groups come with it (`users.group_ids` and
/// `users.group_names`, kept with the memberships), so a user costs no query of its own.
#[derive(Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Backend))]
struct UserRow {
    #[diesel(embed)]
    user: User,
    external_id: Option<String>,
    group_ids: String,
    group_names: String,
}

impl From<UserRow> for ScimUser {
    fn from(row: UserRow) -> Self {
        let ids = row.group_ids.split(',').filter_map(|id| id.parse().ok());
        let names = row.group_names.split(',').map(str::to_owned);
        Self {
            groups: ids.zip(names).collect(),
            user: row.user,
            external_id: row.external_id,
        }
    }
}

/// A group's row as SCIM reads it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = user_groups, check_for_backend(Backend))]
struct GroupRow {
    #[diesel(embed)]
    group: Group,
    external_id: Option<String>,
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
        match page!(conn, query, users, UserRow, sort_users) {
            Ok((found, total)) => Ok(Ok((found.into_iter().map(Self::from).collect(), total))),
            Err(refused) => Ok(Err(refused)),
        }
    }

    /// User `id`.
    pub fn find(conn: &mut Conn, id: i64) -> Result<Self, StoreError> {
        let found: UserRow = users::table
            .find(id)
            .select(UserRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::UserNotFound)?;
        Ok(found.into())
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

/// `rows` ordered by `$col`, descending or not.
macro_rules! sorted {
    ($rows:expr, $col:expr, $descending:expr) => {
        match $descending {
            true => $rows.order($col.desc()),
            false => $rows.order($col.asc()),
        }
    };
}

fn sort_users(
    rows: users::BoxedQuery<'static, Backend>,
    attr: UserAttr,
    descending: bool,
) -> users::BoxedQuery<'static, Backend> {
    match attr {
        UserAttr::Id => sorted!(rows, users::id, descending),
        UserAttr::UserName => sorted!(rows, users::username, descending),
        UserAttr::Name => sorted!(rows, users::name, descending),
        UserAttr::Email | UserAttr::EmailType | UserAttr::EmailPrimary => {
            sorted!(rows, users::email, descending)
        }
        UserAttr::ExternalId => sorted!(rows, users::external_id, descending),
        UserAttr::Active => sorted!(rows, users::disabled, descending),
        UserAttr::Created => sorted!(rows, users::created, descending),
        UserAttr::LastModified => sorted!(rows, users::updated, descending),
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
        match page!(conn, query, user_groups, GroupRow, sort_groups) {
            Ok((found, total)) => Ok(Ok((Self::with_members(conn, found)?, total))),
            Err(refused) => Ok(Err(refused)),
        }
    }

    /// Group `id`, with its members.
    pub fn find(conn: &mut Conn, id: i64) -> Result<Self, StoreError> {
        let found: GroupRow = user_groups::table
            .find(id)
            .select(GroupRow::as_select())
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

    fn with_members(conn: &mut Conn, found: Vec<GroupRow>) -> Result<Vec<Self>, StoreError> {
        let ids: Vec<i64> = found.iter().map(|row| row.group.id).collect();
        let mut members = Self::member_ids(conn, &ids)?;
        Ok(found
            .into_iter()
            .map(|row| Self {
                members: members.remove(&row.group.id).unwrap_or_default(),
                group: row.group,
                external_id: row.external_id,
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
    match attr {
        GroupAttr::Id | GroupAttr::MemberValue => sorted!(rows, user_groups::id, descending),
        GroupAttr::DisplayName => sorted!(rows, user_groups::name, descending),
        GroupAttr::ExternalId => sorted!(rows, user_groups::external_id, descending),
        GroupAttr::Created => sorted!(rows, user_groups::created, descending),
        GroupAttr::LastModified => sorted!(rows, user_groups::updated, descending),
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
