//! Forward-auth: `/auth/forward` (Traefik, Caddy) and `/auth/request` (nginx), the access
//! rules, and the return address.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Persona, Response, TestApp};

const RULES: &str = r#"[
    {"host": "wiki.example.com", "path": "/admin", "allow": "admins"},
    {"host": "ops.example.com", "allow": ["alice", "group:ops"]},
    {"host": "public.example.com", "allow": "anyone"}
]"#;

async fn app_with_rules() -> TestApp {
    TestApp::spawn_with(&[
        ("ROSTER_TRUSTED_PROXIES", "127.0.0.1/32"),
        ("ROSTER_PUBLIC_URL", "https://roster.example.com"),
        ("ROSTER_COOKIE_DOMAIN", "example.com"),
        ("ROSTER_ACCESS", RULES),
    ])
    .await
}

/// Asks `/auth/forward` about `url` as Traefik would, with `extra` headers.
async fn forward(app: &TestApp, url: &str, extra: &[(&str, &str)]) -> Response {
    let parsed = url::Url::parse(url).unwrap();
    let uri = match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_owned(),
    };
    let mut headers = vec![
        ("x-forwarded-method", "GET"),
        ("x-forwarded-proto", parsed.scheme()),
        ("x-forwarded-host", parsed.host_str().unwrap()),
        ("x-forwarded-uri", uri.as_str()),
    ];
    headers.extend_from_slice(extra);
    app.with_headers(Method::GET, "/auth/forward", &headers, None)
        .await
}

/// Asks `/auth/request` about `url` as nginx would.
async fn nginx(app: &TestApp, url: &str, extra: &[(&str, &str)]) -> Response {
    let mut headers = vec![("x-original-url", url)];
    headers.extend_from_slice(extra);
    app.with_headers(Method::GET, "/auth/request", &headers, None)
        .await
}

fn bearer(who: &Persona) -> String {
    format!("Bearer {}", who.token)
}

backend_tests! {
    async fn a_signed_in_user_passes_with_remote_headers() {
        let app = app_with_rules().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let auth = bearer(&alice);
        for answer in [
            forward(&app, "https://app.example.com/x", &[("authorization", &auth)]).await,
            nginx(&app, "https://app.example.com/x", &[("authorization", &auth)]).await,
        ] {
            assert_eq!(answer.status, 200, "{}", answer.text);
            assert_eq!(answer.header("remote-user").as_deref(), Some("alice"));
            assert_eq!(answer.header("remote-email").as_deref(), Some("alice@example.com"));
            assert_eq!(answer.header("remote-name").as_deref(), Some(""));
            assert_eq!(answer.header("remote-groups").as_deref(), Some(""));
        }
        // The session cookie counts the same.
        let cookie = format!("roster_session={}", alice.token);
        let answer = forward(&app, "https://app.example.com/", &[("cookie", &cookie)]).await;
        assert_eq!(answer.header("remote-user").as_deref(), Some("alice"));
    }

    async fn strangers_are_sent_to_sign_in_or_told_401() {
        let app = app_with_rules().await;
        app.admin().await;
        let browser = forward(&app, "https://app.example.com/page?q=1", &[("accept", "text/html,application/xhtml+xml")]).await;
        assert_eq!(browser.status, 302);
        assert_eq!(
            browser.header("location").as_deref(),
            Some("https://roster.example.com/?rd=https%3A%2F%2Fapp.example.com%2Fpage%3Fq%3D1")
        );
        forward(&app, "https://app.example.com/", &[]).await.assert_error(401, 2001);
        // nginx's door answers 401 even to a browser: nginx makes the redirect.
        nginx(&app, "https://app.example.com/", &[("accept", "text/html")])
            .await
            .assert_error(401, 2001);
        let junk = forward(&app, "https://app.example.com/", &[("authorization", "Bearer nope")]).await;
        assert_eq!(junk.status, 401);
        // An `anyone` rule lets strangers in, with no user named.
        let open = nginx(&app, "https://public.example.com/", &[]).await;
        assert_eq!(open.status, 200);
        assert_eq!(open.header("remote-user").as_deref(), Some(""));
    }

    async fn the_rules_decide_first_match_wins() {
        let app = app_with_rules().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let bob = app.user(&admin, "bob").await;
        let (alice, bob, admin) = (bearer(&alice), bearer(&bob), bearer(&admin));
        let status = |r: Response| r.status;
        assert_eq!(status(nginx(&app, "https://wiki.example.com/admin/x", &[("authorization", &admin)]).await), 200);
        nginx(&app, "https://wiki.example.com/admin/x", &[("authorization", &alice)])
            .await
            .assert_error(403, 3013);
        // Dot segments and escapes do not get around a rule.
        assert_eq!(status(nginx(&app, "https://wiki.example.com/public/..%2fadmin", &[("authorization", &alice)]).await), 403);
        assert_eq!(status(nginx(&app, "https://wiki.example.com/%61dmin", &[("authorization", &alice)]).await), 403);
        assert_eq!(status(nginx(&app, "https://wiki.example.com/page", &[("authorization", &alice)]).await), 200);
        assert_eq!(status(forward(&app, "https://ops.example.com/", &[("authorization", &alice)]).await), 200);
        assert_eq!(status(forward(&app, "https://ops.example.com/", &[("authorization", &bob)]).await), 403);
    }

    async fn revocation_and_disabling_take_effect_on_the_next_request() {
        let app = app_with_rules().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let auth = bearer(&alice);
        let headers = [("authorization", auth.as_str())];
        let ask = || nginx(&app, "https://app.example.com/", &headers);
        assert_eq!(ask().await.status, 200);
        app.post(&format!("/users/{}", alice.id), Some(&admin.token), json!({"disabled": true}))
            .await
            .ok();
        assert_eq!(ask().await.status, 401);
        app.post(&format!("/users/{}", alice.id), Some(&admin.token), json!({"disabled": false}))
            .await
            .ok();
        let again = app.login("alice", &alice.password).await;
        let again = format!("Bearer {}", again.ok()["token"].as_str().unwrap());
        let sibling = app.sibling();
        let on_sibling = nginx(&sibling, "https://app.example.com/", &[("authorization", &again)]).await;
        assert_eq!(on_sibling.status, 200);
        app.with_headers(Method::POST, "/logout", &[("authorization", &again)], None).await.ok();
        // Refused at once, on the other instance too.
        let on_sibling = nginx(&sibling, "https://app.example.com/", &[("authorization", &again)]).await;
        assert_eq!(on_sibling.status, 401);
    }

    async fn api_tokens_pass_only_with_the_forward_auth_scope() {
        let app = app_with_rules().await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;
        let mut made = Vec::new();
        for scopes in [json!(["forward-auth"]), json!(["account"])] {
            let body = json!({"title": "proxy", "scopes": scopes});
            let answer = app.put("/tokens", Some(&alice.token), body).await;
            made.push(answer.ok()["token"].as_str().unwrap().to_owned());
        }
        let (scoped, unscoped) = (&made[0], &made[1]);
        let with = |token: &str| format!("Bearer {token}");
        let passed = forward(&app, "https://app.example.com/", &[("authorization", &with(scoped))]).await;
        assert_eq!(passed.header("remote-user").as_deref(), Some("alice"));
        forward(&app, "https://app.example.com/", &[("authorization", &with(unscoped))])
            .await
            .assert_error(403, 3013);

        // Basic with the token as password (any case of the owner's name, or none).
        use base64::Engine;
        let basic = |user: &str, password: &str| {
            let raw = format!("{user}:{password}");
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
        };
        for user in ["alice", "ALICE", ""] {
            let ok = nginx(&app, "https://app.example.com/", &[("authorization", &basic(user, scoped))]).await;
            assert_eq!(ok.status, 200, "{user}");
        }
        let named_other = nginx(&app, "https://app.example.com/", &[("authorization", &basic("admin", scoped))]).await;
        assert_eq!(named_other.status, 401);
        // Never a password, nor a session token, over Basic.
        for secret in [alice.password.as_str(), alice.token.as_str()] {
            let refused = nginx(&app, "https://app.example.com/", &[("authorization", &basic("alice", secret))]).await;
            assert_eq!(refused.status, 401);
        }
    }

    async fn proxy_headers_count_only_from_trusted_proxies() {
        // No trusted proxy: the URL asked for is unknown, so the rules cannot be matched
        // and a signed-in user is refused rather than let through a rule unchecked.
        let app = TestApp::spawn_with(&[("ROSTER_ACCESS", RULES)]).await;
        let admin = app.admin().await;
        nginx(&app, "https://app.example.com/", &[("authorization", &bearer(&admin))])
            .await
            .assert_error(403, 3013);
        // Without rules, any signed-in user passes wherever it goes.
        let plain = TestApp::spawn().await;
        let admin = plain.admin().await;
        let ok = nginx(&plain, "https://app.example.com/", &[("authorization", &bearer(&admin))]).await;
        assert_eq!(ok.header("remote-user").as_deref(), Some("admin"));
    }

    async fn only_protected_hosts_are_return_addresses() {
        let app = app_with_rules().await;
        for fine in [
            "https://wiki.example.com/page?x=1",
            "https://example.com/",
            "http://deep.sub.example.com/",
            "https://roster.example.com/",
        ] {
            let answer = app.get(&format!("/auth/return?rd={}", urlencode(fine)), None).await;
            assert_eq!(answer.ok()["url"], fine);
        }
        for evil in [
            "https://evil.test/",
            "//evil.test/",
            "javascript:alert(1)",
            "https://example.com.evil.test/",
            "https://evilexample.com/",
            "/relative",
        ] {
            app.get(&format!("/auth/return?rd={}", urlencode(evil)), None)
                .await
                .assert_error(400, 1047);
        }
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
