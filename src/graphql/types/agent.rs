//! `Agent`: one agent account on one vendor, with the fields every vendor shares and the
//! vendor's own details. Each vendor implements [`AgentSource`] for its record in its own
//! file (`agent_dixa.rs`, …), so adding a vendor touches nothing here but the
//! [`AgentDetails`] union. The fields the graph shows, edges included, are in
//! `agent_fields.rs`.
//!
//! May depend on: `types::{common, presence, team, user}`, the `agent_<vendor>.rs` files
//! (for the union), `graphql::{error, id}`, `vendors`; never on `supervisor*.rs`, which
//! are built over agents (`Agent.supervisors` is resolved above both).

use std::{fmt, sync::Arc};

use async_graphql::{Context, ID, Union};
use async_trait::async_trait;

use super::{
    PhoneNumber, Presence, Team, User, agent_aicc::AiccAgentDetails, agent_dixa::DixaAgentDetails,
    agent_vonage::VonageAgentDetails, agent_webex::WebexAgentDetails,
};
use crate::{
    graphql::{
        error::ApiResult,
        id::{GlobalId, NodeType},
    },
    vendors::Vendor,
};

/// What only one vendor knows about an agent.
#[derive(Debug, Clone, Union)]
pub enum AgentDetails {
    /// Dixa's details.
    Dixa(DixaAgentDetails),
    /// Webex Calling's details.
    Webex(WebexAgentDetails),
    /// Huawei AICC's details.
    HuaweiAicc(AiccAgentDetails),
    /// Vonage's details.
    Vonage(VonageAgentDetails),
}

/// A vendor's agent record, seen through the fields every vendor shares. Edges default
/// to "this vendor has none".
#[async_trait]
pub trait AgentSource: fmt::Debug + Send + Sync {
    /// The vendor the account lives on.
    fn vendor(&self) -> Vendor;
    /// The vendor's id of the account.
    fn vendor_id(&self) -> &str;
    /// The name to show.
    fn display_name(&self) -> Option<String>;
    /// First name.
    fn first_name(&self) -> Option<&str>;
    /// Last name.
    fn last_name(&self) -> Option<&str>;
    /// Primary email, as the vendor's record has it.
    fn email(&self) -> Option<&str>;
    /// Phone numbers, primary first.
    fn phone_numbers(&self) -> Vec<PhoneNumber>;
    /// The vendor's own details.
    fn details(&self) -> AgentDetails;
    /// The vendor's whole record of the account, where this one is a partial view of it
    /// (a team's member entry, say) that lacks fields a query asked for; `None` when this
    /// is the whole record.
    async fn complete(&self, _ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        Ok(None)
    }
    /// The primary email, looked up elsewhere on the vendor where its record has none.
    async fn lookup_email(&self, _ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(self.email().map(str::to_owned))
    }
    /// The Vonage user this account is, for a Vonage account.
    fn vonage_user(&self) -> Option<User> {
        None
    }
    /// The agent's current presence.
    async fn presence(&self, _ctx: &Context<'_>) -> ApiResult<Option<Presence>> {
        Ok(None)
    }
    /// The teams the agent is in.
    async fn teams(&self, _ctx: &Context<'_>) -> ApiResult<Option<Vec<Team>>> {
        Ok(Some(Vec::new()))
    }
}

/// One agent account on one vendor.
#[derive(Debug, Clone)]
pub struct Agent {
    /// The vendor's record (read by the fields in `agent_fields.rs`).
    pub(super) source: Arc<dyn AgentSource>,
}

impl Agent {
    /// An agent over a vendor record.
    pub fn new(source: impl AgentSource + 'static) -> Self {
        Self {
            source: Arc::new(source),
        }
    }

    /// An agent over a vendor record others share too.
    pub fn shared(source: Arc<impl AgentSource + 'static>) -> Self {
        Self { source }
    }

    /// The vendor this account lives on.
    pub fn account_vendor(&self) -> Vendor {
        self.source.vendor()
    }

    /// The vendor's id of this account.
    pub fn account_id(&self) -> &str {
        self.source.vendor_id()
    }

    /// The global id.
    pub fn global_id(&self) -> ID {
        GlobalId::new(NodeType::Agent, self.account_vendor(), self.account_id()).encode()
    }

    /// The name to show.
    pub fn name(&self) -> Option<String> {
        self.source.display_name()
    }

    /// The primary email, looked up where the vendor's record has none.
    pub async fn email_of(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        self.source.lookup_email(ctx).await
    }

    /// The agent's presence, where the vendor reports one.
    pub async fn presence_of(&self, ctx: &Context<'_>) -> ApiResult<Option<Presence>> {
        self.source.presence(ctx).await
    }

    /// The vendor's whole record of the account (read when this is a partial view).
    pub(super) async fn whole(&self, ctx: &Context<'_>) -> ApiResult<Arc<dyn AgentSource>> {
        Ok(match self.source.complete(ctx).await? {
            Some(whole) => whole.source,
            None => self.source.clone(),
        })
    }
}

/// "First Last" from the parts that are present.
pub fn join_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let joined = [first, last]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!joined.is_empty()).then_some(joined)
}
