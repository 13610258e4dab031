//! A Vonage user who acts as an agent, as an [`Agent`](super::Agent).

use async_graphql::{Context, ID, SimpleObject};
use async_trait::async_trait;

use super::{
    PhoneNumber, Presence,
    agent::{AgentDetails, AgentSource},
    user::{User, UserRole, VonageAgentConfiguration, vonage_presence},
};
use crate::{
    graphql::error::ApiResult,
    vendors::{Vendor, vonage::VonageUser},
};

/// Vonage's own details of an agent.
#[derive(Debug, Clone, SimpleObject)]
pub struct VonageAgentDetails {
    /// The global id of the Vonage `User` behind this agent.
    pub user_id: ID,
    /// The username.
    pub username: String,
    /// The user's role.
    pub role: Option<UserRole>,
    /// False for archived users.
    pub active: bool,
    /// Whether the account is locked.
    pub locked: Option<bool>,
    /// The agent settings.
    pub configuration: Option<Box<VonageAgentConfiguration>>,
}

#[async_trait]
impl AgentSource for VonageUser {
    fn vendor(&self) -> Vendor {
        Vendor::Vonage
    }

    fn vendor_id(&self) -> &str {
        &self.user_id
    }

    fn display_name(&self) -> Option<String> {
        self.name.clone().or_else(|| Some(self.username.clone()))
    }

    fn first_name(&self) -> Option<&str> {
        // Vonage keeps one `name`; it does not split it.
        None
    }

    fn last_name(&self) -> Option<&str> {
        None
    }

    fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    fn phone_numbers(&self) -> Vec<PhoneNumber> {
        self.user_account_configuration
            .agent_configuration
            .as_ref()
            .and_then(|a| a.telephony_address.as_ref())
            .filter(|t| t.telephone_address.is_some() || t.telephony_extension.is_some())
            .map(|t| PhoneNumber {
                number: t.telephone_address.clone(),
                extension: t.telephony_extension.clone(),
                primary: true,
            })
            .into_iter()
            .collect()
    }

    fn details(&self) -> AgentDetails {
        AgentDetails::Vonage(VonageAgentDetails {
            user_id: User::global_id_of(&self.user_id),
            username: self.username.clone(),
            role: UserRole::from_vonage(&self.user_account_configuration.role),
            active: self.is_active(),
            locked: self.locked,
            configuration: self
                .user_account_configuration
                .agent_configuration
                .as_ref()
                .map(|a| Box::new(VonageAgentConfiguration::from(a))),
        })
    }

    async fn presence(&self, ctx: &Context<'_>) -> ApiResult<Option<Presence>> {
        vonage_presence(ctx, &self.user_id).await
    }

    fn vonage_user(&self) -> Option<User> {
        Some(User::new(self.clone()))
    }
}
