//! A Dixa agent or admin as an [`Agent`](super::Agent).

use async_graphql::{Context, SimpleObject};
use async_trait::async_trait;

use super::{
    Agent, PhoneNumber, Presence, Team,
    agent::{AgentDetails, AgentSource, join_name},
};
use crate::{
    graphql::{context::loaders, error::ApiResult},
    loaders::{
        Fetch,
        dixa::{AgentById, AgentPresenceOf, TeamById, TeamsOfAgent},
    },
    vendors::{Vendor, dixa},
};

/// Dixa's own details of an agent.
#[derive(Debug, Clone, SimpleObject)]
pub struct DixaAgentDetails {
    /// Roles (`Agent`, `Admin`, …).
    pub roles: Vec<String>,
    /// Middle names.
    pub middle_names: Vec<String>,
    /// Emails besides the primary one.
    pub additional_emails: Vec<String>,
    /// Avatar URL.
    pub avatar_url: Option<String>,
    /// When the agent was created, as Dixa wrote it.
    pub created_at: Option<String>,
}

#[async_trait]
impl AgentSource for dixa::Agent {
    fn vendor(&self) -> Vendor {
        Vendor::Dixa
    }

    fn vendor_id(&self) -> &str {
        &self.id
    }

    fn display_name(&self) -> Option<String> {
        self.display_name
            .clone()
            .or_else(|| join_name(self.first_name.as_deref(), self.last_name.as_deref()))
    }

    fn first_name(&self) -> Option<&str> {
        self.first_name.as_deref()
    }

    fn last_name(&self) -> Option<&str> {
        self.last_name.as_deref()
    }

    fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    fn phone_numbers(&self) -> Vec<PhoneNumber> {
        self.phone_number
            .iter()
            .map(|n| (n, true))
            .chain(self.additional_phone_numbers.iter().map(|n| (n, false)))
            .map(|(n, primary)| PhoneNumber {
                number: Some(n.clone()),
                extension: None,
                primary,
            })
            .collect()
    }

    fn details(&self) -> AgentDetails {
        AgentDetails::Dixa(DixaAgentDetails {
            roles: self.roles.clone(),
            middle_names: self.middle_names.clone(),
            additional_emails: self.additional_emails.clone(),
            avatar_url: self.avatar_url.clone(),
            created_at: self.created_at.clone(),
        })
    }

    async fn presence(&self, ctx: &Context<'_>) -> ApiResult<Option<Presence>> {
        presence_of(ctx, &self.id).await
    }

    async fn teams(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<Team>>> {
        teams_of(ctx, &self.id).await
    }
}

/// A Dixa agent as a team's member list shows it: id, name, email and primary phone,
/// all a wallboard shows. The rest of the agent's record (first and last name, further
/// numbers, details) is read, batched with every other member's, only when a query asks
/// for it, so listing members costs one call per team rather than one more per member.
#[derive(Debug, Clone)]
pub struct DixaMember(pub dixa::TeamMember);

#[async_trait]
impl AgentSource for DixaMember {
    fn vendor(&self) -> Vendor {
        Vendor::Dixa
    }

    fn vendor_id(&self) -> &str {
        &self.0.id
    }

    fn display_name(&self) -> Option<String> {
        self.0.name.clone()
    }

    fn first_name(&self) -> Option<&str> {
        None
    }

    fn last_name(&self) -> Option<&str> {
        None
    }

    fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    fn phone_numbers(&self) -> Vec<PhoneNumber> {
        dixa::Agent::from_member(&self.0).phone_numbers()
    }

    fn details(&self) -> AgentDetails {
        dixa::Agent::from_member(&self.0).details()
    }

    async fn complete(&self, ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        let record = loaders(ctx)?
            .dixa()?
            .fetch_one(AgentById(self.0.id.clone()))
            .await?;
        // An agent gone since the list was read keeps what the list said.
        Ok(Some(record.map_or_else(
            || Agent::new(dixa::Agent::from_member(&self.0)),
            Agent::shared,
        )))
    }

    async fn presence(&self, ctx: &Context<'_>) -> ApiResult<Option<Presence>> {
        presence_of(ctx, &self.0.id).await
    }

    async fn teams(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<Team>>> {
        teams_of(ctx, &self.0.id).await
    }
}

/// Said by a list's resolver before it returns `agents`: when they hold several Dixa
/// agents and the list's nodes select `presence` (or `presence` is read regardless, as
/// `with_presence` says), every agent's presence is about to be read, and Dixa's loader
/// is told so before any of it is asked for: one call then serves them all, however the
/// keys fall into batches.
pub fn presence_ahead<'a>(
    ctx: &Context<'_>,
    agents: impl IntoIterator<Item = &'a Agent>,
    with_presence: bool,
) {
    let several = agents
        .into_iter()
        .filter(|a| a.account_vendor() == Vendor::Dixa)
        .nth(1)
        .is_some();
    if !several {
        return;
    }
    let selected = with_presence || {
        let list = ctx.look_ahead();
        list.field("nodes").field("presence").exists()
            || list.field("edges").field("node").field("presence").exists()
    };
    if selected && let Some(dixa) = loaders(ctx).ok().and_then(|l| l.dixa().ok()) {
        dixa.loader().presence_of_many_ahead();
    }
}

/// Dixa agent `id`'s presence.
async fn presence_of(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Presence>> {
    let p = loaders(ctx)?
        .dixa()?
        .fetch_one(AgentPresenceOf(id.to_owned()))
        .await?;
    Ok(p.as_ref().map(Presence::from_dixa))
}

/// The teams Dixa agent `id` is in.
async fn teams_of(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Vec<Team>>> {
    let dixa = loaders(ctx)?.dixa()?;
    let Some(ids) = dixa.fetch_one(TeamsOfAgent(id.to_owned())).await? else {
        return Ok(Some(Vec::new()));
    };
    let teams = dixa.fetch_many(ids.iter().cloned().map(TeamById)).await?;
    Ok(Some(
        ids.iter()
            .filter_map(|id| teams.get(&TeamById(id.clone())).cloned().map(Team::new))
            .collect(),
    ))
}
