//! Webex Calling: supervisors and the agents they monitor, and the agents available in
//! a location (Customer Experience Essentials / Basic), over `https://webexapis.com/v1`.
//! Bearer auth; `orgId` on every call; `start`/`max` paging with the next page in an
//! RFC 5988 `Link` header; errors `{message, errors, trackingId}`.

mod client;
pub mod ids;
pub mod wire;

use async_trait::async_trait;
use serde::Serialize;

pub use client::WebexClient;
pub use wire::{Agent, AgentStatus, Location, Supervisor, SupervisorDetail};

use super::VendorError;

/// The filters the supervisor and agent lists share.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct ListFilter {
    /// `name`: only names matching this.
    pub name: Option<String>,
    /// `phoneNumber`: only this number, extension or ESN.
    pub phone_number: Option<String>,
    /// `order`: `firstName`, `lastName`, `firstName-desc` or `lastName-desc`.
    pub order: Option<String>,
    /// `hasCxEssentials`.
    pub has_cx_essentials: Option<bool>,
}

impl ListFilter {
    /// Only the licence filter (or none) is set.
    pub fn is_plain(&self) -> bool {
        self.name.is_none() && self.phone_number.is_none() && self.order.is_none()
    }
}

/// What to do with the agents of a `PUT /supervisors/{id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentChange {
    /// `ADD`.
    Add,
    /// `DELETE`.
    Delete,
}

impl AgentChange {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentChange::Add => "ADD",
            AgentChange::Delete => "DELETE",
        }
    }
}

/// Everything Switchboard asks of Webex Calling.
#[async_trait]
pub trait WebexApi: Send + Sync {
    /// `GET /telephony/config/supervisors`, following `Link` to the last page.
    async fn list_supervisors(&self, filter: &ListFilter) -> Result<Vec<Supervisor>, VendorError>;
    /// `GET /telephony/config/supervisors/{supervisorId}`, every page of its agents.
    async fn get_supervisor(
        &self,
        supervisor_id: &str,
        has_cx_essentials: Option<bool>,
    ) -> Result<SupervisorDetail, VendorError>;
    /// `POST /telephony/config/supervisors`: the agents Webex did not assign (empty on 201).
    async fn create_supervisor(
        &self,
        person_id: &str,
        agent_ids: &[String],
        has_cx_essentials: Option<bool>,
    ) -> Result<Vec<AgentStatus>, VendorError>;
    /// `PUT /telephony/config/supervisors/{supervisorId}`: the agents Webex did not
    /// change as asked (empty on 204).
    async fn change_supervisor_agents(
        &self,
        supervisor_id: &str,
        agent_ids: &[String],
        change: AgentChange,
        has_cx_essentials: Option<bool>,
    ) -> Result<Vec<AgentStatus>, VendorError>;
    /// `DELETE /telephony/config/supervisors/{supervisorId}`.
    async fn delete_supervisor(&self, supervisor_id: &str) -> Result<(), VendorError>;
    /// `DELETE /telephony/config/supervisors` with `{supervisorIds}`.
    async fn delete_supervisors(&self, supervisor_ids: &[String]) -> Result<(), VendorError>;
    /// `GET /telephony/config/supervisors/availableSupervisors`, every page.
    async fn list_available_supervisors(&self, filter: &ListFilter) -> Result<Vec<Supervisor>, VendorError>;
    /// `GET /telephony/config/supervisors/availableAgents`, every page.
    async fn list_available_agents(&self, filter: &ListFilter) -> Result<Vec<Agent>, VendorError>;
    /// `GET /telephony/config/locations/{locationId}/cxEssentials/agents/availableAgents`.
    async fn list_location_agents(
        &self,
        location_id: &str,
        has_cx_essentials: Option<bool>,
    ) -> Result<Vec<Agent>, VendorError>;
    /// `GET /locations` (Webex's Locations API), every page.
    async fn list_locations(&self) -> Result<Vec<Location>, VendorError>;
    /// One cheap authenticated call (`GET /telephony/config/supervisors?max=1`).
    async fn probe(&self) -> Result<(), VendorError>;
}

/// How Webex Calling connects: the tenant's `webex` section, its access token.
pub struct Connection;

impl super::connector::Connector for Connection {
    const VENDOR: super::Vendor = super::Vendor::Webex;
    type Settings = crate::config::WebexSettings;
    type Api = dyn WebexApi;

    fn settings(tenant: &crate::config::TenantSettings) -> Option<&Self::Settings> {
        tenant.webex.as_ref()
    }

    fn credential(settings: &Self::Settings) -> Vec<secrecy::SecretString> {
        vec![settings.access_token.clone()]
    }

    fn connect(
        settings: &Self::Settings,
        endpoint: &mut dyn FnMut(&url::Url) -> super::http::VendorHttp,
    ) -> std::sync::Arc<dyn WebexApi> {
        WebexClient::new(
            endpoint(&settings.base_url),
            settings.access_token.clone(),
            settings.org_id.clone(),
            settings.page_size,
        )
    }

    /// [`WebexApi::probe`].
    fn probe(
        api: std::sync::Arc<dyn WebexApi>,
    ) -> futures::future::BoxFuture<'static, Result<(), VendorError>> {
        Box::pin(async move { api.probe().await })
    }
}
