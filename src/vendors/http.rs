//! The HTTP layer under every vendor client: timeouts, bounded retries for idempotent
//! calls on 423/429/502/503/504 and connect errors (honouring a capped `Retry-After`, with
//! jittered backoff otherwise), a circuit breaker and a cap on concurrent calls per
//! (tenant, vendor) (see [`super::breaker`]), a cap on
//! an answer's size, the deadline of the GraphQL request every call, retry and wait
//! draws from ([`with_deadline`]), a `tracing` span per call (its W3C `traceparent`
//! sent along when traces are recorded), a metric per attempt and retry (labelled by the
//! route template, never the path), and errors that never carry a URL or a credential.

use std::{
    fmt,
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use reqwest::Client;
use serde::{Serialize, de::DeserializeOwned};
use tokio::time::Instant;
use tracing::{Instrument, field};
use url::Url;

use super::{
    Vendor, VendorError, VendorErrorKind,
    breaker::{Breaker, Trial},
    budget::Budget,
};
use crate::{config::HttpSettings, metrics::Metrics};

tokio::task_local! {
    /// When the GraphQL request being served must have its answer.
    static DEADLINE: Instant;
}

/// Runs `fut` with `deadline` as the point every vendor call it makes must end by:
/// attempts are cut off there, and no retry or `Retry-After` wait is started that would
/// end past it.
pub async fn with_deadline<F: Future>(deadline: Instant, fut: F) -> F::Output {
    DEADLINE.scope(deadline, fut).await
}

/// The deadline set by [`with_deadline`] around the current task, if any.
pub fn current_deadline() -> Option<Instant> {
    DEADLINE.try_with(|d| *d).ok()
}

/// Whether a call may be sent again after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Safe to repeat: GET, and PUT/DELETE where the vendor documents them idempotent.
    Idempotent,
    /// Never repeated (creates, and anything the vendor does not call idempotent).
    Once,
}

/// One request to a vendor, described without the base URL. Its `Debug` shows the
/// method, the path, the query and header names and the body's size, never a value that
/// could be a credential. A clone is the same request again (a call resent with a
/// renewed token is a clone signed anew).
#[derive(Clone)]
pub struct Call {
    /// HTTP method.
    pub method: Method,
    /// The documented path template, for logs and metrics (`/teams/{teamId}`).
    pub template: &'static str,
    /// The concrete path below the base URL (`/teams/3f…`), already escaped.
    pub path: String,
    /// Query parameters.
    pub query: Vec<(&'static str, String)>,
    /// Extra headers; credentials go here and are marked sensitive by [`Call::bearer`]
    /// and [`Call::header_secret`].
    pub headers: HeaderMap,
    /// The request body.
    pub body: Option<Body>,
    /// Whether the call may be retried.
    pub idempotency: Idempotency,
}

/// A request body. Its `Debug` shows only its kind and size: bodies carry passwords
/// and client secrets.
#[derive(Clone)]
pub enum Body {
    /// `application/json`.
    Json(Bytes),
    /// `application/x-www-form-urlencoded`.
    Form(String),
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("method", &self.method)
            .field("template", &self.template)
            .field("path", &self.path)
            .field(
                "query",
                &self.query.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
            )
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body", &self.body)
            .field("idempotency", &self.idempotency)
            .finish()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(bytes) => write!(f, "Json({} bytes)", bytes.len()),
            Self::Form(text) => write!(f, "Form({} bytes)", text.len()),
        }
    }
}

impl Call {
    /// A call with no body; GET and DELETE default to idempotent, anything else to once.
    pub fn new(method: Method, template: &'static str, path: impl Into<String>) -> Self {
        let idempotency = if method == Method::GET || method == Method::HEAD {
            Idempotency::Idempotent
        } else {
            Idempotency::Once
        };
        Self {
            method,
            template,
            path: path.into(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            idempotency,
        }
    }

    /// A GET of `path`, documented as `template`.
    pub fn get(template: &'static str, path: impl Into<String>) -> Self {
        Self::new(Method::GET, template, path)
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// Adds a query parameter when `value` is present.
    pub fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Sets a JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        let bytes = serde_json::to_vec(body).expect("request bodies are plain data and always serialize");
        self.body = Some(Body::Json(Bytes::from(bytes)));
        self
    }

    /// Sets a form body.
    pub fn form<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        let encoded = serde_urlencoded_like(body);
        self.body = Some(Body::Form(encoded));
        self
    }

    /// Overrides whether the call may be retried.
    pub fn idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = idempotency;
        self
    }

    /// Adds a plain header.
    pub fn header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Adds a credential header, marked sensitive so it is never logged.
    pub fn header_secret(mut self, name: header::HeaderName, value: &str) -> Self {
        if let Ok(mut v) = HeaderValue::from_str(value) {
            v.set_sensitive(true);
            self.headers.insert(name, v);
        }
        self
    }

    /// Adds `Authorization: Bearer <token>`, marked sensitive.
    pub fn bearer(self, token: &str) -> Self {
        self.header_secret(header::AUTHORIZATION, &format!("Bearer {token}"))
    }
}

fn serde_urlencoded_like<T: Serialize + ?Sized>(body: &T) -> String {
    // Form bodies are flat string maps; encode them through serde_json to stay
    // free of another dependency.
    let value = serde_json::to_value(body).unwrap_or_default();
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            let v = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => continue,
                other => other.to_string(),
            };
            out.append_pair(&k, &v);
        }
    }
    out.finish()
}

/// Characters escaped in a path segment: everything but unreserved ones (RFC 3986).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Escapes one path segment (an id) so it can never change the path it is put in.
pub fn segment(raw: &str) -> String {
    percent_encoding::utf8_percent_encode(raw, SEGMENT).to_string()
}

/// What a vendor answered. Its `Debug` leaves the body out: token endpoints answer with
/// credentials.
#[derive(Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Bytes,
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body", &format_args!("{} bytes", self.body.len()))
            .finish()
    }
}

impl Reply {
    /// Decodes the body as JSON of type `T`. The error names what did not match but
    /// never quotes a value from the body, which may be a credential.
    ///
    /// A key the body repeats (Vonage's documented create response has `userId` twice)
    /// is read as JSON parsers commonly do: the last one wins.
    pub fn json<T: DeserializeOwned>(&self, vendor: Vendor) -> Result<T, VendorError> {
        serde_json::from_slice(&self.body)
            .or_else(|e| {
                if e.to_string().starts_with("duplicate field") {
                    serde_json::from_slice::<serde_json::Value>(&self.body).and_then(serde_json::from_value)
                } else {
                    Err(e)
                }
            })
            .map_err(|e| {
                let reason = decode_error_without_values(&e);
                tracing::warn!(%vendor, error = %reason, "undecodable vendor response");
                VendorError::invalid_response(vendor, format!("unexpected response body ({reason})"))
            })
    }

    /// `Retry-After`, in seconds or as an HTTP date.
    pub fn retry_after(&self) -> Option<Duration> {
        parse_retry_after(self.headers.get(header::RETRY_AFTER)?)
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// serde_json's message when it names only the shape (`missing field `x``), else only
/// the kind of error and where it happened: other messages quote a value from the body
/// (`invalid type: string "…"`, ``integer `123` ``, ``unknown variant `…` ``).
fn decode_error_without_values(e: &serde_json::Error) -> String {
    let message = e.to_string();
    if message.starts_with("missing field") || !(message.contains('"') || message.contains('`')) {
        return message;
    }
    let kind = match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "a value of the wrong type",
        serde_json::error::Category::Eof => "unexpected end",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

fn parse_retry_after(value: &HeaderValue) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or_default())
}

/// How retries are spaced and bounded.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff step; doubled per attempt, with full jitter.
    pub backoff_base: Duration,
    /// The longest backoff step.
    pub backoff_max: Duration,
    /// The longest `Retry-After` Switchboard will wait; a longer one fails at once.
    pub max_retry_after: Duration,
}

impl From<&HttpSettings> for RetryPolicy {
    /// The retry policy `settings` describe (a `backoff_max_ms` below the base counts
    /// as the base).
    fn from(settings: &HttpSettings) -> Self {
        Self {
            max_retries: settings.max_retries,
            backoff_base: Duration::from_millis(settings.backoff_base_ms),
            backoff_max: Duration::from_millis(settings.backoff_max_ms.max(settings.backoff_base_ms)),
            max_retry_after: Duration::from_secs(settings.max_retry_after_secs),
        }
    }
}

impl RetryPolicy {
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.backoff_base.saturating_mul(1u32 << attempt.min(16));
        let cap = exp.min(self.backoff_max);
        cap.mul_f64(fastrand::f64())
    }
}

/// A vendor's HTTP endpoint for one tenant: base URL, shared client, retry policy.
#[derive(Clone)]
pub struct VendorHttp {
    client: Client,
    vendor: Vendor,
    tenant: Arc<str>,
    base: Url,
    policy: Arc<RetryPolicy>,
    /// Calls in flight to this vendor for this tenant, at most `max_concurrent_calls`.
    in_flight: Arc<tokio::sync::Semaphore>,
    breaker: Arc<Breaker>,
    /// The credential's call budget, when the vendor has one.
    budget: Option<Arc<Budget>>,
    max_response_bytes: usize,
    max_pages: usize,
    /// Where each attempt and retry is counted, when set.
    metrics: Option<Metrics>,
}

impl VendorHttp {
    /// An endpoint for `vendor` at `base` (the path every call's path is appended to).
    pub fn new(client: Client, vendor: Vendor, tenant: Arc<str>, base: Url, settings: &HttpSettings) -> Self {
        Self {
            client,
            vendor,
            tenant: tenant.clone(),
            base,
            policy: Arc::new(RetryPolicy::from(settings)),
            in_flight: Arc::new(tokio::sync::Semaphore::new(settings.max_concurrent_calls.max(1))),
            breaker: Arc::new(Breaker::new(
                tenant.clone(),
                vendor,
                settings.breaker_failures,
                Duration::from_millis(settings.breaker_cool_down_ms),
            )),
            budget: None,
            max_response_bytes: settings.max_response_bytes,
            max_pages: settings.max_pages.max(1),
            metrics: None,
        }
    }

    /// Counts every attempt (by vendor, `"{METHOD} {template}"` and status) and every
    /// retry into `metrics` (kept by the endpoints made from it by [`Self::at`]).
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    fn count_call(&self, call: &Call, status: &str, elapsed: Duration) {
        if let Some(metrics) = &self.metrics {
            let route = format!("{} {}", call.method, call.template);
            metrics.vendor_call(self.vendor.as_str(), &route, status, elapsed);
        }
    }

    fn count_retry(&self, call: &Call) {
        if let Some(metrics) = &self.metrics {
            metrics.vendor_retry(
                self.vendor.as_str(),
                &format!("{} {}", call.method, call.template),
            );
        }
    }

    /// This endpoint at another base URL (a vendor's token service, say), sharing its
    /// cap on concurrent calls.
    pub fn at(&self, base: Url) -> Self {
        Self { base, ..self.clone() }
    }

    /// This endpoint with a call budget (kept by the endpoints made from it by
    /// [`Self::at`]).
    pub fn with_budget(mut self, budget: Option<Arc<Budget>>) -> Self {
        self.budget = budget;
        self
    }

    /// This endpoint's circuit breaker (shared with the endpoints made by [`Self::at`]).
    pub fn breaker(&self) -> Arc<Breaker> {
        self.breaker.clone()
    }

    /// The most pages a list walk may read before it fails (`http.max_pages`).
    pub fn max_pages(&self) -> usize {
        self.max_pages
    }

    /// Which vendor this endpoint belongs to.
    pub fn vendor(&self) -> Vendor {
        self.vendor
    }

    /// The base URL (never shown to clients).
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// Builds the reqwest client every vendor endpoint shares.
    pub fn shared_client(settings: &HttpSettings) -> reqwest::Result<Client> {
        Client::builder()
            .connect_timeout(settings.connect_timeout())
            .timeout(settings.request_timeout())
            .user_agent(concat!("switchboard/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(60))
            // A redirect is answered as it came, never followed: following would send a
            // token, an app secret or a password wherever the Location points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        let joined = format!("{}{}", self.base.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        url
    }

    /// Sends `call`, retrying transient failures when it is idempotent. Returns the
    /// vendor's final answer whatever its status; transport failures become errors. An
    /// open breaker answers at once, without calling.
    pub async fn send(&self, call: Call) -> Result<Reply, VendorError> {
        let trial = Trial::start(&self.breaker).map_err(|wait| {
            tracing::debug!(vendor = %self.vendor, tenant = %self.tenant, "vendor breaker open: call refused");
            // Whole seconds, rounded up, as a `Retry-After` is.
            let wait = Duration::from_secs(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
            VendorError::new(self.vendor, VendorErrorKind::Paused).with_retry_after(Some(wait))
        })?;
        let result = self.send_with_retries(call).await;
        let outage = match &result {
            Ok(reply) => reply.status.is_server_error(),
            Err(e) => matches!(
                e.kind,
                VendorErrorKind::Unavailable | VendorErrorKind::Timeout | VendorErrorKind::OutcomeUnknown
            ),
        };
        trial.end(outage);
        result
    }

    async fn send_with_retries(&self, call: Call) -> Result<Reply, VendorError> {
        let url = self.url(&call.path);
        let deadline = current_deadline();
        // Whether a wait of `wait` would still leave time for another attempt.
        let fits = |wait: Duration| deadline.is_none_or(|d| Instant::now() + wait < d);
        let mut attempt = 0u32;
        loop {
            let span = tracing::info_span!(
                "vendor_call",
                vendor = %self.vendor,
                tenant = %self.tenant,
                method = %call.method,
                path = call.template,
                attempt,
                status = field::Empty,
                latency_ms = field::Empty,
            );
            let sent = AtomicBool::new(false);
            let outcome = match deadline {
                Some(deadline) => tokio::time::timeout_at(deadline, self.attempt(&call, url.clone(), &sent))
                    .instrument(span.clone())
                    .await
                    .unwrap_or_else(|_| {
                        span.in_scope(|| tracing::warn!("vendor call cut off at the request's deadline"));
                        let kind = if sent.load(Ordering::Acquire) && call.idempotency == Idempotency::Once {
                            VendorErrorKind::OutcomeUnknown
                        } else {
                            VendorErrorKind::Timeout
                        };
                        Err(VendorError::new(self.vendor, kind))
                    }),
                None => {
                    self.attempt(&call, url.clone(), &sent)
                        .instrument(span.clone())
                        .await
                }
            };
            let retryable = call.idempotency == Idempotency::Idempotent && attempt < self.policy.max_retries;
            match outcome {
                Ok(reply) => {
                    let transient = matches!(reply.status.as_u16(), 423 | 429 | 502 | 503 | 504);
                    if !(transient && retryable) {
                        return Ok(reply);
                    }
                    let wait = match reply.retry_after() {
                        Some(wait) if wait > self.policy.max_retry_after => {
                            span.in_scope(|| {
                                tracing::warn!(
                                    retry_after_s = wait.as_secs(),
                                    "Retry-After beyond the cap; not retrying"
                                )
                            });
                            return Ok(reply);
                        }
                        // A little jitter, never past the longest wait honoured.
                        Some(wait) => {
                            (wait + wait.mul_f64(fastrand::f64() * 0.1)).min(self.policy.max_retry_after)
                        }
                        None => self.policy.backoff(attempt),
                    };
                    if !fits(wait) {
                        return Ok(reply);
                    }
                    span.in_scope(|| {
                        tracing::info!(
                            wait_ms = wait.as_millis() as u64,
                            "retrying after a transient status"
                        )
                    });
                    self.count_retry(&call);
                    tokio::time::sleep(wait).await;
                }
                Err(err) => {
                    let connect = err.kind == VendorErrorKind::Unavailable && err.status.is_none();
                    if !(connect && retryable) {
                        return Err(err);
                    }
                    let wait = self.policy.backoff(attempt);
                    if !fits(wait) {
                        return Err(err);
                    }
                    span.in_scope(|| {
                        tracing::info!(
                            wait_ms = wait.as_millis() as u64,
                            "retrying after a connect error"
                        )
                    });
                    self.count_retry(&call);
                    tokio::time::sleep(wait).await;
                }
            }
            attempt += 1;
        }
    }

    /// One attempt; `sent` turns true once the request may have left (from then on a
    /// failure of a write sent once leaves its outcome unknown).
    async fn attempt(&self, call: &Call, url: Url, sent: &AtomicBool) -> Result<Reply, VendorError> {
        let mut request = self
            .client
            .request(call.method.clone(), url)
            .headers(call.headers.clone());
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        request = match &call.body {
            Some(Body::Json(bytes)) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Some(Body::Form(text)) => request
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(text.clone()),
            None => request,
        };
        let span = tracing::Span::current();
        // The semaphore is never closed; a permit is held for the call only, not for
        // the waits between attempts.
        let _permit = self.in_flight.acquire().await.ok();
        if let Some(budget) = &self.budget {
            budget.acquire(current_deadline()).await?;
        }
        // W3C trace context of this attempt's span, when traces are recorded.
        request = request.headers(trace_context(&span));
        // Latency counts from the send, not from the wait for a permit.
        let started = Instant::now();
        // Counted when the attempt ends, however it ends (also when the request's
        // deadline cuts it off: it was sent).
        let mut counted = CountOnDrop {
            http: self,
            call,
            started,
            status: "deadline".to_owned(),
        };
        sent.store(true, Ordering::Release);
        let result = async {
            let mut response = request.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let limit = self.max_response_bytes;
            if response.content_length().is_some_and(|n| n > limit as u64) {
                return Ok(Err(limit));
            }
            let mut body = bytes::BytesMut::new();
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > limit {
                    return Ok(Err(limit));
                }
                body.extend_from_slice(&chunk);
            }
            Ok::<_, reqwest::Error>(Ok(Reply {
                status,
                headers,
                body: body.freeze(),
            }))
        }
        .await;
        let latency = started.elapsed().as_millis() as u64;
        span.record("latency_ms", latency);
        counted.status = match &result {
            Ok(Ok(reply)) => reply.status.as_str(),
            Ok(Err(_)) => "too_large",
            Err(e) if e.is_timeout() => "timeout",
            Err(_) => "unavailable",
        }
        .to_owned();
        drop(counted);
        match result {
            Ok(Err(limit)) => {
                tracing::warn!(
                    limit_bytes = limit,
                    "vendor answer larger than http.max_response_bytes; dropped"
                );
                Err(VendorError::invalid_response(
                    self.vendor,
                    format!("answer larger than {limit} bytes"),
                ))
            }
            Ok(Ok(reply)) => {
                span.record("status", reply.status.as_u16());
                if reply.status.is_success() {
                    tracing::info!("vendor call");
                } else {
                    tracing::warn!("vendor call failed");
                }
                Ok(reply)
            }
            Err(e) => {
                let e = e.without_url();
                // A connect error sent nothing. Anything later may have reached the
                // vendor: for a write sent once, that leaves its outcome unknown.
                let kind = if e.is_connect() {
                    VendorErrorKind::Unavailable
                } else if call.idempotency == Idempotency::Once {
                    VendorErrorKind::OutcomeUnknown
                } else if e.is_timeout() {
                    VendorErrorKind::Timeout
                } else {
                    VendorErrorKind::Unavailable
                };
                tracing::warn!(error = %e, "vendor call did not complete");
                Err(VendorError::new(self.vendor, kind))
            }
        }
    }
}

/// Counts one attempt into the endpoint's metrics when dropped, with `status`.
struct CountOnDrop<'a> {
    http: &'a VendorHttp,
    call: &'a Call,
    started: Instant,
    status: String,
}

impl Drop for CountOnDrop<'_> {
    fn drop(&mut self) {
        self.http
            .count_call(self.call, &self.status, self.started.elapsed());
    }
}

/// The `traceparent` (and `tracestate`) of `span`, as the installed propagator writes
/// them; empty when no trace is being recorded.
fn trace_context(span: &tracing::Span) -> HeaderMap {
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    let mut headers = HeaderMap::new();
    let context = span.context();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut opentelemetry_http::HeaderInjector(&mut headers));
    });
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_credentials() {
        let call = Call::new(Method::POST, "/token", "/token")
            .query("apiKey", "q-secret")
            .bearer("t-secret")
            .json(&serde_json::json!({ "password": "p-secret" }));
        let reply = Reply {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(br#"{"access_token":"r-secret"}"#),
        };
        let shown = format!("{call:?} {reply:?}");
        for secret in ["q-secret", "t-secret", "p-secret", "r-secret"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("/token") && shown.contains("apiKey"), "{shown}");
    }

    #[test]
    fn a_repeated_key_is_read_last_one_wins() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct User {
            user_id: String,
            username: String,
        }
        let reply = Reply {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(br#"{"userId":"first","username":"wallboard","userId":"second"}"#),
        };
        let user: User = reply.json(Vendor::Vonage).unwrap();
        assert_eq!(
            (user.user_id.as_str(), user.username.as_str()),
            ("second", "wallboard")
        );
    }

    #[test]
    fn decode_errors_never_quote_the_body() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct TokenReply {
            expires_in: u64,
        }
        let reply = Reply {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(br#"{"expires_in":"s3cr3t-token"}"#),
        };
        let err = reply.json::<TokenReply>(Vendor::Dixa).unwrap_err().to_string();
        assert!(!err.contains("s3cr3t"), "{err}");
        let number = Reply {
            body: Bytes::from_static(br#"{"expires_in":-987654321}"#),
            ..reply.clone()
        };
        let err = number.json::<TokenReply>(Vendor::Dixa).unwrap_err().to_string();
        assert!(!err.contains("987654321"), "{err}");
        assert!(err.contains("line 1"), "{err}");
        let missing = Reply {
            body: Bytes::from_static(b"{}"),
            ..reply
        };
        let err = missing.json::<TokenReply>(Vendor::Dixa).unwrap_err().to_string();
        assert!(err.contains("expires_in"), "{err}");
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(
            parse_retry_after(&HeaderValue::from_static("3")),
            Some(Duration::from_secs(3))
        );
        let past = HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(parse_retry_after(&past), Some(Duration::ZERO));
        assert_eq!(parse_retry_after(&HeaderValue::from_static("soon")), None);
    }

    #[test]
    fn backoff_is_bounded() {
        let policy = RetryPolicy {
            max_retries: 3,
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(300),
            max_retry_after: Duration::from_secs(5),
        };
        for attempt in 0..10 {
            assert!(policy.backoff(attempt) <= Duration::from_millis(300));
        }
    }

    #[test]
    fn the_policy_comes_from_the_settings() {
        let settings = HttpSettings {
            max_retries: 4,
            backoff_base_ms: 200,
            backoff_max_ms: 50,
            max_retry_after_secs: 7,
            ..HttpSettings::default()
        };
        let policy = RetryPolicy::from(&settings);
        assert_eq!(policy.max_retries, 4);
        assert_eq!(policy.backoff_base, Duration::from_millis(200));
        assert_eq!(
            policy.backoff_max,
            Duration::from_millis(200),
            "a cap below the base is the base"
        );
        assert_eq!(policy.max_retry_after, Duration::from_secs(7));
    }

    #[test]
    fn form_bodies_are_url_encoded() {
        #[derive(Serialize)]
        struct F<'a> {
            grant_type: &'a str,
            scope: &'a str,
        }
        let s = serde_urlencoded_like(&F {
            grant_type: "client_credentials",
            scope: "users:read users:write",
        });
        assert_eq!(
            s,
            "grant_type=client_credentials&scope=users%3Aread+users%3Awrite"
        );
    }
}
