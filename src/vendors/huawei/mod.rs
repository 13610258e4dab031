//! Huawei Cloud AICC cc-management: agent accounts and skill queues. Every call is a
//! POST under `/apiaccess/rest/cc-management/v1/` with `Authorization: Bearer` and a
//! token from the AK/SK exchange (`/apigovernance/api/oauth/tokenByAkSk`), cached per
//! tenant in a [`TokenCache`](super::token::TokenCache). HTTP 200 carries success and
//! failure alike: `resultCode`/`returnCode` `"0"` or `"1"` with a message.

mod client;
pub mod wire;

use std::fmt;

use async_trait::async_trait;
use secrecy::SecretString;

pub use client::{AkSkTokenSource, HuaweiClient};
pub use wire::{AgentAccount, AgentSkill, SkillQueue};

use super::VendorError;

/// `agentType`: the media an agent (and a skill queue) handles.
pub mod agent_type {
    /// Audio agent.
    pub const AUDIO: i32 = 4;
    /// Video agent.
    pub const VIDEO: i32 = 11;
    /// Multimedia agent.
    pub const MULTIMEDIA: i32 = 5;
    /// Versatile agent.
    pub const VERSATILE: i32 = 99;
}

/// `ccRoleId`: what an agent account may do.
pub mod role {
    /// Agent.
    pub const AGENT: i32 = 2;
    /// Inspector.
    pub const INSPECTOR: i32 = 3;
    /// Outbound call agent.
    pub const OUTBOUND_CALL_AGENT: i32 = 4;
}

/// One skill of an agent, as sent to the vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillAssignment {
    /// The skill queue id.
    pub skill_id: i64,
    /// Agent weight, at least 1.
    pub agent_weight: i32,
    /// Skill weight, at least 1.
    pub skill_weight: i32,
}

/// What `agentAccount/create` needs. The password is a secret: this type has no
/// derived `Debug`.
#[derive(Clone)]
pub struct NewAgentAccount {
    /// `userAccount`.
    pub user_account: String,
    /// `userName`.
    pub user_name: String,
    /// `password`.
    pub password: SecretString,
    /// `email`.
    pub email: String,
    /// `agentType` (see [`agent_type`]).
    pub agent_type: i32,
    /// `ccRoleId` (see [`role`]).
    pub cc_role_id: i32,
    /// `skills`.
    pub skills: Vec<SkillAssignment>,
    /// `phone`.
    pub phone: Option<String>,
}

impl fmt::Debug for NewAgentAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAgentAccount")
            .field("user_account", &self.user_account)
            .field("user_name", &self.user_name)
            .field("password", &"[REDACTED]")
            .field("agent_type", &self.agent_type)
            .field("cc_role_id", &self.cc_role_id)
            .field("skills", &self.skills)
            .finish_non_exhaustive()
    }
}

/// What `agentAccount/update` changes; `None` leaves a field as it is.
#[derive(Clone, Default)]
pub struct AgentAccountChange {
    /// `userAccount`, the key.
    pub user_account: String,
    /// `userName`.
    pub user_name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `phone`.
    pub phone: Option<String>,
    /// `agentType`.
    pub agent_type: Option<i32>,
    /// `ccRoleId`.
    pub cc_role_id: Option<i32>,
    /// `skills` (replacing the current ones).
    pub skills: Option<Vec<SkillAssignment>>,
    /// `oldPassWord` and `newPassWord`.
    pub password: Option<(SecretString, SecretString)>,
}

impl fmt::Debug for AgentAccountChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentAccountChange")
            .field("user_account", &self.user_account)
            .field("password", &self.password.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

/// One page of agent accounts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AgentPage {
    /// The accounts on the page.
    pub agents: Vec<AgentAccount>,
    /// How many accounts match in all, when the vendor says.
    pub total: Option<u64>,
}

/// One page of skill queues.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SkillPage {
    /// The queues on the page.
    pub skills: Vec<SkillQueue>,
    /// How many queues match in all, when the vendor says.
    pub total: Option<u64>,
}

/// Which skill queues `skill/querySkills` returns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SkillFilter {
    /// Queues whose name contains this.
    pub name: Option<String>,
    /// Queues of this media type.
    pub media_type_id: Option<i32>,
    /// Only these queues.
    pub skill_ids: Option<Vec<i64>>,
    /// Queues to skip.
    pub offset: u32,
    /// Queues to return, at most 100.
    pub limit: u32,
}

/// The most skill queues one `skill/querySkills` call returns.
pub const MAX_SKILL_LIMIT: u32 = 100;
/// The largest `pageSize` asked of `agentAccount/query`.
pub const MAX_AGENT_PAGE_SIZE: u32 = 100;

/// Everything Switchboard asks of Huawei AICC cc-management.
#[async_trait]
pub trait HuaweiApi: Send + Sync {
    /// `agentAccount/create`; returns the `workNo` handed out.
    async fn create_agent(&self, account: &NewAgentAccount) -> Result<Option<i64>, VendorError>;
    /// `agentAccount/update`.
    async fn update_agent(&self, change: &AgentAccountChange) -> Result<(), VendorError>;
    /// `agentAccount/delete`.
    async fn delete_agent(&self, user_account: &str) -> Result<(), VendorError>;
    /// `agentAccount/query` by `userAccount`; `NotFound` when there is none.
    async fn get_agent(&self, user_account: &str) -> Result<AgentAccount, VendorError>;
    /// `agentAccount/query` with `pageNum` (from 0) and `pageSize`, optionally of some
    /// agent types only.
    async fn list_agents(
        &self,
        page_num: u32,
        page_size: u32,
        agent_types: &[i32],
    ) -> Result<AgentPage, VendorError>;
    /// `skill/querySkills`.
    async fn query_skills(&self, filter: &SkillFilter) -> Result<SkillPage, VendorError>;
}

/// How Huawei AICC connects: the tenant's `huawei` section, its AK/SK pair.
pub struct Connection;

impl super::connector::Connector for Connection {
    const VENDOR: super::Vendor = super::Vendor::HuaweiAicc;
    type Settings = crate::config::HuaweiSettings;
    type Api = dyn HuaweiApi;

    fn settings(tenant: &crate::config::TenantSettings) -> Option<&Self::Settings> {
        tenant.huawei.as_ref()
    }

    fn credential(settings: &Self::Settings) -> Vec<SecretString> {
        vec![settings.app_key.clone(), settings.app_secret.clone()]
    }

    fn connect(
        settings: &Self::Settings,
        endpoint: &mut dyn FnMut(&url::Url) -> super::http::VendorHttp,
    ) -> std::sync::Arc<dyn HuaweiApi> {
        HuaweiClient::new(
            endpoint(&settings.base_url),
            settings.app_key.clone(),
            settings.app_secret.clone(),
            std::time::Duration::from_secs(settings.token_lifetime_secs),
            std::time::Duration::from_secs(settings.token_renew_margin_secs),
        )
    }

    /// One skill queue (the token exchange first, when no token is held).
    fn probe(
        api: std::sync::Arc<dyn HuaweiApi>,
    ) -> futures::future::BoxFuture<'static, Result<(), VendorError>> {
        Box::pin(async move {
            let one = SkillFilter {
                limit: 1,
                ..SkillFilter::default()
            };
            api.query_skills(&one).await.map(drop)
        })
    }
}
