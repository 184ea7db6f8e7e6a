//! The `roster` binary itself: its commands, and how it refuses bad settings.

use std::process::Command;

fn roster() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    for (name, _) in std::env::vars() {
        if name.starts_with("ROSTER_") {
            command.env_remove(name);
        }
    }
    command
}

#[test]
fn help_describes_both_commands() {
    let output = roster().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("serve") && help.contains("migrate"), "{help}");
    // Every declared setting is listed with its default.
    for setting in roster::config::Settings::declared() {
        assert!(
            help.contains(setting.name),
            "{} missing from {help}",
            setting.name
        );
    }
    assert!(
        help.contains("ROSTER_TOKEN_TTL                     30d"),
        "{help}"
    );
}

#[test]
fn the_database_url_may_come_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("database-url");
    let database = dir.path().join("from-file.db");
    std::fs::write(&secret, format!("sqlite://{}\n", database.display())).unwrap();
    let output = roster()
        .env("ROSTER_DATABASE_URL_FILE", &secret)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        database.exists(),
        "the database named in the file was created"
    );
}

#[test]
fn a_bad_setting_stops_start_up_naming_the_variable() {
    for (name, value) in [
        ("ROSTER_TOKEN_TTL", "soon"),
        ("ROSTER_REGISTRATION", "maybe"),
        ("ROSTER_BIND", "nowhere"),
        ("ROSTER_DATABASE_URL", "redis://localhost"),
        ("ROSTER_TRUSTED_PROXIES", "10.0.0.0/99"),
    ] {
        let output = roster().env(name, value).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.starts_with(&format!("roster: {name}=")), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn migrate_prepares_a_database_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let output = roster()
        .arg("migrate")
        .env(
            "ROSTER_DATABASE_URL",
            format!("sqlite://{}", path.display()),
        )
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    // The tables are there.
    use diesel::{Connection, RunQueryDsl};
    let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap();
    diesel::sql_query("SELECT 1 FROM users, tokens, audit_log, write_lock")
        .execute(&mut conn)
        .unwrap();
    // A second run finds nothing to do and succeeds too.
    let again = roster()
        .arg("migrate")
        .env("ROSTER_DATABASE_URL", path.display().to_string())
        .output()
        .unwrap();
    assert!(again.status.success(), "{again:?}");
}

#[test]
fn a_configuration_file_is_read_and_the_environment_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.toml");
    std::fs::write(
        &path,
        "database_url = \"postgres://roster:hunter2@db.internal/roster\"\ntoken_ttl = \"12h\"\nregistration = false\n",
    )
    .unwrap();
    let output = roster()
        .args(["--config", &path.to_string_lossy(), "config"])
        .env("ROSTER_TOKEN_TTL", "1d")
        .output()
        .unwrap();
    let printed = String::from_utf8(output.stdout.clone()).unwrap();
    if cfg!(feature = "postgres") {
        assert!(output.status.success(), "{output:?}");
        assert!(printed.contains("ROSTER_DATABASE_URL=postgres://roster:***@db.internal/roster\n"));
        assert!(!printed.contains("hunter2"));
    }
    assert!(printed.contains("ROSTER_TOKEN_TTL=1d\n"), "{printed}");
    assert!(printed.contains("ROSTER_REGISTRATION=false\n"), "{printed}");

    std::fs::write(&path, "tokne_ttl = \"12h\"\n").unwrap();
    let output = roster()
        .env("ROSTER_CONFIG", &path)
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unknown setting `tokne_ttl`"), "{stderr}");
}
