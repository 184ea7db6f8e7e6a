//! `X-Request-Id`: taken from the request when a proxy set a sane one, generated
//! otherwise; echoed in the response, and written in the access log line.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

use argon2::password_hash::rand_core::{OsRng, RngCore};

/// The header.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Middleware: makes sure every response carries a request id.
pub async fn tag(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&HEADER)
        .filter(|value| is_sane(value.as_bytes()))
        .cloned()
        .unwrap_or_else(generate);
    let mut response = next.call(req).await?;
    response.headers_mut().insert(HEADER, id);
    Ok(response)
}

/// Up to 128 characters of letters, digits, `-`, `_`, `.` and `:`: anything else could
/// forge log lines, so it is replaced.
fn is_sane(value: &[u8]) -> bool {
    !value.is_empty()
        && value.len() <= 128
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// A random per-process prefix and a counter: unique across instances and requests (which
/// is all an id must be), without a system call per request.
fn generate() -> HeaderValue {
    static PREFIX: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(|| OsRng.next_u64());
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    // Hex digits are always a valid header value.
    HeaderValue::from_str(&format!("{prefix:016x}{count:016x}"))
        .unwrap_or(HeaderValue::from_static("unknown"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sane_ids_are_kept() {
        assert!(is_sane(b"req-42.a_b:c"));
        assert!(!is_sane(b""));
        assert!(!is_sane(b"two words"));
        assert!(!is_sane(b"line\nbreak"));
        assert!(!is_sane(&[b'a'; 129]));
        assert_eq!(generate().len(), 32);
    }
}
