//! Prometheus metrics, served at `/metrics` in the Prometheus text format (0.0.4). One
//! [`Metrics`] per application (tests run several in one process, each with its own),
//! handed to whoever feeds it: the GraphQL layer (requests by operation and outcome,
//! latency), the HTTP edge (requests refused before the schema, by code; the circuit
//! breakers' states, read at each scrape), the vendor HTTP layer (calls by vendor, route
//! template and status, their latency, retries), the cache (hits and misses by
//! resource). The subscription and connection gauges are registered here for the parts
//! that own them to feed ([`Metrics::subscription_opened`],
//! [`Metrics::connection_opened`]).
//!
//! Labels never carry an id, an email, a path or a secret: vendor routes are the
//! documented templates (`/teams/{teamId}`), cache resources are code constants, and
//! operation names (chosen by clients) are checked and bounded: a name that is not a
//! GraphQL name, or any name beyond the first [`MAX_OPERATION_NAMES`] seen, is counted
//! as `other`.
//!
//! May depend on: nothing in the crate (prometheus-client only).

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

/// How many distinct operation names get a label of their own.
pub const MAX_OPERATION_NAMES: usize = 200;

/// The longest operation name kept as a label.
const MAX_OPERATION_NAME_LEN: usize = 64;

/// The `Content-Type` of [`Metrics::render`]'s output.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VendorCallLabels {
    vendor: &'static str,
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VendorRouteLabels {
    vendor: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    resource: String,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BreakerLabels {
    tenant: String,
    vendor: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TransportLabels {
    transport: &'static str,
}

/// How a GraphQL request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Data and no error.
    Ok,
    /// Data with errors beside it (a vendor failing nulls only its fields).
    Partial,
    /// No data: refused before execution (parse, validation, limits, auth) or failed
    /// whole.
    Error,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Partial => "partial",
            Outcome::Error => "error",
        }
    }
}

/// A circuit breaker's state, as the `switchboard_vendor_breaker_state` gauge shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through (0).
    Closed,
    /// One trial call goes through (1).
    HalfOpen,
    /// Calls are refused without reaching the vendor (2).
    Open,
}

fn seconds_buckets() -> Histogram {
    // 5 ms to about 20 s.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.005, 2.0, 13,
    ))
}

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    refusals: Family<CodeLabels, Counter>,
    request_duration: Family<OperationLabels, Histogram, fn() -> Histogram>,
    vendor_calls: Family<VendorCallLabels, Counter>,
    vendor_call_duration: Family<VendorRouteLabels, Histogram, fn() -> Histogram>,
    vendor_retries: Family<VendorRouteLabels, Counter>,
    cache: Family<CacheLabels, Counter>,
    breaker: Family<BreakerLabels, Gauge>,
    subscriptions: Gauge,
    connections: Family<TransportLabels, Gauge>,
    operation_names: Mutex<HashSet<String>>,
}

/// The application's metrics. Cheap to clone: clones share the counters.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// Every metric registered, at zero.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("switchboard");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "graphql_requests",
            "GraphQL requests by operation name and outcome (ok, partial, error)",
            requests.clone(),
        );
        let refusals = Family::<CodeLabels, Counter>::default();
        registry.register(
            "graphql_refusals",
            "GraphQL requests refused at the HTTP edge before the schema saw them (a missing \
             or unknown API key, a malformed request, a body too large, a cross-site \
             request, ...), by error code",
            refusals.clone(),
        );
        let request_duration = Family::<OperationLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            seconds_buckets as _,
        );
        registry.register(
            "graphql_request_duration_seconds",
            "GraphQL request latency, from parsing to the answer, by operation name",
            request_duration.clone(),
        );
        let vendor_calls = Family::<VendorCallLabels, Counter>::default();
        registry.register(
            "vendor_calls",
            "HTTP requests sent to vendors (each attempt) by vendor, route template and status \
             (the HTTP status; timeout, unavailable, too_large, or deadline when the \
             request's deadline cut it off)",
            vendor_calls.clone(),
        );
        let vendor_call_duration =
            Family::<VendorRouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                seconds_buckets as _,
            );
        registry.register(
            "vendor_call_duration_seconds",
            "Vendor request latency (each attempt) by vendor and route template",
            vendor_call_duration.clone(),
        );
        let vendor_retries = Family::<VendorRouteLabels, Counter>::default();
        registry.register(
            "vendor_retries",
            "Vendor requests sent again after a transient failure, by vendor and route template",
            vendor_retries.clone(),
        );
        let cache = Family::<CacheLabels, Counter>::default();
        registry.register(
            "cache_lookups",
            "Cache reads by resource (vendor:resource) and result (hit, miss)",
            cache.clone(),
        );
        let breaker = Family::<BreakerLabels, Gauge>::default();
        registry.register(
            "vendor_breaker_state",
            "Circuit breaker state per tenant and vendor: 0 closed, 1 half-open, 2 open",
            breaker.clone(),
        );
        let subscriptions = Gauge::default();
        registry.register(
            "graphql_subscriptions",
            "GraphQL subscriptions open now",
            subscriptions.clone(),
        );
        let connections = Family::<TransportLabels, Gauge>::default();
        registry.register(
            "connections",
            "Long-lived client connections open now, by transport (websocket, sse)",
            connections.clone(),
        );
        Self(Arc::new(Inner {
            registry,
            requests,
            refusals,
            request_duration,
            vendor_calls,
            vendor_call_duration,
            vendor_retries,
            cache,
            breaker,
            subscriptions,
            connections,
            operation_names: Mutex::default(),
        }))
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &self.0.registry)
            .expect("writing to a String cannot fail");
        out
    }

    /// The label for a client's operation name: `anonymous` without one; the name when
    /// it is a GraphQL name of at most 64 characters and among the first
    /// [`MAX_OPERATION_NAMES`] names seen; `other` otherwise.
    pub fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
            return "anonymous".to_owned();
        };
        let valid = name.len() <= MAX_OPERATION_NAME_LEN
            && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return "other".to_owned();
        }
        let mut seen = self
            .0
            .operation_names
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if seen.contains(name) {
            return name.to_owned();
        }
        if seen.len() < MAX_OPERATION_NAMES {
            seen.insert(name.to_owned());
            return name.to_owned();
        }
        "other".to_owned()
    }

    /// One GraphQL request, labelled with [`Metrics::operation_label`]'s answer.
    pub fn graphql_request(&self, operation: &str, outcome: Outcome, elapsed: Duration) {
        self.0
            .requests
            .get_or_create(&RequestLabels {
                operation: operation.to_owned(),
                outcome: outcome.as_str(),
            })
            .inc();
        self.0
            .request_duration
            .get_or_create(&OperationLabels {
                operation: operation.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// A request refused at the HTTP edge, by its `extensions.code` (a fixed set).
    pub fn graphql_refusal(&self, code: &'static str) {
        self.0.refusals.get_or_create(&CodeLabels { code }).inc();
    }

    /// One attempt of a vendor call: `route` is `"{METHOD} {template}"`, `status` the
    /// HTTP status or `timeout`, `unavailable`, `too_large`, `deadline`.
    pub fn vendor_call(&self, vendor: &'static str, route: &str, status: &str, elapsed: Duration) {
        self.0
            .vendor_calls
            .get_or_create(&VendorCallLabels {
                vendor,
                route: route.to_owned(),
                status: status.to_owned(),
            })
            .inc();
        self.0
            .vendor_call_duration
            .get_or_create(&VendorRouteLabels {
                vendor,
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// A vendor call about to be sent again.
    pub fn vendor_retry(&self, vendor: &'static str, route: &str) {
        self.0
            .vendor_retries
            .get_or_create(&VendorRouteLabels {
                vendor,
                route: route.to_owned(),
            })
            .inc();
    }

    /// A cache read of `resource` (`vendor:resource`, never an id).
    pub fn cache_lookup(&self, resource: &str, hit: bool) {
        self.0
            .cache
            .get_or_create(&CacheLabels {
                resource: resource.to_owned(),
                result: if hit { "hit" } else { "miss" },
            })
            .inc();
    }

    /// A tenant's circuit breaker for `vendor` changed state.
    pub fn set_breaker_state(&self, tenant: &str, vendor: &'static str, state: BreakerState) {
        let value = match state {
            BreakerState::Closed => 0,
            BreakerState::HalfOpen => 1,
            BreakerState::Open => 2,
        };
        self.0
            .breaker
            .get_or_create(&BreakerLabels {
                tenant: tenant.to_owned(),
                vendor,
            })
            .set(value);
    }

    /// A subscription started; it counts until the guard is dropped.
    pub fn subscription_opened(&self) -> GaugeGuard {
        GaugeGuard::new(self.0.subscriptions.clone())
    }

    /// A long-lived connection (`websocket`, `sse`) opened; it counts until the guard is
    /// dropped.
    pub fn connection_opened(&self, transport: &'static str) -> GaugeGuard {
        GaugeGuard::new(
            self.0
                .connections
                .get_or_create(&TransportLabels { transport })
                .clone(),
        )
    }
}

/// Holds a gauge one higher while it lives.
#[derive(Debug)]
pub struct GaugeGuard(Gauge);

impl GaugeGuard {
    fn new(gauge: Gauge) -> Self {
        gauge.inc();
        Self(gauge)
    }
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_checked_and_bounded() {
        let metrics = Metrics::new();
        assert_eq!(metrics.operation_label(None), "anonymous");
        assert_eq!(metrics.operation_label(Some("  ")), "anonymous");
        assert_eq!(metrics.operation_label(Some("Wallboard")), "Wallboard");
        for bad in ["ava@example.com", "1abc", "a b", "x\"}", &"a".repeat(65)] {
            assert_eq!(metrics.operation_label(Some(bad)), "other", "{bad}");
        }
        for i in 1..MAX_OPERATION_NAMES {
            assert_eq!(metrics.operation_label(Some(&format!("Op{i}"))), format!("Op{i}"));
        }
        // The table is full: a new name is `other`, a known one keeps its label.
        assert_eq!(metrics.operation_label(Some("OneTooMany")), "other");
        assert_eq!(metrics.operation_label(Some("Wallboard")), "Wallboard");
    }

    #[test]
    fn renders_prometheus_text_with_every_family() {
        let metrics = Metrics::new();
        metrics.graphql_request("Wallboard", Outcome::Partial, Duration::from_millis(12));
        metrics.graphql_refusal("UNAUTHENTICATED");
        metrics.vendor_call("DIXA", "GET /teams/{teamId}", "200", Duration::from_millis(3));
        metrics.vendor_retry("DIXA", "GET /teams/{teamId}");
        metrics.cache_lookup("dixa:team", true);
        metrics.set_breaker_state("acme", "WEBEX", BreakerState::Open);
        let subscription = metrics.subscription_opened();
        let socket = metrics.connection_opened("websocket");
        let text = metrics.render();
        for line in [
            "switchboard_graphql_requests_total{operation=\"Wallboard\",outcome=\"partial\"} 1",
            "switchboard_graphql_request_duration_seconds_count{operation=\"Wallboard\"} 1",
            "switchboard_graphql_refusals_total{code=\"UNAUTHENTICATED\"} 1",
            "switchboard_vendor_calls_total{vendor=\"DIXA\",route=\"GET /teams/{teamId}\",status=\"200\"} 1",
            "switchboard_vendor_retries_total{vendor=\"DIXA\",route=\"GET /teams/{teamId}\"} 1",
            "switchboard_cache_lookups_total{resource=\"dixa:team\",result=\"hit\"} 1",
            "switchboard_vendor_breaker_state{tenant=\"acme\",vendor=\"WEBEX\"} 2",
            "switchboard_graphql_subscriptions 1",
            "switchboard_connections{transport=\"websocket\"} 1",
        ] {
            assert!(text.contains(line), "{line} missing from:\n{text}");
        }
        drop((subscription, socket));
        let text = metrics.render();
        assert!(text.contains("switchboard_graphql_subscriptions 0"), "{text}");
        assert!(
            text.contains("switchboard_connections{transport=\"websocket\"} 0"),
            "{text}"
        );
    }
}
