//! Prometheus metrics through the Prometheus project's `prometheus-client`: counted in
//! memory, rendered in the Prometheus text format on `ROSTER_METRICS_BIND`. Labels are
//! route patterns, methods, statuses and outcomes only: never user data. Counting takes no
//! global lock: a family's series are found under a shared read lock (a write lock only the
//! first time a label set is seen) and counted atomically.

use std::collections::BTreeSet;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

/// Latency bucket bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The content type of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// How a login ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    /// A token was issued.
    Success,
    /// Wrong password or unknown user.
    Failure,
    /// Refused by the throttle.
    Throttled,
    /// Correct password, disabled account.
    Disabled,
}

impl LoginOutcome {
    const ALL: [Self; 4] = [
        Self::Success,
        Self::Failure,
        Self::Throttled,
        Self::Disabled,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Throttled => "throttled",
            Self::Disabled => "disabled",
        }
    }
}

/// A request's series: static strings, so counting a request allocates nothing.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: &'static str,
    status: u16,
}

/// `route` as a `&'static str`: each distinct route pattern is leaked once. Patterns come
/// from the route table (and `unmatched`), so there are as many as routes, and the same
/// ones for the life of the process.
fn interned(route: &str) -> &'static str {
    static ROUTES: std::sync::RwLock<BTreeSet<&'static str>> =
        std::sync::RwLock::new(BTreeSet::new());
    let known = ROUTES
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(route)
        .copied();
    known.unwrap_or_else(|| {
        let mut routes = ROUTES.write().unwrap_or_else(|e| e.into_inner());
        match routes.get(route) {
            Some(known) => known,
            None => {
                let leaked: &'static str = Box::leak(route.to_owned().into_boxed_str());
                routes.insert(leaked);
                leaked
            }
        }
    })
}

/// The standard methods by name; anything else is `other` (a label per made-up method
/// would let clients grow the series without bound).
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

/// What became of a mail the worker took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailOutcome {
    /// Accepted by the SMTP server.
    Sent,
    /// Refused for good (5xx) or out of tries.
    Failed,
    /// Not sent this time; queued again.
    Retried,
    /// No longer meant (address changed, account disabled or confirmed).
    Dropped,
}

impl MailOutcome {
    const ALL: [Self; 4] = [Self::Sent, Self::Failed, Self::Retried, Self::Dropped];

    fn label(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Retried => "retried",
            Self::Dropped => "dropped",
        }
    }
}

/// The mail worker's counters: a cheap handle on the instance's metrics.
#[derive(Debug, Clone)]
pub struct MailMetrics {
    mails: Family<OutcomeLabels, Counter>,
    queued: Gauge,
}

impl MailMetrics {
    /// Counts a mail by outcome.
    pub fn mail(&self, outcome: MailOutcome) {
        self.mails
            .get_or_create(&OutcomeLabels {
                outcome: outcome.label(),
            })
            .inc();
    }

    /// Sets the number of mails waiting in the outbox (every instance's).
    pub fn queued(&self, count: i64) {
        self.queued.set(count);
    }
}

/// Gauges read when the page is rendered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    /// Hashing permits taken.
    pub hashing_in_use: usize,
    /// Hashing permits in all.
    pub hashing_total: usize,
    /// Pooled database connections lent out.
    pub db_in_use: u32,
    /// Pooled database connections idle.
    pub db_idle: u32,
}

/// The metrics of one instance.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RequestLabels, Histogram>,
    logins: Family<OutcomeLabels, Counter>,
    hashing: Family<StateLabels, Gauge>,
    connections: Family<StateLabels, Gauge>,
    mail: MailMetrics,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "roster_http_requests",
            "HTTP requests by method, route pattern and status",
            requests.clone(),
        );
        let durations: Family<RequestLabels, Histogram> =
            Family::new_with_constructor(|| Histogram::new(BUCKETS));
        registry.register_with_unit(
            "roster_http_request_duration",
            "Request latency by method, route pattern and status",
            Unit::Seconds,
            durations.clone(),
        );
        let logins = Family::<OutcomeLabels, Counter>::default();
        for outcome in LoginOutcome::ALL {
            // Every outcome is shown from the start, at 0.
            drop(logins.get_or_create(&OutcomeLabels {
                outcome: outcome.label(),
            }));
        }
        registry.register("roster_logins", "Logins by outcome", logins.clone());
        let hashing = Family::<StateLabels, Gauge>::default();
        registry.register(
            "roster_hashing_permits",
            "Password-hashing permits by state",
            hashing.clone(),
        );
        let connections = Family::<StateLabels, Gauge>::default();
        registry.register(
            "roster_db_connections",
            "Pooled database connections by state",
            connections.clone(),
        );
        let mails = Family::<OutcomeLabels, Counter>::default();
        for outcome in MailOutcome::ALL {
            drop(mails.get_or_create(&OutcomeLabels {
                outcome: outcome.label(),
            }));
        }
        registry.register(
            "roster_mails",
            "Mails the worker took, by outcome",
            mails.clone(),
        );
        let queued = Gauge::default();
        registry.register(
            "roster_mail_queued",
            "Mails waiting in the outbox (all instances), as of the worker's last pass",
            queued.clone(),
        );
        registry.register(
            "roster_build",
            "The running build",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        registry.register_collector(Box::new(Process));
        Self {
            registry,
            requests,
            durations,
            logins,
            hashing,
            connections,
            mail: MailMetrics { mails, queued },
        }
    }
}

impl Metrics {
    /// Counts a request to `route` (a pattern such as `/api/v1/users/{id}`).
    pub fn request(
        &self,
        method: &actix_web::http::Method,
        route: &str,
        status: u16,
        took: Duration,
    ) {
        let labels = RequestLabels {
            method: method_label(method),
            route: interned(route),
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.durations
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    /// The mail worker's handle on these metrics.
    pub fn mail(&self) -> MailMetrics {
        self.mail.clone()
    }

    /// Counts a login by outcome.
    pub fn login(&self, outcome: LoginOutcome) {
        let labels = OutcomeLabels {
            outcome: outcome.label(),
        };
        self.logins.get_or_create(&labels).inc();
    }

    /// The Prometheus text exposition of everything counted, `gauges`, and the process.
    pub fn render(&self, gauges: Gauges) -> String {
        let set = |family: &Family<StateLabels, Gauge>, state, value: i64| {
            family.get_or_create(&StateLabels { state }).set(value);
        };
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        set(&self.hashing, "in_use", count(gauges.hashing_in_use));
        set(&self.hashing, "total", count(gauges.hashing_total));
        set(&self.connections, "in_use", i64::from(gauges.db_in_use));
        set(&self.connections, "idle", i64::from(gauges.db_idle));
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

/// The standard `process_*` metrics of this process, read from `/proc` at each scrape
/// (Linux; elsewhere they are left out).
#[derive(Debug)]
struct Process;

/// `/proc` counts CPU time in ticks of 1/100 s (USER_HZ, fixed for user space on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

impl Collector for Process {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(process) = ProcessFacts::read() else {
            return Ok(());
        };
        let cpu = ConstCounter::new(process.cpu_seconds);
        cpu.encode(encoder.encode_descriptor(
            "process_cpu_seconds",
            "Total user and system CPU time spent in seconds",
            None,
            cpu.metric_type(),
        )?)?;
        let gauges = [
            (
                "process_resident_memory_bytes",
                "Resident memory size in bytes",
                process.resident_bytes,
            ),
            (
                "process_open_fds",
                "Number of open file descriptors",
                process.open_fds,
            ),
            (
                "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds",
                process.start_time_seconds,
            ),
        ];
        for (name, help, value) in gauges {
            let gauge = ConstGauge::new(value);
            gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
        }
        Ok(())
    }
}

/// What `/proc` says of this process.
#[derive(Debug, PartialEq)]
struct ProcessFacts {
    cpu_seconds: f64,
    resident_bytes: i64,
    open_fds: i64,
    start_time_seconds: i64,
}

impl ProcessFacts {
    fn read() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let boot = std::fs::read_to_string("/proc/stat").ok()?;
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count();
        Self::parse(&stat, &status, &boot, open_fds)
    }

    fn parse(stat: &str, status: &str, boot: &str, open_fds: usize) -> Option<Self> {
        // The command name (field 2) may hold spaces; the fields after its ')' do not.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        // Fields 14, 15 and 22 of the line are 11, 12 and 19 after the name and state.
        let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
        let (user, system, started) = (ticks(11)?, ticks(12)?, ticks(19)?);
        let resident_kib: i64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        let booted: i64 = boot
            .lines()
            .find_map(|line| line.strip_prefix("btime "))?
            .trim()
            .parse()
            .ok()?;
        let started_after_boot = i64::try_from(started / 100).ok()?;
        Some(Self {
            cpu_seconds: (user + system) as f64 / TICKS_PER_SECOND,
            resident_bytes: resident_kib * 1024,
            open_fds: i64::try_from(open_fds).ok()?,
            start_time_seconds: booted + started_after_boot,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_gauges_and_the_process() {
        let metrics = Metrics::default();
        metrics.request(
            &actix_web::http::Method::GET,
            "/api/v1/users/{id}",
            200,
            Duration::from_millis(3),
        );
        metrics.request(
            &actix_web::http::Method::GET,
            "/api/v1/users/{id}",
            200,
            Duration::from_millis(30),
        );
        metrics.login(LoginOutcome::Failure);
        let text = metrics.render(Gauges {
            hashing_in_use: 1,
            hashing_total: 2,
            db_in_use: 0,
            db_idle: 3,
        });
        let labels = "method=\"GET\",route=\"/api/v1/users/{id}\",status=\"200\"";
        for line in [
            format!("roster_http_requests_total{{{labels}}} 2"),
            format!("roster_http_request_duration_seconds_bucket{{{labels},le=\"0.005\"}} 1"),
            format!("roster_http_request_duration_seconds_bucket{{{labels},le=\"0.05\"}} 2"),
            format!("roster_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} 2"),
            "roster_logins_total{outcome=\"failure\"} 1".to_owned(),
            "roster_logins_total{outcome=\"disabled\"} 0".to_owned(),
            "roster_hashing_permits{state=\"in_use\"} 1".to_owned(),
            "roster_db_connections{state=\"idle\"} 3".to_owned(),
            format!(
                "roster_build_info{{version=\"{}\"}} 1",
                env!("CARGO_PKG_VERSION")
            ),
            "# TYPE process_cpu_seconds_total counter".to_owned(),
            "# TYPE process_open_fds gauge".to_owned(),
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing from\n{text}"
            );
        }
    }

    #[test]
    fn process_facts_come_from_proc() {
        let stat = "4242 (ro ster) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 \
                    9 0 123400 1000000 2000 18446744073709551615";
        let status = "Name:\troster\nVmRSS:\t   20480 kB\nThreads:\t9\n";
        let boot = "cpu  1 2 3\nbtime 1764800000\nprocesses 1\n";
        assert_eq!(
            ProcessFacts::parse(stat, status, boot, 17),
            Some(ProcessFacts {
                cpu_seconds: 3.0,
                resident_bytes: 20480 * 1024,
                open_fds: 17,
                start_time_seconds: 1764800000 + 1234,
            })
        );
        assert!(ProcessFacts::read().is_some_and(|p| p.open_fds > 0 && p.resident_bytes > 0));
    }
}
