//! `CliError`: why a `roster` command failed, as the one line it prints.

use crate::accounts::transfer::{ExportError, ImportError};
use crate::accounts::AccountError;
use crate::auth::password::HashError;
use crate::config::ConfigError;
use crate::db::maintenance::BackupError;
use crate::db::{DbError, StoreError};
use crate::domain::ValidationError;

/// Why a command failed. Printed as `roster: <message>`, exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A setting is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database cannot be opened or migrated.
    #[error(transparent)]
    Database(#[from] DbError),
    /// The accounts layer refused or failed; for failures, with their causes.
    #[error("{}", shown(.0))]
    Account(#[from] AccountError),
    /// A backup or restore was refused or failed.
    #[error(transparent)]
    Backup(#[from] BackupError),
    /// An import was refused or stopped.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// Reading or writing the terminal or a file failed.
    #[error("{0}")]
    Io(String),
    /// The command cannot be carried out as given (no such user, nothing to change, a
    /// refused confirmation).
    #[error("{0}")]
    Refused(String),
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error.to_string())
    }
}

impl From<ValidationError> for CliError {
    fn from(error: ValidationError) -> Self {
        Self::Account(error.into())
    }
}

impl From<StoreError> for CliError {
    fn from(error: StoreError) -> Self {
        Self::Account(error.into())
    }
}

impl From<ExportError> for CliError {
    fn from(error: ExportError) -> Self {
        match error {
            ExportError::Store(e) => e.into(),
            ExportError::Write(e) => e.into(),
        }
    }
}

impl From<HashError> for CliError {
    fn from(error: HashError) -> Self {
        Self::Account(error.into())
    }
}

/// An account error as a person at the terminal needs it: refusals as the API words them,
/// failures with their causes (the operator is the one to fix them).
fn shown(error: &AccountError) -> String {
    let mut text = error.to_string();
    if matches!(
        error,
        AccountError::Internal(_) | AccountError::Unavailable(_)
    ) {
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
    }
    text
}
