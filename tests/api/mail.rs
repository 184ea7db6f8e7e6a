//! Password reset and address confirmation by mail, against a real SMTP server on
//! loopback: the mail is received over SMTP, parsed, and its link followed.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{form, Persona, TestApp};
use crate::smtp::{mail_env, SmtpServer, PUBLIC_URL};

/// An instance sending mail to `smtp_port`, with `extra` settings.
async fn mailing_app(smtp_port: u16, extra: &[(&str, &str)]) -> TestApp {
    let env = mail_env(smtp_port);
    let mut pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pairs.extend_from_slice(extra);
    TestApp::spawn_with(&pairs).await
}

async fn request_reset(app: &TestApp, email: &str) -> crate::helpers::Response {
    app.post("/user/password/token", None, json!({"email": email}))
        .await
}

async fn user_json(app: &TestApp, admin: &Persona, id: i64) -> Value {
    app.get(&format!("/users/{id}"), Some(&admin.token))
        .await
        .ok()
        .clone()
}

backend_tests! {
    async fn a_reset_link_arrives_by_smtp_and_sets_a_new_password() {
        let smtp = SmtpServer::start();
        let app = mailing_app(smtp.port, &[]).await;
        let admin = app.admin().await;
        let alice = app.user(&admin, "alice").await;

        let asked = request_reset(&app, "ALICE@example.com").await;
        assert_eq!(asked.ok()["message"], json!("If an account has this address, a mail with a link is on its way."));
        let mail = smtp.wait_for(1).await.remove(0);
        assert_eq!(mail.to, ["alice@example.com"]);
        assert_eq!(mail.header("Subject").as_deref(), Some("Reset your Roster password"));
        assert_eq!(mail.header("From").as_deref(), Some("Roster <roster@example.com>"));
        let text = mail.part("text/plain").unwrap();
        assert!(text.contains("Hello alice") && text.contains("works for 1 hour"), "{text}");
        assert!(text.contains("If you did not ask for a new password, ignore this mail"), "{text}");
        assert!(!mail.raw.contains(&alice.token) && !mail.raw.contains(&alice.password));
        let token = mail.token(PUBLIC_URL, "reset-password");
        assert_eq!(token.len(), 43);

        let reset = json!({"token": token, "newPassword": "alice-new-harbour-42"});
        let done = app.post("/user/password/reset", None, reset.clone()).await;
        assert_eq!(done.ok()["message"], json!("The password was updated successfully"));
        // Every session ended; only the new password works; the address is confirmed.
        app.get("/user", Some(&alice.token)).await.assert_error(401, 2002);
        app.login("alice", &alice.password).await.assert_error(401, 2003);
        app.login("alice", "alice-new-harbour-42").await.ok();
        assert_eq!(user_json(&app, &admin, alice.id).await["emailConfirmed"], json!(true));
        // Used up.
        app.post("/user/password/reset", None, reset).await.assert_error(400, 1040);
        let audit = app.get("/audit?type=password.reset", Some(&admin.token)).await;
        assert_eq!(audit.ok()[0]["targetId"], json!(alice.id));
        assert!(!audit.text.contains(&token));
        // Opening the link's page logs the request, not the token.
        let page = app.client.get(format!("{}/reset-password?token={token}", app.address)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(!crate::logs::lines_mentioning("GET /reset-password?token=…").is_empty());
        assert_eq!(crate::logs::lines_mentioning(&token), Vec::<String>::new());
    }

    async fn an_unknown_address_gets_the_same_answer_and_no_mail() {
        let smtp = SmtpServer::start();
        let app = mailing_app(smtp.port, &[]).await;
        let admin = app.admin().await;
        app.user(&admin, "bob").await;

        let unknown = request_reset(&app, "nobody@example.com").await;
        let known = request_reset(&app, "bob@example.com").await;
        assert_eq!((unknown.status, &unknown.body), (known.status, &known.body));
        // Mails go out in order: had the unknown address got one, it would be first.
        let mails = smtp.wait_for(1).await;
        assert_eq!(mails[0].to, ["bob@example.com"]);
        let again = request_reset(&app, "bob@example.com").await;
        assert_eq!(again.status, 200);
        assert_eq!(smtp.wait_for(2).await.len(), 2);
        // A malformed address is refused; form bodies work like JSON.
        request_reset(&app, "not an address").await.assert_error(400, 1012);
        let by_form = app
            .request(reqwest::Method::POST, "/user/password/token", None, form(&[("email", "bob@example.com")]))
            .await;
        assert_eq!(by_form.status, 200);
    }

    async fn expired_used_and_foreign_tokens_are_refused() {
        let smtp = SmtpServer::start();
        let app = mailing_app(smtp.port, &[]).await;
        let admin = app.admin().await;
        let carol = app.user(&admin, "carol").await;

        request_reset(&app, "carol@example.com").await.ok();
        let first = smtp.wait_for(1).await[0].token(PUBLIC_URL, "reset-password");
        // A reset token is no confirmation token, and garbage is nothing.
        app.post("/user/confirm", None, json!({"token": first})).await.assert_error(400, 1041);
        let garbage = json!({"token": "x", "newPassword": "carol-new-harbour-42"});
        app.post("/user/password/reset", None, garbage).await.assert_error(400, 1040);
        // A newer link replaces the older one.
        request_reset(&app, "carol@example.com").await.ok();
        let second = smtp.wait_for(2).await[1].token(PUBLIC_URL, "reset-password");
        let with = |token: &str| json!({"token": token, "newPassword": "carol-new-harbour-42"});
        app.post("/user/password/reset", None, with(&first)).await.assert_error(400, 1040);
        // A weak password is refused without using the link up.
        let weak = json!({"token": second, "newPassword": "password1"});
        app.post("/user/password/reset", None, weak).await.assert_error(400, 1018);
        // An hour later the link has expired.
        app.advance(Duration::from_secs(3601));
        app.post("/user/password/reset", None, with(&second)).await.assert_error(400, 1040);
        app.login("carol", &carol.password).await.ok();
    }

    async fn changing_the_password_or_disabling_the_account_ends_reset_links() {
        let smtp = SmtpServer::start();
        let app = mailing_app(smtp.port, &[]).await;
        let admin = app.admin().await;
        let dave = app.user(&admin, "dave").await;
        request_reset(&app, "dave@example.com").await.ok();
        let token = smtp.wait_for(1).await[0].token(PUBLIC_URL, "reset-password");
        let change = json!({"password": "dave-new-harbour-42", "oldPassword": dave.password});
        app.post(&format!("/users/{}/password", dave.id), Some(&dave.token), change).await.ok();
        let reset = json!({"token": token, "newPassword": "dave-other-harbour-43"});
        app.post("/user/password/reset", None, reset).await.assert_error(400, 1040);

        request_reset(&app, "dave@example.com").await.ok();
        let token = smtp.wait_for(2).await[1].token(PUBLIC_URL, "reset-password");
        app.post(&format!("/users/{}", dave.id), Some(&admin.token), json!({"disabled": true})).await.ok();
        let reset = json!({"token": token, "newPassword": "dave-other-harbour-43"});
        app.post("/user/password/reset", None, reset).await.assert_error(400, 1040);
        // A disabled account gets no link, and the answer does not say so.
        assert_eq!(request_reset(&app, "dave@example.com").await.status, 200);
    }

    async fn with_confirmation_required_login_waits_for_the_link() {
        let smtp = SmtpServer::start();
        let app = mailing_app(smtp.port, &[("ROSTER_EMAIL_CONFIRMATION", "required")]).await;
        let info = app.get("/info", None).await;
        assert_eq!((&info.ok()["mailEnabled"], &info.ok()["emailConfirmation"]), (&json!(true), &json!("required")));

        let registered = app.register("erin", "erin-glacier-kettle", "erin@example.com").await;
        assert_eq!(registered.status, 202, "{}", registered.text);
        assert!(registered.body["id"].is_i64() && registered.body.get("token").is_none());
        // A wrong password is still the one answer for both; a right one says why.
        app.login("erin", "wrong-password-1").await.assert_error(401, 2003);
        app.login("erin", "erin-glacier-kettle").await.assert_error(403, 3007);

        let mail = smtp.wait_for(1).await.remove(0);
        assert_eq!(mail.header("Subject").as_deref(), Some("Confirm your email address for Roster"));
        assert!(mail.part("text/plain").unwrap().contains("works for 7 days"));
        let token = mail.token(PUBLIC_URL, "confirm-email");
        let confirmed = app.post("/user/confirm", None, json!({"token": token})).await;
        assert_eq!(confirmed.ok()["message"], json!("The email address is confirmed."));
        let session = app.login("erin", "erin-glacier-kettle").await;
        let me = app.get("/user", session.ok()["token"].as_str()).await;
        assert_eq!(me.ok()["emailConfirmed"], json!(true));
        app.post("/user/confirm", None, json!({"token": token})).await.assert_error(400, 1041);
        // Asking again for a confirmed address sends nothing.
        app.post("/user/confirm/token", None, json!({"email": "erin@example.com"})).await.ok();
        let admin = Persona::with_token(session.ok()["token"].as_str().unwrap());
        let audit = app.get("/audit?type=email.confirmed", Some(&admin.token)).await;
        assert_eq!(audit.ok().as_array().unwrap().len(), 1);
        assert_eq!(smtp.received().len(), 1);
    }

    async fn a_changed_address_is_unconfirmed_until_its_own_link_is_followed() {
        let smtp = SmtpServer::start();
        let app = mailing_app(smtp.port, &[("ROSTER_EMAIL_CONFIRMATION", "optional")]).await;
        let admin = app.admin().await;
        let _admin_mail = smtp.wait_for(1).await;
        let frank = app.user(&admin, "frank").await;
        let old = smtp.wait_for(2).await[1].token(PUBLIC_URL, "confirm-email");
        assert_eq!(user_json(&app, &admin, frank.id).await["emailConfirmed"], json!(false));

        let path = format!("/users/{}", frank.id);
        let changed = app.post(&path, Some(&admin.token), json!({"email": "frank@example.org"})).await;
        assert_eq!(changed.ok()["emailConfirmed"], json!(false));
        let mail = smtp.wait_for(3).await.remove(2);
        assert_eq!(mail.to, ["frank@example.org"]);
        app.post("/user/confirm", None, json!({"token": old})).await.assert_error(400, 1042);
        let new = mail.token(PUBLIC_URL, "confirm-email");
        app.post("/user/confirm", None, json!({"token": new})).await.ok();
        assert_eq!(user_json(&app, &admin, frank.id).await["emailConfirmed"], json!(true));
        // An admin may vouch for an address, and creates users with it confirmed.
        let vouched = app.post(&path, Some(&admin.token), json!({"email": "frank@example.net", "emailConfirmed": true})).await;
        assert_eq!(vouched.ok()["emailConfirmed"], json!(true));
        let body = json!({"username": "gina", "password": "gina-glacier-kettle", "email": "gina@example.com", "emailConfirmed": true});
        assert_eq!(app.put("/users", Some(&admin.token), body).await.ok()["emailConfirmed"], json!(true));
        // No mail for either.
        app.post("/user/confirm/token", None, json!({"email": "frank@example.net"})).await.ok();
        request_reset(&app, "admin@example.com").await.ok();
        let mails = smtp.wait_for(4).await;
        assert_eq!(mails.len(), 4);
        assert_eq!(mails[3].to, ["admin@example.com"]);
    }

    async fn requests_are_throttled_per_address_known_or_not() {
        let smtp = SmtpServer::start();
        let app = mailing_app(smtp.port, &[("ROSTER_IP_MAIL_REQUESTS_PER_MINUTE", "100")]).await;
        for address in ["someone@example.com", "nobody@example.com"] {
            for _ in 0..5 {
                assert_eq!(request_reset(&app, address).await.status, 200);
            }
            let refused = request_reset(&app, &address.to_uppercase()).await;
            refused.assert_error(429, 4290);
            let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
            assert!((3000..=3600).contains(&wait), "{wait}");
        }
    }
}

#[tokio::test]
async fn without_mail_the_routes_say_so() {
    let app = TestApp::spawn().await;
    let info = app.get("/info", None).await;
    assert_eq!(
        (&info.ok()["mailEnabled"], &info.ok()["emailConfirmation"]),
        (&json!(false), &json!("off"))
    );
    request_reset(&app, "someone@example.com")
        .await
        .assert_error(403, 3008);
    app.post(
        "/user/confirm/token",
        None,
        json!({"email": "someone@example.com"}),
    )
    .await
    .assert_error(403, 3008);
}

#[tokio::test]
async fn per_client_address_requests_are_throttled_too() {
    let smtp = SmtpServer::start();
    let app = mailing_app(smtp.port, &[]).await;
    for i in 0..10 {
        assert_eq!(
            request_reset(&app, &format!("user{i}@example.com"))
                .await
                .status,
            200
        );
    }
    request_reset(&app, "user10@example.com")
        .await
        .assert_error(429, 4290);
}

/// Waits (at most 10 s) until the instance's metrics page has `line`.
async fn wait_for_metric(app: &TestApp, line: &str) {
    let metrics = app
        .metrics_address
        .clone()
        .expect("ROSTER_METRICS_BIND is set");
    let mut page = String::new();
    for _ in 0..200 {
        page = reqwest::get(format!("{metrics}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if page.lines().any(|l| l == line) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {line} in {page}");
}

#[tokio::test]
async fn mail_waits_out_an_smtp_outage() {
    let port = SmtpServer::free_port();
    let app = mailing_app(port, &[("ROSTER_METRICS_BIND", "127.0.0.1:0")]).await;
    let admin = app.admin().await;
    app.user(&admin, "hana").await;
    // The server is down: the request is answered all the same, the mail waits.
    assert_eq!(request_reset(&app, "hana@example.com").await.status, 200);
    wait_for_metric(&app, "roster_mails_total{outcome=\"retried\"} 1").await;
    wait_for_metric(&app, "roster_mail_queued 1").await;
    let smtp = SmtpServer::start_on(port);
    app.kick_mail();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(smtp.received().is_empty(), "not before its retry is due");
    app.advance(Duration::from_secs(31));
    app.kick_mail();
    let mail = smtp.wait_for(1).await.remove(0);
    assert_eq!(mail.to, ["hana@example.com"]);
    // The link of the failed try was never delivered; this one works.
    let token = mail.token(PUBLIC_URL, "reset-password");
    let reset = json!({"token": token, "newPassword": "hana-new-harbour-42"});
    app.post("/user/password/reset", None, reset).await.ok();
}

#[tokio::test]
async fn queued_mail_survives_a_restart() {
    let port = SmtpServer::free_port();
    let app = mailing_app(port, &[]).await;
    let admin = app.admin().await;
    app.user(&admin, "ivan").await;
    assert_eq!(request_reset(&app, "ivan@example.com").await.status, 200);
    let app = app.restart().await;
    let smtp = SmtpServer::start_on(port);
    // Past the retry, and past the lease of a send the stop may have cut short.
    app.advance(Duration::from_secs(121));
    app.kick_mail();
    assert_eq!(smtp.wait_for(1).await[0].to, ["ivan@example.com"]);
}

#[tokio::test]
async fn two_instances_send_each_mail_once() {
    let smtp = SmtpServer::start();
    let app = mailing_app(smtp.port, &[("ROSTER_IP_MAIL_REQUESTS_PER_MINUTE", "100")]).await;
    let sibling = app.sibling();
    let admin = app.admin().await;
    let names: Vec<String> = (0..12).map(|i| format!("member{i}")).collect();
    for name in &names {
        app.user(&admin, name).await;
    }
    for (i, name) in names.iter().enumerate() {
        let to = if i % 2 == 0 { &app } else { &sibling };
        assert_eq!(
            request_reset(to, &format!("{name}@example.com"))
                .await
                .status,
            200
        );
        app.kick_mail();
        sibling.kick_mail();
    }
    let mails = smtp.wait_for(names.len()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut to: Vec<String> = smtp.received().into_iter().flat_map(|m| m.to).collect();
    to.sort();
    let mut expected: Vec<String> = names.iter().map(|n| format!("{n}@example.com")).collect();
    expected.sort();
    assert_eq!(to, expected, "each once ({} at first)", mails.len());
}

#[tokio::test]
async fn a_permanent_refusal_is_not_retried() {
    let smtp = SmtpServer::refusing();
    let app = mailing_app(smtp.port, &[("ROSTER_METRICS_BIND", "127.0.0.1:0")]).await;
    let admin = app.admin().await;
    app.user(&admin, "jana").await;
    request_reset(&app, "jana@example.com").await.ok();
    wait_for_metric(&app, "roster_mails_total{outcome=\"failed\"} 1").await;
    wait_for_metric(&app, "roster_mails_total{outcome=\"retried\"} 0").await;
    wait_for_metric(&app, "roster_mail_queued 0").await;
    assert!(smtp.received().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_operator_confirms_an_address_and_tests_mail_from_the_command_line() {
    let smtp = SmtpServer::start();
    let app = mailing_app(smtp.port, &[("ROSTER_EMAIL_CONFIRMATION", "required")]).await;
    assert_eq!(
        app.register("kim", "kim-glacier-kettle", "kim@example.com")
            .await
            .status,
        202
    );
    app.login("kim", "kim-glacier-kettle")
        .await
        .assert_error(403, 3007);
    let url = app.database.url.clone();
    let confirmed = crate::admin_cli::user_command(&url, &["confirm", "KIM"], "").success();
    assert_eq!(
        crate::admin_cli::stdout(&confirmed).trim(),
        "the address kim@example.com of kim is confirmed"
    );
    app.login("kim", "kim-glacier-kettle").await.ok();

    let mut command = assert_cmd::Command::cargo_bin("roster").unwrap();
    for (name, _) in std::env::vars() {
        if name.starts_with("ROSTER_") {
            command.env_remove(name);
        }
    }
    for (name, value) in mail_env(smtp.port) {
        command.env(name, value);
    }
    let before = smtp.received().len();
    let tested = command
        .env("ROSTER_DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .args(["mail", "test", "ops@example.com"])
        .assert()
        .success();
    let said = crate::admin_cli::stdout(&tested);
    assert!(
        said.starts_with("sent to ops@example.com; the SMTP server answered: 250"),
        "{said}"
    );
    let mails = smtp.wait_for(before + 1).await;
    assert_eq!(
        mails[before].header("Subject").as_deref(),
        Some("Roster test mail")
    );

    // Without mail set up, it says what to set.
    let refused =
        crate::admin_cli::roster_command(&url, &["mail", "test", "ops@example.com"], "").failure();
    assert!(crate::admin_cli::stderr(&refused).contains("ROSTER_SMTP_URL"));
}

#[test]
fn start_up_refuses_mail_settings_that_cannot_work() {
    use roster::config::Settings;
    let read = |pairs: &[(&str, &str)]| {
        Settings::from_lookup(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    let smtp = ("ROSTER_SMTP_URL", "smtp://127.0.0.1:2525?tls=none");
    let from = ("ROSTER_MAIL_FROM", "roster@example.com");
    let public = ("ROSTER_PUBLIC_URL", "https://users.example.com");
    assert!(read(&[smtp, public])
        .unwrap_err()
        .contains("ROSTER_MAIL_FROM"));
    assert!(read(&[smtp, from])
        .unwrap_err()
        .contains("ROSTER_PUBLIC_URL"));
    assert!(read(&[("ROSTER_EMAIL_CONFIRMATION", "required")])
        .unwrap_err()
        .contains("ROSTER_SMTP_URL"));
    assert!(read(&[
        ("ROSTER_SMTP_URL", "smtp://mail.example.com:25?tls=none"),
        from,
        public
    ])
    .is_err());
    assert!(read(&[
        smtp,
        from,
        public,
        ("ROSTER_EMAIL_CONFIRMATION", "optional")
    ])
    .is_ok());
}
