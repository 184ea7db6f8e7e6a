//! `roster user import` and `export`: JSON Lines in bulk, checked before anything is stored.

use std::io::Write;

use serde_json::{json, Value};

use crate::admin_cli::{stderr, stdout, user_command};
use crate::helpers::{TestApp, TestDatabase};

fn write_lines(lines: &[String]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for line in lines {
        writeln!(file, "{line}").unwrap();
    }
    file
}

fn path(file: &tempfile::NamedTempFile) -> &str {
    file.path().to_str().unwrap()
}

backend_tests! {
    async fn a_file_with_bad_lines_is_refused_whole_naming_each_line() {
        let database = TestDatabase::create();
        let url = database.url.clone();
        let app = TestApp::spawn_on(database, url.clone(), &[]);
        let admin = app.admin().await;
        let bcrypt = bcrypt::hash("ok-glacier-kettle", 4).unwrap();
        let file = write_lines(&[
            json!({"username": "ok1", "email": "ok1@example.com", "password": "ok1-glacier-kettle"}).to_string(),
            "not json".into(),
            json!({"username": "bad name!", "passwordHash": bcrypt}).to_string(),
            "   ".into(),
            json!({"username": "OK1", "passwordHash": bcrypt}).to_string(),
            json!({"username": "x", "passwordHash": "plain text"}).to_string(),
            json!({"username": "y", "password": "y-glacier-kettle", "passwordHash": bcrypt}).to_string(),
            json!({"username": "ADMIN", "passwordHash": bcrypt}).to_string(),
            json!({"username": "z", "password": "password"}).to_string(),
            json!({"username": "w", "passwordHash": bcrypt, "id": 3}).to_string(),
        ]);
        let refused = user_command(&url, &["import", path(&file)], "").failure();
        let report = stderr(&refused);
        for line in [2, 3, 5, 6, 7, 8, 9, 10] {
            assert!(report.contains(&format!("\nline {line}: ")), "line {line} in {report}");
        }
        for line in [1, 4] {
            assert!(!report.contains(&format!("\nline {line}: ")), "line {line} in {report}");
        }
        assert!(report.contains("8 bad line(s); nothing was imported"), "{report}");
        assert_eq!(app.all_users(&admin).await.len(), 1, "nothing stored");
    }

    async fn imported_users_log_in_with_plain_argon2_and_bcrypt_passwords() {
        let database = TestDatabase::create();
        let url = database.url.clone();
        let app = TestApp::spawn_on(database, url.clone(), &[]);
        let admin = app.admin().await;
        // A hash as Vikunja (Go, $2a$) or PHP-made Wekan-era data ($2y$) would hold.
        let bcrypt_2y = bcrypt::hash_with_result("vik-glacier-kettle", 10)
            .unwrap()
            .format_for_version(bcrypt::Version::TwoY);
        let file = write_lines(&[
            json!({"username": "plain", "email": "plain@example.com", "name": "Plain Zyqvorn", "password": "plain-glacier-kettle"}).to_string(),
            json!({"username": "vik", "email": "vik@example.com", "name": "From Vikunja", "passwordHash": bcrypt_2y, "isAdmin": true}).to_string(),
            json!({"username": "gone", "passwordHash": bcrypt_2y, "disabled": true}).to_string(),
        ]);
        let imported = user_command(&url, &["import", path(&file)], "").success();
        assert!(stdout(&imported).starts_with("imported 3 users"), "{}", stdout(&imported));

        let users = app.all_users(&admin).await;
        let vik = users.iter().find(|u| u["username"] == "vik").unwrap();
        assert_eq!((&vik["isAdmin"], &vik["name"], &vik["password"]), (&json!(true), &json!("From Vikunja"), &json!("")));
        app.login("plain", "plain-glacier-kettle").await.ok();
        app.login("gone", "vik-glacier-kettle").await.assert_error(403, 3003);
        // Imported users are found by the search index.
        let found = app.get("/users?s=zyqvorn", Some(&admin.token)).await;
        assert_eq!(found.ok().as_array().unwrap().len(), 1);

        // The bcrypt hash works, and the login upgrades it to argon2id.
        let hash_of = |username: &str| {
            let export = stdout(&user_command(&url, &["export"], "").success());
            let line = export.lines().map(|l| serde_json::from_str::<Value>(l).unwrap())
                .find(|u| u["username"] == username).unwrap();
            line["passwordHash"].as_str().unwrap().to_owned()
        };
        assert!(hash_of("vik").starts_with("$2y$"));
        app.login("vik", "vik-glacier-kettle").await.ok();
        assert!(hash_of("vik").starts_with("$argon2id$"), "rehashed at login");
        app.login("vik", "vik-glacier-kettle").await.ok();
        app.login("vik", "wrong-glacier-kettle").await.assert_error(401, 2003);
    }

    async fn an_export_imports_into_a_new_database_unchanged() {
        let database = TestDatabase::create();
        let url = database.url.clone();
        let app = TestApp::spawn_on(database, url.clone(), &[]);
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        app.user(&admin, "bob").await;
        // A confirmed address stays confirmed across the move.
        let vouch = json!({"emailConfirmed": true});
        app.post(&format!("/users/{}", alice.id), Some(&admin.token), vouch).await.ok();
        // So does the identity provider's id of a provisioned user.
        let token = app.put("/tokens", Some(&admin.token), json!({"title": "idp", "scopes": ["scim"]})).await;
        let token = token.ok()["token"].as_str().unwrap().to_owned();
        let patch = json!({"Operations": [{"op": "add", "path": "externalId", "value": "00u-bob"}]});
        let provisioned = app
            .client
            .patch(format!("{}/scim/v2/Users/{}", app.address, alice.id + 1))
            .bearer_auth(&token)
            .json(&patch)
            .send()
            .await
            .unwrap();
        assert_eq!(provisioned.status(), 200);
        let exported = tempfile::NamedTempFile::new().unwrap();
        let written = user_command(&url, &["export", path(&exported)], "").success();
        assert!(stderr(&written).contains("exported 3 users"));
        let first = std::fs::read_to_string(exported.path()).unwrap();
        assert_eq!(first.lines().count(), 3);
        assert!(first.lines().all(|l| l.contains("\"passwordHash\":\"$argon2id$")));
        assert_eq!(first.matches("\"emailConfirmed\":true").count(), 1, "{first}");
        assert_eq!(first.matches("\"externalId\":\"00u-bob\"").count(), 1, "{first}");

        let other = TestDatabase::create();
        user_command(&other.url, &["import", path(&exported)], "").success();
        let again = stdout(&user_command(&other.url, &["export"], "").success());
        assert_eq!(again, first);
        let copy = TestApp::spawn_on(other.clone(), other.url.clone(), &[]);
        copy.login("admin", &admin.password).await.ok();
    }
}
