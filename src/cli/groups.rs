//! `roster group …`: groups from a terminal, through the same account operations as
//! `/api/v1/groups`, as the operator (audited as `cli`).

use clap::Subcommand;

use crate::accounts::{Accounts, Caller};
use crate::domain::{GroupDescription, GroupName, GroupUpdate, Page};
use crate::models::group::Group;
use crate::views::{GroupView, UserView};

use super::{find, pretty, CliError, Terminal};

/// The `roster group` subcommands. A group is named by its name (any case) or `#ID`.
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group.
    Create {
        /// Its name: 1–64 of A-Z a-z 0-9 . _ - and space.
        name: String,
        /// What it is for.
        #[arg(long)]
        description: Option<String>,
    },
    /// List groups with their member counts, as JSON.
    List,
    /// Rename a group or change its description.
    Update {
        /// A group name (any case), or `#ID`.
        group: String,
        /// The new name.
        #[arg(long)]
        name: Option<String>,
        /// The new description.
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a group; its users stay.
    Delete {
        /// A group name (any case), or `#ID`.
        group: String,
    },
    /// List a group's members, as JSON.
    Members {
        /// A group name (any case), or `#ID`.
        group: String,
    },
    /// Add a user to a group (adding a member again changes nothing).
    Add {
        /// A group name (any case), or `#ID`.
        group: String,
        /// A username (any case), or `#ID`.
        user: String,
    },
    /// Remove a user from a group.
    Remove {
        /// A group name (any case), or `#ID`.
        group: String,
        /// A username (any case), or `#ID`.
        user: String,
    },
}

pub(super) async fn dispatch(
    accounts: &Accounts,
    command: GroupCommand,
    t: &mut Terminal<'_>,
) -> Result<(), CliError> {
    let operator = Caller::operator;
    match command {
        GroupCommand::Create { name, description } => {
            let name = GroupName::parse(name)?;
            let description = GroupDescription::parse(description.unwrap_or_default())?;
            let made = accounts.create_group(operator(), name, description).await?;
            t.say(&format!(
                "created group {} (id {})",
                made.group.name, made.group.id
            ))
        }
        GroupCommand::List => {
            let page = Page::parse(Some("1"), Some("1000"))?;
            let (groups, _) = accounts.groups(&operator(), None, page).await?;
            let shown: Vec<GroupView> = groups.into_iter().map(GroupView::from).collect();
            t.say(&pretty(&shown)?)
        }
        GroupCommand::Update {
            group,
            name,
            description,
        } => {
            let id = find_group(accounts, &group).await?;
            let update = GroupUpdate {
                name: name.map(GroupName::parse).transpose()?,
                description: description.map(GroupDescription::parse).transpose()?,
            };
            if update.is_empty() {
                return Err(CliError::Refused("give --name or --description".into()));
            }
            let changed = accounts.update_group(operator(), id, update).await?;
            t.say(&pretty(&GroupView::from(changed))?)
        }
        GroupCommand::Delete { group } => {
            let id = find_group(accounts, &group).await?;
            accounts.delete_group(operator(), id).await?;
            t.say(&format!("deleted group {group}"))
        }
        GroupCommand::Members { group } => {
            let id = find_group(accounts, &group).await?;
            let page = Page::parse(Some("1"), Some("1000"))?;
            let (users, _) = accounts.members(&operator(), id, page).await?;
            let shown: Vec<UserView> = users.into_iter().map(UserView::from).collect();
            t.say(&pretty(&shown)?)
        }
        GroupCommand::Add { group, user } => {
            let (id, user) = (
                find_group(accounts, &group).await?,
                find(accounts, &user).await?,
            );
            accounts.add_member(operator(), id, user.id).await?;
            t.say(&format!("{} is in {group}", user.username))
        }
        GroupCommand::Remove { group, user } => {
            let (id, user) = (
                find_group(accounts, &group).await?,
                find(accounts, &user).await?,
            );
            accounts.remove_member(operator(), id, user.id).await?;
            t.say(&format!("{} is no longer in {group}", user.username))
        }
    }
}

/// The id of the group named `group` (any case), or of `#ID`.
async fn find_group(accounts: &Accounts, group: &str) -> Result<i64, CliError> {
    if let Some(digits) = group.strip_prefix('#') {
        return digits
            .parse::<i64>()
            .map_err(|_| CliError::Refused(format!("{group:?} is not a group id (#1, #2, …)")));
    }
    let wanted = group.to_owned();
    let found = accounts
        .store()
        .run(move |conn| Group::find_by_name(conn, &wanted))
        .await?;
    found
        .map(|g| g.id)
        .ok_or_else(|| CliError::Refused(format!("no group {group:?}")))
}
