//! Starting early what an operation is sure to read late. GraphQL resolves level by
//! level, so a field deep in a query (`linkedAgents` under a team's members, say) starts
//! its vendor reads only after every round trip above it, although what it reads (each
//! vendor's whole list of people) depends on none of them. When the operation that runs
//! selects such a field anywhere (fragments included), its reads start beside the first
//! round trip instead, and the field later finds them in the request's loaders, done or
//! in flight, so the query's latency is its longest chain of dependent reads, not their
//! sum.
//!
//! What is started early: every vendor's people for `linkedAgents`, and Webex's
//! supervisors with their agents for `supervisors` selected below the root (an agent's
//! supervisors).
//!
//! Hooks of the schema's extension ([`super::pipeline`]), run after [`super::answers`]: a
//! kept answer is served without warming anything, and every check (access, limits,
//! validation) has passed before a vendor is asked.
//!
//! May depend on: `graphql::context`, `loaders` (through the request's loaders).

use std::sync::{Mutex, PoisonError};

use async_graphql::{
    extensions::ExtensionContext,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use super::context::RequestContext;
use crate::loaders::Warm;

/// The field whose reads of every vendor's people are started early.
const LINKED_AGENTS: &str = "linkedAgents";
/// The field, below the root, whose reads of Webex's supervisors are started early.
const SUPERVISORS: &str = "supervisors";

/// One request's warming of its loaders (see the module documentation); its hooks are
/// run by [`super::pipeline`].
#[derive(Default)]
pub(super) struct ForRequest {
    warm: Mutex<Warm>,
}

impl ForRequest {
    /// Notes what the parsed document will read late.
    pub(super) fn parsed(&self, document: &ExecutableDocument) {
        *self.warm.lock().unwrap_or_else(PoisonError::into_inner) = Warm {
            people: mentions(document, LINKED_AGENTS, true),
            supervisors: mentions(document, SUPERVISORS, false),
        };
    }

    /// Starts those reads, as the operation starts.
    pub(super) fn execute(&self, ctx: &ExtensionContext<'_>) {
        let warm = *self.warm.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(request) = ctx.data_opt::<RequestContext>() {
            request.loaders.warm(warm);
        }
    }
}

/// Whether `set`, or anything below it, selects a field named `name`; at the root
/// level (`root`: `set` is an operation's, or a fragment's on `Query`) only when
/// `at_root`.
fn selects(set: &SelectionSet, name: &str, root: bool, at_root: bool) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            (field.node.name.node == name && (at_root || !root))
                || selects(&field.node.selection_set.node, name, false, at_root)
        }
        Selection::InlineFragment(fragment) => {
            selects(&fragment.node.selection_set.node, name, root, at_root)
        }
        // The fragment's definition is searched on its own (see `mentions`).
        Selection::FragmentSpread(_) => false,
    })
}

/// Whether any operation or fragment of `document` selects a field named `name` (at
/// the root level too only when `at_root`). A document's unused operations count too:
/// that costs at most one early read.
fn mentions(document: &ExecutableDocument, name: &str, at_root: bool) -> bool {
    document
        .operations
        .iter()
        .any(|(_, op)| selects(&op.node.selection_set.node, name, true, at_root))
        || document.fragments.values().any(|fragment| {
            let root = fragment.node.type_condition.node.on.node == "Query";
            selects(&fragment.node.selection_set.node, name, root, at_root)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mentioned(query: &str) -> bool {
        mentions(
            &async_graphql::parser::parse_query(query).unwrap(),
            LINKED_AGENTS,
            true,
        )
    }

    fn nested_supervisors(query: &str) -> bool {
        mentions(
            &async_graphql::parser::parse_query(query).unwrap(),
            SUPERVISORS,
            false,
        )
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

    #[test]
    fn supervisors_count_below_the_root_only() {
        assert!(nested_supervisors("{ agents { nodes { supervisors { id } } } }"));
        assert!(nested_supervisors(
            "{ agents { nodes { ...A } } } fragment A on Agent { supervisors { id } }"
        ));
        assert!(!nested_supervisors("{ supervisors { nodes { id } } }"));
        assert!(!nested_supervisors(
            "{ ... on Query { supervisors { nodes { id } } } }"
        ));
        assert!(!nested_supervisors(
            "{ ...Q } fragment Q on Query { supervisors { nodes { id } } }"
        ));
    }
}
