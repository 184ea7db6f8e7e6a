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
fn column(app: &TestApp, query: &str) -> Vec<String> {
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
