//! The GraphQL schema: roots, types, errors, global ids and connections.
//!
//! May depend on: `loaders` (every edge goes through one), `tenant`, `cache` (to build
//! a request's loaders). Never on a vendor client or a URL.

pub mod connection;
pub mod context;
pub mod error;
pub mod id;
pub mod node;
pub mod roots;
pub mod types;
pub mod validate;

use async_graphql::{EmptySubscription, MergedObject, Schema};

use crate::config::GraphqlSettings;

/// The query root.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    node::NodeQuery,
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
pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the schema with `settings`' limits.
pub fn build_schema(settings: &GraphqlSettings) -> AppSchema {
    Schema::build(QueryRoot::default(), MutationRoot::default(), EmptySubscription)
        .register_output_type::<node::Node>()
        .limit_depth(settings.max_depth)
        .limit_complexity(settings.max_complexity)
        .finish()
}

/// The schema's SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build_schema(&GraphqlSettings::default()).sdl()
}
