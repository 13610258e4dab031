//! `Team`: a Dixa team with its members and their presence.

use async_graphql::{Context, ID, Object};

use super::{
    Agent, Presence, VendorKind,
    agent_dixa::{DixaMember, presence_ahead},
};
use crate::{
    graphql::{
        connection::{self, ListConnection, PageRequest},
        context::loaders,
        error::ApiResult,
        id::{GlobalId, NodeType},
    },
    loaders::{
        Fetch,
        dixa::{MembersOf, TeamPresenceOf},
    },
    vendors::{Vendor, dixa},
};

/// A team of agents.
#[derive(Debug, Clone)]
pub struct Team {
    record: dixa::Team,
}

impl Team {
    /// A team from Dixa's record.
    pub fn new(record: dixa::Team) -> Self {
        Self { record }
    }

    /// The global id.
    pub fn global_id(&self) -> ID {
        GlobalId::new(NodeType::Team, Vendor::Dixa, &self.record.id).encode()
    }
}

/// A team of agents.
#[Object]
impl Team {
    /// The global id.
    pub async fn id(&self) -> ID {
        self.global_id()
    }

    /// The vendor the team lives on.
    async fn vendor(&self) -> VendorKind {
        VendorKind::Dixa
    }

    /// The vendor's own id of the team.
    async fn vendor_id(&self) -> &str {
        &self.record.id
    }

    /// The team name.
    async fn name(&self) -> &str {
        &self.record.name
    }

    /// The team's members.
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<ListConnection<Agent>>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let members = loaders(ctx)?
            .dixa()?
            .fetch_one(MembersOf(self.record.id.clone()))
            .await?
            .unwrap_or_default();
        let members = connection::from_slice(&members, page, |m| Agent::new(DixaMember(m.clone())));
        presence_ahead(ctx, members.edges.iter().map(|e| &e.node), false);
        Ok(Some(members))
    }

    /// The presence of the team's members.
    async fn presence(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<ListConnection<Presence>>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let key = TeamPresenceOf(self.record.id.clone());
        connection::page_of(loaders(ctx)?.dixa()?, key, page, Presence::from_dixa)
            .await
            .map(Some)
    }
}
