//! Several instances on one database, as behind a load balancer.

use serde_json::json;

use crate::helpers::TestApp;

backend_tests! {
    async fn tokens_and_revocations_are_shared_between_instances() {
        let one = TestApp::spawn().await;
        let two = one.sibling();
        let admin = one.admin().await;
        two.get("/user", Some(&admin.token)).await.ok();

        // Created through the second, used on the first.
        let user = two.user(&admin, "alice").await;
        one.get("/user", Some(&user.token)).await.ok();

        // Disabled through the first: locked out on the second at once.
        let path = format!("/users/{}", user.id);
        one.post(&path, Some(&admin.token), json!({"disabled": true}))
            .await
            .ok();
        two.get("/user", Some(&user.token))
            .await
            .assert_error(401, 2002);
        two.login("alice", &user.password)
            .await
            .assert_error(403, 3003);

        // Logged out on the second: refused on the first.
        let session = one.login("admin", &admin.password).await;
        let token = session.ok()["token"].as_str().unwrap().to_owned();
        two.post("/logout", Some(&token), json!({})).await.ok();
        one.get("/user", Some(&token)).await.assert_error(401, 2002);
    }

    async fn racing_creates_over_two_instances_keep_names_unique() {
        let one = TestApp::spawn().await;
        let two = one.sibling();
        let admin = one.admin().await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..12 {
            let address = if i % 2 == 0 { &one.address } else { &two.address };
            let url = format!("{address}/api/v1/users");
            let client = one.client.clone();
            let token = admin.token.clone();
            // Case variants of one name: all the same user.
            let username = ["racer", "Racer", "RACER"][i % 3];
            tasks.spawn(async move {
                let body = json!({"username": username, "password": "plum-kayak-41"});
                let answer = client.put(url).bearer_auth(token).json(&body).send().await.unwrap();
                let status = answer.status().as_u16();
                (status, answer.json::<serde_json::Value>().await.unwrap())
            });
        }
        let answers = tasks.join_all().await;
        let created = answers.iter().filter(|(status, _)| *status == 200).count();
        assert_eq!(created, 1, "{answers:?}");
        for (status, body) in &answers {
            if *status != 200 {
                assert_eq!((*status, &body["code"]), (400, &json!(1020)), "{body}");
            }
        }
        let listed = two.get("/users?s=racer", Some(&admin.token)).await;
        assert_eq!(listed.ok().as_array().unwrap().len(), 1);
    }

    async fn two_admins_stepping_down_at_once_leave_one_admin() {
        let app = TestApp::spawn().await;
        let first = app.admin().await;
        let body = json!({"username": "second", "password": "plum-kayak-42", "isAdmin": true});
        app.put("/users", Some(&first.token), body).await.ok();
        let second = app.login("second", "plum-kayak-42").await.ok()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let sibling = app.sibling();

        // Each demotes itself, through different instances, at the same moment.
        let first_path = format!("/users/{}", first.id);
        let demote_first = app.post(&first_path, Some(&first.token), json!({"isAdmin": false}));
        let demote_second = sibling.post("/users/2", Some(&second), json!({"isAdmin": false}));
        let (a, b) = tokio::join!(demote_first, demote_second);
        let mut statuses = [a.status, b.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 400], "{a:?} {b:?}");
        let refused = if a.status == 400 { &a } else { &b };
        refused.assert_error(400, 1030);

        // Exactly one enabled admin remains.
        let token = if a.status == 400 { &first.token } else { &second };
        let users = app.all_users(&crate::helpers::Persona::with_token(token)).await;
        let admins = users.iter().filter(|u| u["isAdmin"] == json!(true)).count();
        assert_eq!(admins, 1);
    }

    async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
        let app = TestApp::spawn().await;
        let first = app.admin().await;
        let body = json!({"username": "second", "password": "plum-kayak-42", "isAdmin": true});
        let second_id = app.put("/users", Some(&first.token), body).await.ok()["id"].clone();
        let second = app.login("second", "plum-kayak-42").await.ok()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let sibling = app.sibling();

        let (first_path, second_path) = (format!("/users/{}", first.id), format!("/users/{second_id}"));
        let first_demotes_second =
            app.post(&second_path, Some(&first.token), json!({"isAdmin": false}));
        let second_demotes_first =
            sibling.post(&first_path, Some(&second), json!({"isAdmin": false}));
        let (a, b) = tokio::join!(first_demotes_second, second_demotes_first);
        let outcomes = [(a.status, a.body["code"].clone()), (b.status, b.body["code"].clone())];
        let succeeded = outcomes.iter().filter(|(s, _)| *s == 200).count();
        assert_eq!(succeeded, 1, "{outcomes:?}");
        // The loser was either refused by the guard, or was no longer an admin when checked.
        for (status, code) in &outcomes {
            assert!(
                matches!((*status, code.as_u64()), (200, _) | (400, Some(1030)) | (403, Some(3001))),
                "{outcomes:?}"
            );
        }
        let winner = if a.status == 200 { &first.token } else { &second };
        let users = app.all_users(&crate::helpers::Persona::with_token(winner)).await;
        let admins = users.iter().filter(|u| u["isAdmin"] == json!(true)).count();
        assert_eq!(admins, 1);
    }
}
