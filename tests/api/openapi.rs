//! The OpenAPI description: committed, served, and true to the routes it describes.

use std::process::Command;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Body, TestApp};

const COMMITTED: &str = include_str!("../../docs/openapi.json");

fn printed() -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("openapi")
        .env_remove("ROSTER_DATABASE_URL")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// Every (method, path) the description lists.
fn operations(document: &Value) -> Vec<(Method, String)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            found.push((method, path.clone()));
        }
    }
    found
}

#[test]
fn the_committed_description_is_what_roster_openapi_prints() {
    let printed = printed();
    assert!(
        printed == COMMITTED,
        "docs/openapi.json is stale: run `cargo run -- openapi > docs/openapi.json` and \
         commit the difference"
    );
    let document: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
}

#[test]
fn operation_ids_are_unique_and_every_route_of_the_contract_is_described() {
    let document: Value = serde_json::from_str(COMMITTED).unwrap();
    let described = operations(&document);
    for (method, path) in [
        ("GET", "/api/v1/info"),
        ("POST", "/api/v1/register"),
        ("POST", "/api/v1/login"),
        ("POST", "/api/v1/logout"),
        ("GET", "/api/v1/user"),
        ("GET", "/api/v1/users"),
        ("PUT", "/api/v1/users"),
        ("GET", "/api/v1/users/{id}"),
        ("POST", "/api/v1/users/{id}"),
        ("DELETE", "/api/v1/users/{id}"),
        ("POST", "/api/v1/users/{id}/password"),
        ("POST", "/api/v1/users/{id}/logout-all"),
        ("GET", "/api/v1/audit"),
    ] {
        assert!(
            described
                .iter()
                .any(|(m, p)| m.as_str() == method && p == path),
            "{method} {path} is not described"
        );
    }
    let mut ids: Vec<&str> = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|operation| operation["operationId"].as_str().unwrap())
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "duplicate operationId");
}

backend_tests! {
    async fn the_server_serves_the_committed_description() {
        let app = TestApp::spawn().await;
        let answer = app
            .raw_request(Method::GET, "/api/v1/docs.json", None, Body::None)
            .await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("content-type").as_deref(), Some("application/json"));
        assert_eq!(answer.text, COMMITTED);
    }

    async fn every_described_operation_is_routed() {
        let app = TestApp::spawn().await;
        let document: Value = serde_json::from_str(COMMITTED).unwrap();
        for (method, path) in operations(&document) {
            let path = path.replace("{id}", "1");
            let answer = app.raw_request(method.clone(), &path, None, Body::None).await;
            // No token and no body: a routed operation answers 200, 400 or 401, never the
            // 404/405 of a path or method the server does not have.
            assert!(
                [200, 400, 401].contains(&answer.status),
                "{method} {path}: {} {}",
                answer.status,
                answer.text
            );
        }
    }

    async fn the_docs_page_is_served_from_the_binary() {
        let app = TestApp::spawn().await;
        app.assert_redirect("/api/v1/docs", "/api/v1/docs/").await;

        let page = app.raw_request(Method::GET, "/api/v1/docs/", None, Body::None).await;
        assert_eq!(page.status, 200);
        assert!(page.header("content-type").unwrap().starts_with("text/html"));
        assert!(page.text.contains("swagger-ui"), "{}", page.text);

        // The page's own scripts and styles come from the server, pointed at our document.
        let initializer = app
            .raw_request(Method::GET, "/api/v1/docs/swagger-initializer.js", None, Body::None)
            .await;
        assert_eq!(initializer.status, 200);
        assert!(initializer.text.contains("/api/v1/docs.json"), "{}", initializer.text);
        for asset in ["swagger-ui.css", "swagger-ui-bundle.js"] {
            let answer = app
                .raw_request(Method::GET, &format!("/api/v1/docs/{asset}"), None, Body::None)
                .await;
            assert_eq!(answer.status, 200, "{asset}");
            assert!(answer.text.len() > 10_000, "{asset} is the real file");
        }
        app.raw_request(Method::GET, "/api/v1/docs/nothing-here.js", None, Body::None)
            .await
            .assert_error(404, 4002);
    }
}
