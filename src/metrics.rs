//! Prometheus metrics: counted in memory, rendered as text on `ROSTER_METRICS_BIND`.
//! Labels are route patterns, methods, statuses and outcomes only: never user data.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Latency bucket bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

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

#[derive(Debug, Default)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
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

/// The counters of one instance.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), Series>>,
    logins: [AtomicU64; 4],
}

impl Metrics {
    /// Counts a request to `route` (a pattern such as `/api/v1/users/{id}`).
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let series = requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        let seconds = took.as_secs_f64();
        series.count += 1;
        series.sum_seconds += seconds;
        for (bucket, bound) in series.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// Counts a login by outcome.
    pub fn login(&self, outcome: LoginOutcome) {
        let index = LoginOutcome::ALL
            .iter()
            .position(|o| *o == outcome)
            .unwrap_or(0);
        self.logins[index].fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of everything counted, and `gauges`.
    pub fn render(&self, gauges: Gauges) -> String {
        let mut out = String::new();
        let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP roster_http_requests_total HTTP requests by method, route pattern and status.\n");
        out.push_str("# TYPE roster_http_requests_total counter\n");
        for ((method, route, status), series) in requests.iter() {
            let _ = writeln!(
                out,
                "roster_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                series.count
            );
        }
        out.push_str("# HELP roster_http_request_duration_seconds Request latency by method, route pattern and status.\n");
        out.push_str("# TYPE roster_http_request_duration_seconds histogram\n");
        for ((method, route, status), series) in requests.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            for (count, bound) in series.buckets.iter().zip(BUCKETS) {
                let _ = writeln!(out, "roster_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(
                out,
                "roster_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                series.count
            );
            let _ = writeln!(
                out,
                "roster_http_request_duration_seconds_sum{{{labels}}} {}",
                series.sum_seconds
            );
            let _ = writeln!(
                out,
                "roster_http_request_duration_seconds_count{{{labels}}} {}",
                series.count
            );
        }
        out.push_str(
            "# HELP roster_logins_total Logins by outcome.\n# TYPE roster_logins_total counter\n",
        );
        for (outcome, count) in LoginOutcome::ALL.iter().zip(&self.logins) {
            let _ = writeln!(
                out,
                "roster_logins_total{{outcome=\"{}\"}} {}",
                outcome.label(),
                count.load(Ordering::Relaxed)
            );
        }
        let gauge = |out: &mut String, name: &str, help: &str, lines: &[(&str, String)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for (labels, value) in lines {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        gauge(
            &mut out,
            "roster_hashing_permits",
            "Password-hashing permits by state.",
            &[
                ("{state=\"in_use\"}", gauges.hashing_in_use.to_string()),
                ("{state=\"total\"}", gauges.hashing_total.to_string()),
            ],
        );
        gauge(
            &mut out,
            "roster_db_connections",
            "Pooled database connections by state.",
            &[
                ("{state=\"in_use\"}", gauges.db_in_use.to_string()),
                ("{state=\"idle\"}", gauges.db_idle.to_string()),
            ],
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges() {
        let metrics = Metrics::default();
        metrics.request("GET", "/api/v1/users/{id}", 200, Duration::from_millis(3));
        metrics.request("GET", "/api/v1/users/{id}", 200, Duration::from_millis(30));
        metrics.login(LoginOutcome::Failure);
        let text = metrics.render(Gauges {
            hashing_in_use: 1,
            hashing_total: 2,
            db_in_use: 0,
            db_idle: 3,
        });
        assert!(text.contains("roster_http_requests_total{method=\"GET\",route=\"/api/v1/users/{id}\",status=\"200\"} 2"));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"0.05\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("roster_logins_total{outcome=\"failure\"} 1"));
        assert!(text.contains("roster_hashing_permits{state=\"in_use\"} 1"));
        assert!(text.contains("roster_db_connections{state=\"idle\"} 3"));
    }
}
