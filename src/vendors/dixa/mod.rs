//! Dixa: teams, team members, team presence and agents, over Dixa's REST API
//! (`/beta` or the identical `/v1`). The API token goes raw in `Authorization`;
//! bodies are `{data}` on success and `{message}` on error.

mod client;
pub mod wire;

use async_trait::async_trait;

pub use client::DixaClient;
pub use wire::{Agent, Team, TeamMember, UserPresence};

use super::VendorError;

/// Everything Switchboard asks of Dixa.
#[async_trait]
pub trait DixaApi: Send + Sync {
    /// `GET /teams`.
    async fn list_teams(&self) -> Result<Vec<Team>, VendorError>;
    /// `GET /teams/{teamId}`.
    async fn get_team(&self, team_id: &str) -> Result<Team, VendorError>;
    /// `POST /teams`.
    async fn create_team(&self, name: &str) -> Result<Team, VendorError>;
    /// `DELETE /teams/{teamId}`.
    async fn delete_team(&self, team_id: &str) -> Result<(), VendorError>;
    /// `GET /teams/{teamId}/agents`.
    async fn list_team_members(&self, team_id: &str) -> Result<Vec<TeamMember>, VendorError>;
    /// `PATCH /teams/{teamId}/agents`.
    async fn add_team_members(&self, team_id: &str, agent_ids: &[String]) -> Result<(), VendorError>;
    /// `DELETE /teams/{teamId}/agents`.
    async fn remove_team_members(&self, team_id: &str, agent_ids: &[String]) -> Result<(), VendorError>;
    /// `GET /teams/{teamId}/presence`, following `meta.next` to the last page.
    async fn list_team_presence(&self, team_id: &str) -> Result<Vec<UserPresence>, VendorError>;
    /// `GET /agents`, following `meta.next` to the last page.
    async fn list_agents(&self) -> Result<Vec<Agent>, VendorError>;
    /// `GET /agents/{agentId}`.
    async fn get_agent(&self, agent_id: &str) -> Result<Agent, VendorError>;
    /// `GET /agents/{agentId}/presence`.
    async fn get_agent_presence(&self, agent_id: &str) -> Result<UserPresence, VendorError>;
    /// `GET /agents/presence`: every agent's presence in one call (a bare array).
    async fn list_all_presence(&self) -> Result<Vec<UserPresence>, VendorError>;
    /// `GET /agents/{agentId}/teams` (team ids only).
    async fn list_agent_teams(&self, agent_id: &str) -> Result<Vec<String>, VendorError>;
}

/// How Dixa connects: the tenant's `dixa` section, its API token.
pub struct Connection;

impl super::connector::Connector for Connection {
    const VENDOR: super::Vendor = super::Vendor::Dixa;
    type Settings = crate::config::DixaSettings;
    type Api = dyn DixaApi;

    fn settings(tenant: &crate::config::TenantSettings) -> Option<&Self::Settings> {
        tenant.dixa.as_ref()
    }

    fn credential(settings: &Self::Settings) -> Vec<secrecy::SecretString> {
        vec![settings.api_token.clone()]
    }

    fn connect(
        settings: &Self::Settings,
        endpoint: &mut dyn FnMut(&url::Url) -> super::http::VendorHttp,
    ) -> std::sync::Arc<dyn DixaApi> {
        DixaClient::new(
            endpoint(&settings.base_url),
            settings.api_token.clone(),
            settings.page_limit,
        )
    }

    /// The team list.
    fn probe(
        api: std::sync::Arc<dyn DixaApi>,
    ) -> futures::future::BoxFuture<'static, Result<(), VendorError>> {
        Box::pin(async move { api.list_teams().await.map(drop) })
    }
}
