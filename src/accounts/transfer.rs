//! Users in bulk as JSON Lines, for `roster user import` and `roster user export`: moving
//! from Vikunja, Wekan or another Roster, backups, and seeding benchmarks.
//!
//! A line is `{"username", "email", "name", "isAdmin", "disabled", "emailConfirmed",
//! "externalId"}` (all but the username optional) with either `password`
//! (plain text, hashed here with argon2id, in parallel) or `passwordHash` (an argon2 PHC
//! string, or a bcrypt `$2a$`/`$2b$`/`$2y$` hash, kept as is and upgraded to argon2id at the
//! user's next login). An import checks every line first, against the rules of the API,
//! against the other lines and against the users already stored, and reports each bad line
//! by number; only a file without any is imported, in batches of [`BATCH`] users per
//! transaction.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::auth::password;
use crate::db::{Conn, StoreError};
use crate::domain::{personal_inputs, Email, Name, Password, PasswordPolicy, Username};
use crate::models::bulk;
use crate::models::NewUserRow;

use super::{AccountError, Accounts};

/// Users per transaction.
pub const BATCH: usize = 5_000;
/// Bad lines reported at most; the count covers all of them.
const MAX_REPORTED: usize = 100;

/// One line of the file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Record {
    /// Login name.
    pub username: String,
    /// Contact address; absent or `""` for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Admin flag.
    #[serde(default)]
    pub is_admin: bool,
    /// Disabled flag.
    #[serde(default)]
    pub disabled: bool,
    /// Whether the address is confirmed (kept across an export and import; ignored
    /// without an address).
    #[serde(default)]
    pub email_confirmed: bool,
    /// A plain-text password (import only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// An argon2 or bcrypt hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// The identity provider's id of the user (SCIM's `externalId`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// Why an import did not happen, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Lines that break the rules; nothing was imported.
    #[error("{}", report(.bad, *.count))]
    BadLines {
        /// The first bad lines: (line number, reason).
        bad: Vec<(usize, String)>,
        /// How many lines are bad in all.
        count: usize,
    },
    /// The database refused a batch (a user stored meanwhile, or an outage); the batches
    /// before it are stored.
    #[error("stopped after {imported} users: {source}")]
    Store {
        /// Users stored before the failure.
        imported: usize,
        /// The cause.
        source: AccountError,
    },
}

impl From<StoreError> for ImportError {
    fn from(source: StoreError) -> Self {
        Self::Store {
            imported: 0,
            source: source.into(),
        }
    }
}

fn report(bad: &[(usize, String)], count: usize) -> String {
    let mut text = format!("{count} bad line(s); nothing was imported:");
    for (line, reason) in bad {
        text.push_str(&format!("\nline {line}: {reason}"));
    }
    if count > bad.len() {
        text.push_str(&format!("\n… and {} more", count - bad.len()));
    }
    text
}

/// What a line becomes once checked.
struct Checked {
    username: Username,
    email: Option<Email>,
    name: Name,
    is_admin: bool,
    disabled: bool,
    email_confirmed: bool,
    external_id: Option<String>,
    /// The hash to store: given by the line, or made from `plain` before the insert.
    hash: String,
    /// A password still to hash.
    plain: Option<Password>,
}

impl Checked {
    fn row(&self, now: i64) -> NewUserRow<'_> {
        NewUserRow {
            username: self.username.as_str(),
            name: self.name.as_str(),
            email: self.email.as_ref().map(Email::as_str),
            password_hash: &self.hash,
            is_admin: self.is_admin,
            disabled: self.disabled,
            created: now,
            updated: now,
            email_confirmed: self.email_confirmed && self.email.is_some(),
            external_id: self.external_id.as_deref(),
        }
    }
}

/// Reads and checks one line, with the same domain types and password policy as every
/// other way a user is made.
fn check(text: &str, policy: PasswordPolicy) -> Result<Checked, String> {
    let record: Record = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let reason = |e: crate::domain::ValidationError| e.to_string();
    let username = Username::parse(record.username).map_err(reason)?;
    let email = Email::parse_optional(record.email).map_err(reason)?;
    let name = Name::parse(record.name).map_err(reason)?;
    let external_id =
        crate::domain::scim::external_id(record.external_id).map_err(|e| e.to_string())?;
    let (hash, plain) = match (record.password, record.password_hash) {
        (Some(plain), None) => {
            let plain = Password::parse(plain).map_err(reason)?;
            let personal = personal_inputs(
                username.as_str(),
                name.as_str(),
                email.as_ref().map(Email::as_str),
            );
            policy.check(&plain, &personal).map_err(reason)?;
            (String::new(), Some(plain))
        }
        (None, Some(hash)) if password::is_importable_hash(&hash) => (hash, None),
        (None, Some(_)) => {
            return Err("passwordHash is neither an argon2 PHC string nor a bcrypt hash".into())
        }
        _ => return Err("give exactly one of password and passwordHash".into()),
    };
    Ok(Checked {
        username,
        email,
        name,
        is_admin: record.is_admin,
        disabled: record.disabled,
        email_confirmed: record.email_confirmed,
        external_id,
        hash,
        plain,
    })
}

/// The file's non-blank lines with their numbers (from 1).
fn lines(
    path: &Path,
) -> Result<impl Iterator<Item = (usize, std::io::Result<String>)>, ImportError> {
    let file = File::open(path).map_err(|source| ImportError::Read {
        path: path.display().to_string(),
        source,
    })?;
    Ok(BufReader::new(file)
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(_, line)| line.as_ref().map_or(true, |l| !l.trim().is_empty())))
}

impl Accounts {
    /// Imports the users of the JSON Lines file at `path`; returns how many were stored.
    /// Every line is checked first; only a file without a bad line is imported.
    pub async fn import(&self, path: PathBuf) -> Result<usize, ImportError> {
        let policy = self.rules.password_policy;
        let checked_path = path.clone();
        self.store
            .run(move |conn| validate(conn, &checked_path, policy))
            .await?;
        self.store
            .run(bulk::prepare_import)
            .await
            .map_err(|source: StoreError| ImportError::Store {
                imported: 0,
                source: source.into(),
            })?;
        let mut imported = 0;
        let mut batch = Vec::with_capacity(BATCH);
        for (number, line) in lines(&path)? {
            let text = line.map_err(|source| read_error(&path, source))?;
            // Checked above; a file changed since then is refused like a bad one.
            let checked = check(&text, policy).map_err(|reason| ImportError::BadLines {
                bad: vec![(number, reason)],
                count: 1,
            })?;
            batch.push(checked);
            if batch.len() == BATCH {
                imported += self
                    .import_batch(std::mem::take(&mut batch), imported)
                    .await?;
            }
        }
        if !batch.is_empty() {
            imported += self.import_batch(batch, imported).await?;
        }
        // Fresh statistics, so the planner knows what was just added at once (a lookup on
        // a column it thinks unknown may otherwise walk the table in id order).
        self.store
            .run(bulk::refresh_statistics)
            .await
            .map_err(|source: StoreError| ImportError::Store {
                imported,
                source: source.into(),
            })?;
        Ok(imported)
    }

    /// Hashes the batch's plain passwords through the hashing pool (a share of the batch
    /// per permit, so every core works), then stores the batch in one write transaction.
    async fn import_batch(&self, batch: Vec<Checked>, before: usize) -> Result<usize, ImportError> {
        let failed = |source| ImportError::Store {
            imported: before,
            source,
        };
        let share = batch.len().div_ceil(self.hashing.permits()).max(1);
        let mut shares = Vec::new();
        let mut rest = batch;
        while rest.len() > share {
            let tail = rest.split_off(share);
            shares.push(std::mem::replace(&mut rest, tail));
        }
        shares.push(rest);
        let hashed = futures_util::future::join_all(shares.into_iter().map(|mut share| {
            self.hashing.run(move |memory| {
                for checked in &mut share {
                    if let Some(plain) = checked.plain.take() {
                        checked.hash = password::hash(&plain, memory)?;
                    }
                }
                Ok::<_, password::HashError>(share)
            })
        }))
        .await;
        let mut batch = Vec::new();
        for share in hashed {
            let share = share
                .map_err(AccountError::from)
                .and_then(|hashed| hashed.map_err(AccountError::from))
                .map_err(failed)?;
            batch.extend(share);
        }
        let now = self.now();
        self.transact(move |conn| {
            let rows: Vec<NewUserRow<'_>> = batch.iter().map(|c| c.row(now)).collect();
            Ok((bulk::insert_batch(conn, &rows)?, Vec::new()))
        })
        .await
        .map_err(failed)
    }
}

fn read_error(path: &Path, source: std::io::Error) -> ImportError {
    ImportError::Read {
        path: path.display().to_string(),
        source,
    }
}

/// Checks every line: its fields, duplicates within the file, and users already stored.
fn validate(conn: &mut Conn, path: &Path, policy: PasswordPolicy) -> Result<(), ImportError> {
    let mut bad = Vec::new();
    let mut count = 0;
    let mut flag = |number: usize, reason: String| {
        count += 1;
        if bad.len() < MAX_REPORTED {
            bad.push((number, reason));
        }
    };
    let (mut usernames, mut emails) = (HashSet::new(), HashSet::new());
    // Keys of checked lines not yet compared with the database, by line.
    let mut pending: Vec<(usize, String, Option<String>)> = Vec::new();
    let mut compare = |pending: &mut Vec<(usize, String, Option<String>)>,
                       flag: &mut dyn FnMut(usize, String)|
     -> Result<(), ImportError> {
        let names: Vec<String> = pending.iter().map(|(_, u, _)| u.clone()).collect();
        let mails: Vec<String> = pending.iter().filter_map(|(_, _, e)| e.clone()).collect();
        let (taken_names, taken_mails) =
            bulk::taken(conn, &names, &mails).map_err(|source| ImportError::Store {
                imported: 0,
                source: source.into(),
            })?;
        let (taken_names, taken_mails): (HashSet<_>, HashSet<_>) = (
            taken_names.into_iter().collect(),
            taken_mails.into_iter().collect(),
        );
        for (number, username, email) in pending.drain(..) {
            if taken_names.contains(&username) {
                flag(number, "a user with this username already exists".into());
            } else if email.is_some_and(|e| taken_mails.contains(&e)) {
                flag(
                    number,
                    "a user with this email address already exists".into(),
                );
            }
        }
        Ok(())
    };
    for (number, line) in lines(path)? {
        let text = line.map_err(|source| read_error(path, source))?;
        let checked = match check(&text, policy) {
            Ok(checked) => checked,
            Err(reason) => {
                flag(number, reason);
                continue;
            }
        };
        let username = checked.username.as_str().to_ascii_lowercase();
        let email = checked.email.map(|e| e.as_str().to_ascii_lowercase());
        if !usernames.insert(username.clone()) {
            flag(
                number,
                "the username appears on an earlier line (ignoring case)".into(),
            );
        } else if email.as_ref().is_some_and(|e| !emails.insert(e.clone())) {
            flag(
                number,
                "the email appears on an earlier line (ignoring case)".into(),
            );
        } else {
            pending.push((number, username, email));
            if pending.len() == 1_000 {
                compare(&mut pending, &mut flag)?;
            }
        }
    }
    compare(&mut pending, &mut flag)?;
    if count > 0 {
        return Err(ImportError::BadLines { bad, count });
    }
    Ok(())
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the users failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing a line failed.
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
}

/// Writes every user as a line, by id; returns how many. Runs on the caller's thread (the
/// command line's, which has no async workers to keep free).
pub fn export(conn: &mut Conn, output: &mut dyn Write) -> Result<usize, ExportError> {
    let mut after = 0;
    let mut written = 0;
    loop {
        let users = bulk::users_after(conn, after, 1_000)?;
        let Some(last) = users.last() else {
            return Ok(written);
        };
        after = last.id;
        for user in users {
            let record = Record {
                username: user.username,
                email: user.email,
                name: user.name,
                is_admin: user.is_admin,
                disabled: user.disabled,
                email_confirmed: user.email_confirmed,
                password: None,
                password_hash: Some(user.password_hash),
                external_id: user.external_id,
            };
            let line = serde_json::to_string(&record).map_err(std::io::Error::other)?;
            writeln!(output, "{line}")?;
            written += 1;
        }
    }
}
