//! The process's log: env_logger, writing text or JSON lines (`ROSTER_LOG_FORMAT`). Every
//! line written while a request is served carries that request's id and client address:
//! the request's future runs inside [`InContext`], and work sent to the blocking pool takes
//! the context along ([`spawn_blocking`]).

use std::cell::RefCell;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use env_logger::fmt::Formatter;
use log::kv::{Key, Value, VisitSource};
use log::Record;

/// How lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// `[time level target] message key=value …`, for people.
    Text,
    /// One JSON object per line, for log pipelines.
    Json,
}

impl LogFormat {
    /// `text` or `json`.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            _ => Err("expected `text` or `json`".into()),
        }
    }
}

/// What every line written for a request says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// The `X-Request-Id` of the answer.
    pub request_id: String,
    /// The client address by the trusted-proxy rule.
    pub client_ip: String,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<RequestContext>>> = const { RefCell::new(None) };
}

/// The context of the request being served on this thread, if any.
pub fn current() -> Option<Arc<RequestContext>> {
    CURRENT.with(|current| current.borrow().clone())
}

/// Runs `f` with `context` as the current one, then puts the previous back (even if `f`
/// panics).
pub fn within<R>(context: Option<Arc<RequestContext>>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<RequestContext>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|current| *current.borrow_mut() = previous);
        }
    }
    let _restore = Restore(CURRENT.with(|current| current.replace(context)));
    f()
}

/// A future that is polled with its request's context current: the requests a worker
/// thread interleaves each log with their own.
pub struct InContext<F> {
    context: Arc<RequestContext>,
    inner: Pin<Box<F>>,
}

impl<F> InContext<F> {
    /// `inner`, run in `context`.
    pub fn new(context: Arc<RequestContext>, inner: F) -> Self {
        Self {
            context,
            inner: Box::pin(inner),
        }
    }
}

impl<F: Future> Future for InContext<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        within(Some(this.context.clone()), || this.inner.as_mut().poll(cx))
    }
}

/// `actix_rt::task::spawn_blocking` that keeps the caller's request context.
pub fn spawn_blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> actix_rt::task::JoinHandle<T> {
    let context = current();
    actix_rt::task::spawn_blocking(move || within(context, work))
}

/// Installs the process's logger: `filter` as `RUST_LOG` reads, lines in `format`.
pub fn init(format: LogFormat, filter: &str) {
    builder(format, filter).init();
}

/// The logger [`init`] installs, to be given another target (tests capture it).
pub fn builder(format: LogFormat, filter: &str) -> env_logger::Builder {
    let mut builder = env_logger::Builder::new();
    builder.parse_filters(filter);
    match format {
        LogFormat::Text => builder.format(write_text),
        LogFormat::Json => builder.format(write_json),
    };
    builder
}

fn write_text(buf: &mut Formatter, record: &Record<'_>) -> std::io::Result<()> {
    let time = buf.timestamp_millis();
    write!(
        buf,
        "[{time} {:<5} {}] {}",
        record.level(),
        record.target(),
        record.args()
    )?;
    for (key, value) in fields(record) {
        match value {
            Field::Text(text) => write!(buf, " {key}={text:?}")?,
            Field::Number(number) => write!(buf, " {key}={number}")?,
        }
    }
    writeln!(buf)
}

fn write_json(buf: &mut Formatter, record: &Record<'_>) -> std::io::Result<()> {
    let mut line = serde_json::Map::new();
    let mut put = |key: &str, value: serde_json::Value| {
        line.insert(key.to_owned(), value);
    };
    put("time", buf.timestamp_millis().to_string().into());
    put("level", record.level().as_str().into());
    put("target", record.target().into());
    put("message", record.args().to_string().into());
    for (key, value) in fields(record) {
        put(
            &key,
            match value {
                Field::Text(text) => text.into(),
                Field::Number(number) => number.into(),
            },
        );
    }
    serde_json::to_writer(&mut *buf, &line)?;
    writeln!(buf)
}

/// A key-value of a line.
enum Field {
    Text(String),
    Number(i64),
}

/// The record's key-values, then the request's context.
fn fields(record: &Record<'_>) -> Vec<(String, Field)> {
    struct Collect(Vec<(String, Field)>);
    impl<'kvs> VisitSource<'kvs> for Collect {
        fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), log::kv::Error> {
            let field = match value.to_i64() {
                Some(number) => Field::Number(number),
                None => Field::Text(value.to_string()),
            };
            self.0.push((key.to_string(), field));
            Ok(())
        }
    }
    let mut collected = Collect(Vec::new());
    // A source that fails half-way still gave the pairs before.
    let _ = record.key_values().visit(&mut collected);
    if let Some(context) = current() {
        collected
            .0
            .push(("request_id".into(), Field::Text(context.request_id.clone())));
        collected
            .0
            .push(("client_ip".into(), Field::Text(context.client_ip.clone())));
    }
    collected.0
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use log::Log;

    use super::*;

    /// A writer whose bytes the test reads back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What `format` writes for one record with a key-value, inside a request's context.
    fn line(format: LogFormat) -> String {
        let out = Shared::default();
        let logger = builder(format, "info")
            .target(env_logger::Target::Pipe(Box::new(out.clone())))
            .build();
        let fields: &[(&str, i64)] = &[("status", 401)];
        let context = RequestContext {
            request_id: "r-1".into(),
            client_ip: "192.0.2.7".into(),
        };
        within(Some(Arc::new(context)), || {
            logger.log(
                &Record::builder()
                    .args(format_args!("a \"quoted\" message"))
                    .level(log::Level::Warn)
                    .target("roster::test")
                    .key_values(&fields)
                    .build(),
            );
        });
        let bytes = out.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn json_lines_hold_the_record_its_fields_and_the_request() {
        let line = line(LogFormat::Json);
        assert!(line.ends_with("}\n"), "{line}");
        let object: serde_json::Value = serde_json::from_str(&line).unwrap();
        let time = object["time"].as_str().unwrap();
        assert!(time.len() == 24 && time.ends_with('Z'), "{time}");
        assert_eq!(
            object,
            serde_json::json!({
                "time": time, "level": "WARN", "target": "roster::test",
                "message": "a \"quoted\" message", "status": 401,
                "request_id": "r-1", "client_ip": "192.0.2.7",
            })
        );
    }

    #[test]
    fn text_lines_end_with_the_fields_and_the_request() {
        let line = line(LogFormat::Text);
        assert!(
            line.ends_with(
                " WARN  roster::test] a \"quoted\" message status=401 request_id=\"r-1\" client_ip=\"192.0.2.7\"\n"
            ),
            "{line}"
        );
        // Outside a request there is no context.
        assert_eq!(current(), None);
    }

    #[test]
    fn work_on_the_blocking_pool_keeps_the_request_s_context() {
        let context = Arc::new(RequestContext {
            request_id: "r-2".into(),
            client_ip: "::1".into(),
        });
        let seen = actix_rt::System::new().block_on(InContext::new(context.clone(), async {
            spawn_blocking(current).await.unwrap()
        }));
        assert_eq!(seen, Some(context));
    }
}
