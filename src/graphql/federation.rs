//! Apollo Federation v2: the entity resolvers behind `_entities`. `Agent`, `Supervisor`,
//! `Team` and `User` are entities keyed by their global `id` (`@key(fields: "id")`), so
//! another subgraph can extend them (a CRM adding `Agent.openTickets`); `Person` is keyed
//! by `email`, for a subgraph that knows someone by email alone.
//!
//! A representation is resolved exactly as `node(id)` resolves the same id (through
//! [`node::resolve`] and the request's loaders), so the representations of one
//! `_entities` call, which async-graphql resolves concurrently, are batched and
//! deduplicated like the ids of one `nodes` call: 500 `Agent` representations cost the
//! vendor calls `nodes` with the same 500 ids costs. An entity that does not exist is
//! null; a malformed id, or the id of another type, is `BAD_USER_INPUT`.
//!
//! May depend on: `graphql::node`, `graphql::id`, `graphql::types`.

use async_graphql::{Context, ID, Object};

use super::{
    error::{ApiError, ApiResult},
    id::{GlobalId, NodeType},
    node::{self, Node},
    types::{Agent, Person, Supervisor, Team, User},
};

/// The entity resolvers (no fields of their own: async-graphql serves them through
/// `_entities` only).
#[derive(Default)]
pub struct EntityQuery;

/// The object a representation's `id` names, which must be a `node_type`.
async fn entity(ctx: &Context<'_>, id: &ID, node_type: NodeType) -> ApiResult<Option<Node>> {
    let id = GlobalId::decode_as("id", id, node_type)?;
    node::resolve(ctx, "id", id).await
}

fn unexpected(node_type: NodeType) -> ApiError {
    ApiError::internal(format!("a {node_type} id resolved to another type"))
}

#[Object]
impl EntityQuery {
    /// An `Agent` by its global id.
    #[graphql(entity)]
    async fn find_agent_by_id(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Agent>> {
        match entity(ctx, &id, NodeType::Agent).await? {
            None => Ok(None),
            Some(Node::Agent(agent)) => Ok(Some(agent)),
            Some(_) => Err(unexpected(NodeType::Agent)),
        }
    }

    /// A `Supervisor` by its global id.
    #[graphql(entity)]
    async fn find_supervisor_by_id(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Supervisor>> {
        match entity(ctx, &id, NodeType::Supervisor).await? {
            None => Ok(None),
            Some(Node::Supervisor(supervisor)) => Ok(Some(supervisor)),
            Some(_) => Err(unexpected(NodeType::Supervisor)),
        }
    }

    /// A `Team` by its global id.
    #[graphql(entity)]
    async fn find_team_by_id(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Team>> {
        match entity(ctx, &id, NodeType::Team).await? {
            None => Ok(None),
            Some(Node::Team(team)) => Ok(Some(team)),
            Some(_) => Err(unexpected(NodeType::Team)),
        }
    }

    /// A `Person` by email: anyone, with the accounts whose email matches (none, when
    /// Switchboard knows no account of theirs). An email that is empty once trimmed is
    /// `BAD_USER_INPUT`.
    #[graphql(entity)]
    async fn find_person_by_email(&self, email: String) -> ApiResult<Person> {
        Person::with_email(&email).ok_or_else(|| ApiError::bad_input("email", "must not be empty"))
    }

    /// A `User` by its global id.
    #[graphql(entity)]
    async fn find_user_by_id(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<User>> {
        match entity(ctx, &id, NodeType::User).await? {
            None => Ok(None),
            Some(Node::User(user)) => Ok(Some(user)),
            Some(_) => Err(unexpected(NodeType::User)),
        }
    }
}
