//! The `roster` command: parse the command line, read the settings, run.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use roster::admin_cli::{self, UserCommand};
use roster::config::{self, Settings};
use roster::db;
use roster::routes::openapi;
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
    /// A roster.toml to read settings from; the environment overrides it.
    #[arg(long, global = true, env = "ROSTER_CONFIG", value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the API (the default command).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the effective configuration (the database password masked) and exit.
    Config,
    /// Print the OpenAPI 3.1 description of the API (docs/openapi.json) and exit.
    Openapi,
    /// Manage users from the terminal (works while the server runs).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("roster: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        // Needs no configuration: the description is the same for every deployment.
        print!("{}", openapi::json());
        return Ok(());
    }
    let file = match &cli.config {
        Some(path) => config::load_file(path).map_err(|e| e.to_string())?,
        None => HashMap::new(),
    };
    // The environment overrides the file; RUST_LOG too.
    let lookup = |name: &str| std::env::var(name).ok().or_else(|| file.get(name).cloned());
    let filter = lookup("RUST_LOG").unwrap_or_else(|| "info".to_owned());
    env_logger::Builder::new().parse_filters(&filter).init();
    let settings = Settings::from_lookup(lookup).map_err(|e| e.to_string())?;
    match command {
        Command::Config => {
            for (name, value) in settings.effective() {
                println!("{name}={value}");
            }
            Ok(())
        }
        Command::Migrate => {
            let mut conn = db::connect_one(&settings).map_err(|e| e.to_string())?;
            let applied = db::migrate(&mut conn).map_err(|e| e.to_string())?;
            log::info!("applied {applied} migration(s); the database is up to date");
            Ok(())
        }
        Command::Openapi => Ok(()), // printed above, before reading any configuration
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
