//! The admin console's files: served at `/` and under `/console/`, compiled in, each
//! under the strict policy. What the page does is proven in a browser by
//! tests/console/console.test.mjs.

use reqwest::Method;

use crate::helpers::{Body, Response, TestApp};

async fn fetch(app: &TestApp, path: &str) -> Response {
    app.raw_request(Method::GET, path, None, Body::None).await
}

#[track_caller]
fn assert_locked_down(answer: &Response) {
    let policy = answer.header("content-security-policy").unwrap();
    for directive in [
        "default-src 'self'",
        "script-src 'self';",
        "style-src 'self';",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} missing: {policy}");
    }
    assert!(!policy.contains("unsafe"), "{policy}");
    assert_eq!(answer.header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(
        answer.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
}

backend_tests! {
    async fn the_page_is_served_at_the_root_and_under_console() {
        let app = TestApp::spawn().await;
        let root = fetch(&app, "/").await;
        assert_eq!(root.status, 200);
        assert_eq!(
            root.header("content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert!(root.text.contains(r#"<script type="module" src="/console/app.js">"#));
        assert_locked_down(&root);
        let console = fetch(&app, "/console/").await;
        assert_eq!(console.status, 200);
        assert_eq!(console.text, root.text);
        assert_locked_down(&console);
        app.assert_redirect("/console", "/console/").await;
    }

    async fn the_scripts_and_styles_are_served_with_their_types() {
        let app = TestApp::spawn().await;
        for (path, content_type, sample) in [
            ("/console/app.js", "text/javascript; charset=utf-8", "renderUsers"),
            ("/console/api.js", "text/javascript; charset=utf-8", "sessionStorage"),
            ("/console/console.css", "text/css; charset=utf-8", "@media"),
            ("/console/favicon.svg", "image/svg+xml", "<svg"),
        ] {
            let answer = fetch(&app, path).await;
            assert_eq!(answer.status, 200, "{path}");
            assert_eq!(answer.header("content-type").as_deref(), Some(content_type));
            assert!(answer.text.contains(sample), "{path}");
            assert_locked_down(&answer);
        }
    }

    async fn unknown_console_files_and_methods_answer_in_json() {
        let app = TestApp::spawn().await;
        fetch(&app, "/console/missing.js").await.assert_error(404, 4002);
        fetch(&app, "/console/../Cargo.toml").await.assert_error(404, 4002);
        fetch(&app, "/console/js/app.js").await.assert_error(404, 4002);
        app.raw_request(Method::POST, "/", None, Body::None)
            .await
            .assert_error(405, 4050);
        app.raw_request(Method::DELETE, "/console/app.js", None, Body::None)
            .await
            .assert_error(405, 4050);
    }
}
