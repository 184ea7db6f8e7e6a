//! Each request's identity in the log: its `X-Request-Id` (taken from the request when a
//! proxy set a sane one, generated otherwise, echoed in the response) and its client
//! address. Every line written while it is served carries both, and it ends with one access
//! line.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use argon2::password_hash::rand_core::{OsRng, RngCore};

use super::extractors::ClientIp;
use super::state::AppState;
use crate::logging::{self, InContext, RequestContext};

/// The header.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Middleware: gives the request its id and context, serves it inside that context, tags
/// the response with the id and writes the access line (target `roster::access`): the
/// request line and status as the message; method, route pattern, status, body bytes and
/// milliseconds as fields. Health checks get no line: probes every few seconds would drown
/// the rest. It also counts every request for the metrics, by method, route pattern and
/// status, with its latency (one middleware for both: each pass through one costs).
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&HEADER)
        .filter(|value| is_sane(value.as_bytes()))
        .cloned()
        .unwrap_or_else(generate);
    let context = Arc::new(RequestContext {
        // Sane ids and generated ones are ASCII.
        request_id: id.to_str().unwrap_or("unknown").to_owned(),
        client_ip: ClientIp::of(req.request()).to_string(),
    });
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().clone();
    // Patterns only: raw paths would put ids (user data, unbounded) into metric labels.
    let route = req.match_pattern();
    let quiet = route.as_deref().is_some_and(|r| r.starts_with("/health/"));
    let target = (!quiet && log::log_enabled!(target: "roster::access", log::Level::Info))
        .then(|| format!("{} {} {:?}", method, shown_uri(req.uri()), req.version()));
    let mut response = InContext::new(context.clone(), next.call(req)).await?;
    response.headers_mut().insert(HEADER, id);
    let status = response.status().as_u16();
    if let Some(state) = state {
        let route = route.as_deref().unwrap_or("unmatched");
        state
            .metrics
            .request(&method, route, status, started.elapsed());
    }
    if let Some(target) = target {
        let route = route.as_deref().unwrap_or("-");
        let bytes = match response.response().body().size() {
            BodySize::Sized(bytes) => i64::try_from(bytes).unwrap_or(i64::MAX),
            BodySize::None => 0,
            BodySize::Stream => -1,
        };
        let millis = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        logging::within(Some(context), || {
            log::info!(
                target: "roster::access",
                method = method.as_str(), route = route, status = status,
                bytes = bytes, duration_ms = millis;
                "\"{target}\" {status}"
            );
        });
    }
    Ok(response)
}

/// The request target as the access line shows it: the value of every `token` query
/// parameter (the links of reset and confirmation mails carry one) replaced by `…`, so no
/// link's secret reaches the log.
fn shown_uri(uri: &actix_web::http::Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.path().to_owned();
    };
    let shown: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if name.eq_ignore_ascii_case("token") => format!("{name}=…"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{}?{}", uri.path(), shown.join("&"))
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

    #[test]
    fn token_query_values_are_not_shown() {
        let shown = |uri: &str| shown_uri(&uri.parse().unwrap());
        assert_eq!(
            shown("/reset-password?token=s3cr3t"),
            "/reset-password?token=…"
        );
        assert_eq!(shown("/x?a=1&TOKEN=s&b=2"), "/x?a=1&TOKEN=…&b=2");
        assert_eq!(
            shown("/api/v1/users?s=ali&page=2"),
            "/api/v1/users?s=ali&page=2"
        );
        assert_eq!(shown("/api/v1/info"), "/api/v1/info");
    }
}
