//! Webex Calling's single-object lookups (supervisors and agents) and how `node` finds
//! them.

use async_graphql::Context;
use futures::future::BoxFuture;

use crate::graphql::{
    context::loaders,
    error::ApiResult,
    id::NodeType,
    node::Node,
    types::{Agent, Supervisor, supervisor_webex::WebexSupervisor},
    validate,
};
use crate::{
    loaders::{
        Fetch,
        webex::{AvailableAgents, SupervisorById},
    },
    vendors::webex::ids::{PEOPLE, uuid_of},
};

/// `node` on Webex: supervisors (read as Basic first, then CX Essentials) and agents.
pub fn node<'a>(
    ctx: &'a Context<'a>,
    field: &'a str,
    node_type: NodeType,
    id: &'a str,
) -> Option<BoxFuture<'a, ApiResult<Option<Node>>>> {
    Some(match node_type {
        NodeType::Supervisor => Box::pin(async move {
            Ok(webex_supervisor(ctx, field, id, None)
                .await?
                .map(Node::Supervisor))
        }),
        NodeType::Agent => Box::pin(async move { Ok(webex_agent(ctx, field, id).await?.map(Node::Agent)) }),
        _ => return None,
    })
}

/// A Webex supervisor by its Webex (person) id, read with `has_cx_essentials` (Webex
/// needs `true` to show one with a CX Essentials licence; when not given, Basic is
/// asked first, then CX Essentials).
pub async fn webex_supervisor(
    ctx: &Context<'_>,
    field: &str,
    person_id: &str,
    has_cx_essentials: Option<bool>,
) -> ApiResult<Option<Supervisor>> {
    let webex_id = validate::webex_id(field, person_id, &[PEOPLE])?;
    let detail = loaders(ctx)?
        .webex()?
        .fetch_one(SupervisorById {
            id: webex_id.clone(),
            has_cx_essentials,
        })
        .await?;
    Ok(detail.map(|d| Supervisor::new(WebexSupervisor::from_detail(&webex_id, d, has_cx_essentials))))
}

/// A Webex agent (person, workspace or virtual line) by its Webex id. Webex has no
/// single-agent read: the agent is found among the organisation's agents (one cached
/// list per tenant).
pub async fn webex_agent(ctx: &Context<'_>, field: &str, agent_id: &str) -> ApiResult<Option<Agent>> {
    validate::webex_id(field, agent_id, validate::WEBEX_AGENT_KINDS)?;
    let wanted = uuid_of(agent_id);
    let all = loaders(ctx)?
        .webex()?
        .fetch_one(AvailableAgents(Default::default()))
        .await?;
    Ok(all.and_then(|all| {
        all.iter()
            .find(|a| wanted.is_some() && uuid_of(&a.id) == wanted)
            .cloned()
            .map(Agent::new)
    }))
}
