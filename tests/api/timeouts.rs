//! Slow and stalled clients: a request whose headers or body do not arrive within
//! `ROSTER_REQUEST_TIMEOUT` is answered 408 and its connection closed, so such clients
//! cannot hold connections (and file descriptors) open. The timeout is 300 ms here.

use std::time::Duration;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_stalled_body_gets_a_json_408_and_the_connection_closes() {
    let app = TestApp::spawn_with(&[("ROSTER_REQUEST_TIMEOUT", "300ms")]).await;
    let (answer, took) = app
        .exchange_raw(
            "POST /api/v1/login HTTP/1.1\r\nHost: roster\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{\"",
        )
        .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let error: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(error["code"], 4080, "{answer}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn stalled_headers_are_cut_off() {
    let app = TestApp::spawn_with(&[("ROSTER_REQUEST_TIMEOUT", "300ms")]).await;
    let (answer, took) = app
        .exchange_raw("GET /api/v1/info HTTP/1.1\r\nHost: ro")
        .await;
    // actix answers this one itself, before any request exists: a bare 408 (see
    // docs/security.md), then the connection closes.
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}
