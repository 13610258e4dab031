//! The HTTP surface: `/graphql` (POST and GET), GraphiQL at `/` (self-hosted), `/healthz`, `/readyz`,
//! and vendor webhooks under `/webhooks/{vendor}/{tenant}`.
//! Authenticates the caller to a tenant and hands the request to the schema; never
//! calls a vendor itself.
//!
//! May depend on: `graphql`, `tenant`, `cache`.

mod auth;
mod explorer;
mod graphql;
mod health;
mod webhooks;

use std::sync::Arc;

use axum::{
    Router,
    extract::{MatchedPath, Request},
    routing::{get, post},
};
use tower_http::{catch_panic::CatchPanicLayer, trace::TraceLayer};

pub use auth::Authenticator;

use crate::{cache::Cache, graphql::AppSchema, tenant::Tenant};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The schema.
    pub schema: AppSchema,
    /// The read cache.
    pub cache: Cache,
    /// API key → tenant.
    pub auth: Arc<Authenticator>,
    /// Every configured tenant, for readiness probes.
    pub tenants: Arc<Vec<Arc<Tenant>>>,
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(explorer::page))
        .route("/assets/graphiql/{file}", get(explorer::asset))
        .route("/graphql", get(graphql::execute).post(graphql::execute))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/webhooks/vonage/{tenant}", post(webhooks::vonage))
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
