//! What is stored, read straight from the database.

use diesel::sql_types::Text;
use diesel::{sql_query, Connection, QueryableByName, RunQueryDsl};

use crate::backends::TestBackend;
use crate::helpers::TestApp;

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = Text)]
    value: String,
}

/// Runs `$run` with a connection of the app's own backend bound to `$conn`.
macro_rules! on_database {
    ($app:expr, |$conn:ident| $run:expr) => {{
        let url = &$app.database.url;
        match $app.database.backend {
            TestBackend::Sqlite => {
                let path = url.trim_start_matches("sqlite://");
                let mut $conn = diesel::SqliteConnection::establish(path).unwrap();
                $run
            }
            #[cfg(feature = "postgres")]
            TestBackend::Postgres => {
                let mut $conn = diesel::PgConnection::establish(url).unwrap();
                $run
            }
            #[cfg(feature = "mysql")]
            TestBackend::Mysql => {
                let mut $conn = diesel::MysqlConnection::establish(url).unwrap();
                $run
            }
            #[allow(unreachable_patterns)] // reachable when a backend is not built in
            other => panic!("{other:?} is not built in"),
        }
    }};
}

/// The `value` column of `query`, run on the app's database.
pub(crate) fn column(app: &TestApp, query: &str) -> Vec<String> {
    let rows: Vec<Value> = on_database!(app, |conn| sql_query(query).load(&mut conn).unwrap());
    rows.into_iter().map(|r| r.value).collect()
}

/// Runs a statement on the app's database.
fn execute(app: &TestApp, statement: &str) {
    on_database!(app, |conn| sql_query(statement).execute(&mut conn).unwrap());
}

backend_tests! {
    async fn tokens_are_stored_as_sha256_and_passwords_as_argon2id() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;

        let hashes = column(&app, "SELECT token_hash AS value FROM tokens");
        assert_eq!(hashes.len(), 1);
        assert_ne!(hashes[0], admin.token);
        assert_eq!(hashes[0].len(), 64);
        let expected = {
            use sha2::Digest;
            format!("{:x}", sha2::Sha256::digest(admin.token.as_bytes()))
        };
        assert_eq!(hashes[0], expected);

        let passwords = column(&app, "SELECT password_hash AS value FROM users");
        assert!(passwords[0].starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!passwords[0].contains(&admin.password));
    }

    async fn deleting_a_user_deletes_its_token_rows() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        app.login("alice", &user.password).await.ok();
        let owned = format!("SELECT token_hash AS value FROM tokens WHERE user_id = {}", user.id);
        assert_eq!(column(&app, &owned).len(), 2);
        app.delete(&format!("/users/{}", user.id), Some(&admin.token))
            .await
            .ok();
        assert!(column(&app, &owned).is_empty());
    }
}

backend_tests! {
    async fn a_login_upgrades_a_hash_made_with_older_parameters() {
        use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let weak = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(8_192, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let old = weak
            .hash_password(admin.password.as_bytes(), &salt)
            .unwrap()
            .to_string();
        execute(&app, &format!("UPDATE users SET password_hash = '{old}' WHERE id = {}", admin.id));

        app.login("admin", &admin.password).await.ok();

        let stored = column(&app, "SELECT password_hash AS value FROM users");
        assert!(stored[0].starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", stored[0]);
        app.login("admin", &admin.password).await.ok();
        app.get("/user", Some(&admin.token)).await.ok();
    }
}

/// Makes the database refuse audit entries of `event`, as a full disk or a broken audit
/// table would: the change they record must then not be stored either.
fn refuse_audit_entries(app: &TestApp, event: &str) {
    use diesel::connection::SimpleConnection;
    let name = format!("refuse_{}", event.replace('.', "_"));
    let sql = match app.database.backend {
        TestBackend::Sqlite => format!(
            "CREATE TRIGGER {name} BEFORE INSERT ON audit_log WHEN NEW.event = '{event}' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        ),
        TestBackend::Postgres => format!(
            "CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN \
             IF NEW.event = '{event}' THEN RAISE EXCEPTION 'refused by the test'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER {name} BEFORE INSERT ON audit_log \
             FOR EACH ROW EXECUTE FUNCTION {name}();"
        ),
        TestBackend::Mysql => format!(
            "CREATE TRIGGER {name} BEFORE INSERT ON audit_log FOR EACH ROW BEGIN \
             IF NEW.event = '{event}' THEN \
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF; END"
        ),
    };
    on_database!(app, |conn| conn.batch_execute(&sql).unwrap());
}

backend_tests! {
    async fn a_change_is_not_stored_when_its_audit_entry_cannot_be() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        refuse_audit_entries(&app, "user.created");
        let body = serde_json::json!({"username": "bob", "password": "bob-glacier-kettle"});
        app.put("/users", Some(&admin.token), body).await.assert_error(500, 5000);
        assert!(column(&app, "SELECT username AS value FROM users WHERE username = 'bob'").is_empty());

        refuse_audit_entries(&app, "password.changed");
        let path = format!("/users/{}/password", alice.id);
        let new = serde_json::json!({"password": "alice-violet-harbour"});
        app.post(&path, Some(&admin.token), new).await.assert_error(500, 5000);
        // The old password still works, and the session it opened is still valid.
        app.get("/user", Some(&alice.token)).await.ok();
        app.login("alice", &alice.password).await.ok();
    }

    async fn a_refused_operation_leaves_no_audit_entry() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let path = format!("/users/{}", alice.id);
        let taken = serde_json::json!({"username": "ADMIN"});
        app.post(&path, Some(&admin.token), taken).await.assert_error(400, 1020);
        let last_admin = format!("/users/{}", admin.id);
        app.delete(&last_admin, Some(&admin.token)).await.assert_error(400, 1030);
        let wrong_old = serde_json::json!({"password": "alice-violet-harbour", "oldPassword": "nope-nope-nope"});
        app.post(&format!("{path}/password"), Some(&alice.token), wrong_old)
            .await
            .assert_error(403, 3004);
        let events = column(&app, "SELECT event AS value FROM audit_log ORDER BY id");
        for refused in ["user.updated", "user.deleted", "password.changed"] {
            assert!(!events.iter().any(|e| e == refused), "{refused} in {events:?}");
        }
        assert!(events.iter().any(|e| e == "user.created"), "{events:?}");
    }
}
