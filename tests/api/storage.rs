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

/// The `value` column of `query`, run on the app's database.
fn column(app: &TestApp, query: &str) -> Vec<String> {
    let url = &app.database.url;
    let rows: Vec<Value> = match app.database.backend {
        TestBackend::Sqlite => {
            let path = url.trim_start_matches("sqlite://");
            let mut conn = diesel::SqliteConnection::establish(path).unwrap();
            sql_query(query).load(&mut conn).unwrap()
        }
        #[cfg(feature = "postgres")]
        TestBackend::Postgres => {
            let mut conn = diesel::PgConnection::establish(url).unwrap();
            sql_query(query).load(&mut conn).unwrap()
        }
        #[cfg(feature = "mysql")]
        TestBackend::Mysql => {
            let mut conn = diesel::MysqlConnection::establish(url).unwrap();
            sql_query(query).load(&mut conn).unwrap()
        }
        #[allow(unreachable_patterns)] // reachable when a backend is not built in
        other => panic!("{other:?} is not built in"),
    };
    rows.into_iter().map(|r| r.value).collect()
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
