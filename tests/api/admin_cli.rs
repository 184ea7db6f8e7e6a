//! `roster user …` against the same database as a running server.

use assert_cmd::Command;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestDatabase};

/// `roster user <args>` on `url`, with `stdin`.
pub(crate) fn user_command(url: &str, args: &[&str], stdin: &str) -> assert_cmd::assert::Assert {
    roster_command(url, &[&["user"], args].concat(), stdin)
}

/// `roster <args>` on `url`, with `stdin`, and no other setting from the environment.
pub(crate) fn roster_command(url: &str, args: &[&str], stdin: &str) -> assert_cmd::assert::Assert {
    let mut command = Command::cargo_bin("roster").unwrap();
    for (name, _) in std::env::vars() {
        if name.starts_with("ROSTER_") {
            command.env_remove(name);
        }
    }
    command
        .env("ROSTER_DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .args(args)
        .write_stdin(stdin)
        .assert()
}

pub(crate) fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

pub(crate) fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

backend_tests! {
    async fn an_operator_manages_users_while_the_server_runs() {
        let database = TestDatabase::create();
        let url = database.url.clone();
        let app = TestApp::spawn_on(database, url.clone(), &[("ROSTER_REGISTRATION", "false")]);

        // The first admin, with registration closed.
        let created = user_command(&url, &["create", "root", "--email", "root@example.com", "--admin", "--password-stdin"], "root-glacier-kettle-1\n").success();
        assert!(stdout(&created).starts_with("created user root (id 1)"));
        let login = app.login("root", "root-glacier-kettle-1").await;
        let token = login.ok()["token"].as_str().unwrap().to_owned();
        app.get("/users", Some(&token)).await.ok();

        user_command(&url, &["create", "alice", "--name", "Alice", "--password-stdin"], "alice-glacier-kettle-1\n").success();
        let list = user_command(&url, &["list", "--json"], "").success();
        let users: Value = serde_json::from_str(&stdout(&list)).unwrap();
        assert_eq!(users.as_array().unwrap().len(), 2);
        assert!(users.as_array().unwrap().iter().all(|u| u["password"] == json!("")));
        let table = stdout(&user_command(&url, &["list", "--search", "ALI"], "").success());
        assert!(table.contains("alice") && !table.contains("root"), "{table}");

        let shown = stdout(&user_command(&url, &["show", "ALICE"], "").success());
        let alice: Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(alice["name"], json!("Alice"));
        let by_id = stdout(&user_command(&url, &["show", &format!("#{}", alice["id"])], "").success());
        assert_eq!(serde_json::from_str::<Value>(&by_id).unwrap(), alice);
        // A bare number is a username: a user named "1" is reached by name, not as id 1.
        user_command(&url, &["create", "1", "--password-stdin"], "one-glacier-kettle-1\n").success();
        let named_one = stdout(&user_command(&url, &["show", "1"], "").success());
        assert_eq!(serde_json::from_str::<Value>(&named_one).unwrap()["username"], json!("1"));
        let id_one = stdout(&user_command(&url, &["show", "#1"], "").success());
        assert_eq!(serde_json::from_str::<Value>(&id_one).unwrap()["username"], json!("root"));
        user_command(&url, &["show", "#x"], "").code(1);

        user_command(&url, &["update", "alice", "--name", "Alice L.", "--admin"], "").success();
        let me = app.get(&format!("/users/{}", alice["id"]), Some(&token)).await;
        assert_eq!((&me.ok()["name"], &me.ok()["isAdmin"]), (&json!("Alice L."), &json!(true)));

        // A password reset ends the user's sessions.
        let session = app.login("alice", "alice-glacier-kettle-1").await;
        let alice_token = session.ok()["token"].as_str().unwrap().to_owned();
        user_command(&url, &["reset-password", "alice", "--password-stdin"], "alice-new-kettle-2\n").success();
        app.get("/user", Some(&alice_token)).await.assert_error(401, 2002);
        app.login("alice", "alice-new-kettle-2").await.ok();

        user_command(&url, &["disable", "alice"], "").success();
        app.login("alice", "alice-new-kettle-2").await.assert_error(403, 3003);
        user_command(&url, &["enable", "alice"], "").success();
        app.login("alice", "alice-new-kettle-2").await.ok();

        // Deleting asks first; "n" keeps the user.
        let kept = user_command(&url, &["delete", "alice"], "n\n").code(1);
        assert_eq!(stderr(&kept), "roster: not deleted\n");
        user_command(&url, &["delete", "alice", "--yes"], "").success();
        app.login("alice", "alice-new-kettle-2").await.assert_error(401, 2003);

        // The CLI's actions are in the audit log.
        let audit = app.get("/audit?type=user.deleted", Some(&token)).await;
        assert_eq!(audit.ok()[0]["ip"], json!("cli"));
    }

    async fn the_cli_refuses_what_the_api_refuses() {
        let database = TestDatabase::create();
        let url = database.url.clone();
        user_command(&url, &["create", "root", "--admin", "--password-stdin"], "root-glacier-kettle-1\n").success();

        let weak = user_command(&url, &["create", "weak", "--password-stdin"], "password1\n").code(1);
        assert!(stderr(&weak).starts_with("roster: The password is too easy to guess."), "{}", stderr(&weak));
        let bad_name = user_command(&url, &["create", "no spaces", "--password-stdin"], "root-glacier-kettle-2\n").code(1);
        assert_eq!(stderr(&bad_name).lines().count(), 1);
        let taken = user_command(&url, &["create", "ROOT", "--password-stdin"], "root-glacier-kettle-2\n").code(1);
        assert_eq!(stderr(&taken), "roster: A user with this username already exists.\n");

        let last = user_command(&url, &["update", "root", "--no-admin"], "").code(1);
        assert!(stderr(&last).contains("last enabled admin"), "{}", stderr(&last));
        user_command(&url, &["disable", "root"], "").code(1);
        user_command(&url, &["delete", "root", "--yes"], "").code(1);
        let missing = user_command(&url, &["show", "nobody"], "").code(1);
        assert_eq!(stderr(&missing), "roster: no user \"nobody\"\n");

        // Usage errors exit 2.
        user_command(&url, &["create"], "").code(2);
        user_command(&url, &["frobnicate"], "").code(2);
        user_command(&url, &["update", "root", "--admin", "--no-admin"], "").code(2);
        let _ = database;
    }
}

mod groups_from_the_terminal {
    use serde_json::Value;

    use super::{roster_command, stdout, user_command};
    use crate::helpers::TestDatabase;

    fn group_command(url: &str, args: &[&str]) -> assert_cmd::assert::Assert {
        roster_command(url, &[&["group"], args].concat(), "")
    }

    backend_tests! {
        async fn an_operator_manages_groups() {
            let database = TestDatabase::create();
            let url = database.url.clone();
            user_command(&url, &["create", "alice", "--password-stdin"], "alice-glacier-kettle-1\n").success();
            let made = group_command(&url, &["create", "Ops", "--description", "On call"]).success();
            assert!(stdout(&made).starts_with("created group Ops (id "), "{}", stdout(&made));
            group_command(&url, &["create", "ops"]).code(1);
            group_command(&url, &["create", " bad"]).code(1);
            group_command(&url, &["add", "OPS", "ALICE"]).success();
            group_command(&url, &["add", "ops", "alice"]).success();
            let members: Value = serde_json::from_str(&stdout(&group_command(&url, &["members", "ops"]).success())).unwrap();
            assert_eq!(members[0]["username"], "alice");
            let listed: Value = serde_json::from_str(&stdout(&group_command(&url, &["list"]).success())).unwrap();
            assert_eq!(listed[0]["memberCount"], 1);
            let renamed: Value = serde_json::from_str(&stdout(&group_command(&url, &["update", "ops", "--name", "sre"]).success())).unwrap();
            assert_eq!(renamed["name"], "sre");
            group_command(&url, &["remove", "sre", "alice"]).success();
            group_command(&url, &["remove", "sre", "alice"]).code(1);
            group_command(&url, &["delete", "sre"]).success();
            group_command(&url, &["members", "sre"]).code(1);
        }
    }
}
