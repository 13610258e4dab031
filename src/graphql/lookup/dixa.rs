//! Dixa's single-object lookups (teams and agents) and how `node` finds them.

use async_graphql::Context;
use futures::future::BoxFuture;

use crate::graphql::{
    context::loaders,
    error::ApiResult,
    id::NodeType,
    node::Node,
    types::{Agent, Team},
    validate,
};
use crate::loaders::{
    Fetch,
    dixa::{AgentById, TeamById},
};

/// `node` on Dixa: teams and agents.
pub fn node<'a>(
    ctx: &'a Context<'a>,
    field: &'a str,
    node_type: NodeType,
    id: &'a str,
) -> Option<BoxFuture<'a, ApiResult<Option<Node>>>> {
    Some(match node_type {
        NodeType::Team => Box::pin(async move { Ok(dixa_team(ctx, field, id).await?.map(Node::Team)) }),
        NodeType::Agent => Box::pin(async move { Ok(dixa_agent(ctx, field, id).await?.map(Node::Agent)) }),
        _ => return None,
    })
}

/// A Dixa team by its Dixa id (a UUID).
pub async fn dixa_team(ctx: &Context<'_>, field: &str, team_id: &str) -> ApiResult<Option<Team>> {
    validate::uuid(field, team_id)?;
    Ok(loaders(ctx)?
        .dixa()?
        .fetch_one(TeamById(team_id.to_owned()))
        .await?
        .map(Team::new))
}

/// A Dixa agent by its Dixa id (a UUID).
pub async fn dixa_agent(ctx: &Context<'_>, field: &str, agent_id: &str) -> ApiResult<Option<Agent>> {
    validate::uuid(field, agent_id)?;
    Ok(loaders(ctx)?
        .dixa()?
        .fetch_one(AgentById(agent_id.to_owned()))
        .await?
        .map(Agent::shared))
}
