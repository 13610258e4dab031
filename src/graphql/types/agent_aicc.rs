//! A Huawei AICC agent account as an [`Agent`](super::Agent).

use async_graphql::{Context, Enum, ID, Object};
use async_trait::async_trait;

use super::{
    PhoneNumber,
    agent::{AgentDetails, AgentSource},
    skill_queue::{AiccMediaType, SkillQueue},
};
use crate::{
    graphql::{context::loaders, error::ApiResult},
    loaders::{Fetch, huawei::SkillById},
    vendors::{
        Vendor,
        huawei::{self, role},
    },
};

/// What an AICC agent account may do (`ccRoleId`).
#[derive(Debug, Enum, Clone, Copy, PartialEq, Eq)]
pub enum AiccRole {
    /// Agent (2).
    Agent,
    /// Inspector (3).
    Inspector,
    /// Outbound call agent (4).
    OutboundCallAgent,
}

impl AiccRole {
    /// The vendor's code.
    pub fn code(self) -> i32 {
        match self {
            AiccRole::Agent => role::AGENT,
            AiccRole::Inspector => role::INSPECTOR,
            AiccRole::OutboundCallAgent => role::OUTBOUND_CALL_AGENT,
        }
    }

    /// The role of a vendor code, when it is one Switchboard knows.
    pub fn from_code(code: i32) -> Option<Self> {
        [AiccRole::Agent, AiccRole::Inspector, AiccRole::OutboundCallAgent]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// Huawei AICC's own details of an agent account.
#[derive(Debug, Clone)]
pub struct AiccAgentDetails {
    record: huawei::AgentAccount,
}

/// Huawei AICC's own details of an agent account.
#[Object]
impl AiccAgentDetails {
    /// The account (`userAccount`).
    async fn account(&self) -> &str {
        &self.record.user_account
    }

    /// The work number (agent id) AICC handed out.
    async fn work_no(&self) -> Option<i32> {
        self.record.work_no.and_then(|n| i32::try_from(n).ok())
    }

    /// The media the agent handles; null for a type Switchboard does not know.
    async fn agent_type(&self) -> Option<AiccMediaType> {
        self.record.agent_type.and_then(AiccMediaType::from_code)
    }

    /// The role; null for a role Switchboard does not know.
    async fn role(&self) -> Option<AiccRole> {
        self.record.cc_role_id.and_then(AiccRole::from_code)
    }

    /// The SIP account bound to the agent, if any.
    async fn sip_account(&self) -> Option<&str> {
        self.record.sip_account.as_deref()
    }

    /// The agent's skills.
    async fn skills(&self) -> Vec<AiccAgentSkill> {
        self.record
            .skills
            .iter()
            .map(|s| AiccAgentSkill { skill: s.clone() })
            .collect()
    }
}

/// One skill of an agent: a queue and the weights.
#[derive(Debug, Clone)]
pub struct AiccAgentSkill {
    skill: huawei::AgentSkill,
}

/// One skill of an AICC agent.
#[Object]
impl AiccAgentSkill {
    /// The skill queue's global id.
    async fn skill_queue_id(&self) -> ID {
        SkillQueue::global_id_of(self.skill.skill_id)
    }

    /// The skill queue; null when it no longer exists.
    async fn queue(&self, ctx: &Context<'_>) -> ApiResult<Option<SkillQueue>> {
        Ok(loaders(ctx)?
            .huawei()?
            .fetch_one(SkillById(self.skill.skill_id))
            .await?
            .map(SkillQueue::new))
    }

    /// The agent weight (a larger weight means a higher priority).
    async fn agent_weight(&self) -> Option<i32> {
        self.skill.agent_weight
    }

    /// The skill queue weight.
    async fn skill_weight(&self) -> Option<i32> {
        self.skill.skill_weight
    }
}

#[async_trait]
impl AgentSource for huawei::AgentAccount {
    fn vendor(&self) -> Vendor {
        Vendor::HuaweiAicc
    }

    fn vendor_id(&self) -> &str {
        &self.user_account
    }

    fn display_name(&self) -> Option<String> {
        self.user_name.clone().filter(|n| !n.is_empty())
    }

    fn first_name(&self) -> Option<&str> {
        None
    }

    fn last_name(&self) -> Option<&str> {
        None
    }

    fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    fn phone_numbers(&self) -> Vec<PhoneNumber> {
        self.phone
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| PhoneNumber {
                number: Some(p.clone()),
                extension: None,
                primary: true,
            })
            .collect()
    }

    fn details(&self) -> AgentDetails {
        AgentDetails::HuaweiAicc(AiccAgentDetails { record: self.clone() })
    }
}
