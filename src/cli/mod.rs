//! `roster user …`: user management from a terminal, for when there is no admin yet or no
//! mail server. A door onto the accounts layer like the HTTP API: each subcommand parses
//! its arguments into domain types, calls one account operation as the operator (audited
//! as `cli`), and prints the answer. Talks to the database directly, so it works while the
//! server runs.

mod error;
mod groups;
mod ops;

use std::fs::File;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Subcommand;

use crate::accounts::transfer;
use crate::accounts::{Accounts, Caller, Rules};
use crate::auth::hashing::HashingPool;
use crate::config::Settings;
use crate::db::{self, Store, StoreError};
use crate::domain::{Email, Name, NewUser, Page, Password, SearchTerm, UserUpdate};
use crate::models::User;
use crate::security::clock::SystemClock;
use crate::views::{self, UserView};

pub use error::CliError;
pub use groups::GroupCommand;
pub use ops::{backup, healthcheck, mail_test, migrate, restore, MigrateCommand};

/// The `roster user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (the password is prompted for, or read from stdin).
    Create {
        /// Login name.
        username: String,
        /// Email address.
        #[arg(long)]
        email: Option<String>,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// Make the user an admin.
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of stdin instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users, ordered by id.
    List {
        /// Only users whose username, name or email contains this text.
        #[arg(long)]
        search: Option<String>,
        /// Print JSON (the API's user objects) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one user as JSON.
    Show {
        /// A username (any case), or `#ID` for a user id.
        user: String,
    },
    /// Change a user's email, name or admin flag.
    Update {
        /// A username (any case), or `#ID` for a user id.
        user: String,
        /// New email address ("" removes it).
        #[arg(long)]
        email: Option<String>,
        /// New display name.
        #[arg(long)]
        name: Option<String>,
        /// Grant admin rights.
        #[arg(long, conflicts_with = "no_admin")]
        admin: bool,
        /// Revoke admin rights.
        #[arg(long)]
        no_admin: bool,
    },
    /// Set a new password (prompted for, or read from stdin); ends the user's sessions.
    ResetPassword {
        /// A username (any case), or `#ID` for a user id.
        user: String,
        /// Read the password from the first line of stdin instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a user: it can no longer log in, and its sessions end.
    Disable {
        /// A username (any case), or `#ID` for a user id.
        user: String,
    },
    /// Enable a disabled user.
    Enable {
        /// A username (any case), or `#ID` for a user id.
        user: String,
    },
    /// Mark a user's email address confirmed (as an admin vouching for it).
    Confirm {
        /// A username (any case), or `#ID` for a user id.
        user: String,
    },
    /// Unlock a user locked out by failed logins (clears its failure count).
    Unlock {
        /// A username (any case), or `#ID` for a user id.
        user: String,
    },
    /// Import users from a JSON Lines file (see docs/operations.md): every line is checked
    /// first, and only a file without a bad line is imported.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Export every user, with its password hash, as JSON Lines that `import` reads.
    Export {
        /// Write here instead of to standard output.
        file: Option<PathBuf>,
    },
    /// Delete a user and its sessions (asks for confirmation without --yes).
    Delete {
        /// A username (any case), or `#ID` for a user id.
        user: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
}

/// What the operator asks of the accounts: `roster user …` or `roster group …`.
#[derive(Debug)]
pub enum AdminCommand {
    /// `roster user …`
    User(UserCommand),
    /// `roster group …`
    Group(GroupCommand),
}

/// Runs `command` against the configured database.
pub fn run(
    settings: &Settings,
    command: impl Into<AdminCommand>,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> Result<(), CliError> {
    let mut conn = db::connect_one(settings)?;
    db::migrate(&mut conn)?;
    let hashing = HashingPool::new(settings.hash_concurrency, settings.hash_wait);
    let accounts = Accounts::new(
        Store::single(conn),
        Arc::new(SystemClock),
        hashing,
        Rules::from_settings(settings),
    )?;
    let mut terminal = Terminal { input, output };
    actix_rt::System::new().block_on(async {
        match command.into() {
            AdminCommand::User(command) => dispatch(&accounts, command, terminal).await,
            AdminCommand::Group(command) => {
                groups::dispatch(&accounts, command, &mut terminal).await
            }
        }
    })
}

impl From<UserCommand> for AdminCommand {
    fn from(command: UserCommand) -> Self {
        Self::User(command)
    }
}

impl From<GroupCommand> for AdminCommand {
    fn from(command: GroupCommand) -> Self {
        Self::Group(command)
    }
}

/// Where a subcommand reads answers and prints results.
struct Terminal<'a> {
    input: &'a mut dyn BufRead,
    output: &'a mut dyn Write,
}

impl Terminal<'_> {
    fn say(&mut self, text: &str) -> Result<(), CliError> {
        Ok(writeln!(self.output, "{text}")?)
    }

    /// Asks `question` with `[y/N]`; anything but yes refuses with `refused`.
    fn confirm(&mut self, question: &str, refused: &str) -> Result<(), CliError> {
        write!(self.output, "{question} [y/N] ")?;
        self.output.flush()?;
        let mut answer = String::new();
        self.input.read_line(&mut answer)?;
        match answer.trim() {
            "y" | "Y" | "yes" => Ok(()),
            _ => Err(CliError::Refused(refused.to_owned())),
        }
    }
}

async fn dispatch(
    accounts: &Accounts,
    command: UserCommand,
    mut terminal: Terminal<'_>,
) -> Result<(), CliError> {
    let t = &mut terminal;
    match command {
        UserCommand::Create {
            username,
            email,
            name,
            admin,
            password_stdin,
        } => create(accounts, t, username, email, name, admin, password_stdin).await,
        UserCommand::List { search, json } => list(accounts, t, search, json).await,
        UserCommand::Show { user } => show(accounts, t, &user).await,
        UserCommand::Update {
            user,
            email,
            name,
            admin,
            no_admin,
        } => {
            let admin = (admin || no_admin).then_some(admin);
            update(accounts, t, &user, email, name, admin).await
        }
        UserCommand::ResetPassword {
            user,
            password_stdin,
        } => reset_password(accounts, t, &user, password_stdin).await,
        UserCommand::Disable { user } => set_disabled(accounts, t, &user, true).await,
        UserCommand::Enable { user } => set_disabled(accounts, t, &user, false).await,
        UserCommand::Unlock { user } => unlock(accounts, t, &user).await,
        UserCommand::Confirm { user } => confirm(accounts, t, &user).await,
        UserCommand::Import { file } => import(accounts, t, file).await,
        UserCommand::Export { file } => export(accounts, t, file),
        UserCommand::Delete { user, yes } => delete(accounts, t, &user, yes).await,
    }
}

async fn create(
    accounts: &Accounts,
    t: &mut Terminal<'_>,
    username: String,
    email: Option<String>,
    name: Option<String>,
    admin: bool,
    password_stdin: bool,
) -> Result<(), CliError> {
    let password = read_password(password_stdin, t.input)?;
    let new_user = NewUser::parse(username, email, name, password, admin)?;
    let user = accounts.create(Caller::operator(), new_user).await?;
    t.say(&format!("created user {} (id {})", user.username, user.id))
}

async fn list(
    accounts: &Accounts,
    t: &mut Terminal<'_>,
    search: Option<String>,
    json: bool,
) -> Result<(), CliError> {
    let search = SearchTerm::parse(search.as_deref())?;
    let all = accounts
        .store()
        .run(move |conn| {
            let mut all = vec![];
            for number in 1_u64.. {
                let page = Page::parse(Some(&number.to_string()), Some("1000"))?;
                let (users, _) = User::list(conn, search.as_ref(), page)?;
                let done = users.len() < 1000;
                all.extend(users);
                if done {
                    break;
                }
            }
            Ok::<_, CliError>(all)
        })
        .await?;
    if json {
        let views: Vec<UserView> = all.into_iter().map(UserView::from).collect();
        return t.say(&pretty(&views)?);
    }
    let row = |cells: [&str; 6]| {
        format!(
            "{:>6}  {:<24} {:<24} {:<32} {:<5} {:<8}",
            cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]
        )
    };
    t.say(&row([
        "ID", "USERNAME", "NAME", "EMAIL", "ADMIN", "DISABLED",
    ]))?;
    for user in all {
        let id = user.id.to_string();
        let email = user.email.unwrap_or_default();
        let flags = [yes_no(user.is_admin), yes_no(user.disabled)];
        t.say(&row([
            &id,
            &user.username,
            &user.name,
            &email,
            flags[0],
            flags[1],
        ]))?;
    }
    Ok(())
}

async fn show(accounts: &Accounts, t: &mut Terminal<'_>, user: &str) -> Result<(), CliError> {
    let user = find(accounts, user).await?;
    t.say(&pretty(&UserView::from(user))?)
}

async fn update(
    accounts: &Accounts,
    t: &mut Terminal<'_>,
    user: &str,
    email: Option<String>,
    name: Option<String>,
    is_admin: Option<bool>,
) -> Result<(), CliError> {
    let target = find(accounts, user).await?;
    let update = UserUpdate {
        name: name.map(Name::parse).transpose()?,
        email: email.map(|e| Email::parse_optional(Some(e))).transpose()?,
        is_admin,
        ..UserUpdate::default()
    };
    if update.is_empty() {
        let usage = "nothing to update: give --email, --name, --admin or --no-admin";
        return Err(CliError::Refused(usage.into()));
    }
    let user = accounts
        .update(Caller::operator(), target.id, update)
        .await?;
    t.say(&format!("updated user {} (id {})", user.username, user.id))
}

async fn reset_password(
    accounts: &Accounts,
    t: &mut Terminal<'_>,
    user: &str,
    password_stdin: bool,
) -> Result<(), CliError> {
    let target = find(accounts, user).await?;
    let password = Password::parse(read_password(password_stdin, t.input)?)?;
    accounts
        .set_password(Caller::operator(), target.id, password, None)
        .await?;
    t.say(&format!(
        "password of {} reset; its sessions ended",
        target.username
    ))
}

async fn set_disabled(
    accounts: &Accounts,
    t: &mut Terminal<'_>,
    user: &str,
    disabled: bool,
) -> Result<(), CliError> {
    let target = find(accounts, user).await?;
    let update = UserUpdate {
        disabled: Some(disabled),
        ..UserUpdate::default()
    };
    let user = accounts
        .update(Caller::operator(), target.id, update)
        .await?;
    let done = match disabled {
        true => "disabled; its sessions ended",
        false => "enabled",
    };
    t.say(&format!("user {} {done}", user.username))
}

async fn confirm(accounts: &Accounts, t: &mut Terminal<'_>, user: &str) -> Result<(), CliError> {
    let target = find(accounts, user).await?;
    let Some(email) = target.email else {
        return Err(CliError::Refused(format!(
            "{} has no email address to confirm",
            target.username
        )));
    };
    let update = UserUpdate {
        email_confirmed: Some(true),
        ..UserUpdate::default()
    };
    accounts
        .update(Caller::operator(), target.id, update)
        .await?;
    t.say(&format!(
        "the address {email} of {} is confirmed",
        target.username
    ))
}

async fn unlock(accounts: &Accounts, t: &mut Terminal<'_>, user: &str) -> Result<(), CliError> {
    let target = find(accounts, user).await?;
    let caller = Caller::operator();
    let before = accounts.lockout(&caller, target.id).await?;
    accounts.unlock(caller, target.id).await?;
    let was = match before.until {
        Some(until) => format!("was locked until {}", views::rfc3339(until)),
        None => "was not locked".to_owned(),
    };
    let failures = before.failures;
    t.say(&format!(
        "user {} unlocked ({was}; {failures} failed logins cleared)",
        target.username
    ))
}

async fn import(accounts: &Accounts, t: &mut Terminal<'_>, file: PathBuf) -> Result<(), CliError> {
    let started = Instant::now();
    let count = accounts.import(file).await?;
    let seconds = started.elapsed().as_secs_f64();
    t.say(&format!("imported {count} users in {seconds:.1} s"))
}

fn export(
    accounts: &Accounts,
    t: &mut Terminal<'_>,
    file: Option<PathBuf>,
) -> Result<(), CliError> {
    // On this thread: the output is the terminal's, and there are no async workers to keep
    // free.
    let count = match file {
        Some(path) => {
            let file = File::create(&path)
                .map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display())))?;
            let mut writer = BufWriter::new(file);
            let count = accounts
                .store()
                .with_conn(|conn| transfer::export(conn, &mut writer))?;
            writer.flush()?;
            count
        }
        None => accounts
            .store()
            .with_conn(|conn| transfer::export(conn, t.output))?,
    };
    // The count goes to stderr: stdout may be the export itself.
    eprintln!("exported {count} users");
    Ok(())
}

async fn delete(
    accounts: &Accounts,
    t: &mut Terminal<'_>,
    user: &str,
    yes: bool,
) -> Result<(), CliError> {
    let target = find(accounts, user).await?;
    if !yes {
        let question = format!("Delete user {} (id {})?", target.username, target.id);
        t.confirm(&question, "not deleted")?;
    }
    let deleted = accounts.delete(Caller::operator(), target.id).await?;
    t.say(&format!(
        "deleted user {} (id {})",
        deleted.username, deleted.id
    ))
}

/// A user by username (ignoring case), or by id written `#7`: a bare `7` is the user named
/// 7, since usernames may be numeric.
async fn find(accounts: &Accounts, user: &str) -> Result<User, CliError> {
    let id =
        match user.strip_prefix('#') {
            Some(digits) => Some(digits.parse::<i64>().map_err(|_| {
                CliError::Refused(format!("{user:?} is not a user id (#1, #2, …)"))
            })?),
            None => None,
        };
    let wanted = user.to_owned();
    let found = accounts
        .store()
        .run(move |conn| match id {
            Some(id) => match User::find(conn, id) {
                Ok(found) => Ok(Some(found)),
                Err(StoreError::UserNotFound) => Ok(None),
                Err(e) => Err(e),
            },
            None => User::find_by_username(conn, &wanted),
        })
        .await?;
    found.ok_or_else(|| CliError::Refused(format!("no user {user:?}")))
}

/// The password typed or piped in, still to be checked.
fn read_password(from_stdin: bool, input: &mut dyn BufRead) -> Result<String, CliError> {
    let raw = if from_stdin {
        let mut line = String::new();
        input.read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        rpassword::prompt_password("Password: ").map_err(|e| {
            CliError::Io(format!(
                "cannot prompt for a password ({e}); use --password-stdin"
            ))
        })?
    };
    Ok(raw)
}

fn pretty(value: &impl serde::Serialize) -> Result<String, CliError> {
    serde_json::to_string_pretty(value).map_err(|e| CliError::Io(e.to_string()))
}

fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}
