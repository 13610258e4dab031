//! `SkillQueue`: a Huawei AICC skill queue (the queues agents are given skills in).

use async_graphql::{Enum, ID, Object};

use super::VendorKind;
use crate::{
    graphql::id::{GlobalId, NodeType},
    vendors::{
        Vendor,
        huawei::{self, agent_type},
    },
};

/// The media an AICC agent or skill queue handles (`agentType`, `mediaTypeId`).
#[derive(Debug, Enum, Clone, Copy, PartialEq, Eq)]
pub enum AiccMediaType {
    /// Audio (4).
    Audio,
    /// Video (11).
    Video,
    /// Multimedia (5).
    Multimedia,
    /// Versatile (99).
    Versatile,
}

impl AiccMediaType {
    /// The vendor's code.
    pub fn code(self) -> i32 {
        match self {
            AiccMediaType::Audio => agent_type::AUDIO,
            AiccMediaType::Video => agent_type::VIDEO,
            AiccMediaType::Multimedia => agent_type::MULTIMEDIA,
            AiccMediaType::Versatile => agent_type::VERSATILE,
        }
    }

    /// The type of a vendor code, when it is one Switchboard knows.
    pub fn from_code(code: i32) -> Option<Self> {
        [
            AiccMediaType::Audio,
            AiccMediaType::Video,
            AiccMediaType::Multimedia,
            AiccMediaType::Versatile,
        ]
        .into_iter()
        .find(|t| t.code() == code)
    }
}

/// A skill queue.
#[derive(Debug, Clone)]
pub struct SkillQueue {
    record: huawei::SkillQueue,
}

impl SkillQueue {
    /// A queue from AICC's record.
    pub fn new(record: huawei::SkillQueue) -> Self {
        Self { record }
    }

    /// The global id of queue `skill_id`.
    pub fn global_id_of(skill_id: i64) -> ID {
        GlobalId::new(NodeType::SkillQueue, Vendor::HuaweiAicc, skill_id.to_string()).encode()
    }
}

/// A Huawei AICC skill queue.
#[Object]
impl SkillQueue {
    /// The global id.
    pub async fn id(&self) -> ID {
        Self::global_id_of(self.record.skill_id)
    }

    /// The vendor the queue lives on.
    async fn vendor(&self) -> VendorKind {
        VendorKind::HuaweiAicc
    }

    /// The vendor's own id of the queue (`skillId`).
    async fn vendor_id(&self) -> String {
        self.record.skill_id.to_string()
    }

    /// The queue name.
    async fn name(&self) -> Option<&str> {
        self.record.name.as_deref()
    }

    /// The media the queue handles; null for a type Switchboard does not know.
    async fn media_type(&self) -> Option<AiccMediaType> {
        self.record.media_type_id.and_then(AiccMediaType::from_code)
    }

    /// The vendor's media type code (`mediaTypeId`).
    async fn media_type_id(&self) -> Option<i32> {
        self.record.media_type_id
    }
}
