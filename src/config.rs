//! Typed settings: built-in defaults, then an optional TOML file, then `SWITCHBOARD_*`
//! environment variables (`__` separates levels, e.g.
//! `SWITCHBOARD_TENANTS__ACME__DIXA__API_TOKEN`). Unknown keys are an error, never a
//! silently ignored typo. Every credential is a [`SecretString`].
//!
//! May depend on: nothing else in the crate.

use std::{collections::BTreeMap, net::SocketAddr, path::Path, time::Duration};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

/// The address the default run listens on.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Everything Switchboard needs to run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Where the HTTP server listens (`SWITCHBOARD_LISTEN`).
    pub listen: SocketAddr,
    /// The tenant that requests without an API key act as. Unset in production: then a
    /// request without a valid key is refused (`SWITCHBOARD_ANONYMOUS_TENANT`).
    #[serde(default)]
    pub anonymous_tenant: Option<String>,
    /// Lets the anonymous tenant be served on an address other than loopback, where
    /// anyone who reaches it acts as that tenant without a key
    /// (`SWITCHBOARD_ANONYMOUS_ON_NETWORK`).
    #[serde(default)]
    pub anonymous_on_network: bool,
    /// The HTTP edge: body size, CORS, the explorer, readiness (`SWITCHBOARD_SERVER__*`).
    #[serde(default)]
    pub server: ServerSettings,
    /// The read cache (`SWITCHBOARD_CACHE__*`).
    #[serde(default)]
    pub cache: CacheSettings,
    /// Timeouts and retries for every vendor call (`SWITCHBOARD_HTTP__*`).
    #[serde(default)]
    pub http: HttpSettings,
    /// GraphQL limits (`SWITCHBOARD_GRAPHQL__*`).
    #[serde(default)]
    pub graphql: GraphqlSettings,
    /// Who may call: JWTs besides the tenants' API keys, scopes, client rate limits
    /// (`SWITCHBOARD_AUTH__*`).
    #[serde(default)]
    pub auth: AuthSettings,
    /// OpenTelemetry trace export (`SWITCHBOARD_OTEL__*`).
    #[serde(default)]
    pub otel: OtelSettings,
    /// Live presence: subscriptions, pollers, socket limits (`SWITCHBOARD_LIVE__*`).
    #[serde(default)]
    pub live: LiveSettings,
    /// Tenants by id (`SWITCHBOARD_TENANTS__<ID>__*`).
    #[serde(default)]
    pub tenants: BTreeMap<String, TenantSettings>,
}

/// Who may call, and how often.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// JWT bearer tokens from an identity provider, besides API keys
    /// (`SWITCHBOARD_AUTH__JWT__*`); none accepted when absent.
    #[serde(default)]
    pub jwt: Option<JwtSettings>,
    /// The scope a token needs to run queries and subscriptions.
    #[serde(default = "default_read_scope")]
    pub read_scope: String,
    /// The scope a token needs to run mutations.
    #[serde(default = "default_write_scope")]
    pub write_scope: String,
    /// Requests per second one client (an API key, or a token's subject) may make,
    /// across every replica sharing the Redis; past it, 429 with `Retry-After`
    /// (`SWITCHBOARD_AUTH__CLIENT_REQUESTS_PER_SECOND`; 0: no limit).
    #[serde(default = "default_client_rate")]
    pub client_requests_per_second: f64,
    /// Requests one client may make at once after a quiet spell.
    #[serde(default = "default_client_burst")]
    pub client_burst: u32,
    /// Requests per second all of one tenant's clients may make together (0: no limit).
    #[serde(default = "default_tenant_rate")]
    pub tenant_requests_per_second: f64,
    /// Requests one tenant's clients may make at once after a quiet spell.
    #[serde(default = "default_tenant_burst")]
    pub tenant_burst: u32,
}

fn default_read_scope() -> String {
    "switchboard:read".into()
}
fn default_write_scope() -> String {
    "switchboard:write".into()
}
fn default_client_rate() -> f64 {
    50.0
}
fn default_client_burst() -> u32 {
    100
}
fn default_tenant_rate() -> f64 {
    500.0
}
fn default_tenant_burst() -> u32 {
    1_000
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt: None,
            read_scope: default_read_scope(),
            write_scope: default_write_scope(),
            client_requests_per_second: default_client_rate(),
            client_burst: default_client_burst(),
            tenant_requests_per_second: default_tenant_rate(),
            tenant_burst: default_tenant_burst(),
        }
    }
}

/// JWT bearer tokens validated against an identity provider's JWKS.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtSettings {
    /// Where the signing keys are published (`https://idp.example.com/.well-known/jwks.json`).
    pub jwks_url: Url,
    /// The `iss` a token must carry.
    pub issuer: String,
    /// An `aud` a token must carry.
    pub audience: String,
    /// The signature algorithms accepted (never `none`, never HMAC).
    #[serde(default = "default_jwt_algorithms")]
    pub algorithms: Vec<String>,
    /// The claim naming the tenant the token acts as.
    #[serde(default = "default_tenant_claim")]
    pub tenant_claim: String,
    /// The claim holding the scopes (a space-separated string or a list).
    #[serde(default = "default_scope_claim")]
    pub scope_claim: String,
    /// Seconds the keys are kept before they are fetched again (an unknown `kid` fetches
    /// them sooner, at most every 30 s).
    #[serde(default = "default_jwks_refresh")]
    pub jwks_refresh_secs: u64,
    /// Clock skew allowed on `exp` and `nbf`, in seconds.
    #[serde(default = "default_jwt_leeway")]
    pub leeway_secs: u64,
}

fn default_jwt_algorithms() -> Vec<String> {
    vec!["RS256".into()]
}
fn default_tenant_claim() -> String {
    "tenant".into()
}
fn default_scope_claim() -> String {
    "scope".into()
}
fn default_jwks_refresh() -> u64 {
    300
}
fn default_jwt_leeway() -> u64 {
    30
}

/// Where cached reads live.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    /// Prefix of every cache key, so several deployments can share one store
    /// (`SWITCHBOARD_CACHE__NAMESPACE`).
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// Seconds directory data (teams, agents, users, supervisors) stays cached
    /// (`SWITCHBOARD_CACHE__DIRECTORY_TTL_SECS`).
    #[serde(default = "default_directory_ttl")]
    pub directory_ttl_secs: u64,
    /// Seconds presence stays cached (`SWITCHBOARD_CACHE__PRESENCE_TTL_SECS`).
    #[serde(default = "default_presence_ttl")]
    pub presence_ttl_secs: u64,
    /// Seconds reference data (skill queues, locations) stays cached
    /// (`SWITCHBOARD_CACHE__REFERENCE_TTL_SECS`).
    #[serde(default = "default_reference_ttl")]
    pub reference_ttl_secs: u64,
    /// Upper bound of the in-process cache, in MiB (`SWITCHBOARD_CACHE__MEMORY_MAX_MIB`).
    #[serde(default = "default_memory_mib")]
    pub memory_max_mib: u64,
    /// Redis shared by every replica, `redis://[:password@]host:port[/db]`; unset, the
    /// cache lives in process (`SWITCHBOARD_CACHE__REDIS_URL`). A secret: it may carry
    /// a password.
    #[serde(default, skip_serializing, deserialize_with = "secret::optional")]
    pub redis_url: Option<SecretString>,
    /// Milliseconds one Redis call may take before the request goes to the vendor
    /// instead (`SWITCHBOARD_CACHE__REDIS_TIMEOUT_MS`).
    #[serde(default = "default_redis_timeout")]
    pub redis_timeout_ms: u64,
    /// Seconds a mutation's outcome is kept under its `idempotencyKey`, so a repeat
    /// returns it instead of writing again (`SWITCHBOARD_CACHE__IDEMPOTENCY_TTL_SECS`).
    #[serde(default = "default_idempotency_ttl")]
    pub idempotency_ttl_secs: u64,
    /// Milliseconds a whole query answer is kept for the same query, variables and
    /// tenant, until any write; a due one is served for up to as long again while its
    /// successor is computed (`SWITCHBOARD_CACHE__ANSWER_TTL_MS`; 0: off).
    #[serde(default = "default_answer_ttl")]
    pub answer_ttl_ms: u64,
    /// Upper bound of the kept answers, in MiB (`SWITCHBOARD_CACHE__ANSWER_MAX_MIB`).
    #[serde(default = "default_answer_mib")]
    pub answer_max_mib: u64,
}

fn default_answer_ttl() -> u64 {
    1_000
}

fn default_answer_mib() -> u64 {
    16
}

fn default_idempotency_ttl() -> u64 {
    24 * 3600
}

fn default_redis_timeout() -> u64 {
    50
}

fn default_namespace() -> String {
    "switchboard".into()
}
fn default_directory_ttl() -> u64 {
    60
}
fn default_presence_ttl() -> u64 {
    5
}
fn default_reference_ttl() -> u64 {
    300
}
fn default_memory_mib() -> u64 {
    64
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            namespace: default_namespace(),
            directory_ttl_secs: default_directory_ttl(),
            presence_ttl_secs: default_presence_ttl(),
            reference_ttl_secs: default_reference_ttl(),
            memory_max_mib: default_memory_mib(),
            redis_url: None,
            redis_timeout_ms: default_redis_timeout(),
            idempotency_ttl_secs: default_idempotency_ttl(),
            answer_ttl_ms: default_answer_ttl(),
            answer_max_mib: default_answer_mib(),
        }
    }
}

/// Timeouts and retries for vendor calls.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// Milliseconds to establish a connection (`SWITCHBOARD_HTTP__CONNECT_TIMEOUT_MS`).
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_ms: u64,
    /// Milliseconds for a whole vendor call (`SWITCHBOARD_HTTP__REQUEST_TIMEOUT_MS`).
    #[serde(default = "default_request_timeout")]
    pub request_timeout_ms: u64,
    /// Retries of an idempotent call after the first attempt (`SWITCHBOARD_HTTP__MAX_RETRIES`).
    #[serde(default = "default_max_retries")]
    pub max_retries: u32,
    /// First backoff step in milliseconds, doubled per retry (`SWITCHBOARD_HTTP__BACKOFF_BASE_MS`).
    #[serde(default = "default_backoff_base")]
    pub backoff_base_ms: u64,
    /// Longest backoff step in milliseconds (`SWITCHBOARD_HTTP__BACKOFF_MAX_MS`).
    #[serde(default = "default_backoff_max")]
    pub backoff_max_ms: u64,
    /// Longest `Retry-After` honoured, in seconds; a longer one fails the call at once
    /// (`SWITCHBOARD_HTTP__MAX_RETRY_AFTER_SECS`).
    #[serde(default = "default_max_retry_after")]
    pub max_retry_after_secs: u64,
    /// Hosts a vendor may be reached at over plain `http://` besides loopback (which the
    /// built-in simulators use): a test rig's simulator host, say. Every other vendor URL
    /// must be `https://` (`SWITCHBOARD_HTTP__PLAIN_HTTP_HOSTS`, a TOML list).
    #[serde(default)]
    pub plain_http_hosts: Vec<String>,
    /// Calls in flight at once to one vendor for one tenant; more wait their turn
    /// (`SWITCHBOARD_HTTP__MAX_CONCURRENT_CALLS`).
    #[serde(default = "default_max_concurrent_calls")]
    pub max_concurrent_calls: usize,
    /// Largest vendor answer read, in bytes; a larger one fails the call as
    /// `VENDOR_UNAVAILABLE` (an invalid answer) without being buffered
    /// (`SWITCHBOARD_HTTP__MAX_RESPONSE_BYTES`).
    #[serde(default = "default_max_response_bytes")]
    pub max_response_bytes: usize,
    /// Most pages one list walk reads before failing (`SWITCHBOARD_HTTP__MAX_PAGES`).
    #[serde(default = "default_max_pages")]
    pub max_pages: usize,
    /// Milliseconds one GraphQL request may spend on vendor calls, retries and
    /// `Retry-After` waits together; a call still running then fails as a timeout and
    /// nulls only the fields it serves (`SWITCHBOARD_HTTP__REQUEST_DEADLINE_MS`).
    #[serde(default = "default_request_deadline")]
    pub request_deadline_ms: u64,
    /// Vendor calls failing in a row as an outage (unreachable, timed out, 5xx) after
    /// which a tenant's breaker for that vendor opens; 0 never opens it
    /// (`SWITCHBOARD_HTTP__BREAKER_FAILURES`).
    #[serde(default = "default_breaker_failures")]
    pub breaker_failures: u32,
    /// Milliseconds an open breaker refuses calls before one probe call is let through
    /// (`SWITCHBOARD_HTTP__BREAKER_COOL_DOWN_MS`).
    #[serde(default = "default_breaker_cool_down")]
    pub breaker_cool_down_ms: u64,
    /// Call budgets per vendor credential (`[http.budgets.dixa]`, `.webex`,
    /// `.huawei_aicc`, `.vonage`): Switchboard's calls with one credential stay within
    /// `per_second`, `burst` at once, across every replica sharing the Redis
    /// (`SWITCHBOARD_HTTP__BUDGETS__DIXA__PER_SECOND`). By default only Dixa, whose
    /// documented limit is 10 requests/s with bursts of 4, has one, a little under it:
    /// 9/s, bursts of 3. A vendor without one (or with `per_second = 0`) is not limited.
    #[serde(default)]
    pub budgets: Budgets,
}

/// The call budgets, per vendor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Budgets {
    /// Webex Calling's.
    pub webex: Option<BudgetSettings>,
    /// Huawei AICC's.
    pub huawei_aicc: Option<BudgetSettings>,
    /// Dixa's.
    pub dixa: Option<BudgetSettings>,
    /// Vonage's.
    pub vonage: Option<BudgetSettings>,
}

impl Default for Budgets {
    fn default() -> Self {
        Self {
            webex: None,
            huawei_aicc: None,
            dixa: Some(BudgetSettings {
                per_second: 9.0,
                burst: 3,
            }),
            vonage: None,
        }
    }
}

impl Budgets {
    /// The budget of the vendor named `name` (`dixa`, `webex`, `huawei_aicc`,
    /// `vonage`), unless it has none or a zero rate.
    pub fn of(&self, name: &str) -> Option<BudgetSettings> {
        let budget = match name {
            "webex" => self.webex,
            "huawei_aicc" => self.huawei_aicc,
            "dixa" => self.dixa,
            "vonage" => self.vonage,
            _ => None,
        }?;
        (budget.per_second > 0.0).then_some(budget)
    }

    fn all(&self) -> [(&'static str, Option<BudgetSettings>); 4] {
        [
            ("webex", self.webex),
            ("huawei_aicc", self.huawei_aicc),
            ("dixa", self.dixa),
            ("vonage", self.vonage),
        ]
    }
}

/// A vendor's call budget per credential.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetSettings {
    /// Calls per second, sustained (0: no budget).
    pub per_second: f64,
    /// Calls at once after a quiet spell.
    #[serde(default = "one_call")]
    pub burst: u32,
}

fn one_call() -> u32 {
    1
}

fn default_breaker_failures() -> u32 {
    5
}
fn default_breaker_cool_down() -> u64 {
    30_000
}

fn default_max_concurrent_calls() -> usize {
    8
}
fn default_max_response_bytes() -> usize {
    16 * 1024 * 1024
}
fn default_max_pages() -> usize {
    200
}
fn default_request_deadline() -> u64 {
    15_000
}
fn default_connect_timeout() -> u64 {
    2_000
}
fn default_request_timeout() -> u64 {
    10_000
}
fn default_max_retries() -> u32 {
    2
}
fn default_backoff_base() -> u64 {
    100
}
fn default_backoff_max() -> u64 {
    2_000
}
fn default_max_retry_after() -> u64 {
    10
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            connect_timeout_ms: default_connect_timeout(),
            request_timeout_ms: default_request_timeout(),
            max_retries: default_max_retries(),
            backoff_base_ms: default_backoff_base(),
            backoff_max_ms: default_backoff_max(),
            max_retry_after_secs: default_max_retry_after(),
            plain_http_hosts: Vec::new(),
            max_concurrent_calls: default_max_concurrent_calls(),
            max_response_bytes: default_max_response_bytes(),
            max_pages: default_max_pages(),
            request_deadline_ms: default_request_deadline(),
            breaker_failures: default_breaker_failures(),
            breaker_cool_down_ms: default_breaker_cool_down(),
            budgets: Budgets::default(),
        }
    }
}

impl HttpSettings {
    /// Refuses a vendor URL that is not `https://`, unless its host is loopback or listed
    /// in `plain_http_hosts`: a token, an AK/SK or a password must never cross a network
    /// in clear text.
    fn check_vendor_url(&self, key: &str, url: &Url) -> Result<(), ConfigError> {
        let host = url.host_str().unwrap_or("");
        let loopback = host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let allowed = self.plain_http_hosts.iter().any(|h| h.eq_ignore_ascii_case(host));
        match url.scheme() {
            "https" => Ok(()),
            "http" if loopback || allowed => Ok(()),
            scheme => Err(ConfigError(format!(
                "{key} must be an https:// URL (it is {scheme}://{host}); plain http is only for \
                 loopback or hosts listed in http.plain_http_hosts"
            ))),
        }
    }
}

impl HttpSettings {
    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }

    /// The whole-call timeout.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    /// How long one GraphQL request may spend on vendor calls.
    pub fn request_deadline(&self) -> Duration {
        Duration::from_millis(self.request_deadline_ms)
    }
}

/// Where traces go. Spans are exported over OTLP/HTTP (protobuf) when an endpoint is set
/// here or in the standard `OTEL_EXPORTER_OTLP_ENDPOINT` /
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` variables; otherwise none are recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtelSettings {
    /// The collector's OTLP/HTTP base URL (`http://otel-collector:4318`; `/v1/traces`
    /// is appended) (`SWITCHBOARD_OTEL__ENDPOINT`). Overrides `OTEL_EXPORTER_OTLP_ENDPOINT`.
    #[serde(default)]
    pub endpoint: Option<Url>,
    /// The `service.name` of every span (`SWITCHBOARD_OTEL__SERVICE_NAME`).
    #[serde(default = "default_service_name")]
    pub service_name: String,
}

fn default_service_name() -> String {
    "switchboard".to_owned()
}

impl Default for OtelSettings {
    fn default() -> Self {
        Self {
            endpoint: None,
            service_name: default_service_name(),
        }
    }
}

/// Live presence (`Subscription.presenceChanged`): how often the vendors are polled
/// while someone subscribes, and the limits of the WebSocket and SSE transports.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveSettings {
    /// How often Dixa's `GET /agents/presence` is read while anyone watches a Dixa agent:
    /// one call per tenant per interval, whatever the number of teams watched, so at the
    /// 200 ms floor a tenant uses half of Dixa's 10 requests/s per token
    /// (`SWITCHBOARD_LIVE__DIXA_POLL_MS`).
    #[serde(default = "default_dixa_poll")]
    pub dixa_poll_ms: u64,
    /// How often each Vonage agent's presence is read while anyone watches a Vonage agent
    /// (webhooks arrive in between) (`SWITCHBOARD_LIVE__VONAGE_POLL_MS`).
    #[serde(default = "default_vonage_poll")]
    pub vonage_poll_ms: u64,
    /// Most changes waiting for one subscriber (one per agent: a later change of the same
    /// agent replaces the waiting one); past it the subscriber gets a fresh snapshot
    /// (`SWITCHBOARD_LIVE__QUEUE_MAX`).
    #[serde(default = "default_queue_max")]
    pub queue_max: usize,
    /// Seconds between keep-alive pings on a socket or SSE stream
    /// (`SWITCHBOARD_LIVE__KEEPALIVE_SECS`).
    #[serde(default = "default_keepalive")]
    pub keepalive_secs: u64,
    /// How long a socket may wait before `connection_init` (4408 after it)
    /// (`SWITCHBOARD_LIVE__INIT_TIMEOUT_MS`).
    #[serde(default = "default_init_timeout")]
    pub init_timeout_ms: u64,
    /// Most subscriptions open on one socket (`SWITCHBOARD_LIVE__MAX_SUBSCRIPTIONS_PER_CONNECTION`).
    #[serde(default = "default_max_subs")]
    pub max_subscriptions_per_connection: usize,
    /// Most sockets and SSE streams open in this process
    /// (`SWITCHBOARD_LIVE__MAX_CONNECTIONS`).
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// With Redis: how long the lease electing one poller per tenant and vendor lasts
    /// unless renewed (every poll), so how soon another replica takes polling over when
    /// the poller dies; at least twice each poll interval (`SWITCHBOARD_LIVE__LEASE_MS`).
    #[serde(default = "default_lease")]
    pub lease_ms: u64,
}

fn default_lease() -> u64 {
    10_000
}

fn default_dixa_poll() -> u64 {
    2_000
}
fn default_vonage_poll() -> u64 {
    5_000
}
fn default_queue_max() -> usize {
    10_000
}
fn default_keepalive() -> u64 {
    15
}
fn default_init_timeout() -> u64 {
    3_000
}
fn default_max_subs() -> usize {
    20
}
fn default_max_connections() -> usize {
    20_000
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            dixa_poll_ms: default_dixa_poll(),
            vonage_poll_ms: default_vonage_poll(),
            queue_max: default_queue_max(),
            keepalive_secs: default_keepalive(),
            init_timeout_ms: default_init_timeout(),
            max_subscriptions_per_connection: default_max_subs(),
            max_connections: default_max_connections(),
            lease_ms: default_lease(),
        }
    }
}

impl LiveSettings {
    /// The fastest a poller may run: Dixa allows 10 requests/s per token, and queries
    /// need their share.
    pub const MIN_POLL_MS: u64 = 200;

    fn validate(&self) -> Result<(), ConfigError> {
        for (key, ms) in [
            ("live.dixa_poll_ms", self.dixa_poll_ms),
            ("live.vonage_poll_ms", self.vonage_poll_ms),
        ] {
            if ms < Self::MIN_POLL_MS {
                return Err(ConfigError(format!(
                    "{key} must be at least {} (it is {ms}): Dixa allows 10 requests/s per token",
                    Self::MIN_POLL_MS
                )));
            }
        }
        let slowest = self.dixa_poll_ms.max(self.vonage_poll_ms);
        if self.lease_ms < 2 * slowest {
            return Err(ConfigError(format!(
                "live.lease_ms ({}) must be at least twice the longest poll interval ({slowest} ms), \
                 or the poller loses its lease between polls",
                self.lease_ms
            )));
        }
        let positive = [
            ("live.queue_max", self.queue_max),
            ("live.keepalive_secs", self.keepalive_secs as usize),
            ("live.init_timeout_ms", self.init_timeout_ms as usize),
            (
                "live.max_subscriptions_per_connection",
                self.max_subscriptions_per_connection,
            ),
            ("live.max_connections", self.max_connections),
        ];
        if let Some((key, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(ConfigError(format!("{key} must be above zero")));
        }
        Ok(())
    }
}

/// Limits on what one GraphQL request may ask, and whether the schema may be explored.
/// Introspection is exempt from the depth and cost limits (see `graphql::limits`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphqlSettings {
    /// Whether `__schema`/`__type` introspection is answered
    /// (`SWITCHBOARD_GRAPHQL__INTROSPECTION`).
    #[serde(default = "yes")]
    pub introspection: bool,
    /// Deepest selection allowed (`SWITCHBOARD_GRAPHQL__MAX_DEPTH`).
    #[serde(default = "default_max_depth")]
    pub max_depth: usize,
    /// Most aliases in one operation (`SWITCHBOARD_GRAPHQL__MAX_ALIASES`).
    #[serde(default = "default_max_aliases")]
    pub max_aliases: usize,
    /// Most root fields in one operation (`SWITCHBOARD_GRAPHQL__MAX_ROOT_FIELDS`).
    #[serde(default = "default_max_root_fields")]
    pub max_root_fields: usize,
    /// Most directives on one field or fragment (`SWITCHBOARD_GRAPHQL__MAX_DIRECTIVES`).
    #[serde(default = "default_max_directives")]
    pub max_directives: usize,
    /// Most lexical tokens in the query text, counted before it is parsed
    /// (`SWITCHBOARD_GRAPHQL__MAX_TOKENS`).
    #[serde(default = "default_max_tokens")]
    pub max_tokens: usize,
    /// Largest `first` a list may be asked for, 1 to 500 (`SWITCHBOARD_GRAPHQL__MAX_FIRST`).
    #[serde(default = "default_max_first")]
    pub max_first: usize,
    /// Highest cost: the number of objects an operation may resolve, each list counted
    /// at its `first` (the ids given, or 5 for a short list); scalars are free
    /// (`SWITCHBOARD_GRAPHQL__MAX_COST`).
    #[serde(default = "default_max_cost")]
    pub max_cost: u64,
    /// Most operations in one batched (JSON array) request; 1 turns batching off
    /// (`SWITCHBOARD_GRAPHQL__MAX_BATCH`).
    #[serde(default = "default_max_batch")]
    pub max_batch: usize,
    /// Most fields once fragments are expanded, counted at every level: what the
    /// executor walks (`SWITCHBOARD_GRAPHQL__MAX_SELECTIONS`).
    #[serde(default = "default_max_selections")]
    pub max_selections: usize,
}

fn yes() -> bool {
    true
}
fn default_max_depth() -> usize {
    12
}
fn default_max_aliases() -> usize {
    15
}
fn default_max_root_fields() -> usize {
    20
}
fn default_max_directives() -> usize {
    5
}
fn default_max_tokens() -> usize {
    5_000
}
fn default_max_first() -> usize {
    500
}
fn default_max_cost() -> u64 {
    50_000
}
fn default_max_selections() -> usize {
    2_000
}
fn default_max_batch() -> usize {
    1
}

impl Default for GraphqlSettings {
    fn default() -> Self {
        Self {
            introspection: true,
            max_depth: default_max_depth(),
            max_aliases: default_max_aliases(),
            max_root_fields: default_max_root_fields(),
            max_directives: default_max_directives(),
            max_tokens: default_max_tokens(),
            max_first: default_max_first(),
            max_cost: default_max_cost(),
            max_batch: default_max_batch(),
            max_selections: default_max_selections(),
        }
    }
}

/// The HTTP edge: what the server accepts from browsers and clients.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Largest request body, in bytes, refused with 413 while reading and before the
    /// API key is looked at (`SWITCHBOARD_SERVER__MAX_BODY_BYTES`).
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// Whether GraphiQL is served at `/` (`SWITCHBOARD_SERVER__EXPLORER`).
    #[serde(default = "yes")]
    pub explorer: bool,
    /// Origins whose pages may call `/graphql` (CORS): exact origins such as
    /// `https://console.example.com`, or `http://localhost:*` for any port. Empty: no
    /// cross-origin calls (`SWITCHBOARD_SERVER__CORS_ORIGINS`, a TOML list).
    #[serde(default)]
    pub cors_origins: Vec<String>,
    /// Whether cross-origin calls may carry cookies or HTTP auth
    /// (`SWITCHBOARD_SERVER__CORS_ALLOW_CREDENTIALS`).
    #[serde(default)]
    pub cors_allow_credentials: bool,
    /// Seconds a browser may keep a preflight answer (`SWITCHBOARD_SERVER__CORS_MAX_AGE_SECS`).
    #[serde(default = "default_cors_max_age")]
    pub cors_max_age_secs: u64,
    /// Memory for automatic persisted queries, in MiB (`SWITCHBOARD_SERVER__APQ_CACHE_MIB`).
    #[serde(default = "default_apq_mib")]
    pub apq_cache_mib: u64,
    /// Seconds between background readiness probes of every vendor
    /// (`SWITCHBOARD_SERVER__READINESS_INTERVAL_SECS`).
    #[serde(default = "default_readiness_interval")]
    pub readiness_interval_secs: u64,
    /// Milliseconds one readiness probe may take (`SWITCHBOARD_SERVER__READINESS_TIMEOUT_MS`).
    #[serde(default = "default_readiness_timeout")]
    pub readiness_timeout_ms: u64,
    /// GraphQL operations executing at once over HTTP; more wait their turn, within their
    /// tenant's request deadline, then get 503 with `Retry-After`. Bounds the memory a
    /// burst takes; answers served from the kept ones need no turn (default: 4 per CPU
    /// core, as many as the cores and the vendor call caps can move forward at once;
    /// `SWITCHBOARD_SERVER__MAX_CONCURRENT_OPERATIONS`).
    #[serde(default = "default_max_operations")]
    pub max_concurrent_operations: usize,
}

fn default_max_body() -> usize {
    2 * 1024 * 1024
}
fn default_cors_max_age() -> u64 {
    600
}
fn default_apq_mib() -> u64 {
    16
}
fn default_readiness_interval() -> u64 {
    30
}
fn default_readiness_timeout() -> u64 {
    2_000
}
fn default_max_operations() -> usize {
    4 * std::thread::available_parallelism().map_or(2, usize::from)
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: default_max_body(),
            explorer: true,
            cors_origins: Vec::new(),
            cors_allow_credentials: false,
            cors_max_age_secs: default_cors_max_age(),
            apq_cache_mib: default_apq_mib(),
            readiness_interval_secs: default_readiness_interval(),
            readiness_timeout_ms: default_readiness_timeout(),
            max_concurrent_operations: default_max_operations(),
        }
    }
}

/// The origins the default run lets call it: pages served from this machine.
pub const LOCAL_ORIGINS: [&str; 6] = [
    "http://localhost:*",
    "https://localhost:*",
    "http://127.0.0.1:*",
    "https://127.0.0.1:*",
    "http://[::1]:*",
    "https://[::1]:*",
];

/// One tenant: the API keys its clients present, and its vendor connections.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSettings {
    /// Keys clients send as `Authorization: Bearer <key>`
    /// (`SWITCHBOARD_TENANTS__<ID>__API_KEYS`, a TOML list).
    #[serde(default, deserialize_with = "secret::list")]
    pub api_keys: Vec<SecretString>,
    /// Keys that may only read: queries and subscriptions, never a mutation
    /// (`SWITCHBOARD_TENANTS__<ID>__READ_ONLY_API_KEYS`, a TOML list).
    #[serde(default, deserialize_with = "secret::list")]
    pub read_only_api_keys: Vec<SecretString>,
    /// The Dixa connection (`SWITCHBOARD_TENANTS__<ID>__DIXA__*`).
    #[serde(default)]
    pub dixa: Option<DixaSettings>,
    /// The Webex Calling connection (`SWITCHBOARD_TENANTS__<ID>__WEBEX__*`).
    #[serde(default)]
    pub webex: Option<WebexSettings>,
    /// The Huawei Cloud AICC connection (`SWITCHBOARD_TENANTS__<ID>__HUAWEI__*`).
    #[serde(default)]
    pub huawei: Option<HuaweiSettings>,
    /// The Vonage Contact Center connection (`SWITCHBOARD_TENANTS__<ID>__VONAGE__*`).
    #[serde(default)]
    pub vonage: Option<VonageSettings>,
}

/// A Dixa organisation's API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DixaSettings {
    /// Base URL including the version segment, e.g. `https://dev.dixa.io/v1`
    /// (`…__DIXA__BASE_URL`).
    pub base_url: Url,
    /// The API token, sent raw in `Authorization` (`…__DIXA__API_TOKEN`).
    #[serde(deserialize_with = "secret::one")]
    pub api_token: SecretString,
    /// Page size requested from paged endpoints, 1–500 (`…__DIXA__PAGE_LIMIT`). The
    /// default is the largest Dixa takes: a whole organisation's agents in as few calls
    /// as it allows.
    #[serde(default = "default_dixa_page_limit")]
    pub page_limit: u32,
}

fn default_dixa_page_limit() -> u32 {
    500
}

impl DixaSettings {
    /// A connection to `base_url` with `api_token` and the default page size.
    pub fn new(base_url: Url, api_token: impl Into<String>) -> Self {
        Self {
            base_url,
            api_token: SecretString::from(api_token.into()),
            page_limit: default_dixa_page_limit(),
        }
    }
}

/// A Webex Calling organisation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebexSettings {
    /// Base URL including the version, e.g. `https://webexapis.com/v1` (`…__WEBEX__BASE_URL`).
    pub base_url: Url,
    /// An admin or service-app access token with `spark-admin:telephony_config_read` and
    /// `_write`, sent as `Authorization: Bearer` (`…__WEBEX__ACCESS_TOKEN`).
    #[serde(deserialize_with = "secret::one")]
    pub access_token: SecretString,
    /// The organisation every call names in `orgId`: its Webex id
    /// (`ciscospark://us/ORGANIZATION/…` in base64) (`…__WEBEX__ORG_ID`).
    pub org_id: String,
    /// Page size (`max`) asked of paged lists (`…__WEBEX__PAGE_SIZE`).
    #[serde(default = "default_webex_page_size")]
    pub page_size: u32,
}

fn default_webex_page_size() -> u32 {
    100
}

impl WebexSettings {
    /// A connection to `base_url` for `org_id` with `access_token` and the default page size.
    pub fn new(base_url: Url, access_token: impl Into<String>, org_id: impl Into<String>) -> Self {
        Self {
            base_url,
            access_token: SecretString::from(access_token.into()),
            org_id: org_id.into(),
            page_size: default_webex_page_size(),
        }
    }
}
/// A Huawei Cloud AICC tenant's cc-management API, reached with an AK/SK token.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuaweiSettings {
    /// The AICC domain, e.g. `https://service.besclouds.com`; the token exchange and
    /// cc-management paths are appended to it (`…__HUAWEI__BASE_URL`).
    pub base_url: Url,
    /// The app key (AK), sent as `app_key` and `x-app-key` (`…__HUAWEI__APP_KEY`).
    #[serde(deserialize_with = "secret::one")]
    pub app_key: SecretString,
    /// The app secret (SK), sent only to the token exchange (`…__HUAWEI__APP_SECRET`).
    #[serde(deserialize_with = "secret::one")]
    pub app_secret: SecretString,
    /// Token lifetime asked for in `X-Token-Expire`, 1 to 3600 seconds
    /// (`…__HUAWEI__TOKEN_LIFETIME_SECS`).
    #[serde(default = "default_huawei_token_lifetime")]
    pub token_lifetime_secs: u64,
    /// Seconds before expiry a token is renewed; below the lifetime
    /// (`…__HUAWEI__TOKEN_RENEW_MARGIN_SECS`).
    #[serde(default = "default_huawei_token_margin")]
    pub token_renew_margin_secs: u64,
}

fn default_huawei_token_lifetime() -> u64 {
    3600
}
fn default_huawei_token_margin() -> u64 {
    60
}

impl HuaweiSettings {
    /// A connection to `base_url` with the AK/SK pair and the default token lifetime.
    pub fn new(base_url: Url, app_key: impl Into<String>, app_secret: impl Into<String>) -> Self {
        Self {
            base_url,
            app_key: SecretString::from(app_key.into()),
            app_secret: SecretString::from(app_secret.into()),
            token_lifetime_secs: default_huawei_token_lifetime(),
            token_renew_margin_secs: default_huawei_token_margin(),
        }
    }
}
/// A Vonage Contact Center account's API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VonageSettings {
    /// The regional API, e.g. `https://emea.api.newvoicemedia.com`; user admin lives
    /// under its `/useradmin` (`…__VONAGE__BASE_URL`).
    pub base_url: Url,
    /// The OAuth2 token endpoint, e.g. `https://emea.cc.vonage.com/Auth/connect/token`
    /// (`…__VONAGE__TOKEN_URL`).
    pub token_url: Url,
    /// The API client id (`…__VONAGE__CLIENT_ID`).
    pub client_id: String,
    /// The API client secret (`…__VONAGE__CLIENT_SECRET`).
    #[serde(deserialize_with = "secret::one")]
    pub client_secret: SecretString,
    /// Space-separated scopes asked for with each token (`…__VONAGE__SCOPES`).
    #[serde(default = "default_vonage_scopes")]
    pub scopes: String,
    /// Users read per page of `GET /useradmin/users`, 1–5000 (`…__VONAGE__PAGE_LIMIT`).
    #[serde(default = "default_vonage_page_limit")]
    pub page_limit: u32,
    /// The secret Vonage's webhooks present at `/webhooks/vonage/<tenant>`, as
    /// `Authorization: Bearer <secret>` or `X-Webhook-Secret`; webhooks are refused when
    /// unset (`…__VONAGE__WEBHOOK_SECRET`).
    #[serde(default, deserialize_with = "secret::optional")]
    pub webhook_secret: Option<SecretString>,
}

fn default_vonage_scopes() -> String {
    "users:read users:write".into()
}
fn default_vonage_page_limit() -> u32 {
    500
}

impl VonageSettings {
    /// A connection with the default scopes and page size and no webhook secret.
    pub fn new(base_url: Url, token_url: Url, client_id: &str, client_secret: &str) -> Self {
        Self {
            base_url,
            token_url,
            client_id: client_id.to_owned(),
            client_secret: SecretString::from(client_secret.to_owned()),
            scopes: default_vonage_scopes(),
            page_limit: default_vonage_page_limit(),
            webhook_secret: None,
        }
    }
}

/// Credentials as text, however the environment spelled them: figment reads
/// `SWITCHBOARD_…=123456` as a number and `=true` as a boolean, and a secret must still
/// load. A value of another shape is refused without being quoted.
mod secret {
    use std::fmt;

    use secrecy::SecretString;
    use serde::{Deserialize, Deserializer, de};

    struct Text(SecretString);

    impl<'de> Deserialize<'de> for Text {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(TextVisitor)
        }
    }

    struct TextVisitor;

    impl de::Visitor<'_> for TextVisitor {
        type Value = Text;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a secret as text")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
            Ok(Text(SecretString::from(v)))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
            self.visit_str(&v.to_string())
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
            self.visit_str(&v.to_string())
        }

        fn visit_u128<E: de::Error>(self, v: u128) -> Result<Text, E> {
            self.visit_str(&v.to_string())
        }

        fn visit_i128<E: de::Error>(self, v: i128) -> Result<Text, E> {
            self.visit_str(&v.to_string())
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
            self.visit_str(&v.to_string())
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
            self.visit_str(&v.to_string())
        }

        fn visit_char<E: de::Error>(self, v: char) -> Result<Text, E> {
            self.visit_str(&v.to_string())
        }
    }

    pub fn one<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        Text::deserialize(d).map(|t| t.0)
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
        Option::<Text>::deserialize(d).map(|t| t.map(|t| t.0))
    }

    pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SecretString>, D::Error> {
        Vec::<Text>::deserialize(d).map(|l| l.into_iter().map(|t| t.0).collect())
    }
}

/// Settings could not be read; says which key and why.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Reads `file` (when given) and the environment over the built-in defaults, then
    /// the command line's `listen` and `anonymous_on_network` over them, and checks the
    /// result.
    pub fn load(
        file: Option<&Path>,
        listen: Option<SocketAddr>,
        anonymous_on_network: bool,
    ) -> Result<Self, ConfigError> {
        // `SWITCHBOARD_LOG_FORMAT` belongs to telemetry, not to these settings.
        let env = Env::prefixed("SWITCHBOARD_").ignore(&["log_format"]).split("__");
        let mut figment = Self::defaults_and_file(file)?.merge(env);
        if let Some(listen) = listen {
            figment = figment.merge(Serialized::default("listen", listen.to_string()));
        }
        if anonymous_on_network {
            figment = figment.merge(Serialized::default("anonymous_on_network", true));
        }
        Self::extract(figment)
    }

    /// The built-in defaults with `file` (when given) over them; no environment.
    fn defaults_and_file(file: Option<&Path>) -> Result<Figment, ConfigError> {
        let mut figment = Figment::new().merge(Serialized::default("listen", DEFAULT_LISTEN));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(ConfigError(format!(
                    "config file {} does not exist",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        Ok(figment)
    }

    fn extract(figment: Figment) -> Result<Self, ConfigError> {
        let settings: Settings = figment.extract().map_err(|e| ConfigError(e.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Settings for the default run: no file, one anonymous tenant, pages from this
    /// machine allowed to call it.
    pub fn for_default_run(listen: SocketAddr, tenant: &str, tenant_settings: TenantSettings) -> Self {
        Self {
            listen,
            anonymous_tenant: Some(tenant.to_owned()),
            anonymous_on_network: false,
            server: ServerSettings {
                cors_origins: LOCAL_ORIGINS.map(str::to_owned).to_vec(),
                ..ServerSettings::default()
            },
            cache: CacheSettings::default(),
            http: HttpSettings::default(),
            graphql: GraphqlSettings::default(),
            auth: AuthSettings::default(),
            otel: OtelSettings::default(),
            live: LiveSettings::default(),
            tenants: BTreeMap::from([(tenant.to_owned(), tenant_settings)]),
        }
    }

    /// Checks the HTTP edge and GraphQL limits.
    fn validate_edge(&self) -> Result<(), ConfigError> {
        let g = &self.graphql;
        let positive = [
            ("graphql.max_depth", g.max_depth),
            ("graphql.max_aliases", g.max_aliases),
            ("graphql.max_root_fields", g.max_root_fields),
            ("graphql.max_tokens", g.max_tokens),
            ("graphql.max_batch", g.max_batch),
            ("graphql.max_selections", g.max_selections),
            ("server.max_body_bytes", self.server.max_body_bytes),
            (
                "server.max_concurrent_operations",
                self.server.max_concurrent_operations,
            ),
        ];
        if let Some((key, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return Err(ConfigError(format!("{key} must be above zero")));
        }
        if !(1..=500).contains(&g.max_first) {
            return Err(ConfigError("graphql.max_first must be 1 to 500".into()));
        }
        if self.server.readiness_interval_secs == 0 || self.server.readiness_timeout_ms == 0 {
            return Err(ConfigError(
                "server.readiness_interval_secs and readiness_timeout_ms must be above zero".into(),
            ));
        }
        for origin in &self.server.cors_origins {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            let valid = rest.is_some_and(|r| {
                !r.is_empty()
                    && !r.contains('/')
                    && !r.starts_with(':')
                    && (!r.contains('*') || r.ends_with(":*"))
            });
            if !valid {
                return Err(ConfigError(format!(
                    "server.cors_origins entry `{origin}` must be an origin like https://console.example.com \
                     or http://localhost:* (no path, `*` only as the port)"
                )));
            }
        }
        Ok(())
    }

    /// Checks what the types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.tenants.is_empty() {
            return Err(ConfigError(
                "no tenant is configured: add [tenants.<id>] to the --config file or set \
                 SWITCHBOARD_TENANTS__<ID>__… variables"
                    .into(),
            ));
        }
        if self.anonymous_tenant.is_some() && !self.listen.ip().is_loopback() && !self.anonymous_on_network {
            return Err(ConfigError(format!(
                "anonymous_tenant is set and listen ({}) is not a loopback address: anyone who \
                 reaches it would act as that tenant without a key; set anonymous_on_network = true \
                 (SWITCHBOARD_ANONYMOUS_ON_NETWORK) if that is intended",
                self.listen
            )));
        }
        self.validate_edge()?;
        self.live.validate()?;
        if let Some(t) = &self.anonymous_tenant
            && !self.tenants.contains_key(t)
        {
            return Err(ConfigError(format!(
                "anonymous_tenant names unknown tenant `{t}`"
            )));
        }
        for (id, tenant) in &self.tenants {
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(ConfigError(format!(
                    "tenant id `{id}` must be letters, digits, `-` or `_`"
                )));
            }
            let urls = [
                tenant.dixa.as_ref().map(|d| ("dixa.base_url", &d.base_url)),
                tenant.webex.as_ref().map(|w| ("webex.base_url", &w.base_url)),
                tenant.huawei.as_ref().map(|h| ("huawei.base_url", &h.base_url)),
                tenant.vonage.as_ref().map(|v| ("vonage.base_url", &v.base_url)),
                tenant.vonage.as_ref().map(|v| ("vonage.token_url", &v.token_url)),
            ];
            for (key, url) in urls.into_iter().flatten() {
                self.http.check_vendor_url(&format!("tenants.{id}.{key}"), url)?;
            }
            if let Some(d) = &tenant.dixa
                && !(1..=500).contains(&d.page_limit)
            {
                return Err(ConfigError(format!(
                    "tenants.{id}.dixa.page_limit must be 1 to 500 (the largest page Dixa serves)"
                )));
            }
            if let Some(w) = &tenant.webex {
                if !(1..=1000).contains(&w.page_size) {
                    return Err(ConfigError(format!(
                        "tenants.{id}.webex.page_size must be 1 to 1000"
                    )));
                }
                let base64ish = |c: char| c.is_ascii_alphanumeric() || "+/=-_".contains(c);
                if w.org_id.is_empty() || !w.org_id.chars().all(base64ish) {
                    return Err(ConfigError(format!(
                        "tenants.{id}.webex.org_id must be a Webex organization id"
                    )));
                }
            }
            if let Some(h) = &tenant.huawei {
                if !(1..=3600).contains(&h.token_lifetime_secs) {
                    return Err(ConfigError(format!(
                        "tenants.{id}.huawei.token_lifetime_secs must be 1 to 3600"
                    )));
                }
                if h.token_renew_margin_secs >= h.token_lifetime_secs {
                    return Err(ConfigError(format!(
                        "tenants.{id}.huawei.token_renew_margin_secs must be below token_lifetime_secs"
                    )));
                }
            }
            if let Some(v) = &tenant.vonage {
                if !(1..=5000).contains(&v.page_limit) {
                    return Err(ConfigError(format!(
                        "tenants.{id}.vonage.page_limit must be 1 to 5000"
                    )));
                }
                if v.client_id.trim().is_empty() {
                    return Err(ConfigError(format!(
                        "tenants.{id}.vonage.client_id must not be empty"
                    )));
                }
            }
        }
        if let Some(jwt) = &self.auth.jwt {
            const ASYMMETRIC: [&str; 9] = [
                "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
            ];
            if jwt.algorithms.is_empty() {
                return Err(ConfigError(
                    "auth.jwt.algorithms must name at least one algorithm".into(),
                ));
            }
            if let Some(bad) = jwt.algorithms.iter().find(|a| !ASYMMETRIC.contains(&a.as_str())) {
                return Err(ConfigError(format!(
                    "auth.jwt.algorithms: `{bad}` is not accepted; use signature algorithms with public keys ({})",
                    ASYMMETRIC.join(", ")
                )));
            }
            if jwt.issuer.trim().is_empty() || jwt.audience.trim().is_empty() {
                return Err(ConfigError(
                    "auth.jwt.issuer and auth.jwt.audience must not be empty".into(),
                ));
            }
            self.http.check_vendor_url("auth.jwt.jwks_url", &jwt.jwks_url)?;
        }
        for (key, rate) in [
            (
                "auth.client_requests_per_second",
                self.auth.client_requests_per_second,
            ),
            (
                "auth.tenant_requests_per_second",
                self.auth.tenant_requests_per_second,
            ),
        ] {
            if !(rate.is_finite() && rate >= 0.0) {
                return Err(ConfigError(format!("{key} must be zero (no limit) or more")));
            }
        }
        let http = &self.http;
        if http.request_timeout_ms == 0 || http.connect_timeout_ms == 0 || http.request_deadline_ms == 0 {
            return Err(ConfigError(
                "http.connect_timeout_ms, http.request_timeout_ms and http.request_deadline_ms must be above zero"
                    .into(),
            ));
        }
        for (vendor, budget) in http.budgets.all() {
            let Some(budget) = budget else { continue };
            if !(budget.per_second.is_finite() && budget.per_second >= 0.0) || budget.burst == 0 {
                return Err(ConfigError(format!(
                    "http.budgets.{vendor} needs a per_second of zero or more and a burst of at least 1"
                )));
            }
        }
        for (key, value) in [
            ("http.max_concurrent_calls", http.max_concurrent_calls),
            ("http.max_response_bytes", http.max_response_bytes),
            ("http.max_pages", http.max_pages),
        ] {
            if value == 0 {
                return Err(ConfigError(format!("{key} must be above zero")));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file over the defaults, without the environment of whoever runs the tests.
    fn file_only(file: &Path) -> Result<Settings, ConfigError> {
        Settings::extract(Settings::defaults_and_file(Some(file))?)
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let dir = std::env::temp_dir().join(format!("sb-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:1\"\n[cache]\nnamepsace = \"x\"\n").unwrap();
        let err = file_only(&file).unwrap_err().to_string();
        assert!(err.contains("namepsace"), "{err}");
    }

    #[test]
    fn secrets_load_as_text_whatever_the_environment_made_of_them() {
        use secrecy::ExposeSecret;
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("switchboard.example.toml");
        let figment = Settings::defaults_and_file(Some(&file))
            .unwrap()
            .merge(Serialized::default("tenants.acme.api_keys", [123456789]))
            .merge(Serialized::default("tenants.acme.huawei.app_key", 987654321))
            .merge(Serialized::default("tenants.acme.vonage.webhook_secret", true));
        let settings = Settings::extract(figment).expect("numbers and booleans are text");
        let acme = &settings.tenants["acme"];
        assert_eq!(acme.api_keys[0].expose_secret(), "123456789");
        assert_eq!(acme.huawei.as_ref().unwrap().app_key.expose_secret(), "987654321");
        let secret = acme.vonage.as_ref().unwrap().webhook_secret.as_ref().unwrap();
        assert_eq!(secret.expose_secret(), "true");
        // A value of the wrong shape is refused, and never quoted.
        let figment = Settings::defaults_and_file(Some(&file))
            .unwrap()
            .merge(Serialized::default(
                "tenants.acme.dixa.api_token",
                ["s3cr3t-in-a-list"],
            ));
        let err = Settings::extract(figment).unwrap_err().to_string();
        assert!(err.contains("api_token") && !err.contains("s3cr3t"), "{err}");
    }

    #[test]
    fn the_example_file_parses() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("switchboard.example.toml");
        let settings = file_only(&file).expect("example config is valid");
        assert!(settings.tenants.contains_key("acme"));
        assert!(settings.tenants["acme"].webex.is_some());
    }

    #[test]
    fn webex_settings_are_checked() {
        let dir = std::env::temp_dir().join(format!("sb-config-webex-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("webex.toml");
        let write = |org: &str, page: u32| {
            std::fs::write(
                &file,
                format!(
                    "listen = \"127.0.0.1:1\"\n[tenants.a.webex]\nbase_url = \"https://webexapis.com/v1\"\n\
                     access_token = \"t\"\norg_id = \"{org}\"\npage_size = {page}\n"
                ),
            )
            .unwrap();
        };
        write("Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi85NmFi", 100);
        assert!(file_only(&file).is_ok());
        write("not an id", 100);
        assert!(file_only(&file).unwrap_err().to_string().contains("org_id"));
        write("Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi85NmFi", 0);
        assert!(file_only(&file).unwrap_err().to_string().contains("page_size"));
    }
}
