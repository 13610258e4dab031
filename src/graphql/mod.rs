//! The GraphQL schema: roots (per vendor, and the vendor-neutral `agents` and
//! `supervisors`), types, errors, global ids, connections (one vendor's, or several
//! merged), and the rule that matches one person's accounts across vendors (`people`).
//!
//! May depend on: `loaders` (every edge goes through one), `tenant`, `cache` (to build
//! a request's loaders), `live` (the subscription's events), `presence` (their
//! records). Never on a vendor client or a URL.

pub mod connection;
pub mod context;
pub mod error;
pub mod id;
pub mod limits;
pub mod lookup;
pub mod merged;
pub mod node;
pub mod people;
pub mod roots;
pub mod subscription;
pub mod types;
pub mod validate;

use async_graphql::{MergedObject, Schema};

use crate::config::GraphqlSettings;

/// The query root.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    node::NodeQuery,
    roots::graph::GraphQuery,
    roots::dixa::DixaQuery,
    roots::webex::WebexQuery,
    roots::huawei::HuaweiQuery,
    roots::vonage::VonageQuery,
);

/// The mutation root.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    roots::dixa::DixaMutation,
    roots::vonage::VonageMutation,
    roots::webex::WebexMutation,
    roots::huawei::HuaweiMutation,
);

/// Switchboard's schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, subscription::SubscriptionRoot>;

/// Builds the schema with `settings`' limits and introspection switch.
pub fn build_schema(settings: &GraphqlSettings) -> AppSchema {
    let limits = limits::Limits::new(settings, &sdl());
    let builder = unlimited().extension(limits::LimitsExtension(std::sync::Arc::new(limits)));
    if settings.introspection {
        builder.finish()
    } else {
        builder.disable_introspection().finish()
    }
}

/// The schema's types and roots, without limits.
fn unlimited() -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, subscription::SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        subscription::SubscriptionRoot,
    )
    .register_output_type::<node::Node>()
}

/// The schema's SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    unlimited().finish().sdl()
}
