//! What every simulator shares: a call counter per route, the most calls it had in
//! flight at once, fault injection (latency, a share of calls failing with a chosen
//! status, rate limiting with `Retry-After`), and the `/_sim/` control API that reads and
//! sets them.

use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use axum::{
    Json, Router,
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use serde::{Deserialize, Serialize};

/// Renders a vendor's error body for `status` with `message`.
pub type ErrorRenderer = fn(StatusCode, &str) -> Response;

/// A fault to inject into matching calls.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// Only calls to this route (`"GET /teams/{teamId}"`); every route when absent.
    #[serde(default)]
    pub route: Option<String>,
    /// Only calls to this concrete path, as sent and named like routes are, without the
    /// mount point or API version (`"/teams/005e7108-…/agents"`); every path when absent.
    /// With `route`, both must match.
    #[serde(default)]
    pub path: Option<String>,
    /// Delay added before answering, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// Delay added after the call was served, in milliseconds: the change is made, its
    /// answer comes late (a client that gives up first cannot know it happened).
    #[serde(default)]
    pub latency_after_ms: u64,
    /// The answer leaves this many milliseconds after the call arrived, the simulator's
    /// own work (reading the call, building the answer) counted inside them, as a remote
    /// vendor's latency holds its own work; later only when that work takes longer. The
    /// benchmark's vendor latency: with `latency_ms` the simulator's work, on the same
    /// cores as the gateway, would come on top of it.
    #[serde(default)]
    pub respond_at_ms: u64,
    /// Answer with this status instead of the real answer.
    #[serde(default)]
    pub status: Option<u16>,
    /// Share of matching calls affected, 0.0 to 1.0.
    #[serde(default = "one")]
    pub rate: f64,
    /// Affect only this many calls, then retire the rule.
    #[serde(default)]
    pub times: Option<u32>,
    /// `Retry-After` seconds sent with the status.
    #[serde(default)]
    pub retry_after_secs: Option<u64>,
    /// The message in the vendor's error body.
    #[serde(default)]
    pub message: Option<String>,
}

fn one() -> f64 {
    1.0
}

/// A request as the simulator received it, for checking clients against the vendor's
/// documentation.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedRequest {
    /// The route it matched (`"GET /teams/{teamId}"`).
    pub route: String,
    /// The HTTP method.
    pub method: String,
    /// The path as sent, without the simulator's mount prefix.
    pub path: String,
    /// The raw query string.
    pub query: Option<String>,
    /// `Content-Type`, when sent.
    pub content_type: Option<String>,
    /// `Accept`, when sent.
    pub accept: Option<String>,
    /// Whether an `Authorization` header was sent (never its value).
    pub authorized: bool,
    /// The W3C `traceparent`, when sent.
    pub traceparent: Option<String>,
    /// The body, when it was JSON.
    pub body: Option<serde_json::Value>,
}

/// Requests kept for inspection; older ones are dropped past this.
const JOURNAL_LIMIT: usize = 1_000;

/// Counters and faults of one vendor simulator.
pub struct SimControl {
    strip: &'static [&'static str],
    render_error: ErrorRenderer,
    rules: Mutex<Vec<FaultRule>>,
    calls: Mutex<BTreeMap<String, u64>>,
    journal: Mutex<std::collections::VecDeque<RecordedRequest>>,
    in_flight: AtomicU64,
    peak: AtomicU64,
}

/// Calls in flight now, and the most there were at once since the last reset.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Concurrency {
    /// Calls being answered now.
    pub in_flight: u64,
    /// The most calls answered at once.
    pub peak: u64,
}

/// Counts one call as in flight until dropped.
struct InFlight<'a>(&'a SimControl);

impl<'a> InFlight<'a> {
    fn enter(control: &'a SimControl) -> Self {
        let now = control.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        control.peak.fetch_max(now, Ordering::SeqCst);
        Self(control)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl SimControl {
    /// Controls whose route names drop the `strip` prefixes (mount point first, then API
    /// versions); recorded paths drop only the mount point.
    pub fn new(strip: &'static [&'static str], render_error: ErrorRenderer) -> Arc<Self> {
        Arc::new(Self {
            strip,
            render_error,
            rules: Mutex::default(),
            calls: Mutex::default(),
            journal: Mutex::default(),
            in_flight: AtomicU64::new(0),
            peak: AtomicU64::new(0),
        })
    }

    /// Calls in flight, and the peak since the last [`SimControl::reset_peak`].
    pub fn concurrency(&self) -> Concurrency {
        Concurrency {
            in_flight: self.in_flight.load(Ordering::SeqCst),
            peak: self.peak.load(Ordering::SeqCst),
        }
    }

    /// Starts the peak again from the calls in flight now.
    pub fn reset_peak(&self) {
        self.peak
            .store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    /// The most recent requests received (at most 1,000), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.journal
            .lock()
            .expect("journal lock")
            .iter()
            .cloned()
            .collect()
    }

    fn record(&self, entry: RecordedRequest) {
        let mut journal = self.journal.lock().expect("journal lock");
        if journal.len() == JOURNAL_LIMIT {
            journal.pop_front();
        }
        journal.push_back(entry);
    }

    /// Calls received per route.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().expect("calls lock").clone()
    }

    /// Calls received on `route`.
    pub fn count(&self, route: &str) -> u64 {
        self.calls
            .lock()
            .expect("calls lock")
            .get(route)
            .copied()
            .unwrap_or(0)
    }

    /// Forgets every count and recorded request.
    pub fn reset_calls(&self) {
        self.calls.lock().expect("calls lock").clear();
        self.journal.lock().expect("journal lock").clear();
    }

    /// Adds a fault rule.
    pub fn add_fault(&self, rule: FaultRule) {
        self.rules.lock().expect("rules lock").push(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.rules.lock().expect("rules lock").clear();
    }

    /// Renders the vendor's error body.
    pub fn error(&self, status: StatusCode, message: &str) -> Response {
        (self.render_error)(status, message)
    }

    /// `path` without the mount point and API versions (`/dixa/v1/teams/x` → `/teams/x`).
    fn unprefixed<'a>(&self, path: &'a str) -> &'a str {
        let mut path = path;
        for prefix in self.strip {
            if let Some(rest) = path.strip_prefix(prefix)
                && (rest.is_empty() || rest.starts_with('/'))
            {
                path = rest;
            }
        }
        if path.is_empty() { "/" } else { path }
    }

    fn route_name(&self, method: &str, matched: &str) -> String {
        format!("{method} {}", self.unprefixed(matched))
    }

    /// Records `request` (buffering its body) and hands it back whole.
    async fn journal_request(&self, route: String, request: Request) -> Request {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, 4 * 1024 * 1024)
            .await
            .unwrap_or_default();
        let header = |name: header::HeaderName| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        // Nested routers see their path without the prefixes; the original has them.
        let original = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.path().to_owned(), |o| o.0.path().to_owned());
        let mut path = original.as_str();
        for prefix in self.strip.iter().take(1) {
            path = path.strip_prefix(prefix).unwrap_or(path);
        }
        self.record(RecordedRequest {
            route,
            method: parts.method.to_string(),
            path: path.to_owned(),
            query: parts.uri.query().map(str::to_owned),
            content_type: header(header::CONTENT_TYPE),
            accept: header(header::ACCEPT),
            authorized: parts.headers.contains_key(header::AUTHORIZATION),
            traceparent: header(header::HeaderName::from_static("traceparent")),
            body: serde_json::from_slice(&bytes).ok().map(redact),
        });
        Request::from_parts(parts, axum::body::Body::from(bytes))
    }

    /// The first rule matching a call to `route` at `path` (unprefixed), counted down.
    fn take_fault(&self, route: &str, path: &str) -> Option<FaultRule> {
        let mut rules = self.rules.lock().expect("rules lock");
        let index = rules.iter().position(|r| {
            r.route.as_deref().is_none_or(|want| want == route)
                && r.path.as_deref().is_none_or(|want| want == path)
                && (r.rate >= 1.0 || fastrand::f64() < r.rate)
        })?;
        let rule = rules[index].clone();
        if let Some(times) = rules[index].times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                rules.remove(index);
            }
        }
        Some(rule)
    }
}

/// Whether a JSON field holds a credential (passwords, AK/SK, secrets, tokens).
fn is_secret_field(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["password", "passwd", "secret", "token"]
        .iter()
        .any(|s| name.contains(s))
        || matches!(name.as_str(), "ak" | "sk" | "app_key" | "appkey")
}

/// `body` with every credential field's value replaced, at any depth, so the journal
/// never holds a secret.
fn redact(body: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match body {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if is_secret_field(&k) {
                        Value::String("[REDACTED]".into())
                    } else {
                        redact(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        other => other,
    }
}

/// Counts the call and applies the first matching fault. Layered with `route_layer` on
/// each vendor API router, so `/_sim/` itself is neither counted nor faulted.
pub async fn count_and_fault(
    State(control): State<Arc<SimControl>>,
    request: Request,
    next: Next,
) -> Response {
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| request.uri().path().to_owned());
    let route = control.route_name(request.method().as_str(), &matched);
    // Nested routers see their path without the prefixes; the original has them.
    let original = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| request.uri().path().to_owned(), |o| o.0.path().to_owned());
    let path = control.unprefixed(&original).to_owned();
    let arrived = tokio::time::Instant::now();
    let _in_flight = InFlight::enter(&control);
    *control
        .calls
        .lock()
        .expect("calls lock")
        .entry(route.clone())
        .or_default() += 1;
    let request = control.journal_request(route.clone(), request).await;
    let Some(fault) = control.take_fault(&route, &path) else {
        return next.run(request).await;
    };
    if fault.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.latency_ms)).await;
    }
    let response = match fault.status.and_then(|s| StatusCode::from_u16(s).ok()) {
        None => {
            let response = next.run(request).await;
            if fault.latency_after_ms > 0 {
                tokio::time::sleep(Duration::from_millis(fault.latency_after_ms)).await;
            }
            response
        }
        Some(status) => {
            let message = fault
                .message
                .unwrap_or_else(|| status.canonical_reason().unwrap_or("injected fault").to_owned());
            let mut response = control.error(status, &message);
            if let Some(secs) = fault.retry_after_secs {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
    };
    if fault.respond_at_ms > 0 {
        // async-io's timer (a timerfd) rather than tokio's, which wakes at the next whole
        // millisecond or later: the answer leaves when the rule says, not up to 2 ms after
        // (the benchmark's critical path counts 20 ms a round trip).
        async_io::Timer::at((arrived + Duration::from_millis(fault.respond_at_ms)).into_std()).await;
    }
    response
}

/// `/_sim/calls`, `/_sim/concurrency`, `/_sim/requests` and `/_sim/faults`.
pub fn routes(control: Arc<SimControl>) -> Router {
    Router::new()
        .route(
            "/_sim/concurrency",
            get(|State(c): State<Arc<SimControl>>| async move { Json(c.concurrency()) }).delete(
                |State(c): State<Arc<SimControl>>| async move {
                    c.reset_peak();
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/_sim/requests",
            get(|State(c): State<Arc<SimControl>>| async move { Json(c.requests()) }),
        )
        .route(
            "/_sim/calls",
            get(|State(c): State<Arc<SimControl>>| async move { Json(c.calls()) }).delete(
                |State(c): State<Arc<SimControl>>| async move {
                    c.reset_calls();
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/_sim/faults",
            get(|State(c): State<Arc<SimControl>>| async move {
                Json(c.rules.lock().expect("rules lock").clone())
            })
            .post(
                |State(c): State<Arc<SimControl>>, Json(rule): Json<FaultRule>| async move {
                    if !(0.0..=1.0).contains(&rule.rate) {
                        return (StatusCode::BAD_REQUEST, "rate must be between 0 and 1").into_response();
                    }
                    c.add_fault(rule);
                    StatusCode::NO_CONTENT.into_response()
                },
            )
            .delete(|State(c): State<Arc<SimControl>>| async move {
                c.clear_faults();
                StatusCode::NO_CONTENT
            }),
        )
        .with_state(control)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(status: StatusCode, message: &str) -> Response {
        (status, message.to_owned()).into_response()
    }

    #[test]
    fn route_names_drop_mount_and_version() {
        let c = SimControl::new(&["/dixa", "/beta", "/v1"], plain);
        assert_eq!(
            c.route_name("GET", "/dixa/v1/teams/{teamId}"),
            "GET /teams/{teamId}"
        );
        assert_eq!(c.route_name("GET", "/beta/teams"), "GET /teams");
    }

    #[test]
    fn journal_bodies_hide_credentials() {
        let body = serde_json::json!({
            "app_key": "ak", "app_secret": "sk",
            "requestParam": { "userAccount": "a1b2c3", "password": "P@ssw0rd!", "oldPassWord": "x" },
        });
        let text = redact(body).to_string();
        assert!(text.contains("a1b2c3"));
        for secret in ["\"ak\"", "\"sk\"", "P@ssw0rd!", "\"x\""] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    #[test]
    fn counted_faults_retire() {
        let c = SimControl::new(&[], plain);
        c.add_fault(FaultRule {
            route: Some("GET /x".into()),
            path: None,
            latency_ms: 0,
            latency_after_ms: 0,
            respond_at_ms: 0,
            status: Some(500),
            rate: 1.0,
            times: Some(2),
            retry_after_secs: None,
            message: None,
        });
        assert!(c.take_fault("GET /y", "/y").is_none());
        assert!(c.take_fault("GET /x", "/x").is_some());
        assert!(c.take_fault("GET /x", "/x").is_some());
        assert!(c.take_fault("GET /x", "/x").is_none());
    }

    #[test]
    fn a_fault_can_hit_one_concrete_path() {
        let c = SimControl::new(&["/dixa", "/beta", "/v1"], plain);
        let rule: FaultRule = serde_json::from_value(serde_json::json!({
            "route": "GET /teams/{teamId}/agents", "path": "/teams/b/agents", "status": 503
        }))
        .unwrap();
        c.add_fault(rule);
        let route = c.route_name("GET", "/dixa/v1/teams/{teamId}/agents");
        assert!(
            c.take_fault(&route, c.unprefixed("/dixa/v1/teams/a/agents"))
                .is_none()
        );
        assert!(
            c.take_fault(&route, c.unprefixed("/dixa/beta/teams/b/agents"))
                .is_some()
        );
        assert!(
            c.take_fault("GET /teams/{teamId}", "/teams/b/agents").is_none(),
            "both must match"
        );
        assert_eq!(c.unprefixed("/dixa"), "/");
    }
}
