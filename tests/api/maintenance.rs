//! The operator's commands: `roster healthcheck`, `backup`, `restore`, `migrate status` and
//! `migrate revert`, run as the binary against real servers and databases.

use serde_json::json;

use crate::admin_cli::{roster_command, stderr, stdout};
use crate::helpers::{TestApp, TestDatabase};

// The command asks the server, which must keep running while the test waits for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_exits_0_only_for_a_ready_server() {
    let app = TestApp::spawn().await;
    let url = format!("{}/health/ready", app.address);
    let ready = roster_command(&app.database.url, &["healthcheck", "--url", &url], "").success();
    assert_eq!(stdout(&ready), format!("ready: {url}\n"));

    // By default it asks ROSTER_BIND's address.
    let bind = app.address.trim_start_matches("http://");
    let mut command = assert_cmd::Command::cargo_bin("roster").unwrap();
    let checked = command
        .env_clear()
        .env("ROSTER_BIND", bind)
        .env("ROSTER_DATABASE_URL", &app.database.url)
        .arg("healthcheck")
        .assert()
        .success();
    assert_eq!(stdout(&checked), format!("ready: {url}\n"));

    // An answer other than 200, and no server at all: exit 1 with the reason on one line.
    let wrong = format!("{}/health/nowhere", app.address);
    let refused = roster_command(&app.database.url, &["healthcheck", "--url", &wrong], "").code(1);
    assert!(
        stderr(&refused).starts_with(&format!("roster: not ready: {wrong} answered 404 ")),
        "{}",
        stderr(&refused)
    );
    let port = app.address.rsplit(':').next().unwrap().to_owned();
    drop(app.stop().await);
    let down = format!("http://127.0.0.1:{port}/health/ready");
    let gone = roster_command(
        "sqlite:///tmp/never-opened.db",
        &["healthcheck", "--url", &down],
        "",
    )
    .code(1);
    let said = stderr(&gone);
    assert!(
        said.starts_with(&format!("roster: {down}: cannot connect: ")),
        "{said}"
    );
    assert_eq!(said.lines().count(), 1, "{said}");
}

#[tokio::test]
async fn a_sqlite_backup_taken_while_serving_restores_once_the_server_stops() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.user(&admin, "alice").await;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("roster-backup.db");
    let path = backup.to_str().unwrap();
    let url = app.database.url.clone();

    let done = roster_command(&url, &["backup", path], "").success();
    assert!(
        stdout(&done).starts_with(&format!("backed up 2 users to {path} (")),
        "{}",
        stdout(&done)
    );
    // Never over an existing file.
    let again = roster_command(&url, &["backup", path], "").code(1);
    assert!(stderr(&again).contains("exists"), "{}", stderr(&again));

    // A change after the backup, then a restore: refused while the server has the file open.
    app.user(&admin, "bob").await;
    let busy = roster_command(&url, &["restore", path, "--yes"], "").code(1);
    assert!(stderr(&busy).contains("is in use"), "{}", stderr(&busy));
    // Asked, and not confirmed: nothing happens.
    let database = app.stop().await;
    let declined = roster_command(&url, &["restore", path], "n\n").code(1);
    assert!(stderr(&declined).contains("not restored"));
    // A file that is not a database is refused before anything is replaced.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "not a database").unwrap();
    let refused = roster_command(&url, &["restore", junk.to_str().unwrap(), "--yes"], "").code(1);
    assert!(
        stderr(&refused).contains("is not a sound Roster database"),
        "{}",
        stderr(&refused)
    );

    let restored = roster_command(&url, &["restore", path], "y\n").success();
    assert!(
        stdout(&restored).contains("(2 users)"),
        "{}",
        stdout(&restored)
    );
    let app = TestApp::spawn_on(database, url, &[]);
    let names: Vec<_> = app
        .all_users(&admin)
        .await
        .iter()
        .map(|u| u["username"].clone())
        .collect();
    assert_eq!(names, [json!("admin"), json!("alice")]);
}

#[test]
fn a_server_database_is_backed_up_with_its_own_dump_tool() {
    let url = "postgres://roster:s3cret@127.0.0.1:1/roster";
    let advice = roster_command(url, &["backup", "/tmp/roster.dump"], "").code(1);
    let said = stderr(&advice);
    assert!(said.contains("pg_dump --format=custom --file=/tmp/roster.dump 'postgres://roster:***@127.0.0.1:1/roster'"), "{said}");
    assert!(!said.contains("s3cret"), "{said}");
}

backend_tests! {
    async fn migrations_are_listed_and_the_newest_reverted_and_applied_again() {
        let database = TestDatabase::create();
        let url = database.url.clone();
        roster_command(&url, &["migrate"], "").success();
        let status = stdout(&roster_command(&url, &["migrate", "status"], "").success());
        let lines: Vec<&str> = status.lines().collect();
        assert!(lines.len() >= 3, "{status}");
        assert!(lines.iter().all(|l| l.starts_with("applied  ")), "{status}");
        let newest = lines.last().unwrap().trim_start_matches("applied  ").to_owned();
        let version: String = newest.split('_').next().unwrap().replace('-', "");

        let declined = roster_command(&url, &["migrate", "revert"], "no\n").code(1);
        assert!(stderr(&declined).contains("not reverted"));
        let reverted = roster_command(&url, &["migrate", "revert", "--yes"], "").success();
        assert!(stdout(&reverted).starts_with(&format!("reverted {version}")), "{} vs {version}", stdout(&reverted));
        let status = stdout(&roster_command(&url, &["migrate", "status"], "").success());
        assert!(status.ends_with(&format!("pending  {newest}\n")), "{status}");

        let applied = roster_command(&url, &["migrate"], "").success();
        assert_eq!(stdout(&applied), "applied 1 migration(s); the database is up to date\n");
        let app = TestApp::spawn_on(database, url, &[]);
        app.admin().await;
    }
}
