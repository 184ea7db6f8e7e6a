//! Slow and stalled clients: a request whose headers or body do not arrive within
//! `ROSTER_REQUEST_TIMEOUT` is answered 408 and its connection closed, so such clients
//! cannot hold connections (and file descriptors) open. The timeout is 300 ms here.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::TestApp;

/// Sends `head_and_some_body`, then nothing; returns what the server wrote before closing
/// the connection, and how long that took.
async fn stall(app: &TestApp, head_and_some_body: &str) -> (String, Duration) {
    let address = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(head_and_some_body.as_bytes())
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    // Reading to the end proves the server closed the connection; the bound only keeps a
    // broken server from hanging the test.
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .unwrap();
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_stalled_body_gets_a_json_408_and_the_connection_closes() {
    let app = TestApp::spawn_with(&[("ROSTER_REQUEST_TIMEOUT", "300ms")]).await;
    let (answer, took) = stall(
        &app,
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
    let (answer, took) = stall(&app, "GET /api/v1/info HTTP/1.1\r\nHost: ro").await;
    // actix answers this one itself, before any request exists: a bare 408 (see
    // docs/security.md), then the connection closes.
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}
