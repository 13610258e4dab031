//! The HTTP surface: `/graphql` (POST and GET, GraphQL over HTTP), GraphiQL at `/`
//! (self-hosted), `/healthz`, `/readyz`, and vendor webhooks under
//! `/webhooks/{vendor}/{tenant}`; `GET /graphql` asking to upgrade opens a GraphQL
//! socket (`ws`), a POST accepting `text/event-stream` an SSE stream (`sse`), and
//! `/wallboard` is a live presence page over the socket. Guards the edge (body size, CSRF, CORS, API keys) and
//! hands requests to the schema; never calls a vendor itself.
//!
//! May depend on: `graphql`, `tenant`, `cache`, `readiness`, `config`, `presence` (the
//! webhooks feed a tenant's presence store), `live` (socket and stream limits, shutdown).

mod apq;
mod auth;
mod cors;
mod csrf;
mod explorer;
mod graphql;
mod health;
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
use tower_http::{catch_panic::CatchPanicLayer, trace::TraceLayer};

pub use apq::{PersistedQueries, sha256_hex};
pub use auth::{Authenticator, DuplicateKey};

use crate::{
    cache::Cache,
    config::{GraphqlSettings, ServerSettings},
    graphql::AppSchema,
    live::Live,
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
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let path = request
                .extensions()
                .get::<MatchedPath>()
                .map_or("unmatched", MatchedPath::as_str);
            tracing::info_span!("http", method = %request.method(), path, tenant = tracing::field::Empty)
        }))
        .layer(CatchPanicLayer::custom(|_| {
            graphql::error_response(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                crate::graphql::error::ErrorCode::Internal,
                "internal error",
            )
        }))
}
