//! The `Node` interface and `node(id)` / `nodes(ids)`.

use async_graphql::{Context, ID, Interface, Object};

use super::{
    context::loaders,
    error::{ApiError, ApiResult},
    id::{GlobalId, NodeType},
    types::{
        Agent, SkillQueue, Supervisor, Team, User, supervisor_vonage::VonageSupervisor,
        supervisor_webex::WebexSupervisor,
    },
    validate,
};
use crate::{
    loaders::{
        Fetch,
        dixa::{AgentById, TeamById},
        huawei::{AgentByAccount, SkillById},
        vonage::UserById,
        webex::{AvailableAgents, SupervisorById},
    },
    vendors::{
        Vendor, VendorError,
        webex::ids::{PEOPLE, uuid_of},
    },
};

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
    /// The object with global id `id`, or null when it does not exist.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Node>> {
        let id = GlobalId::decode("id", &id)?;
        resolve(ctx, id).await
    }

    /// The objects with these global ids, in order; null where one does not exist.
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
            .map(|(i, id)| GlobalId::decode(&format!("ids[{i}]"), id))
            .collect::<ApiResult<Vec<_>>>()?;
        let resolved = futures::future::join_all(decoded.into_iter().map(|id| resolve(ctx, id))).await;
        resolved.into_iter().collect()
    }
}

async fn resolve(ctx: &Context<'_>, id: GlobalId) -> ApiResult<Option<Node>> {
    let loaders = loaders(ctx)?;
    let unsupported = || VendorError::not_configured(id.vendor);
    Ok(match (id.node_type, id.vendor) {
        (NodeType::Team, Vendor::Dixa) => loaders
            .dixa()?
            .fetch_one(TeamById(id.vendor_id.clone()))
            .await?
            .map(|t| Node::Team(Team::new(t))),
        (NodeType::Agent, Vendor::Dixa) => loaders
            .dixa()?
            .fetch_one(AgentById(id.vendor_id.clone()))
            .await?
            .map(|a| Node::Agent(Agent::new(a))),
        (NodeType::Supervisor, Vendor::Webex) => {
            let webex_id = validate::webex_id("id", &id.vendor_id, &[PEOPLE])?;
            loaders
                .webex()?
                .fetch_one(SupervisorById {
                    id: webex_id.clone(),
                    has_cx_essentials: None,
                })
                .await?
                .map(|d| Node::Supervisor(Supervisor::new(WebexSupervisor::from_detail(&webex_id, d, None))))
        }
        (NodeType::Agent, Vendor::Webex) => {
            validate::webex_id("id", &id.vendor_id, validate::WEBEX_AGENT_KINDS)?;
            // Webex has no single-agent read here: find the agent among the
            // organisation's agents (one cached list per tenant).
            let wanted = uuid_of(&id.vendor_id);
            loaders
                .webex()?
                .fetch_one(AvailableAgents(Default::default()))
                .await?
                .and_then(|all| {
                    all.iter()
                        .find(|a| wanted.is_some() && uuid_of(&a.id) == wanted)
                        .cloned()
                })
                .map(|a| Node::Agent(Agent::new(a)))
        }
        (NodeType::Agent, Vendor::HuaweiAicc) => loaders
            .huawei()?
            .fetch_one(AgentByAccount(validate::aicc_account("id", &id.vendor_id)?))
            .await?
            .map(|a| Node::Agent(Agent::new(a))),
        (NodeType::SkillQueue, Vendor::HuaweiAicc) => match id.vendor_id.parse::<i64>() {
            Ok(skill_id) => loaders
                .huawei()?
                .fetch_one(SkillById(skill_id))
                .await?
                .map(|q| Node::SkillQueue(SkillQueue::new(q))),
            Err(_) => None,
        },
        (NodeType::User, Vendor::Vonage) => loaders
            .vonage()?
            .fetch_one(UserById(id.vendor_id.clone()))
            .await?
            .map(|u| Node::User(User::new(u))),
        (NodeType::Agent, Vendor::Vonage) => loaders
            .vonage()?
            .fetch_one(UserById(id.vendor_id.clone()))
            .await?
            .filter(|u| u.acts_as_agent())
            .map(|u| Node::Agent(Agent::new(u))),
        (NodeType::Supervisor, Vendor::Vonage) => loaders
            .vonage()?
            .fetch_one(UserById(id.vendor_id.clone()))
            .await?
            .and_then(VonageSupervisor::of)
            .map(|s| Node::Supervisor(Supervisor::new(s))),
        _ => return Err(unsupported().into()),
    })
}
