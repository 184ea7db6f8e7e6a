//! The `roster` command: parse the command line, read the settings, call the library.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use roster::cli::{self, CliError, GroupCommand, MigrateCommand, UserCommand};
use roster::config::{self, Settings};
use roster::routes::openapi;
use roster::startup::Application;

/// Roster: a self-hosted user-management REST service.
///
/// Configured from the environment or a roster.toml (the full table is in
/// docs/operations.md).
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
    /// Apply pending database migrations and exit; `status` lists them, `revert` undoes the
    /// newest.
    Migrate {
        #[command(subcommand)]
        command: Option<MigrateCommand>,
    },
    /// Exit 0 when the server answers its readiness check, 1 with the reason otherwise (for
    /// container and systemd health checks).
    Healthcheck {
        /// What to ask; by default `/health/ready` on the configured ROSTER_BIND.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Write a checked copy of the SQLite database while the server runs (for PostgreSQL
    /// and MariaDB it prints the dump command to use).
    Backup {
        /// The new file.
        path: PathBuf,
    },
    /// Replace the SQLite database with a backup; refused while a server has it open.
    Restore {
        /// The backup file.
        path: PathBuf,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Print the effective configuration (secrets masked) and exit.
    Config,
    /// Print the OpenAPI 3.1 description of the API (docs/openapi.json) and exit.
    Openapi,
    /// Mail: `roster mail test ADDRESS` sends a test mail and prints the server's answer.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Manage users from the terminal (works while the server runs).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage groups from the terminal (works while the server runs).
    Group {
        #[command(subcommand)]
        command: GroupCommand,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Send a test mail to ADDRESS through ROSTER_SMTP_URL and say what the server answered.
    Test {
        /// Where to send it.
        address: String,
    },
}

/// See the comment on `mimalloc` in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let matches = Cli::command()
        .after_long_help(config::help_summary())
        .get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("roster: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        // Needs no configuration: the description is the same for every deployment.
        print!("{}", openapi::json());
        return Ok(());
    }
    let file = match &cli.config {
        Some(path) => config::load_file(path)?,
        None => HashMap::new(),
    };
    // The environment overrides the file.
    let settings =
        Settings::from_lookup(|name| std::env::var(name).ok().or_else(|| file.get(name).cloned()))?;
    roster::logging::init(settings.log_format, &settings.log_filter);
    match command {
        Command::Config => {
            for (name, value) in settings.effective() {
                println!("{name}={value}");
            }
            Ok(())
        }
        Command::Migrate { command } => {
            let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
            cli::migrate(&settings, command, &mut stdin.lock(), &mut stdout.lock())
        }
        Command::Healthcheck { url } => {
            println!("{}", cli::healthcheck(&settings, url.as_deref())?);
            Ok(())
        }
        Command::Backup { path } => cli::backup(&settings, &path, &mut std::io::stdout()),
        Command::Restore { path, yes } => {
            let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
            cli::restore(&settings, &path, yes, &mut stdin.lock(), &mut stdout.lock())
        }
        Command::Openapi => Ok(()), // printed above, before reading any configuration
        Command::Mail {
            command: MailCommand::Test { address },
        } => {
            println!("{}", cli::mail_test(&settings, &address)?);
            Ok(())
        }
        Command::User { command } => {
            let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
            cli::run(&settings, command, &mut stdin.lock(), &mut stdout.lock())
        }
        Command::Group { command } => {
            let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
            cli::run(&settings, command, &mut stdin.lock(), &mut stdout.lock())
        }
        Command::Serve => actix_web::rt::System::new().block_on(async {
            let app = Application::build(&settings).map_err(|e| CliError::Io(e.to_string()))?;
            log::info!("listening on {} (port {})", settings.bind, app.port());
            // Under systemd with Type=notify: the unit is started once this arrives.
            if std::env::var_os("NOTIFY_SOCKET").is_some() {
                let status = format!("STATUS=listening on {}", settings.bind);
                let states = [
                    sd_notify::NotifyState::Ready,
                    sd_notify::NotifyState::Custom(&status),
                ];
                if let Err(e) = sd_notify::notify(&states) {
                    log::warn!("cannot tell systemd that Roster is ready: {e}");
                }
            }
            Ok(app.run_until_stopped().await?)
        }),
    }
}
