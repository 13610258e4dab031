//! `Agent` as the graph shows it: the fields every vendor shares, the vendor's own
//! details, and the edges (`presence`, `teams`, `supervisors`, `linkedAgents`, `user`).
//! The record and [`AgentSource`](super::AgentSource) are in `agent.rs`; this module is
//! apart from them because `supervisors` names `Supervisor`, and supervisors are built
//! over agents: `supervisor*.rs` depend on `agent*.rs`, this module on both, and neither
//! side imports the other back.
//!
//! May depend on: `types::{agent, supervisor, common, presence, team, user}`,
//! `graphql::{error, people}`.

use async_graphql::{Context, ID, Object};

use super::{Agent, AgentDetails, PhoneNumber, Presence, Supervisor, Team, User, VendorKind, supervisor};
use crate::graphql::{
    error::ApiResult,
    people::{self, normalise_email},
};

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
        supervisor::monitoring(ctx, self).await
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
