//! Operation limits, checked before anything executes: the query text first (tokens and
//! bracket nesting, so a hostile document never reaches the recursive parser), then the
//! parsed operation (depth, aliases, root fields, directives per field, the largest
//! `first`, and a cost that multiplies by the list sizes the operation asks for).
//!
//! The cost is the number of objects an operation may resolve: a field that returns
//! objects costs, for each object, 1 plus what is selected on it; a scalar is free. The
//! `edges`/`nodes` of a connection hold its `first` (its default, or the default page,
//! when not given); `nodes(ids)` as many as the ids, `_entities(representations)` as
//! many as the representations; another list of objects is assumed to hold
//! [`ASSUMED_LIST_SIZE`].
//!
//! Introspection (`__schema`, `__type`) is exempt from the depth and cost limits only: it
//! is answered from the schema alone, never calls a vendor, and the standard
//! introspection query that GraphiQL, codegen and Apollo tooling send must always pass
//! while introspection is enabled. Its tokens, nesting, aliases, directives and expanded
//! fields count like any other.
//!
//! Every operation of a document is checked, whichever one runs, and fragments are
//! measured once per use site's page but counted expanded (`max_selections`), so a
//! document that doubles a fragment level after level is refused at any depth.
//!
//! A rejection names the limit and its value, never echoes the query, and carries
//! `extensions.code = LIMIT_EXCEEDED`.
//!
//! May depend on: `config`, `graphql::error`, `graphql::connection` (the default page).

use std::{collections::HashMap, sync::Arc};

use async_graphql::{
    ServerError, ServerResult, Value, Variables,
    parser::types::{
        BaseType, DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
        ServiceDocument, Type, TypeKind, TypeSystemDefinition,
    },
};

use super::{connection::DEFAULT_PAGE, error::ErrorCode};
use crate::config::GraphqlSettings;

/// Deepest bracket nesting (`{`, `[`, `(`) the text may have. Bounds the parser's
/// recursion; no legitimate operation comes near it.
pub const MAX_NESTING: usize = 64;

/// The list size assumed for a list field that takes no `first` (phone numbers, skills):
/// such lists are short, but not free.
pub const ASSUMED_LIST_SIZE: u64 = 5;

/// One limit an operation went over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitExceeded {
    /// The setting that holds the limit (`max_depth`, …).
    pub limit: &'static str,
    /// Its value.
    pub max: u64,
    /// What the operation has (at least this much: counting stops at the limit).
    pub actual: u64,
    /// What was counted, for the message.
    pub what: &'static str,
}

impl LimitExceeded {
    fn check(limit: &'static str, what: &'static str, actual: u64, max: u64) -> Result<(), Self> {
        if actual > max {
            Err(Self {
                limit,
                max,
                actual,
                what,
            })
        } else {
            Ok(())
        }
    }

    /// The message a client sees.
    pub fn message(&self) -> String {
        let setting = if self.limit == "max_nesting" {
            "max_nesting, fixed".to_owned()
        } else {
            format!("graphql.{}", self.limit)
        };
        format!(
            "the operation exceeds a limit: {} is {}, at most {} is allowed ({setting})",
            self.what, self.actual, self.max
        )
    }
}

impl From<LimitExceeded> for ServerError {
    fn from(e: LimitExceeded) -> Self {
        let mut error = coded(ErrorCode::LimitExceeded, e.message());
        if let Some(extensions) = &mut error.extensions {
            extensions.set("limit", e.limit);
            extensions.set("max", e.max);
        }
        error
    }
}

/// A request-level error with `extensions.code`.
fn coded(code: ErrorCode, message: impl Into<String>) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code.as_str());
    error.extensions = Some(extensions);
    error
}

/// Counts the tokens of `query` and its deepest bracket nesting, stopping as soon as a
/// limit is passed. Lexing is approximate where the parser would refuse anyway (a stray
/// character counts as one token), never where it would accept.
pub fn scan(query: &str, max_tokens: usize) -> Result<(), LimitExceeded> {
    let bytes = query.as_bytes();
    let (mut i, mut tokens, mut nesting) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'{' | b'[' | b'(' => {
                nesting += 1;
                LimitExceeded::check(
                    "max_nesting",
                    "bracket nesting",
                    nesting as u64,
                    MAX_NESTING as u64,
                )?;
                i += 1;
            }
            b'}' | b']' | b')' => {
                nesting = nesting.saturating_sub(1);
                i += 1;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 3;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
            }
            _ => i += 1,
        }
        tokens += 1;
        LimitExceeded::check(
            "max_tokens",
            "the number of tokens",
            tokens as u64,
            max_tokens as u64,
        )?;
    }
    Ok(())
}

/// A field as the cost model sees it.
#[derive(Debug, Clone)]
struct FieldShape {
    /// The named type at the bottom of the field's type.
    base: String,
    /// Whether the field returns a list.
    list: bool,
    /// The default of its `first` argument, when it takes one.
    first: Option<Option<u64>>,
}

/// What the cost model knows of the schema: each object and interface type's fields.
#[derive(Debug, Default)]
pub struct TypeIndex {
    types: HashMap<String, HashMap<String, FieldShape>>,
    roots: [Option<String>; 3],
}

impl TypeIndex {
    /// Reads the schema's SDL (the schema's own, so it always parses).
    pub fn from_sdl(sdl: &str) -> Self {
        let document = async_graphql::parser::parse_schema(sdl).expect("the schema's own SDL parses");
        Self::from_document(&document)
    }

    fn from_document(document: &ServiceDocument) -> Self {
        let mut index = TypeIndex::default();
        for definition in &document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let name = |n: &Option<async_graphql::Positioned<async_graphql::Name>>| {
                        n.as_ref().map(|n| n.node.to_string())
                    };
                    index.roots = [
                        name(&schema.node.query),
                        name(&schema.node.mutation),
                        name(&schema.node.subscription),
                    ];
                }
                TypeSystemDefinition::Type(ty) => {
                    let fields = match &ty.node.kind {
                        TypeKind::Object(o) => &o.fields,
                        TypeKind::Interface(i) => &i.fields,
                        _ => continue,
                    };
                    let shapes = fields
                        .iter()
                        .map(|f| {
                            let f = &f.node;
                            let first = f
                                .arguments
                                .iter()
                                .find(|a| a.node.name.node == "first")
                                .map(|a| a.node.default_value.as_ref().and_then(|v| as_count(&v.node)));
                            let (base, list) = unwrap_type(&f.ty.node);
                            (
                                f.name.node.to_string(),
                                FieldShape {
                                    base: base.to_owned(),
                                    list,
                                    first,
                                },
                            )
                        })
                        .collect();
                    index.types.insert(ty.node.name.node.to_string(), shapes);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        // Without a `schema { … }` block (the federation SDL has none), the roots go by
        // their names.
        let default_roots = [
            ["Query", "QueryRoot"],
            ["Mutation", "MutationRoot"],
            ["Subscription", "SubscriptionRoot"],
        ];
        for (root, defaults) in index.roots.iter_mut().zip(default_roots) {
            if root.is_none() {
                *root = defaults
                    .into_iter()
                    .find(|name| index.types.contains_key(*name))
                    .map(str::to_owned);
            }
        }
        index
    }

    fn field(&self, ty: &str, name: &str) -> Option<&FieldShape> {
        self.types.get(ty)?.get(name)
    }
}

fn unwrap_type(ty: &Type) -> (&str, bool) {
    match &ty.base {
        BaseType::Named(name) => (name.as_str(), false),
        BaseType::List(inner) => (unwrap_type(inner).0, true),
    }
}

fn as_count(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| n.as_i64().map(|_| 0)),
        _ => None,
    }
}

/// The limits of one schema.
#[derive(Debug, Clone)]
pub struct Limits {
    settings: GraphqlSettings,
    index: Arc<TypeIndex>,
}

/// What one selection set adds up to.
#[derive(Debug, Clone, Copy, Default)]
struct Measure {
    cost: u64,
    depth: u64,
    aliases: u64,
    /// Fields directly in the selection set (through fragments): root fields at the top.
    fields: u64,
    /// Every selected field once fragments are expanded, at every level: what the
    /// executor will walk, so a "fragment bomb" anywhere is refused.
    selections: u64,
}

impl Measure {
    fn merge(&mut self, other: Measure) {
        self.cost = self.cost.saturating_add(other.cost);
        self.depth = self.depth.max(other.depth);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.fields = self.fields.saturating_add(other.fields);
        self.selections = self.selections.saturating_add(other.selections);
    }
}

/// One walk over an operation: variables to read `first` from, and each fragment's
/// measure once (a fragment spread many times is measured once, so a "fragment bomb"
/// costs its real size without being walked exponentially).
struct Walk<'a> {
    limits: &'a Limits,
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
    fragments: HashMap<(&'a str, Option<u64>), Option<Measure>>,
    /// Whether `__schema` or `__type` was selected.
    introspects: bool,
}

/// What a check found, besides the limits holding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    /// Whether the operation selects `__schema` or `__type`.
    pub introspects: bool,
}

impl Limits {
    /// Limits from `settings` over the schema whose SDL is `sdl`.
    pub fn new(settings: &GraphqlSettings, sdl: &str) -> Self {
        Self {
            settings: settings.clone(),
            index: Arc::new(TypeIndex::from_sdl(sdl)),
        }
    }

    /// Checks every operation of `document`.
    pub fn check(
        &self,
        document: &ExecutableDocument,
        variables: &Variables,
    ) -> Result<Checked, LimitExceeded> {
        let mut checked = Checked { introspects: false };
        // Every operation, whichever one is run: the executor's own checks walk them all.
        let operations: Vec<&OperationDefinition> = match &document.operations {
            DocumentOperations::Single(op) => vec![&op.node],
            DocumentOperations::Multiple(ops) => ops.values().map(|op| &op.node).collect(),
        };
        for operation in operations {
            let root = self.index.roots[operation.ty as usize]
                .clone()
                .unwrap_or_default();
            let mut walk = Walk {
                limits: self,
                document,
                operation,
                variables,
                fragments: HashMap::new(),
                introspects: false,
            };
            let measure = walk.selection_set(&operation.selection_set.node, &root, None)?;
            let s = &self.settings;
            LimitExceeded::check(
                "max_selections",
                "the number of fields with fragments expanded",
                measure.selections,
                s.max_selections as u64,
            )?;
            LimitExceeded::check(
                "max_aliases",
                "the number of aliases",
                measure.aliases,
                s.max_aliases as u64,
            )?;
            LimitExceeded::check(
                "max_root_fields",
                "the number of root fields",
                measure.fields,
                s.max_root_fields as u64,
            )?;
            LimitExceeded::check("max_depth", "the depth", measure.depth, s.max_depth as u64)?;
            LimitExceeded::check("max_cost", "the cost", measure.cost, s.max_cost)?;
            checked.introspects |= walk.introspects;
        }
        Ok(checked)
    }
}

impl<'a> Walk<'a> {
    /// Measures `set` on type `ty`; `page` is the `first` of the connection `ty` is, for
    /// its `edges` and `nodes`.
    fn selection_set(
        &mut self,
        set: &'a SelectionSet,
        ty: &str,
        page: Option<u64>,
    ) -> Result<Measure, LimitExceeded> {
        let s = &self.limits.settings;
        let mut total = Measure::default();
        for selection in &set.items {
            LimitExceeded::check(
                "max_directives",
                "the number of directives on one selection",
                selection.node.directives().len() as u64,
                s.max_directives as u64,
            )?;
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    let introspection = name == "__schema" || name == "__type";
                    self.introspects |= introspection;
                    let shape = self.limits.index.field(ty, name).filter(|_| !introspection);
                    let Some(shape) = shape else {
                        // `__typename`, introspection (answered from the schema, exempt
                        // from depth and cost), or a field validation will report: its
                        // selections, aliases and directives still count.
                        let child = self.selection_set(&field.selection_set.node, "", None)?;
                        total.merge(Measure {
                            cost: 0,
                            depth: if introspection {
                                0
                            } else {
                                child.depth.saturating_add(1)
                            },
                            aliases: child.aliases.saturating_add(u64::from(field.alias.is_some())),
                            fields: 1,
                            selections: child.selections.saturating_add(1),
                        });
                        continue;
                    };
                    let (multiplier, page) = self.multiplier(field, shape, ty, page)?;
                    let child = self.selection_set(&field.selection_set.node, &shape.base.clone(), page)?;
                    // Each object a field may resolve costs 1 plus what is selected on it;
                    // a scalar is free (it comes with its object).
                    let cost = if field.selection_set.node.items.is_empty() {
                        0
                    } else {
                        child.cost.saturating_add(1).saturating_mul(multiplier)
                    };
                    total.merge(Measure {
                        cost,
                        depth: child.depth.saturating_add(1),
                        aliases: child.aliases.saturating_add(u64::from(field.alias.is_some())),
                        fields: 1,
                        selections: child.selections.saturating_add(1),
                    });
                }
                Selection::InlineFragment(fragment) => {
                    let inner = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(ty, |c| c.node.on.node.as_str());
                    let measure = self.selection_set(&fragment.node.selection_set.node, inner, page)?;
                    total.merge(measure);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    let measure = match self.fragments.get(&(name, page)) {
                        Some(Some(measure)) => *measure,
                        Some(None) => Measure::default(), // a cycle: validation reports it
                        None => {
                            let Some(fragment) = self.document.fragments.get(name) else {
                                continue; // unknown fragment: validation reports it
                            };
                            self.fragments.insert((name, page), None);
                            let on = fragment.node.type_condition.node.on.node.as_str();
                            let measure = self.selection_set(&fragment.node.selection_set.node, on, page)?;
                            self.fragments.insert((name, page), Some(measure));
                            measure
                        }
                    };
                    total.merge(measure);
                }
            }
        }
        Ok(total)
    }

    /// How many objects a field resolves, and the page its connection's `edges`/`nodes`
    /// hold: a field taking `first` is one connection of `first` items (checked against
    /// `max_first`); the `edges`/`nodes` of a connection hold its page; `nodes(ids)` as
    /// many as the ids; another list [`ASSUMED_LIST_SIZE`].
    fn multiplier(
        &self,
        field: &async_graphql::parser::types::Field,
        shape: &FieldShape,
        parent: &str,
        page: Option<u64>,
    ) -> Result<(u64, Option<u64>), LimitExceeded> {
        if let Some(default) = shape.first {
            let first = self
                .argument(field, "first")
                .and_then(|v| as_count(&v))
                .or(default)
                .unwrap_or(DEFAULT_PAGE as u64);
            let max_first = self.limits.settings.max_first as u64;
            LimitExceeded::check("max_first", "`first`", first, max_first)?;
            return Ok((1, Some(first)));
        }
        if !shape.list {
            return Ok((1, None));
        }
        if parent.ends_with("Connection") {
            return Ok((page.unwrap_or(DEFAULT_PAGE as u64), None));
        }
        // `nodes(ids)`, and federation's `_entities(representations)`.
        let ids = self
            .list_len(field, "ids")
            .or_else(|| self.list_len(field, "representations"));
        Ok((ids.map_or(ASSUMED_LIST_SIZE, |n| n as u64), None))
    }

    /// How many items `field`'s list argument `name` holds, where it is a list. A list
    /// passed as a variable is measured where it is, not copied: federation's
    /// representations are hundreds of objects.
    fn list_len(&self, field: &async_graphql::parser::types::Field, name: &str) -> Option<usize> {
        let len = |value: &Value| match value {
            Value::List(items) => Some(items.len()),
            _ => None,
        };
        if let async_graphql_value::Value::Variable(variable) = &field.get_argument(name)?.node
            && let Some(value) = self.variables.get(variable)
        {
            return len(value);
        }
        len(&self.argument(field, name)?)
    }

    /// The value of `field`'s argument `name`, its variables filled in from the request
    /// or their defaults.
    fn argument(&self, field: &async_graphql::parser::types::Field, name: &str) -> Option<Value> {
        let value = &field.get_argument(name)?.node;
        let variable = |name: async_graphql::Name| {
            self.variables
                .get(&name)
                .cloned()
                .or_else(|| {
                    self.operation
                        .variable_definitions
                        .iter()
                        .find(|d| d.node.name.node == name)
                        .and_then(|d| d.node.default_value.as_ref())
                        .map(|v| v.node.clone())
                })
                .ok_or(())
        };
        value.clone().into_const_with(variable).ok()
    }
}

impl Limits {
    /// Enforces the limits on a request before it is prepared, whatever the transport
    /// (run by [`super::pipeline`]), and leaves its document parsed for the schema.
    pub(super) fn check_request(&self, request: &mut async_graphql::Request) -> ServerResult<()> {
        scan(&request.query, self.settings.max_tokens)?;
        // Parsed here once; the schema reuses this document.
        let document = async_graphql::parser::parse_query(&request.query)?;
        let checked = self.check(&document, &request.variables)?;
        request.set_parsed_query(document);
        if checked.introspects && !self.settings.introspection {
            return Err(coded(
                ErrorCode::Forbidden,
                "introspection is disabled on this server (graphql.introspection)",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = r#"
        type QueryRoot { teams(first: Int, after: String): TeamConnection! node(id: ID!): Node nodes(ids: [ID!]!): [Node]! name: String _entities(representations: [_Any!]!): [_Entity]! }
        scalar _Any
        union _Entity = Team
        interface Node { id: ID! }
        type TeamConnection { edges: [TeamEdge!]! nodes: [Team!]! totalCount: Int }
        type TeamEdge { node: Team! cursor: String! }
        type Team implements Node { id: ID! name: String! members(first: Int = 20): TeamConnection! phones: [String!]! tags: [Team!]! }
        schema { query: QueryRoot }
    "#;

    fn limits() -> Limits {
        Limits::new(&GraphqlSettings::default(), SDL)
    }

    fn check(query: &str) -> Result<Checked, LimitExceeded> {
        let document = async_graphql::parser::parse_query(query).unwrap();
        limits().check(&document, &Variables::default())
    }

    fn cost(query: &str) -> u64 {
        cost_with(query, serde_json::json!({}))
    }

    fn cost_with(query: &str, variables: serde_json::Value) -> u64 {
        let settings = GraphqlSettings {
            max_cost: 0,
            ..GraphqlSettings::default()
        };
        let document = async_graphql::parser::parse_query(query).unwrap();
        Limits::new(&settings, SDL)
            .check(&document, &Variables::from_json(variables))
            .unwrap_err()
            .actual
    }

    #[test]
    fn a_list_passed_as_a_variable_counts_its_items() {
        let nodes = "query($ids: [ID!]! = [\"a\"]) { nodes(ids: $ids) { id } }";
        assert_eq!(
            cost_with(nodes, serde_json::json!({ "ids": ["a", "b", "c", "d"] })),
            4
        );
        // Not given: its default.
        assert_eq!(cost(nodes), 1);
        let entities = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Team { name } } }";
        let five: Vec<_> = (0..5)
            .map(|i| serde_json::json!({ "__typename": "Team", "id": i.to_string() }))
            .collect();
        assert_eq!(cost_with(entities, serde_json::json!({ "r": five })), 5);
    }

    #[test]
    fn the_cost_multiplies_by_first_and_counts_connections_once() {
        // The connection, and its 10 teams; `name` is free.
        assert_eq!(cost("{ teams(first: 10) { nodes { name } } }"), 1 + 10);
        assert_eq!(cost("{ teams(first: 10) { totalCount } }"), 1);
        // members defaults to first: 20 from the schema; teams to the default page.
        let nested = "{ teams { nodes { members { nodes { id } } } } }";
        assert_eq!(cost(nested), 1 + DEFAULT_PAGE as u64 * (1 + 1 + 20));
        // edges count like nodes, each edge's node once more.
        assert_eq!(cost("{ teams(first: 10) { edges { node { id } } } }"), 1 + 10 * 2);
        // nodes(ids) multiplies by the ids given; a plain list by the assumed size.
        assert_eq!(cost(r#"{ nodes(ids: ["a", "b", "c"]) { id } }"#), 3);
        // _entities(representations) likewise, as many as the representations.
        let entities = r#"{ _entities(representations: [{__typename: "Team", id: "a"}, {__typename: "Team", id: "b"}]) { ... on Team { tags { id } } } }"#;
        assert_eq!(cost(entities), 2 * (1 + ASSUMED_LIST_SIZE));
        assert_eq!(
            cost("{ teams(first: 1) { nodes { tags { id } } } }"),
            1 + (1 + ASSUMED_LIST_SIZE)
        );
    }

    #[test]
    fn introspection_is_exempt_from_depth_and_cost() {
        let deep = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }";
        assert!(check(deep).is_ok());
    }

    #[test]
    fn each_limit_names_itself() {
        let aliases: String = (0..16).map(|i| format!("a{i}: __typename ")).collect();
        assert_eq!(
            check(&format!("{{ {aliases} }}")).unwrap_err().limit,
            "max_aliases"
        );
        let roots: String = (0..21).map(|_| "name ").collect();
        assert_eq!(
            check(&format!("{{ {roots} }}")).unwrap_err().limit,
            "max_root_fields"
        );
        let big = check("{ teams(first: 100000) { totalCount } }").unwrap_err();
        assert_eq!((big.limit, big.max), ("max_first", 500));
        let deep = String::from(
            "{ teams { nodes { tags { tags { tags { tags { tags { tags { tags { tags { tags { tags { id } } } } } } } } } } } } }",
        );
        assert_eq!(check(&deep).unwrap_err().limit, "max_depth");
        let directives = "{ name @include(if: true) @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) @skip(if: false) }";
        assert_eq!(check(directives).unwrap_err().limit, "max_directives");
    }

    #[test]
    fn a_fragment_spread_many_times_is_measured_once() {
        let mut query = String::from("{ ...F0 } fragment F0 on QueryRoot { ...F1 ...F1 }");
        for i in 1..40 {
            query.push_str(&format!(
                " fragment F{i} on QueryRoot {{ ...F{} ...F{} }}",
                i + 1,
                i + 1
            ));
        }
        query.push_str(" fragment F40 on QueryRoot { name }");
        // 2^40 fields after expansion: refused at once, not walked.
        assert_eq!(check(&query).unwrap_err().limit, "max_selections");
        // The same below the root, and in an operation the request does not select.
        let below = query.replace("{ ...F0 }", "{ teams(first: 1) { nodes { tags { ...F0 } } } }");
        let below = below
            .replace("on QueryRoot", "on Team")
            .replace("{ name }", "{ id }");
        assert_eq!(check(&below).unwrap_err().limit, "max_selections");
        let unselected = format!("query A {{ name }} query B {query}");
        assert_eq!(check(&unselected).unwrap_err().limit, "max_selections");
        // Under introspection too.
        let introspective = query
            .replace("{ ...F0 }", "{ __schema { ...F0 } }")
            .replace("on QueryRoot", "on __Schema");
        assert_eq!(check(&introspective).unwrap_err().limit, "max_selections");
        // A cycle is left for validation to report.
        assert!(
            check("{ ...A } fragment A on QueryRoot { name ...B } fragment B on QueryRoot { ...A }").is_ok()
        );
    }

    #[test]
    fn the_scan_counts_tokens_and_nesting_without_parsing() {
        assert!(scan("{ a { b } }", 6).is_ok());
        assert_eq!(scan("{ a { b } }", 5).unwrap_err().limit, "max_tokens");
        let deep = "{a".repeat(10_000);
        let e = scan(&deep, usize::MAX).unwrap_err();
        assert_eq!((e.limit, e.actual), ("max_nesting", MAX_NESTING as u64 + 1));
        // Strings, block strings and comments are one token or none.
        assert!(scan("# { { {\n{ a(s: \"{ { {\", b: \"\"\"{ {\"\"\") }", 11).is_ok());
        assert!(scan("{ a(n: -1.5e3) }", 8).is_ok());
        assert!(scan("{ a(n: -1.5e3) }", 7).is_err());
        // Unterminated strings and escapes at the very end never read past the text.
        for text in ["\"abc\\", "\"\"\"abc", "\"\"\"ab\\\"\"", "\"", "...", "#", "\\"] {
            assert!(scan(text, 10).is_ok(), "{text}");
        }
    }
}
