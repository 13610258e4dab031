//! Vonage Contact Center's single-object lookups (users, and users as agents or
//! supervisors) and how `node` finds them.

use async_graphql::Context;
use futures::future::BoxFuture;

use crate::graphql::{
    context::loaders,
    error::ApiResult,
    id::NodeType,
    node::Node,
    types::{Agent, Supervisor, User, supervisor_vonage::VonageSupervisor},
    validate,
};
use crate::{
    loaders::{Fetch, vonage::UserById},
    vendors::vonage,
};

/// `node` on Vonage: users, and users acting as agents or supervisors.
pub fn node<'a>(
    ctx: &'a Context<'a>,
    field: &'a str,
    node_type: NodeType,
    id: &'a str,
) -> Option<BoxFuture<'a, ApiResult<Option<Node>>>> {
    Some(match node_type {
        NodeType::User => Box::pin(async move { Ok(vonage_user(ctx, field, id).await?.map(Node::User)) }),
        NodeType::Agent => Box::pin(async move { Ok(vonage_agent(ctx, field, id).await?.map(Node::Agent)) }),
        NodeType::Supervisor => {
            Box::pin(async move { Ok(vonage_supervisor(ctx, field, id).await?.map(Node::Supervisor)) })
        }
        _ => return None,
    })
}

/// A Vonage user record by its Vonage id (a UUID).
async fn vonage_record(ctx: &Context<'_>, field: &str, user_id: &str) -> ApiResult<Option<vonage::User>> {
    validate::uuid(field, user_id)?;
    Ok(loaders(ctx)?
        .vonage()?
        .fetch_one(UserById(user_id.to_owned()))
        .await?)
}

/// A Vonage user by its Vonage id.
pub async fn vonage_user(ctx: &Context<'_>, field: &str, user_id: &str) -> ApiResult<Option<User>> {
    Ok(vonage_record(ctx, field, user_id).await?.map(User::new))
}

/// A Vonage user acting as an agent, by its Vonage id; `None` for a user who does not.
pub async fn vonage_agent(ctx: &Context<'_>, field: &str, user_id: &str) -> ApiResult<Option<Agent>> {
    Ok(vonage_record(ctx, field, user_id)
        .await?
        .filter(|u| u.acts_as_agent())
        .map(Agent::new))
}

/// A Vonage user whose role is Supervisor, by its Vonage id; `None` for another role.
pub async fn vonage_supervisor(
    ctx: &Context<'_>,
    field: &str,
    user_id: &str,
) -> ApiResult<Option<Supervisor>> {
    Ok(vonage_record(ctx, field, user_id)
        .await?
        .and_then(VonageSupervisor::of)
        .map(Supervisor::new))
}
