use serde_json::{json, Value};

use crate::helpers::{Persona, TestApp};

async fn create(app: &TestApp, admin: &Persona, username: &str, name: &str, email: &str) {
    let body =
        json!({"username": username, "password": "plum-kayak-41", "name": name, "email": email});
    app.put("/users", Some(&admin.token), body).await.ok();
}

fn usernames(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect()
}

backend_tests! {
    async fn only_admins_may_list_users() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let user = app.user(&admin, "alice").await;
        app.get("/users", None).await.assert_error(401, 2001);
        let answer = app.get("/users", Some(&user.token)).await;
        assert_eq!(answer.assert_error(403, 3001), "Only admins may do this.");
        // The admin check comes before the query is looked at.
        app.get("/users?page=0", Some(&user.token))
            .await
            .assert_error(403, 3001);
    }

    async fn users_are_listed_by_id_in_pages_with_pagination_headers() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        for name in ["u2", "u3", "u4", "u5", "u6"] {
            create(&app, &admin, name, "", "").await;
        }

        let all = app.get("/users", Some(&admin.token)).await;
        assert_eq!(usernames(all.ok()), ["admin", "u2", "u3", "u4", "u5", "u6"]);
        assert_eq!(all.header("x-pagination-total-pages").as_deref(), Some("1"));
        assert_eq!(
            all.header("x-pagination-result-count").as_deref(),
            Some("6")
        );

        let page = app
            .get("/users?page=2&per_page=4", Some(&admin.token))
            .await;
        assert_eq!(usernames(page.ok()), ["u5", "u6"]);
        assert_eq!(
            page.header("x-pagination-total-pages").as_deref(),
            Some("2")
        );
        assert_eq!(
            page.header("x-pagination-result-count").as_deref(),
            Some("2")
        );
        assert_eq!(
            page.header("x-pagination-total-count").as_deref(),
            Some("6")
        );

        let beyond = app
            .get("/users?page=9&per_page=4", Some(&admin.token))
            .await;
        assert_eq!(beyond.ok(), &json!([]));
        assert_eq!(
            beyond.header("x-pagination-total-pages").as_deref(),
            Some("2")
        );
        assert_eq!(
            beyond.header("x-pagination-result-count").as_deref(),
            Some("0")
        );
        let none = app.get("/users?s=nobody-at-all", Some(&admin.token)).await;
        assert_eq!(none.header("x-pagination-total-count").as_deref(), Some("0"));

        // More than 1000 per page is reduced to 1000, not refused.
        let big = app.get("/users?per_page=5000", Some(&admin.token)).await;
        assert_eq!(big.ok().as_array().unwrap().len(), 6);

        for body in all.ok().as_array().unwrap() {
            assert_eq!(body["password"], json!(""));
        }
    }

    async fn bad_pages_are_refused() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        for query in [
            "page=0",
            "page=-1",
            "page=abc",
            "page=",
            "per_page=0",
            "per_page=ten",
            "per_page=1.5",
        ] {
            let answer = app
                .get(&format!("/users?{query}"), Some(&admin.token))
                .await;
            answer.assert_error(400, 1015);
        }
    }

    async fn search_terms_with_control_characters_are_refused() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        for term in ["%00", "a%0Ab", "%7F"] {
            app.get(&format!("/users?s={term}"), Some(&admin.token))
                .await
                .assert_error(400, 1022);
        }
        assert_eq!(app.get("/users?s=%20", Some(&admin.token)).await.status, 200);
    }

    async fn search_matches_username_name_or_email_ignoring_case() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        create(&app, &admin, "alice", "Alice Liddell", "alice@wonder.land").await;
        create(&app, &admin, "bob", "Bobby Tables", "bob@example.com").await;
        create(&app, &admin, "carol", "Carol", "carol@WONDER.land").await;

        let search = |s: &'static str| {
            let app = &app;
            let token = admin.token.clone();
            async move { app.get(&format!("/users?s={s}"), Some(&token)).await }
        };
        assert_eq!(usernames(search("ALICE").await.ok()), ["alice"]);
        assert_eq!(usernames(search("tables").await.ok()), ["bob"]);
        assert_eq!(usernames(search("wonder").await.ok()), ["alice", "carol"]);
        assert_eq!(usernames(search("zzz").await.ok()), Vec::<&str>::new());
        let one = search("wonder").await;
        assert_eq!(
            one.header("x-pagination-result-count").as_deref(),
            Some("2")
        );
        // An empty term means no filter.
        assert_eq!(search("").await.ok().as_array().unwrap().len(), 4);
    }

    async fn percent_and_underscore_are_taken_literally() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        create(&app, &admin, "a_b", "", "").await;
        create(&app, &admin, "axb", "", "").await;
        create(&app, &admin, "sale", "50% off", "").await;
        create(&app, &admin, "bulk", "500 off", "").await;
        create(&app, &admin, "slash", r"back\slash", "").await;

        let get = |query: &'static str| app.get(query, Some(&admin.token));
        assert_eq!(usernames(get("/users?s=_").await.ok()), ["a_b"]);
        assert_eq!(usernames(get("/users?s=a_b").await.ok()), ["a_b"]);
        assert_eq!(usernames(get("/users?s=%25").await.ok()), ["sale"]);
        assert_eq!(usernames(get("/users?s=50%25").await.ok()), ["sale"]);
        assert_eq!(usernames(get("/users?s=%5C").await.ok()), ["slash"]);

        let page = get("/users?s=off&per_page=1&page=2").await;
        assert_eq!(usernames(page.ok()), ["bulk"]);
        assert_eq!(
            page.header("x-pagination-total-pages").as_deref(),
            Some("2")
        );
    }

    async fn indexed_search_answers_exactly_what_a_scan_would() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        let people = [
            ("frida", "Frida Kahlo", "frida@casa-azul.mx"),
            ("diego", "Diego Rivera", "diego@casa-azul.mx"),
            ("zoe", "Zoë \"Zed\" O'Brien", "zoe@example.com"),
            ("quote", "say \"hello\" OR goodbye", ""),
            ("under_score", "100% sure", "u_s@example.org"),
            ("mixed", "MiXeD CaSe NaMe", "MIXED@Example.COM"),
            ("kahlo2", "Another Kahlo", ""),
        ];
        for (username, name, email) in people {
            create(&app, &admin, username, name, email).await;
        }
        let everyone = app.all_users(&admin).await;
        let terms = [
            "kahlo", "KAHLO", "casa-azul", "azul.mx", "zoë", "\"zed\"", "o'brien", "\"hello\" or",
            "OR goodbye", "0% s", "u_s@", "mixed case", "example", "abc", "ahl", "no such thing",
            "e.c", "@", "ka", "a",
        ];
        for term in terms {
            // The contract's rule: a literal substring of username, name or email, with ASCII
            // letters in any case (the test data's other letters have one case only).
            let needle = term.to_ascii_lowercase();
            let expected: Vec<&str> = everyone
                .iter()
                .filter(|u| {
                    ["username", "name", "email"].iter().any(|field| {
                        u[*field].as_str().unwrap().to_ascii_lowercase().contains(&needle)
                    })
                })
                .map(|u| u["username"].as_str().unwrap())
                .collect();
            let query = serde_urlencoded::to_string([("s", term), ("per_page", "3")]).unwrap();
            let answer = app.get(&format!("/users?{query}"), Some(&admin.token)).await;
            let first_page: Vec<&str> = expected.iter().take(3).copied().collect();
            assert_eq!(usernames(answer.ok()), first_page, "term {term:?}");
            let pages = expected.len().div_ceil(3).to_string();
            assert_eq!(
                answer.header("x-pagination-total-pages").as_deref(),
                Some(pages.as_str()),
                "term {term:?}"
            );
        }
    }

    async fn the_search_index_follows_renames_and_deletes() {
        let app = TestApp::spawn().await;
        let admin = app.admin().await;
        create(&app, &admin, "walter", "Walter White", "walter@example.com").await;
        let id = app.all_users(&admin).await.last().unwrap()["id"].as_i64().unwrap();
        let search = |s: &'static str| {
            let (app, token) = (&app, admin.token.clone());
            async move { app.get(&format!("/users?s={s}"), Some(&token)).await }
        };
        assert_eq!(usernames(search("white").await.ok()), ["walter"]);

        let rename = json!({"name": "Heisenberg", "email": "h@example.com"});
        app.post(&format!("/users/{id}"), Some(&admin.token), rename).await.ok();
        assert!(usernames(search("white").await.ok()).is_empty());
        assert!(usernames(search("walter%40").await.ok()).is_empty());
        assert_eq!(usernames(search("heisen").await.ok()), ["walter"]);
        assert_eq!(usernames(search("h%40example").await.ok()), ["walter"]);

        app.delete(&format!("/users/{id}"), Some(&admin.token)).await.ok();
        assert!(usernames(search("heisen").await.ok()).is_empty());
    }
}
