//! The `Node` interface and `node(id)` / `nodes(ids)`: a global id is decoded here and
//! its object found through [`lookup`], the same functions the roots' lookups use, so an
//! object that does not exist is null without an error, and a malformed id is
//! `BAD_USER_INPUT`.

use async_graphql::{Context, ID, Interface, Object};

use super::{
    error::{ApiError, ApiResult},
    id::{GlobalId, NodeType},
    lookup,
    types::{Agent, SkillQueue, Supervisor, Team, User},
};
use crate::vendors::Vendor;

/// The most ids one `nodes` call may ask for.
const MAX_NODES: usize = 100;

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The global id."))]
pub enum Node {
    /// An agent account.
    Agent(Agent),
    /// A team.
    Team(Team),
    /// A supervisor.
    Supervisor(Supervisor),
    /// A skill queue.
    SkillQueue(SkillQueue),
    /// A Vonage user.
    User(User),
}

/// `node` and `nodes`.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with global id `id`; null, without an error, when it does not exist.
    /// A malformed id is `BAD_USER_INPUT`; a vendor failure is an error.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Node>> {
        let id = GlobalId::decode("id", &id)?;
        resolve(ctx, "id", id).await
    }

    /// The objects with these global ids, in order; null, without an error, where one
    /// does not exist. A malformed id is `BAD_USER_INPUT` naming its index.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input(
                "ids",
                format!("must name at most {MAX_NODES} ids"),
            ));
        }
        let decoded = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let field = format!("ids[{i}]");
                GlobalId::decode(&field, id).map(|id| (field, id))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let resolved =
            futures::future::join_all(decoded.iter().map(|(field, id)| resolve(ctx, field, id.clone())))
                .await;
        resolved.into_iter().collect()
    }
}

/// The object `id` names, looked up by its vendor; `field` names the id in errors.
pub(crate) async fn resolve(ctx: &Context<'_>, field: &str, id: GlobalId) -> ApiResult<Option<Node>> {
    let vendor_id = id.vendor_id.as_str();
    Ok(match (id.node_type, id.vendor) {
        (NodeType::Team, Vendor::Dixa) => lookup::dixa_team(ctx, field, vendor_id).await?.map(Node::Team),
        (NodeType::Agent, Vendor::Dixa) => lookup::dixa_agent(ctx, field, vendor_id).await?.map(Node::Agent),
        (NodeType::Supervisor, Vendor::Webex) => lookup::webex_supervisor(ctx, field, vendor_id, None)
            .await?
            .map(Node::Supervisor),
        (NodeType::Agent, Vendor::Webex) => {
            lookup::webex_agent(ctx, field, vendor_id).await?.map(Node::Agent)
        }
        (NodeType::Agent, Vendor::HuaweiAicc) => {
            lookup::aicc_agent(ctx, field, vendor_id).await?.map(Node::Agent)
        }
        (NodeType::SkillQueue, Vendor::HuaweiAicc) => lookup::skill_queue(ctx, field, vendor_id)
            .await?
            .map(Node::SkillQueue),
        (NodeType::User, Vendor::Vonage) => lookup::vonage_user(ctx, field, vendor_id).await?.map(Node::User),
        (NodeType::Agent, Vendor::Vonage) => lookup::vonage_agent(ctx, field, vendor_id)
            .await?
            .map(Node::Agent),
        (NodeType::Supervisor, Vendor::Vonage) => lookup::vonage_supervisor(ctx, field, vendor_id)
            .await?
            .map(Node::Supervisor),
        (node_type, vendor) => {
            return Err(ApiError::bad_input(
                field,
                format!("is the id of a {node_type} on {vendor}, which Switchboard does not serve"),
            ));
        }
    })
}
