//! Huawei AICC's single-object lookups (agent accounts and skill queues) and how `node`
//! finds them.

use async_graphql::Context;
use futures::future::BoxFuture;

use crate::graphql::{
    context::loaders,
    error::ApiResult,
    id::NodeType,
    node::Node,
    types::{Agent, SkillQueue},
    validate,
};
use crate::loaders::{
    Fetch,
    huawei::{AgentByAccount, SkillById},
};

/// `node` on Huawei AICC: agent accounts and skill queues.
pub fn node<'a>(
    ctx: &'a Context<'a>,
    field: &'a str,
    node_type: NodeType,
    id: &'a str,
) -> Option<BoxFuture<'a, ApiResult<Option<Node>>>> {
    Some(match node_type {
        NodeType::Agent => Box::pin(async move { Ok(aicc_agent(ctx, field, id).await?.map(Node::Agent)) }),
        NodeType::SkillQueue => {
            Box::pin(async move { Ok(skill_queue(ctx, field, id).await?.map(Node::SkillQueue)) })
        }
        _ => return None,
    })
}

/// A Huawei AICC agent account by its `userAccount`.
pub async fn aicc_agent(ctx: &Context<'_>, field: &str, account: &str) -> ApiResult<Option<Agent>> {
    let account = validate::aicc_account(field, account)?;
    Ok(loaders(ctx)?
        .huawei()?
        .fetch_one(AgentByAccount(account))
        .await?
        .map(Agent::new))
}

/// A Huawei AICC skill queue by its `skillId`.
pub async fn skill_queue(ctx: &Context<'_>, field: &str, skill_id: &str) -> ApiResult<Option<SkillQueue>> {
    let skill_id = validate::skill_queue_id(field, skill_id)?;
    Ok(loaders(ctx)?
        .huawei()?
        .fetch_one(SkillById(skill_id))
        .await?
        .map(SkillQueue::new))
}
