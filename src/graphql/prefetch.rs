//! Starting early what an operation is sure to read late. GraphQL resolves level by
//! level, so a field deep in a query (`linkedAgents` under a team's members, say) starts
//! its vendor reads only after every round trip above it, although what it reads (each
//! vendor's whole list of people) depends on none of them. When the operation that runs
//! selects such a field anywhere (fragments included), its reads start beside the first
//! round trip instead, and the field later finds them in the request's loaders, done or
//! in flight, so the query's latency is its longest chain of dependent reads, not their
//! sum.
//!
//! An async-graphql extension, registered after [`super::answers`]: a kept answer is
//! served without warming anything, and every check (access, limits, validation) has
//! passed before a vendor is asked.
//!
//! May depend on: `graphql::context`, `loaders` (through the request's loaders).

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use async_graphql::{
    Response, ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use super::context::RequestContext;

/// The field whose reads are started early: every vendor's people.
const LINKED_AGENTS: &str = "linkedAgents";

/// The extension warming the request's loaders (see the module documentation).
pub struct PrefetchExtension;

impl ExtensionFactory for PrefetchExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ForRequest::default())
    }
}

#[derive(Default)]
struct ForRequest {
    people: AtomicBool,
}

/// Whether `set`, or anything below it, selects a field named `name`.
fn selects(set: &SelectionSet, name: &str) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            field.node.name.node == name || selects(&field.node.selection_set.node, name)
        }
        Selection::InlineFragment(fragment) => selects(&fragment.node.selection_set.node, name),
        // The fragment's definition is searched on its own (see `mentions`).
        Selection::FragmentSpread(_) => false,
    })
}

/// Whether any operation or fragment of `document` selects a field named `name`. (A
/// document's unused operations count too: it costs at most one early read.)
fn mentions(document: &ExecutableDocument, name: &str) -> bool {
    document
        .operations
        .iter()
        .any(|(_, op)| selects(&op.node.selection_set.node, name))
        || document
            .fragments
            .values()
            .any(|fragment| selects(&fragment.node.selection_set.node, name))
}

#[async_trait::async_trait]
impl Extension for ForRequest {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        self.people
            .store(mentions(&document, LINKED_AGENTS), Ordering::Relaxed);
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if self.people.load(Ordering::Relaxed)
            && let Some(request) = ctx.data_opt::<RequestContext>()
        {
            request.loaders.warm_people();
        }
        next.run(ctx, operation_name).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mentioned(query: &str) -> bool {
        mentions(&async_graphql::parser::parse_query(query).unwrap(), LINKED_AGENTS)
    }

    #[test]
    fn a_field_is_found_at_any_depth_and_through_fragments() {
        assert!(mentioned(
            "{ teams { nodes { members { nodes { linkedAgents { id } } } } } }"
        ));
        assert!(mentioned(
            "{ node(id: \"x\") { ... on Agent { linkedAgents { id } } } }"
        ));
        assert!(mentioned(
            "{ agents { nodes { ...A } } } fragment A on Agent { linkedAgents { id } }"
        ));
        assert!(!mentioned(
            "{ agents { nodes { id displayName presence { availability } } } }"
        ));
    }
}
