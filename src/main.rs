//! The `roster` command: parse the command line, read the settings, run.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use roster::admin_cli::{self, UserCommand};
use roster::config::Settings;
use roster::db;
use roster::startup::Application;

/// Roster: a self-hosted user-management REST service.
///
/// Configured from the environment (the full list is in docs/operations.md), chiefly:
/// ROSTER_DATABASE_URL (default sqlite://roster.db; also postgres://… and mysql://…),
/// ROSTER_BIND (127.0.0.1:3456), ROSTER_TOKEN_TTL (30d), ROSTER_REGISTRATION (true),
/// ROSTER_TRUSTED_PROXIES (none), RUST_LOG (info).
#[derive(Parser)]
#[command(name = "roster", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the API (the default command).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage users from the terminal (works while the server runs).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match run(cli.command.unwrap_or(Command::Serve)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("roster: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    match command {
        Command::Migrate => {
            let pool = db::connect(&settings).map_err(|e| e.to_string())?;
            let applied = db::migrate(&pool).map_err(|e| e.to_string())?;
            log::info!("applied {applied} migration(s); the database is up to date");
            Ok(())
        }
        Command::User { command } => {
            let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
            admin_cli::run(&settings, command, &mut stdin.lock(), &mut stdout.lock())
        }
        Command::Serve => actix_web::rt::System::new().block_on(async {
            let app = Application::build(&settings).map_err(|e| e.to_string())?;
            log::info!("listening on {} (port {})", settings.bind, app.port());
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }),
    }
}
