//! `roster user …`: user management from a terminal, for when there is no admin yet or no
//! mail server. Same settings, validation, password policy and last-admin guard as the API;
//! talks to the database directly, so it works while the server runs.

use std::fs::File;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::Subcommand;

use crate::auth::password::{self, Workspace};
use crate::config::Settings;
use crate::db::{self, Conn};
use crate::domain::{
    AuditEvent, Email, Name, NewUser, Page, Password, SearchTerm, UserUpdate, Username,
};
use crate::error::{error_chain, ApiError};
use crate::models::audit::NewAuditEntry;
use crate::models::{unix_now, StoreError, User};
use crate::routes::views::UserView;
use crate::transfer;

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
        /// A user id, or a username.
        user: String,
    },
    /// Change a user's email, name or admin flag.
    Update {
        /// A user id, or a username.
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
        /// A user id, or a username.
        user: String,
        /// Read the password from the first line of stdin instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a user: it can no longer log in, and its sessions end.
    Disable {
        /// A user id, or a username.
        user: String,
    },
    /// Enable a disabled user.
    Enable {
        /// A user id, or a username.
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
        /// A user id, or a username.
        user: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
}

/// Runs `command`; the error is the one line to print.
pub fn run(
    settings: &Settings,
    command: UserCommand,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> Result<(), String> {
    let mut conn = db::connect_one(settings).map_err(|e| e.to_string())?;
    let conn = &mut conn;
    db::migrate(conn).map_err(|e| e.to_string())?;
    let now = unix_now();
    let print = |output: &mut dyn Write, text: String| {
        writeln!(output, "{text}").map_err(|e| e.to_string())
    };
    match command {
        UserCommand::Create {
            username,
            email,
            name,
            admin,
            password_stdin,
        } => {
            let new_user = NewUser {
                username: Username::parse(username).map_err(message)?,
                email: email
                    .filter(|e| !e.is_empty())
                    .map(Email::parse)
                    .transpose()
                    .map_err(message)?,
                name: Name::parse(name.unwrap_or_default()).map_err(message)?,
                password: read_password(password_stdin, input)?,
                is_admin: admin,
            };
            let inputs = new_user.personal_inputs();
            let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
            settings
                .password_policy
                .check(&new_user.password, &inputs)
                .map_err(message)?;
            let hash = password::hash(&new_user.password, &mut Workspace::new())
                .map_err(|e| e.to_string())?;
            let user = User::create(conn, &new_user, &hash, now).map_err(store)?;
            audit(conn, AuditEvent::UserCreated, &user);
            print(
                output,
                format!("created user {} (id {})", user.username, user.id),
            )
        }
        UserCommand::Import { file } => {
            let started = Instant::now();
            let count = transfer::import(conn, &file, settings.password_policy, now)
                .map_err(|e| e.to_string())?;
            print(
                output,
                format!(
                    "imported {count} users in {:.1} s",
                    started.elapsed().as_secs_f64()
                ),
            )
        }
        UserCommand::Export { file } => {
            let count = match file {
                Some(path) => {
                    let file = File::create(&path)
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    let mut writer = BufWriter::new(file);
                    let count = transfer::export(conn, &mut writer)?;
                    writer.flush().map_err(|e| e.to_string())?;
                    count
                }
                None => transfer::export(conn, output)?,
            };
            // The count goes to stderr: stdout may be the export itself.
            eprintln!("exported {count} users");
            Ok(())
        }
        UserCommand::List { search, json } => {
            let search = SearchTerm::parse(search.as_deref()).map_err(message)?;
            let mut all = vec![];
            for number in 1.. {
                let page = Page::parse(Some(&number.to_string()), Some("1000")).map_err(message)?;
                let (users, _) = User::list(conn, search.as_ref(), page).map_err(store)?;
                let done = users.len() < 1000;
                all.extend(users);
                if done {
                    break;
                }
            }
            if json {
                let views: Vec<UserView> = all.into_iter().map(UserView::from).collect();
                return print(
                    output,
                    serde_json::to_string_pretty(&views).map_err(|e| e.to_string())?,
                );
            }
            print(
                output,
                format!(
                    "{:>6}  {:<24} {:<24} {:<32} {:<5} {:<8}",
                    "ID", "USERNAME", "NAME", "EMAIL", "ADMIN", "DISABLED"
                ),
            )?;
            for user in all {
                print(
                    output,
                    format!(
                        "{:>6}  {:<24} {:<24} {:<32} {:<5} {:<8}",
                        user.id,
                        user.username,
                        user.name,
                        user.email.unwrap_or_default(),
                        yes_no(user.is_admin),
                        yes_no(user.disabled)
                    ),
                )?;
            }
            Ok(())
        }
        UserCommand::Show { user } => {
            let user = find(conn, &user)?;
            print(
                output,
                serde_json::to_string_pretty(&UserView::from(user)).map_err(|e| e.to_string())?,
            )
        }
        UserCommand::Update {
            user,
            email,
            name,
            admin,
            no_admin,
        } => {
            let target = find(conn, &user)?;
            let update = UserUpdate {
                username: None,
                name: name.map(Name::parse).transpose().map_err(message)?,
                email: email
                    .map(|e| {
                        if e.is_empty() {
                            Ok(None)
                        } else {
                            Email::parse(e).map(Some)
                        }
                    })
                    .transpose()
                    .map_err(message)?,
                is_admin: (admin || no_admin).then_some(admin),
                disabled: None,
            };
            if update.is_empty() {
                return Err(
                    "nothing to update: give --email, --name, --admin or --no-admin".into(),
                );
            }
            let user = User::update(conn, target.id, &update, now).map_err(store)?;
            audit(conn, AuditEvent::UserUpdated, &user);
            print(
                output,
                format!("updated user {} (id {})", user.username, user.id),
            )
        }
        UserCommand::ResetPassword {
            user,
            password_stdin,
        } => {
            let target = find(conn, &user)?;
            let new_password = read_password(password_stdin, input)?;
            let mut inputs = vec![target.username.as_str(), target.name.as_str()];
            inputs.extend(target.email.as_deref());
            settings
                .password_policy
                .check(&new_password, &inputs)
                .map_err(message)?;
            let hash =
                password::hash(&new_password, &mut Workspace::new()).map_err(|e| e.to_string())?;
            User::set_password(conn, target.id, &hash, None, now).map_err(store)?;
            audit(conn, AuditEvent::PasswordChanged, &target);
            print(
                output,
                format!("password of {} reset; its sessions ended", target.username),
            )
        }
        UserCommand::Disable { user } => set_disabled(conn, &user, true, now, output),
        UserCommand::Enable { user } => set_disabled(conn, &user, false, now, output),
        UserCommand::Delete { user, yes } => {
            let target = find(conn, &user)?;
            if !yes {
                write!(
                    output,
                    "Delete user {} (id {})? [y/N] ",
                    target.username, target.id
                )
                .map_err(|e| e.to_string())?;
                output.flush().map_err(|e| e.to_string())?;
                let mut answer = String::new();
                input.read_line(&mut answer).map_err(|e| e.to_string())?;
                if !matches!(answer.trim(), "y" | "Y" | "yes") {
                    return Err("not deleted".into());
                }
            }
            let deleted = User::delete(conn, target.id).map_err(store)?;
            audit(conn, AuditEvent::UserDeleted, &deleted);
            print(
                output,
                format!("deleted user {} (id {})", deleted.username, deleted.id),
            )
        }
    }
}

fn set_disabled(
    conn: &mut Conn,
    user: &str,
    disabled: bool,
    now: i64,
    output: &mut dyn Write,
) -> Result<(), String> {
    let target = find(conn, user)?;
    let update = UserUpdate {
        disabled: Some(disabled),
        ..UserUpdate::default()
    };
    let user = User::update(conn, target.id, &update, now).map_err(store)?;
    let event = if disabled {
        AuditEvent::UserDisabled
    } else {
        AuditEvent::UserEnabled
    };
    audit(conn, event, &user);
    let done = if disabled {
        "disabled; its sessions ended"
    } else {
        "enabled"
    };
    writeln!(output, "user {} {done}", user.username).map_err(|e| e.to_string())
}

/// A user by id (digits) or username (ignoring case). Digits that name no id are tried as
/// a username, since usernames may be numeric.
fn find(conn: &mut Conn, user: &str) -> Result<User, String> {
    if let Ok(id) = user.parse::<i64>() {
        match User::find(conn, id) {
            Ok(found) => return Ok(found),
            Err(StoreError::UserNotFound) => {}
            Err(e) => return Err(store(e)),
        }
    }
    User::find_by_username(conn, user)
        .map_err(store)?
        .ok_or_else(|| format!("no user {user:?}"))
}

fn read_password(from_stdin: bool, input: &mut dyn BufRead) -> Result<Password, String> {
    let raw = if from_stdin {
        let mut line = String::new();
        input.read_line(&mut line).map_err(|e| e.to_string())?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        rpassword::prompt_password("Password: ")
            .map_err(|e| format!("cannot prompt for a password ({e}); use --password-stdin"))?
    };
    Password::parse(raw).map_err(message)
}

/// CLI actions are audited like API ones, with `cli` as the address and no actor.
fn audit(conn: &mut Conn, event: AuditEvent, user: &User) {
    let mut entry = NewAuditEntry::new(event, unix_now(), "cli".to_owned());
    entry.target_id = Some(user.id);
    entry.username = Some(user.username.clone());
    if let Err(e) = entry.insert(conn) {
        log::error!(target: "roster::audit", "cannot write the audit log: {e}");
    }
}

fn message(error: impl Into<ApiError>) -> String {
    error.into().to_string()
}

fn store(error: StoreError) -> String {
    match error {
        StoreError::Database(_) | StoreError::Unavailable(_) => error_chain(&error),
        known => ApiError::from(known).to_string(),
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}
