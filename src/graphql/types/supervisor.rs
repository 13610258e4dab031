//! `Supervisor`: someone who monitors agents (a Webex Calling supervisor, or a Vonage
//! user whose role is Supervisor), with the fields every vendor shares, the
//! vendor's own details, `agents` as a connection, and the same person's agent accounts
//! (`linkedAgents`). Each vendor implements
//! [`SupervisorSource`] in its own file (`supervisor_webex.rs`, …), so adding a vendor
//! touches nothing here but the [`SupervisorDetails`] union (and, for a vendor whose
//! supervisors say whom they monitor, its arm of [`monitoring`]).
//!
//! May depend on: `types::{agent*, common}`, `graphql::{connection, error, id, people}`,
//! `vendors`. The `agent*.rs` files never depend on this side: the edge from an agent to
//! its supervisors is resolved here ([`monitoring`]) and shown by `agent_fields.rs`.

use std::{fmt, sync::Arc};

use async_graphql::{Context, ID, Object, Union};
use async_trait::async_trait;

use super::{
    Agent, PhoneNumber, VendorKind,
    supervisor_vonage::VonageSupervisorDetails,
    supervisor_webex::{self, WebexSupervisorDetails},
};
use crate::{
    graphql::{
        connection::{ListConnection, PageRequest},
        error::ApiResult,
        id::{GlobalId, NodeType},
        people,
    },
    vendors::Vendor,
};

/// What only one vendor knows about a supervisor.
#[derive(Debug, Clone, Union)]
pub enum SupervisorDetails {
    /// Webex Calling's details.
    Webex(WebexSupervisorDetails),
    /// Vonage's details.
    Vonage(VonageSupervisorDetails),
}

/// A vendor's supervisor record, seen through the fields every vendor shares.
#[async_trait]
pub trait SupervisorSource: fmt::Debug + Send + Sync {
    /// The vendor the supervisor lives on.
    fn vendor(&self) -> Vendor;
    /// The vendor's id of the supervisor.
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
    fn details(&self) -> SupervisorDetails;
    /// The primary email, looked up elsewhere on the vendor where its record has none.
    async fn lookup_email(&self, _ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(self.email().map(str::to_owned))
    }
    /// The agents this supervisor monitors, one page of them.
    async fn agents(&self, ctx: &Context<'_>, page: PageRequest) -> ApiResult<Option<ListConnection<Agent>>>;
}

/// Someone who monitors agents.
#[derive(Debug, Clone)]
pub struct Supervisor {
    source: Arc<dyn SupervisorSource>,
}

impl Supervisor {
    /// A supervisor over a vendor record.
    pub fn new(source: impl SupervisorSource + 'static) -> Self {
        Self {
            source: Arc::new(source),
        }
    }

    /// The global id.
    pub fn global_id(&self) -> ID {
        GlobalId::new(
            NodeType::Supervisor,
            self.source.vendor(),
            self.source.vendor_id(),
        )
        .encode()
    }

    /// The vendor the supervisor lives on.
    pub fn account_vendor(&self) -> Vendor {
        self.source.vendor()
    }

    /// The vendor's id of the supervisor.
    pub fn account_id(&self) -> &str {
        self.source.vendor_id()
    }

    /// The name to show.
    pub fn name(&self) -> Option<String> {
        self.source.display_name()
    }

    /// The primary email, looked up where the vendor's record has none.
    pub async fn email_of(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        self.source.lookup_email(ctx).await
    }
}

/// Someone who monitors agents.
#[Object]
impl Supervisor {
    /// The global id.
    pub async fn id(&self) -> ID {
        self.global_id()
    }

    /// The vendor the supervisor lives on.
    async fn vendor(&self) -> VendorKind {
        self.source.vendor().into()
    }

    /// The vendor's own id of the supervisor.
    async fn vendor_id(&self) -> &str {
        self.source.vendor_id()
    }

    /// The name to show, where the vendor's answer carried one.
    async fn display_name(&self) -> Option<String> {
        self.source.display_name()
    }

    /// First name.
    async fn first_name(&self) -> Option<&str> {
        self.source.first_name()
    }

    /// Last name.
    async fn last_name(&self) -> Option<&str> {
        self.source.last_name()
    }

    /// Primary email. Webex's supervisor lists carry none: a Webex supervisor's is the
    /// one Webex shows among the agents available in the person's location.
    async fn email(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        self.email_of(ctx).await
    }

    /// Phone numbers, primary first.
    async fn phone_numbers(&self) -> Vec<PhoneNumber> {
        self.source.phone_numbers()
    }

    /// What only this supervisor's vendor knows.
    async fn details(&self) -> SupervisorDetails {
        self.source.details()
    }

    /// The agents this supervisor monitors; null where the vendor does not say (Vonage).
    async fn agents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<ListConnection<Agent>>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        self.source.agents(ctx, page).await
    }

    /// The same person's agent accounts on every vendor, their own vendor included (a
    /// supervisor who also takes calls has an agent account there), matched as
    /// `Agent.linkedAgents` matches them: by email, trimmed, lower-cased and without a
    /// plus-address tag (`local+tag@domain` matches `local@domain`). Empty when the
    /// supervisor has no email. In `agents`' order. A vendor that fails is left out, with
    /// an error naming it.
    async fn linked_agents(&self, ctx: &Context<'_>) -> ApiResult<Vec<Agent>> {
        let email = self.email_of(ctx).await?;
        people::linked_agents(ctx, None, email.as_deref()).await
    }
}

/// The supervisors who monitor `agent`, from the vendor's supervisors' agent lists:
/// Webex's; `None` for the vendors whose supervisors do not say (Vonage) or that have
/// none (a non-Webex account is not followed to the same person's Webex account).
pub async fn monitoring(ctx: &Context<'_>, agent: &Agent) -> ApiResult<Option<Vec<Supervisor>>> {
    match agent.account_vendor() {
        Vendor::Webex => supervisor_webex::monitoring(ctx, agent.account_id())
            .await
            .map(Some),
        Vendor::HuaweiAicc | Vendor::Dixa | Vendor::Vonage => Ok(None),
    }
}
