//! Starting early what an operation is sure to read late. GraphQL resolves level by
//! level, so a field deep in a query (`linkedAgents` under a team's members, say) starts
//! its vendor reads only after every round trip above it, although what it reads (each
//! vendor's whole list of people) depends on none of them. When the operation that runs
//! selects such a field anywhere (fragments included), its reads start beside the first
//! round trip instead, and the field later finds them in the request's loaders, done or
//! in flight, so the query's latency is its longest chain of dependent reads, not their
//! sum.
//!
//! What is started early: every vendor's people for `linkedAgents`; Webex's supervisors
//! with their agents for `supervisors` selected below the root (an agent's supervisors);
//! and Dixa's every-agent presence for `presence` selected below a page of `teams` (what
//! its members' presence and the teams' own are read from, once their member lists are
//! in: without it, that read is a round trip of its own beside theirs, and its answer,
//! the largest of the query, is parsed after theirs, on the query's critical path).
//!
//! Hooks of the schema's extension ([`super::pipeline`]), run after [`super::answers`]: a
//! kept answer is served without warming anything, and every check (access, limits,
//! validation) has passed before a vendor is asked.
//!
//! May depend on: `graphql::context`, `loaders` (through the request's loaders).

use std::{
    collections::HashSet,
    sync::{Mutex, PoisonError},
};

use async_graphql::{
    extensions::ExtensionContext,
    parser::types::{ExecutableDocument, Field, Selection, SelectionSet},
};

use super::context::RequestContext;
use crate::loaders::Warm;

/// The field whose reads of every vendor's people are started early.
const LINKED_AGENTS: &str = "linkedAgents";
/// The field, below the root, whose reads of Webex's supervisors are started early.
const SUPERVISORS: &str = "supervisors";
/// The root field and the field below it for which Dixa's every-agent presence is read
/// early.
const TEAMS: &str = "teams";
const PRESENCE: &str = "presence";

/// One request's warming of its loaders (see the module documentation); its hooks are
/// run by [`super::pipeline`].
#[derive(Default)]
pub(super) struct ForRequest {
    warm: Mutex<Warm>,
}

impl ForRequest {
    /// Notes what the parsed document will read late.
    pub(super) fn parsed(&self, document: &ExecutableDocument) {
        *self.warm.lock().unwrap_or_else(PoisonError::into_inner) = warm_for(document);
    }

    /// Starts those reads, as the operation starts.
    pub(super) fn execute(&self, ctx: &ExtensionContext<'_>) {
        let warm = *self.warm.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(request) = ctx.data_opt::<RequestContext>() {
            request.loaders.warm(warm);
        }
    }
}

/// What `document` will read late. Every operation counts, the unused ones too: that
/// costs at most one early read.
fn warm_for(document: &ExecutableDocument) -> Warm {
    let mut roots = Vec::new();
    let mut seen = HashSet::new();
    for (_, op) in document.operations.iter() {
        root_fields(document, &op.node.selection_set.node, &mut seen, &mut roots);
    }
    // Several teams: one (`first` a literal below 2) is left alone, its own read may be
    // cheaper than the list's (one team's presence is one call of its own, where the
    // list needs its members too).
    let pages_of_teams: Vec<&Field> = roots
        .iter()
        .copied()
        .filter(|field| field.name.node == TEAMS && !asks_one(field))
        .collect();
    Warm {
        people: roots.iter().any(|field| field.name.node == LINKED_AGENTS)
            || below(document, &roots, LINKED_AGENTS),
        supervisors: below(document, &roots, SUPERVISORS),
        team_presence: below(document, &pages_of_teams, PRESENCE),
    }
}

/// Whether `field`'s `first` is a literal below 2.
fn asks_one(field: &Field) -> bool {
    field.get_argument("first").is_some_and(|first| {
        matches!(&first.node, async_graphql_value::Value::Number(n) if n.as_u64().is_some_and(|n| n < 2))
    })
}

/// The fields at the root level of `set` (inline fragments and fragment spreads
/// included), into `out`. Each fragment is searched once (`seen`): the document is not
/// validated yet, so its spreads may form a cycle, or fan out.
fn root_fields<'a>(
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    seen: &mut HashSet<&'a str>,
    out: &mut Vec<&'a Field>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => out.push(&field.node),
            Selection::InlineFragment(fragment) => {
                root_fields(document, &fragment.node.selection_set.node, seen, out)
            }
            Selection::FragmentSpread(spread) => {
                let fragment_name = spread.node.fragment_name.node.as_str();
                if seen.insert(fragment_name)
                    && let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node)
                {
                    root_fields(document, &fragment.node.selection_set.node, seen, out)
                }
            }
        }
    }
}

/// Whether anything below `fields` selects a field named `name`, following fragment
/// spreads, each fragment once (one already searched did not select it).
fn below(document: &ExecutableDocument, fields: &[&Field], name: &str) -> bool {
    let mut seen = HashSet::new();
    fields
        .iter()
        .any(|field| selects_within(document, &field.selection_set.node, name, &mut seen))
}

/// Whether `set`, or anything below it, selects a field named `name`, following
/// fragment spreads, each fragment once (`seen`).
fn selects_within<'a>(
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    name: &str,
    seen: &mut HashSet<&'a str>,
) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            field.node.name.node == name
                || selects_within(document, &field.node.selection_set.node, name, seen)
        }
        Selection::InlineFragment(fragment) => {
            selects_within(document, &fragment.node.selection_set.node, name, seen)
        }
        Selection::FragmentSpread(spread) => {
            seen.insert(spread.node.fragment_name.node.as_str())
                && document
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .is_some_and(|f| selects_within(document, &f.node.selection_set.node, name, seen))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warm(query: &str) -> Warm {
        warm_for(&async_graphql::parser::parse_query(query).unwrap())
    }

    fn mentioned(query: &str) -> bool {
        warm(query).people
    }

    fn nested_supervisors(query: &str) -> bool {
        warm(query).supervisors
    }

    fn teams_presence(query: &str) -> bool {
        warm(query).team_presence
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
    fn presence_below_a_page_of_teams_is_found_through_fragments() {
        assert!(teams_presence(
            "{ teams { nodes { presence { nodes { availability } } } } }"
        ));
        assert!(teams_presence(
            "{ teams(first: 10) { nodes { members { nodes { presence { availability } } } } } }"
        ));
        assert!(teams_presence(
            "query($n: Int) { ... on Query { teams(first: $n) { nodes { ...M } } } } \
             fragment M on Team { members { nodes { ... on Agent { presence { availability } } } } }"
        ));
        assert!(teams_presence(
            "{ ...Q } fragment Q on Query { teams { nodes { presence { nodes { agentId } } } } }"
        ));
        // One team, no presence, or presence elsewhere than below the teams.
        assert!(!teams_presence(
            "{ teams(first: 1) { nodes { presence { nodes { agentId } } } } }"
        ));
        assert!(!teams_presence(
            "{ teams { nodes { name members { nodes { displayName } } } } }"
        ));
        assert!(!teams_presence(
            "{ teams { nodes { name } } node(id: \"x\") { ... on Agent { presence { availability } } } }"
        ));
        // A cycle of fragments (refused later, by validation) ends, and spreads that fan
        // out are searched once each, not once per path (3^16 paths here).
        assert!(!teams_presence(
            "{ teams { nodes { ...A } } } fragment A on Team { ...B } fragment B on Team { ...A }"
        ));
        let mut fan = String::from("{ teams { nodes { ...F0 } } }");
        for i in 0..16 {
            fan.push_str(&format!(
                " fragment F{i} on Team {{ name ...F{n} ...F{n} ...F{n} }}",
                n = i + 1
            ));
        }
        fan.push_str(" fragment F16 on Team { name }");
        assert!(!teams_presence(&fan));
        assert!(teams_presence(&fan.replace(
            "F16 on Team { name }",
            "F16 on Team { presence { nodes { agentId } } }"
        )));
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
