//! `Agent`: one agent account on one vendor, with the fields every vendor shares, the
//! vendor's own details, and the edges to the same person elsewhere (`linkedAgents`,
//! `user`). Each vendor implements [`AgentSource`] for its record in its own file
//! (`agent_dixa.rs`, …), so adding a vendor touches nothing here but the
//! [`AgentDetails`] union.

use std::{fmt, sync::Arc};

use async_graphql::{Context, ID, Object, Union};
use async_trait::async_trait;

use super::{
    PhoneNumber, Presence, Supervisor, Team, User, VendorKind, agent_aicc::AiccAgentDetails,
    agent_dixa::DixaAgentDetails, agent_vonage::VonageAgentDetails, agent_webex::WebexAgentDetails,
};
use crate::{
    graphql::{
        error::ApiResult,
        id::{GlobalId, NodeType},
        people::{self, normalise_email},
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
    /// The supervisors who monitor the agent; `None` where the vendor does not say.
    async fn supervisors(&self, _ctx: &Context<'_>) -> ApiResult<Option<Vec<Supervisor>>> {
        Ok(None)
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
    source: Arc<dyn AgentSource>,
}

impl Agent {
    /// An agent over a vendor record.
    pub fn new(source: impl AgentSource + 'static) -> Self {
        Self {
            source: Arc::new(source),
        }
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
    async fn whole(&self, ctx: &Context<'_>) -> ApiResult<Arc<dyn AgentSource>> {
        Ok(match self.source.complete(ctx).await? {
            Some(whole) => whole.source,
            None => self.source.clone(),
        })
    }
}

/// One agent account on one vendor.
#[Object]
impl Agent {
    /// The global id.
    pub async fn id(&self) -> ID {
        self.global_id()
    }

    /// The vendor this account lives on.
    async fn vendor(&self) -> VendorKind {
        self.account_vendor().into()
    }

    /// The vendor's own id of this account.
    async fn vendor_id(&self) -> &str {
        self.account_id()
    }

    /// The name to show.
    async fn display_name(&self) -> Option<String> {
        self.source.display_name()
    }

    /// First name.
    async fn first_name(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(self.whole(ctx).await?.first_name().map(str::to_owned))
    }

    /// Last name.
    async fn last_name(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(self.whole(ctx).await?.last_name().map(str::to_owned))
    }

    /// Primary email. Webex's agent lists carry none: a Webex agent's is the one Webex
    /// shows among the agents available in the agent's location.
    async fn email(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        self.email_of(ctx).await
    }

    /// Phone numbers, primary first.
    async fn phone_numbers(&self, ctx: &Context<'_>) -> ApiResult<Vec<PhoneNumber>> {
        Ok(self.whole(ctx).await?.phone_numbers())
    }

    /// What only this agent's vendor knows.
    async fn details(&self, ctx: &Context<'_>) -> ApiResult<AgentDetails> {
        Ok(self.whole(ctx).await?.details())
    }

    /// The agent's current presence, where the vendor reports one.
    async fn presence(&self, ctx: &Context<'_>) -> ApiResult<Option<Presence>> {
        self.source.presence(ctx).await
    }

    /// The teams this agent is a member of (teams are Dixa's: other vendors' agents
    /// are in none).
    async fn teams(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<Team>>> {
        self.source.teams(ctx).await
    }

    /// The supervisors who monitor this agent. Webex: the supervisors whose agent lists
    /// hold it. Null for the other vendors, which do not say (a non-Webex account is not
    /// followed to the same person's Webex account: ask `linkedAgents` for that).
    async fn supervisors(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<Supervisor>>> {
        self.source.supervisors(ctx).await
    }

    /// The same person's other agent accounts: every configured vendor's agent (as
    /// `agents` lists them), this account excepted, whose email matches this one's once
    /// both are normalised: trimmed, lower-cased, and without a plus-address tag
    /// (`local+tag@domain` matches `local@domain`). A second account on the same vendor
    /// counts. Empty when this account has no email. In `agents`' order. A vendor that
    /// fails is left out, with an error naming it.
    async fn linked_agents(&self, ctx: &Context<'_>) -> ApiResult<Vec<Agent>> {
        let email = self.email_of(ctx).await?;
        let this = (self.account_vendor(), self.account_id());
        people::linked_agents(ctx, Some(this), email.as_deref()).await
    }

    /// The Vonage user of this account: the user itself for a Vonage agent, otherwise
    /// the active Vonage user (of any role) whose email matches this account's, as
    /// `linkedAgents` matches them. Null when there is none.
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        if let Some(user) = self.source.vonage_user() {
            return Ok(Some(user));
        }
        let Some(wanted) = self.email_of(ctx).await?.as_deref().and_then(normalise_email) else {
            return Ok(None);
        };
        people::vonage_user_with_email(ctx, &wanted).await
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
