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
