//! A Vonage user whose role is Supervisor, as a [`Supervisor`](super::Supervisor).
//! Vonage's user admin API does not say which agents a supervisor monitors, so
//! `agents` is null for these, never an empty list that would claim "nobody".

use async_graphql::{Context, ID, SimpleObject};
use async_trait::async_trait;

use super::{
    Agent, AgentSource, PhoneNumber, User,
    supervisor::{SupervisorDetails, SupervisorSource},
};
use crate::{
    graphql::{
        connection::{ListConnection, PageRequest},
        error::ApiResult,
    },
    vendors::{Vendor, vonage::VonageUser},
};

/// Vonage's own details of a supervisor.
#[derive(Debug, Clone, SimpleObject)]
pub struct VonageSupervisorDetails {
    /// The global id of the Vonage `User` behind this supervisor.
    pub user_id: ID,
    /// The username.
    pub username: String,
    /// Whether the supervisor also takes interactions as an agent.
    pub acts_as_agent: bool,
}

/// A Vonage user with the Supervisor role (lists of such users build it directly).
#[derive(Debug, Clone)]
pub struct VonageSupervisor(pub VonageUser);

impl VonageSupervisor {
    /// `user` as a supervisor, when its role is Supervisor.
    pub fn of(user: VonageUser) -> Option<Self> {
        user.is_supervisor().then_some(Self(user))
    }
}

// The fields shared with `Agent` read the same record the same way.
#[async_trait]
impl SupervisorSource for VonageSupervisor {
    fn vendor(&self) -> Vendor {
        Vendor::Vonage
    }

    fn vendor_id(&self) -> &str {
        &self.0.user_id
    }

    fn display_name(&self) -> Option<String> {
        AgentSource::display_name(&self.0)
    }

    fn first_name(&self) -> Option<&str> {
        AgentSource::first_name(&self.0)
    }

    fn last_name(&self) -> Option<&str> {
        AgentSource::last_name(&self.0)
    }

    fn email(&self) -> Option<&str> {
        AgentSource::email(&self.0)
    }

    fn phone_numbers(&self) -> Vec<PhoneNumber> {
        AgentSource::phone_numbers(&self.0)
    }

    fn details(&self) -> SupervisorDetails {
        SupervisorDetails::Vonage(VonageSupervisorDetails {
            user_id: User::global_id_of(&self.0.user_id),
            username: self.0.username.clone(),
            acts_as_agent: self.0.acts_as_agent(),
        })
    }

    async fn agents(
        &self,
        _ctx: &Context<'_>,
        _page: PageRequest,
    ) -> ApiResult<Option<ListConnection<Agent>>> {
        Ok(None)
    }
}
