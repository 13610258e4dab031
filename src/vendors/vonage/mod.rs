//! Vonage Contact Center: users with their agent configuration, and agent presence.
//! OAuth2 client credentials (`Auth/connect/token`) give a bearer token cached per
//! tenant connection ([`TokenCache`](super::token::TokenCache)); every request sends the
//! versioned `Accept` header; errors are `{message}`.

mod client;
pub mod webhook;
pub mod wire;

use async_trait::async_trait;

pub use client::{ACCEPT_V4, VonageClient, VonageTokenSource};
pub use wire::{AgentPresence, Include, User, UserBody, UserPage};

/// A Vonage user record, as the graph's `User`, `Agent` (when it acts as an agent) and
/// `Supervisor` (when its role is Supervisor) read it.
pub use wire::User as VonageUser;

use super::VendorError;

/// Role names as Vonage spells them.
pub mod roles {
    /// `Admin`.
    pub const ADMIN: &str = "Admin";
    /// `Supervisor`.
    pub const SUPERVISOR: &str = "Supervisor";
    /// `Wallboard`.
    pub const WALLBOARD: &str = "Wallboard";
    /// `Agent`.
    pub const AGENT: &str = "Agent";
}

impl User {
    /// Whether the user has agent capabilities (an Agent always has).
    pub fn acts_as_agent(&self) -> bool {
        let c = &self.user_account_configuration;
        c.role.eq_ignore_ascii_case(roles::AGENT) || c.act_as_agent == Some(true)
    }

    /// Whether the user's role is Supervisor.
    pub fn is_supervisor(&self) -> bool {
        self.user_account_configuration
            .role
            .eq_ignore_ascii_case(roles::SUPERVISOR)
    }

    /// Whether the account is active (absent means active, the documented default).
    pub fn is_active(&self) -> bool {
        self.active != Some(false)
    }
}

/// Everything Switchboard asks of Vonage Contact Center.
#[async_trait]
pub trait VonageApi: Send + Sync {
    /// `GET /useradmin/users?include&page&limit` (one page, `page` from 1).
    async fn list_users(&self, include: Include, page: u32, limit: u32) -> Result<UserPage, VendorError>;
    /// Every page of `GET /useradmin/users`.
    async fn list_all_users(&self, include: Include) -> Result<Vec<User>, VendorError>;
    /// `GET /users/{id}`.
    async fn get_user(&self, user_id: &str) -> Result<User, VendorError>;
    /// `POST /users` (never retried).
    async fn create_user(&self, body: &UserBody) -> Result<User, VendorError>;
    /// `PATCH /users/{id}`.
    async fn update_user(&self, user_id: &str, patch: &UserBody) -> Result<User, VendorError>;
    /// `DELETE /users/{id}` (only an archived user).
    async fn delete_user(&self, user_id: &str) -> Result<(), VendorError>;
    /// `GET /agents/{userId}/presence`.
    async fn get_agent_presence(&self, user_id: &str) -> Result<AgentPresence, VendorError>;
}

/// How Vonage Contact Center connects: the tenant's `vonage` section, its OAuth2 client
/// id and secret (the token service shares the API's cap on concurrent calls).
pub struct Connection;

impl super::connector::Connector for Connection {
    const VENDOR: super::Vendor = super::Vendor::Vonage;
    type Settings = crate::config::VonageSettings;
    type Api = dyn VonageApi;

    fn settings(tenant: &crate::config::TenantSettings) -> Option<&Self::Settings> {
        tenant.vonage.as_ref()
    }

    fn credential(settings: &Self::Settings) -> Vec<secrecy::SecretString> {
        vec![
            secrecy::SecretString::from(settings.client_id.clone()),
            settings.client_secret.clone(),
        ]
    }

    fn connect(
        settings: &Self::Settings,
        endpoint: &mut dyn FnMut(&url::Url) -> super::http::VendorHttp,
    ) -> std::sync::Arc<dyn VonageApi> {
        let api = endpoint(&settings.base_url);
        let source = VonageTokenSource::new(
            api.at(settings.token_url.clone()),
            settings.client_id.clone(),
            settings.client_secret.clone(),
            settings.scopes.clone(),
        );
        VonageClient::new(api, source, settings.page_limit)
    }

    /// The first active user.
    fn probe(
        api: std::sync::Arc<dyn VonageApi>,
    ) -> futures::future::BoxFuture<'static, Result<(), VendorError>> {
        Box::pin(async move { api.list_users(Include::Active, 1, 1).await.map(drop) })
    }
}
