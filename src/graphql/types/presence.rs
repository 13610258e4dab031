//! `Presence`: who is working or away, online or offline, on which channels, normalised
//! across vendors with the vendor's own status kept.

use async_graphql::{ComplexObject, Context, Enum, SimpleObject};
use chrono::{DateTime, Utc};

use super::{Agent, VendorKind};
use crate::{
    graphql::{
        context::loaders,
        error::ApiResult,
        id::{GlobalId, NodeType},
    },
    loaders::{Fetch, dixa::AgentById, vonage::UserById},
    presence::{PresenceEntry, VendorPresence},
    vendors::{Vendor, dixa, parse_timestamp, vonage},
};

/// Presence normalised across vendors.
#[derive(Debug, Enum, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Online and working: can take contacts.
    Available,
    /// Online but away.
    Away,
    /// Offline or logged out.
    Offline,
    /// The vendor did not say.
    Unknown,
}

/// One agent's presence on one vendor.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct Presence {
    /// The global id of the agent this presence belongs to.
    pub agent_id: async_graphql::ID,
    /// The vendor that reported it.
    pub vendor: VendorKind,
    /// Normalised availability.
    pub availability: Availability,
    /// Whether the agent is working (Dixa `presenceStatus`), where the vendor tells.
    pub working: Option<bool>,
    /// Whether the agent is connected, where the vendor tells.
    pub online: Option<bool>,
    /// Channels the agent is active on.
    pub channels: Vec<String>,
    /// When the agent was last seen.
    pub last_seen: Option<DateTime<Utc>>,
    /// When the vendor reported this.
    pub observed_at: Option<DateTime<Utc>>,
    /// The vendor's own status word (Dixa `presenceStatus`, Vonage presence description).
    pub raw_status: Option<String>,
    /// The vendor's own connection word (Dixa `connectionStatus`).
    pub raw_connection: Option<String>,
    /// The vendor's presence category (Vonage `categoryType`: `Ready`, `Away`,
    /// `ExtendedAway`, `LoggedOut`).
    pub category: Option<String>,
    /// The vendor's description of the presence (Vonage: "Lunch", "Training", …).
    pub description: Option<String>,
    #[graphql(skip)]
    pub(crate) agent_vendor_id: String,
}

#[ComplexObject]
impl Presence {
    /// The agent this presence belongs to.
    async fn agent(&self, ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        self.agent_of(ctx).await
    }
}

impl Presence {
    /// The agent this presence belongs to.
    pub async fn agent_of(&self, ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        match self.vendor.into() {
            Vendor::Dixa => {
                let agent = loaders(ctx)?
                    .dixa()?
                    .fetch_one(AgentById(self.agent_vendor_id.clone()))
                    .await?;
                Ok(agent.map(Agent::shared))
            }
            Vendor::Vonage => {
                let user = loaders(ctx)?
                    .vonage()?
                    .fetch_one(UserById(self.agent_vendor_id.clone()))
                    .await?;
                Ok(user.filter(|u| u.acts_as_agent()).map(Agent::new))
            }
            _ => Ok(None),
        }
    }
}

impl Presence {
    /// Normalises a presence the live layer holds.
    pub fn from_entry(entry: &PresenceEntry) -> Self {
        match &entry.presence {
            VendorPresence::Dixa(p) => Self::from_dixa(p),
            VendorPresence::Vonage(p) => Self::from_vonage(p),
        }
    }

    /// Normalises a Dixa presence.
    pub fn from_dixa(p: &dixa::UserPresence) -> Self {
        let online = match p.connection_status.as_str() {
            "Online" => Some(true),
            "Offline" => Some(false),
            _ => None,
        };
        let working = match p.presence_status.as_deref() {
            Some("Working") => Some(true),
            Some("Away") => Some(false),
            _ => None,
        };
        let availability = match (online, working) {
            (Some(false), _) => Availability::Offline,
            (Some(true), Some(true)) => Availability::Available,
            (Some(true), Some(false)) => Availability::Away,
            _ => Availability::Unknown,
        };
        Self {
            agent_id: GlobalId::new(NodeType::Agent, Vendor::Dixa, &p.user_id).encode(),
            vendor: VendorKind::Dixa,
            availability,
            working,
            online,
            channels: p.active_channels.clone(),
            last_seen: p.last_seen.as_deref().and_then(parse_timestamp),
            observed_at: parse_timestamp(&p.request_time),
            raw_status: p.presence_status.clone(),
            raw_connection: Some(p.connection_status.clone()),
            category: None,
            description: None,
            agent_vendor_id: p.user_id.clone(),
        }
    }

    /// Normalises a Vonage presence: `Ready` is available, `Away` and `ExtendedAway`
    /// are away, `LoggedOut` is offline.
    pub fn from_vonage(p: &vonage::AgentPresence) -> Self {
        let category = p.presence.category.as_ref().map(|c| c.category_type.clone());
        let (availability, working, online) = match category.as_deref() {
            Some("Ready") => (Availability::Available, Some(true), Some(true)),
            Some("Away" | "ExtendedAway") => (Availability::Away, Some(false), Some(true)),
            Some("LoggedOut") => (Availability::Offline, Some(false), Some(false)),
            _ => (Availability::Unknown, None, None),
        };
        let description = p
            .presence
            .description
            .clone()
            .or_else(|| p.presence.category.as_ref().and_then(|c| c.description.clone()));
        Self {
            agent_id: GlobalId::new(NodeType::Agent, Vendor::Vonage, &p.user_id).encode(),
            vendor: VendorKind::Vonage,
            availability,
            working,
            online,
            channels: Vec::new(),
            last_seen: None,
            observed_at: p.updated.as_deref().and_then(parse_timestamp),
            raw_status: description.clone(),
            raw_connection: None,
            category,
            description,
            agent_vendor_id: p.user_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dixa_presence_is_normalised() {
        let p = dixa::UserPresence {
            user_id: "u".into(),
            request_time: "2021-12-01T12:46:35.935".into(),
            last_seen: Some("2021-12-01T12:46:35.935Z".into()),
            presence_status: Some("Away".into()),
            connection_status: "Online".into(),
            active_channels: vec![],
        };
        let n = Presence::from_dixa(&p);
        assert_eq!(n.availability, Availability::Away);
        assert!(n.observed_at.is_some() && n.last_seen.is_some());
        let offline = Presence::from_dixa(&dixa::UserPresence {
            connection_status: "Offline".into(),
            ..p
        });
        assert_eq!(offline.availability, Availability::Offline);
    }

    #[test]
    fn vonage_presence_keeps_category_and_description() {
        let p: vonage::AgentPresence = serde_json::from_str(
            r#"{"userId":"u1","updated":"2021-08-26T07:37:55.465Z","presence":{"presenceId":"p1","selectable":true,
            "category":{"categoryType":"ExtendedAway","description":"Extended away"},"description":"Training"}}"#,
        )
        .unwrap();
        let n = Presence::from_vonage(&p);
        assert_eq!(n.availability, Availability::Away);
        assert_eq!(n.category.as_deref(), Some("ExtendedAway"));
        assert_eq!(n.description.as_deref(), Some("Training"));
        assert_eq!((n.online, n.working), (Some(true), Some(false)));
        assert!(n.observed_at.is_some());
        let out = Presence::from_vonage(&vonage::AgentPresence {
            presence: vonage::wire::PresenceState {
                category: Some(vonage::wire::PresenceCategory {
                    category_type: "LoggedOut".into(),
                    description: None,
                }),
                description: None,
                presence_id: None,
                selectable: None,
            },
            ..p
        });
        assert_eq!(out.availability, Availability::Offline);
        assert_eq!(out.description, None);
    }
}
