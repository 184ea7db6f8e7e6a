//! Logins racing the changes that should end them: a password reset, a disable, a delete.
//! The overlap is driven by starting the change a few milliseconds into the login (while
//! its password is being verified), over several tries with different offsets; whatever
//! the interleaving, a racing login never ends up with a token that works afterwards.

use std::time::Duration;

use serde_json::json;

use crate::helpers::TestApp;

/// Offsets at which the change starts after the login, in milliseconds.
const OFFSETS: [u64; 6] = [0, 4, 8, 12, 16, 24];

async fn after(millis: u64) {
    tokio::time::sleep(Duration::from_millis(millis)).await;
}

backend_tests! {
    async fn a_login_racing_a_password_reset_never_keeps_its_token() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let path = format!("/users/{}/password", alice.id);
        let mut current = alice.password.clone();
        for (try_number, offset) in OFFSETS.into_iter().enumerate() {
            let next = format!("alice-reset-harbour-{try_number}");
            let (login, reset) = tokio::join!(app.login("alice", &current), async {
                after(offset).await;
                app.post(&path, Some(&admin.token), json!({"password": next})).await
            });
            reset.ok();
            if login.status == 200 {
                let token = login.body["token"].as_str().unwrap();
                app.get("/user", Some(token)).await.assert_error(401, 2002);
            } else {
                login.assert_error(401, 2003);
            }
            app.login("alice", &current).await.assert_error(401, 2003);
            current = next;
        }
        app.login("alice", &current).await.ok();
    }

    async fn a_login_racing_a_disable_never_keeps_its_token() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let path = format!("/users/{}", alice.id);
        for offset in OFFSETS {
            let (login, disable) = tokio::join!(app.login("alice", &alice.password), async {
                after(offset).await;
                app.post(&path, Some(&admin.token), json!({"disabled": true})).await
            });
            disable.ok();
            app.post(&path, Some(&admin.token), json!({"disabled": false})).await.ok();
            match login.status {
                200 => {
                    let token = login.body["token"].as_str().unwrap();
                    app.get("/user", Some(token)).await.assert_error(401, 2002);
                }
                _ => drop(login.assert_error(403, 3003)),
            }
        }
    }

    async fn a_login_racing_a_delete_is_refused_not_failed() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        for (try_number, offset) in OFFSETS.into_iter().enumerate() {
            let name = format!("gone{try_number}");
            let user = app.user(&admin, &name).await;
            let path = format!("/users/{}", user.id);
            let (login, delete) = tokio::join!(app.login(&name, &user.password), async {
                after(offset).await;
                app.delete(&path, Some(&admin.token)).await
            });
            delete.ok();
            match login.status {
                200 => {
                    let token = login.body["token"].as_str().unwrap();
                    app.get("/user", Some(token)).await.assert_error(401, 2002);
                }
                _ => drop(login.assert_error(401, 2003)),
            }
        }
    }
}
