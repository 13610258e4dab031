//! The HTTP surface: `/graphql` (POST and GET, GraphQL over HTTP), GraphiQL at `/`
//! (self-hosted), `/healthz`, `/readyz`, `/metrics` (Prometheus), and vendor webhooks
//! under `/webhooks/{vendor}/{tenant}`; `GET /graphql` asking to upgrade opens a GraphQL
//! socket (`ws`), a POST accepting `text/event-stream` an SSE stream (`sse`), and
//! `/wallboard` is a live presence page over the socket. Guards the edge (body size,
//! CSRF, CORS, API keys and tokens, request rates) and hands requests to the schema;
//! never calls a vendor itself.
//!
//! May depend on: `graphql`, `tenant`, `cache`, `readiness`, `config`, `presence` (the
//! webhooks feed a tenant's presence store), `metrics` (served as they are), `live`
//! (socket and stream limits, shutdown).

mod apq;
mod auth;
mod cors;
mod csrf;
mod explorer;
mod graphql;
mod health;
mod jwt;
mod over_http;
mod sse;
mod wallboard;
mod webhooks;
mod ws;

use std::sync::Arc;

use axum::{
    Router,
    extract::{MatchedPath, Request},
    routing::{get, post},
};
use tower_http::{catch_panic::CatchPanicLayer, request_id::PropagateRequestIdLayer, trace::TraceLayer};

pub use apq::{PersistedQueries, sha256_hex};
pub use auth::{Authenticator, DuplicateKey, Principal};

use crate::{
    cache::Cache,
    config::{AuthSettings, GraphqlSettings, ServerSettings},
    graphql::AppSchema,
    live::Live,
    metrics::Metrics,
    readiness::Readiness,
    tenant::Tenant,
};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The schema.
    pub schema: AppSchema,
    /// The read cache.
    pub cache: Cache,
    /// Whole answers, kept briefly (also read here, before executing).
    pub answers: Arc<crate::graphql::answers::Answers>,
    /// Turns to execute an operation (`server.max_concurrent_operations`).
    pub operations: Arc<tokio::sync::Semaphore>,
    /// API key → tenant.
    pub auth: Arc<Authenticator>,
    /// Every configured tenant, for webhooks.
    pub tenants: Arc<Vec<Arc<Tenant>>>,
    /// The latest readiness probe.
    pub readiness: Arc<Readiness>,
    /// Documents of automatic persisted queries.
    pub apq: PersistedQueries,
    /// The edge's settings.
    pub server: Arc<ServerSettings>,
    /// The GraphQL limits the edge applies itself (batch size, tokens).
    pub graphql: Arc<GraphqlSettings>,
    /// Request rates per client and tenant, scopes.
    pub access: Arc<AuthSettings>,
    /// What `/metrics` shows.
    pub metrics: Metrics,
    /// Live presence: subscriptions' hubs, socket and stream limits, shutdown.
    pub live: Arc<Live>,
}

/// `GET /graphql`: a socket when the request asks to upgrade, GraphQL over HTTP otherwise.
async fn graphql_get(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    if ws::wants_upgrade(&parts.headers) {
        return ws::upgrade(state, parts).await;
    }
    let raw_query = parts.uri.query().map(str::to_owned);
    graphql::execute(
        axum::extract::State(state),
        parts.method,
        parts.headers,
        axum::extract::RawQuery(raw_query),
        body,
    )
    .await
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    let graphql = Router::new()
        .route("/graphql", get(graphql_get).post(graphql::execute))
        .layer(cors::layer(&state.server));
    let mut router = Router::new()
        .merge(graphql)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/webhooks/vonage/{tenant}", post(webhooks::vonage))
        .route("/wallboard", get(wallboard::page))
        .route("/assets/wallboard/{file}", get(wallboard::asset));
    if state.server.explorer {
        router = router
            .route("/", get(explorer::page))
            .route("/assets/graphiql/{file}", get(explorer::asset));
    }
    router
        .with_state(state)
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(CatchPanicLayer::custom(|_| {
            graphql::error_response(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                crate::graphql::error::ErrorCode::Internal,
                "internal error",
            )
        }))
        // Outermost: every answer, a panic's included, carries its request id.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(axum::middleware::map_request(ensure_request_id))
}

/// Keeps the client's `x-request-id` when it is a plain token of at most
/// [`MAX_REQUEST_ID_LEN`] characters, and puts a UUID in its place otherwise (absent,
/// too long, or with characters that have no place in a log line).
async fn ensure_request_id(mut request: Request) -> Request {
    let valid = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            !v.is_empty()
                && v.len() <= MAX_REQUEST_ID_LEN
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        });
    if !valid {
        let id = uuid::Uuid::new_v4().to_string();
        if let Ok(value) = http::HeaderValue::from_str(&id) {
            request.headers_mut().insert("x-request-id", value);
        }
    }
    request
}

/// The longest `x-request-id` taken from a client.
const MAX_REQUEST_ID_LEN: usize = 128;

/// The `http` span of one request: method, path, its request id (see
/// [`ensure_request_id`]), the tenant once
/// known, and, when traces are recorded, the trace id, continuing the W3C `traceparent`
/// the request came with. Every log line of the request carries these fields.
fn request_span(request: &Request) -> tracing::Span {
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    // Checked (or made up) by `ensure_request_id`, which runs first.
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let span = tracing::info_span!(
        "http",
        method = %request.method(),
        path,
        request_id,
        trace_id = tracing::field::Empty,
        tenant = tracing::field::Empty,
    );
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&opentelemetry_http::HeaderExtractor(request.headers()))
    });
    let _ = span.set_parent(parent);
    let trace = opentelemetry::trace::TraceContextExt::span(&span.context())
        .span_context()
        .clone();
    if trace.is_valid() {
        span.record("trace_id", trace.trace_id().to_string());
    }
    span
}
