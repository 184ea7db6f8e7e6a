use serde_json::json;

use crate::helpers::TestApp;

backend_tests! {
    async fn racing_creates_of_one_username_give_exactly_one_success() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..12 {
            let client = app.client.clone();
            let url = format!("{}/api/v1/users", app.address);
            let token = admin.token.clone();
            tasks.spawn(async move {
                let body = json!({"username": "racer", "password": format!("racer-kettle-{i}")});
                let answer = client
                    .put(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = answer.status().as_u16();
                let body: serde_json::Value = answer.json().await.unwrap();
                (status, body)
            });
        }
        let answers = tasks.join_all().await;
        let successes = answers.iter().filter(|(status, _)| *status == 200).count();
        assert_eq!(successes, 1, "{answers:?}");
        for (status, body) in &answers {
            if *status != 200 {
                assert_eq!(*status, 400, "{body}");
                assert_eq!(body["code"], json!(1020), "{body}");
            }
        }
        let racers = app.get("/users?s=racer", Some(&admin.token)).await;
        assert_eq!(racers.ok().as_array().unwrap().len(), 1);
    }

    async fn concurrent_writers_never_see_database_is_locked() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..24 {
            let client = app.client.clone();
            let base = format!("{}/api/v1", app.address);
            let token = admin.token.clone();
            tasks.spawn(async move {
                // Creates and updates interleaved: each is a write transaction.
                let body = json!({"username": format!("writer{i}"), "password": "plum-kayak-41"});
                let created = client
                    .put(format!("{base}/users"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(created.status().as_u16(), 200);
                let id = created.json::<serde_json::Value>().await.unwrap()["id"].clone();
                let updated = client
                    .post(format!("{base}/users/{id}"))
                    .bearer_auth(&token)
                    .json(&json!({"name": format!("Writer {i}")}))
                    .send()
                    .await
                    .unwrap();
                updated.status().as_u16()
            });
        }
        assert!(tasks.join_all().await.iter().all(|s| *s == 200));
        assert_eq!(app.all_users(&admin).await.len(), 25);
    }
}
