//! Malformed HTTP. Once a request's head has been read, every error is Roster's JSON, body
//! framing included; a head that is not HTTP/1.1 is answered by actix-web itself with an
//! empty 400 or 431 and a closed connection, before any request exists (the list is in
//! docs/security.md, and these tests keep it true).

use crate::helpers::TestApp;

/// The status line and the body of a raw answer.
fn parts(answer: &str) -> (&str, &str) {
    let status = answer.lines().next().unwrap_or_default();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn errors_after_the_head_are_json() {
    let app = TestApp::spawn().await;
    let cases: [(&[u8], &str, u64); 3] = [
        // Chunked framing that is not hex.
        (
            b"POST /api/v1/login HTTP/1.1\r\nHost: roster\r\nContent-Type: application/json\r\n\
              Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            "HTTP/1.1 400 Bad Request",
            1001,
        ),
        // A path that is not UTF-8 once decoded.
        (
            b"GET /api/v1/users/%FF HTTP/1.1\r\nHost: roster\r\nConnection: close\r\n\r\n",
            "HTTP/1.1 401 Unauthorized",
            2001,
        ),
        // A 60 KB query: within what HTTP parsing takes, so Roster answers.
        (
            format!(
                "GET /api/v1/nowhere?{} HTTP/1.1\r\nHost: roster\r\nConnection: close\r\n\r\n",
                "a".repeat(60_000)
            )
            .leak()
            .as_bytes(),
            "HTTP/1.1 404 Not Found",
            4002,
        ),
    ];
    for (request, status, code) in cases {
        let (answer, _) = app.exchange_raw(request).await;
        let (line, body) = parts(&answer);
        assert_eq!(line, status, "{answer}");
        let error: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        assert_eq!(error["code"], code, "{answer}");
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{answer}"
        );
    }
}

#[tokio::test]
async fn a_head_that_is_not_http_gets_actix_s_bare_answer_and_a_closed_connection() {
    let app = TestApp::spawn().await;
    let many_headers: String = (0..100).map(|i| format!("X-H{i}: 1\r\n")).collect();
    let cases = [
        // More than 96 headers, or a head over 128 KiB.
        (format!("GET /api/v1/info HTTP/1.1\r\nHost: roster\r\n{many_headers}\r\n"), "431"),
        (format!("GET /api/v1/info HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(140_000)), "431"),
        // A request target over 65,534 bytes, or bytes outside ASCII in it.
        (format!("GET /api/v1/info?{} HTTP/1.1\r\n\r\n", "a".repeat(70_000)), "400"),
        ("GET /api/v1/\u{e9} HTTP/1.1\r\nHost: roster\r\n\r\n".to_owned(), "400"),
        // Framing headers that contradict or do not parse; a header name with a space.
        ("POST /api/v1/login HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n".to_owned(), "400"),
        ("POST /api/v1/login HTTP/1.1\r\nContent-Length: abc\r\n\r\n".to_owned(), "400"),
        ("GET /api/v1/info HTTP/1.1\r\nBad Header: 1\r\n\r\n".to_owned(), "400"),
        // Not HTTP/1 at all (HTTP/2 without negotiation).
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_owned(), "400"),
    ];
    for (request, status) in cases {
        let (answer, _) = app.exchange_raw(&request).await;
        let (line, body) = parts(&answer);
        assert!(line.starts_with(&format!("HTTP/1.1 {status} ")), "{answer}");
        assert!(
            answer
                .to_ascii_lowercase()
                .contains("content-length: 0\r\n"),
            "{answer}"
        );
        assert!(
            answer
                .to_ascii_lowercase()
                .contains("connection: close\r\n"),
            "{answer}"
        );
        assert_eq!(body, "", "{answer}");
    }
    // The server goes on serving.
    app.get("/info", None).await.ok();
}
