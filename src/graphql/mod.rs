//! The GraphQL schema: roots (per vendor, and the vendor-neutral `agents` and
//! `supervisors`), types, errors, global ids, connections (one vendor's, or several
//! merged), and the rule that matches one person's accounts across vendors (`people`).
//!
//! May depend on: `loaders` (every edge goes through one), `tenant`, `cache` (to build
//! a request's loaders), `metrics` (request counts), `live` (the subscription's
//! events), `presence` (their records). Never on a vendor client or a URL.

pub mod access;
pub mod answers;
pub mod connection;
pub mod context;
pub mod error;
pub mod federation;
pub mod id;
pub mod idempotency;
pub mod limits;
pub mod lookup;
pub mod merged;
pub mod node;
pub mod observe;
pub mod people;
pub mod pipeline;
pub mod prefetch;
pub mod roots;
pub mod subscription;
pub mod types;
pub mod validate;

use async_graphql::{MergedObject, Schema};

use crate::config::GraphqlSettings;

/// The query root, `Query` (federation looks for its roots by these names: the
/// federation SDL has no `schema { … }` block).
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    node::NodeQuery,
    federation::EntityQuery,
    roots::graph::GraphQuery,
    roots::VendorQueries,
);

/// The mutation root, `Mutation`.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(roots::VendorMutations);

/// Switchboard's schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, subscription::SubscriptionRoot>;

/// Builds the schema with `settings`' limits and introspection switch, counting its
/// requests into `metrics`, keeping whole answers in `answers` (see [`answers`]).
pub fn build_schema(
    settings: &GraphqlSettings,
    answers: std::sync::Arc<answers::Answers>,
    metrics: crate::metrics::Metrics,
) -> AppSchema {
    let builder = unlimited().extension(pipeline::Pipeline {
        metrics,
        limits: std::sync::Arc::new(limits::Limits::new(settings, &sdl())),
        answers,
    });
    if settings.introspection {
        builder.finish()
    } else {
        builder.disable_introspection().finish()
    }
}

/// The schema's types and roots, without limits. A federation v2 subgraph: `_service`
/// and `_entities` are served (see [`federation`]).
fn unlimited() -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, subscription::SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        subscription::SubscriptionRoot,
    )
    .register_output_type::<node::Node>()
    .enable_federation()
}

/// The schema's SDL, as committed in `schema.graphql`: the plain graph, without the
/// federation directives and fields.
pub fn sdl() -> String {
    unlimited().finish().sdl()
}

/// The subgraph SDL a federation gateway composes (what `_service { sdl }` answers):
/// `@link` to federation v2, `@key` on the entities, `_entities` and `_service`.
pub fn federation_sdl() -> String {
    unlimited().finish().sdl_with_options(
        async_graphql::SDLExportOptions::new()
            .federation()
            .compose_directive(),
    )
}
