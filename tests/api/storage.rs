//! What is stored, read straight from the database file.

use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::Text;

use crate::helpers::TestApp;

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = Text)]
    value: String,
}

fn column(app: &TestApp, query: &str) -> Vec<String> {
    let mut conn = SqliteConnection::establish(&app.db_path.to_string_lossy()).unwrap();
    let rows: Vec<Value> = sql_query(query).load(&mut conn).unwrap();
    rows.into_iter().map(|r| r.value).collect()
}

#[tokio::test]
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

#[tokio::test]
async fn deleting_a_user_deletes_its_token_rows() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let user = app.user(&admin, "alice").await;
    app.login("alice", &user.password).await.ok();
    let owned = format!(
        "SELECT token_hash AS value FROM tokens WHERE user_id = {}",
        user.id
    );
    assert_eq!(column(&app, &owned).len(), 2);
    app.delete(&format!("/users/{}", user.id), Some(&admin.token))
        .await
        .ok();
    assert!(column(&app, &owned).is_empty());
}
