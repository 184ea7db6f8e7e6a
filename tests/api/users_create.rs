use reqwest::Method;
use serde_json::json;

use crate::helpers::{form, Body, TestApp};

backend_tests! {
    async fn an_admin_creates_a_user_who_can_then_log_in() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let body = json!({"username": "noom", "password": "noom-glacier-kettle", "email": "noom@example.com", "name": "Noom"});
        let answer = app.put("/users", Some(&admin.token), body).await;
        let created = answer.ok();
        assert_eq!(created["username"], json!("noom"));
        assert_eq!(created["name"], json!("Noom"));
        assert_eq!(created["email"], json!("noom@example.com"));
        assert_eq!(created["password"], json!(""));
        assert_eq!(created["isAdmin"], json!(false));
        assert_eq!(created["disabled"], json!(false));
        assert_eq!(created["created"], created["updated"]);

        let stored = app
            .get(&format!("/users/{}", created["id"]), Some(&admin.token))
            .await;
        assert_eq!(stored.ok(), created);
        let login = app.login("noom", "noom-glacier-kettle").await;
        assert_eq!(login.ok()["id"], created["id"]);
    }

    async fn email_is_optional_and_is_admin_is_honoured() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let body = json!({"username": "boss", "password": "boss-glacier-kettle", "isAdmin": true});
        let created = app.put("/users", Some(&admin.token), body).await;
        assert_eq!(created.ok()["email"], json!(""));
        assert_eq!(created.ok()["isAdmin"], json!(true));
        let token = app.login("boss", "boss-glacier-kettle").await.ok()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        app.get("/users", Some(&token)).await.ok();
    }

    async fn create_takes_the_form_value_user_or_plain_fields() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = form(&[(
            "user",
            r#"{"username": "formjson", "password": "plum-kayak-41", "name": "Lorem Impsum"}"#,
        )]);
        let answer = app
            .request(Method::PUT, "/users", Some(&admin.token), user)
            .await;
        assert_eq!(answer.ok()["name"], json!("Lorem Impsum"));

        let plain = form(&[
            ("username", "formplain"),
            ("password", "plum-kayak-41"),
            ("isAdmin", "true"),
        ]);
        let answer = app
            .request(Method::PUT, "/users", Some(&admin.token), plain)
            .await;
        assert_eq!(answer.ok()["isAdmin"], json!(true));

        let broken = form(&[("user", "{not json")]);
        app.request(Method::PUT, "/users", Some(&admin.token), broken)
            .await
            .assert_error(400, 1001);

        // A field beside `user` is refused, not dropped: it would have been ignored.
        let beside = form(&[
            ("user", r#"{"username": "beside", "password": "plum-kayak-41"}"#),
            ("isAdmin", "true"),
        ]);
        let message = app
            .request(Method::PUT, "/users", Some(&admin.token), beside)
            .await
            .assert_error(400, 1001);
        assert!(message.contains("`isAdmin`"), "{message}");
        assert!(!app.all_users(&admin).await.iter().any(|u| u["username"] == json!("beside")));
    }

    async fn names_that_disguise_themselves_are_refused() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        for username in [".", "..", "-", "._-"] {
            let body = json!({"username": username, "password": "plum-kayak-41"});
            app.put("/users", Some(&admin.token), body).await.assert_error(400, 1010);
        }
        for name in ["admin\u{202E}nimda", "ad\u{200B}min", "\u{FEFF}Frida"] {
            let body = json!({"username": "frida", "password": "plum-kayak-41", "name": name});
            app.put("/users", Some(&admin.token), body).await.assert_error(400, 1013);
        }
        assert_eq!(app.all_users(&admin).await.len(), 1);
        let body = json!({"username": "7", "password": "plum-kayak-41", "name": "مريم"});
        app.put("/users", Some(&admin.token), body).await.ok();
    }

    async fn invalid_creates_are_refused_and_store_nothing() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        app.user(&admin, "taken").await;
        let cases = [
            (json!({"username": "new"}), 1001),
            (json!({"password": "plum-kayak-41"}), 1001),
            (json!({"username": "new", "password": "1234567"}), 1011),
            (
                json!({"username": "new", "password": "x".repeat(1025)}),
                1011,
            ),
            (json!({"username": "new!", "password": "plum-kayak-41"}), 1010),
            (
                json!({"username": "x".repeat(65), "password": "plum-kayak-41"}),
                1010,
            ),
            (
                json!({"username": "new", "password": "plum-kayak-41", "email": "x@"}),
                1012,
            ),
            (
                json!({"username": "new", "password": "plum-kayak-41", "name": "a\nb"}),
                1013,
            ),
            (
                json!({"username": "new", "password": "plum-kayak-41", "isAdmin": "yes"}),
                1001,
            ),
            (
                json!({"username": "new", "password": "plum-kayak-41", "role": "admin"}),
                1001,
            ),
            (json!({"username": "TAKEN", "password": "plum-kayak-41"}), 1020),
            (
                json!({"username": "new", "password": "plum-kayak-41", "email": "TAKEN@example.com"}),
                1021,
            ),
            (json!([]), 1001),
            (json!(null), 1001),
        ];
        for (body, code) in cases {
            let answer = app.put("/users", Some(&admin.token), body.clone()).await;
            answer.assert_error(400, code);
        }
        assert_eq!(app.all_users(&admin).await.len(), 2);
    }

    async fn the_admin_check_comes_before_the_payload() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        let malformed = || Body::Raw("application/json", b"{oops".to_vec());
        app.request(Method::PUT, "/users", Some(&user.token), malformed())
            .await
            .assert_error(403, 3001);
        app.request(Method::PUT, "/users", None, malformed())
            .await
            .assert_error(401, 2001);
        let huge = Body::Raw("application/json", vec![b' '; 200 * 1024]);
        app.request(Method::PUT, "/users", None, huge)
            .await
            .assert_error(401, 2001);
        assert_eq!(app.all_users(&admin).await.len(), 2);
    }

    async fn passwords_are_kept_exactly_as_sent() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let password = "  spaced ünïcode  ";
        let body = json!({"username": "exact", "password": password});
        app.put("/users", Some(&admin.token), body).await.ok();
        app.login("exact", password).await.ok();
        app.login("exact", password.trim())
            .await
            .assert_error(401, 2003);
    }

    async fn the_new_user_is_located_under_the_public_url() {
        let app = TestApp::spawn_with(&[("ROSTER_PUBLIC_URL", "https://users.example.com/")]).await;
        let admin = app.admin().await;
        let body = json!({"username": "noom", "password": "noom-glacier-kettle"});
        let created = app.put("/users", Some(&admin.token), body).await;
        let id = created.ok()["id"].clone();
        let location = created.header("location").unwrap();
        assert_eq!(location, format!("https://users.example.com/api/v1/users/{id}"));

        let plain = TestApp::spawn().await;
        let admin = plain.admin().await;
        let body = json!({"username": "noom", "password": "noom-glacier-kettle"});
        let created = plain.put("/users", Some(&admin.token), body).await;
        assert_eq!(created.header("location").unwrap(), "/api/v1/users/2");
    }
}

mod sign_in_addresses {
    //! Identity providers provision the sign-in address as the username: `@` and `+` are
    //! accepted on every door, with the same case-insensitive uniqueness.

    use serde_json::json;

    use crate::admin_cli::user_command;
    use crate::helpers::TestApp;

    backend_tests! {
        async fn usernames_may_be_sign_in_addresses_on_every_door() {
            let app = TestApp::spawn().await;
            let admin = app.admin().await;
            let body = json!({"username": "alice@contoso.com", "password": "alice-glacier-kettle", "email": "alice@contoso.com"});
            let made = app.put("/users", Some(&admin.token), body).await;
            assert_eq!(made.ok()["username"], "alice@contoso.com");
            let clash = json!({"username": "ALICE@Contoso.com", "password": "alice-glacier-kettle", "email": "other@contoso.com"});
            app.put("/users", Some(&admin.token), clash).await.assert_error(400, 1020);
            app.login("Alice@Contoso.COM", "alice-glacier-kettle").await.ok();

            let registered = app.register("a.b+ops@example.com", "plum-kayak-41-zebra", "ab@example.com").await;
            assert!(registered.ok()["token"].is_string());
            app.register("a#b", "plum-kayak-41-zebra", "c@example.com").await.assert_error(400, 1010);

            user_command(&app.database.url, &["create", "carol+test@example.org", "--password-stdin"], "carol-glacier-kettle-1\n").success();
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), "{\"username\": \"dave@example.net\", \"password\": \"dave-glacier-kettle-1\"}\n").unwrap();
            user_command(&app.database.url, &["import", file.path().to_str().unwrap()], "").success();
            let names: Vec<String> = app.all_users(&admin).await.iter().map(|u| u["username"].as_str().unwrap().to_owned()).collect();
            for name in ["alice@contoso.com", "a.b+ops@example.com", "carol+test@example.org", "dave@example.net"] {
                assert!(names.contains(&name.to_owned()), "{name} in {names:?}");
            }
        }
    }
}
