//! `Presence`: who is working or away, online or offline, on which channels, normalised
//! across vendors with the vendor's own status kept.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object};
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

/// A presence as the graph shows it: a view over the vendor's own record, each field
/// normalised when it is asked for. A wallboard asks `availability` of 400 presences;
/// converting every field up front (a global id, two timestamps and five strings each)
/// was about a sixth of its cold CPU after the last vendor answer (perf, `cargo bench
/// --bench gateway`).
#[derive(Debug, Clone)]
pub struct Presence(Record);

/// The vendor's record a [`Presence`] reads, shared with the loader that read it.
#[derive(Debug, Clone)]
enum Record {
    Dixa(Arc<dixa::UserPresence>),
    Vonage(Arc<vonage::AgentPresence>),
}

/// One agent's presence on one vendor.
#[Object]
impl Presence {
    /// The global id of the agent this presence belongs to.
    async fn agent_id(&self) -> ID {
        self.0.agent_id()
    }

    /// The vendor that reported it.
    async fn vendor(&self) -> VendorKind {
        self.0.vendor().into()
    }

    /// Normalised availability.
    async fn availability(&self) -> Availability {
        self.0.normalised().0
    }

    /// Whether the agent is working (Dixa `presenceStatus`), where the vendor tells.
    async fn working(&self) -> Option<bool> {
        self.0.normalised().1
    }

    /// Whether the agent is connected, where the vendor tells.
    async fn online(&self) -> Option<bool> {
        self.0.normalised().2
    }

    /// Channels the agent is active on.
    async fn channels(&self) -> &[String] {
        self.0.channels()
    }

    /// When the agent was last seen.
    async fn last_seen(&self) -> Option<DateTime<Utc>> {
        self.0.last_seen()
    }

    /// When the vendor reported this.
    async fn observed_at(&self) -> Option<DateTime<Utc>> {
        self.0.observed_at()
    }

    /// The vendor's own status word (Dixa `presenceStatus`, Vonage presence description).
    async fn raw_status(&self) -> Option<&str> {
        self.0.raw_status()
    }

    /// The vendor's own connection word (Dixa `connectionStatus`).
    async fn raw_connection(&self) -> Option<&str> {
        self.0.raw_connection()
    }

    /// The vendor's presence category (Vonage `categoryType`: `Ready`, `Away`,
    /// `ExtendedAway`, `LoggedOut`).
    async fn category(&self) -> Option<&str> {
        self.0.category()
    }

    /// The vendor's description of the presence (Vonage: "Lunch", "Training", …).
    async fn description(&self) -> Option<&str> {
        self.0.description()
    }

    /// The agent this presence belongs to.
    async fn agent(&self, ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        self.agent_of(ctx).await
    }
}

/// What the fields read, from either vendor's record.
impl Record {
    fn vendor(&self) -> Vendor {
        match self {
            Record::Dixa(_) => Vendor::Dixa,
            Record::Vonage(_) => Vendor::Vonage,
        }
    }

    fn vendor_id(&self) -> &str {
        match self {
            Record::Dixa(p) => &p.user_id,
            Record::Vonage(p) => &p.user_id,
        }
    }

    fn agent_id(&self) -> ID {
        GlobalId::new(NodeType::Agent, self.vendor(), self.vendor_id()).encode()
    }

    /// Availability, working and online. Dixa: offline when not connected, else by
    /// `presenceStatus`. Vonage: `Ready` is available, `Away` and `ExtendedAway` are
    /// away, `LoggedOut` is offline.
    fn normalised(&self) -> (Availability, Option<bool>, Option<bool>) {
        match self {
            Record::Dixa(p) => {
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
                (availability, working, online)
            }
            Record::Vonage(_) => match self.category() {
                Some("Ready") => (Availability::Available, Some(true), Some(true)),
                Some("Away" | "ExtendedAway") => (Availability::Away, Some(false), Some(true)),
                Some("LoggedOut") => (Availability::Offline, Some(false), Some(false)),
                _ => (Availability::Unknown, None, None),
            },
        }
    }

    fn channels(&self) -> &[String] {
        match self {
            Record::Dixa(p) => &p.active_channels,
            Record::Vonage(_) => &[],
        }
    }

    fn last_seen(&self) -> Option<DateTime<Utc>> {
        match self {
            Record::Dixa(p) => p.last_seen.as_deref().and_then(parse_timestamp),
            Record::Vonage(_) => None,
        }
    }

    fn observed_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Record::Dixa(p) => parse_timestamp(&p.request_time),
            Record::Vonage(p) => p.updated.as_deref().and_then(parse_timestamp),
        }
    }

    fn raw_status(&self) -> Option<&str> {
        match self {
            Record::Dixa(p) => p.presence_status.as_deref(),
            Record::Vonage(_) => self.description(),
        }
    }

    fn raw_connection(&self) -> Option<&str> {
        match self {
            Record::Dixa(p) => Some(&p.connection_status),
            Record::Vonage(_) => None,
        }
    }

    /// Vonage's `categoryType`.
    fn category(&self) -> Option<&str> {
        match self {
            Record::Dixa(_) => None,
            Record::Vonage(p) => p.presence.category.as_ref().map(|c| c.category_type.as_str()),
        }
    }

    /// Vonage's description of the presence: its own, else its category's.
    fn description(&self) -> Option<&str> {
        match self {
            Record::Dixa(_) => None,
            Record::Vonage(p) => p.presence.description.as_deref().or_else(|| {
                p.presence
                    .category
                    .as_ref()
                    .and_then(|c| c.description.as_deref())
            }),
        }
    }
}

impl Presence {
    /// The agent this presence belongs to.
    pub async fn agent_of(&self, ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        match &self.0 {
            Record::Dixa(p) => {
                let agent = loaders(ctx)?
                    .dixa()?
                    .fetch_one(AgentById(p.user_id.clone()))
                    .await?;
                Ok(agent.map(Agent::shared))
            }
            Record::Vonage(p) => {
                let user = loaders(ctx)?
                    .vonage()?
                    .fetch_one(UserById(p.user_id.clone()))
                    .await?;
                Ok(user.filter(|u| u.acts_as_agent()).map(Agent::new))
            }
        }
    }

    /// A presence the live layer holds.
    pub fn from_entry(entry: &PresenceEntry) -> Self {
        match &entry.presence {
            VendorPresence::Dixa(p) => Self(Record::Dixa(Arc::new(p.clone()))),
            VendorPresence::Vonage(p) => Self(Record::Vonage(Arc::new(p.clone()))),
        }
    }

    /// A Dixa presence.
    pub fn from_dixa(p: &Arc<dixa::UserPresence>) -> Self {
        Self(Record::Dixa(p.clone()))
    }

    /// A Vonage presence.
    pub fn from_vonage(p: &Arc<vonage::AgentPresence>) -> Self {
        Self(Record::Vonage(p.clone()))
    }

    /// Normalised availability (what the `availability` field answers).
    pub fn normalised_availability(&self) -> Availability {
        self.0.normalised().0
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
            active_channels: vec!["email".into()],
        };
        let n = Presence::from_dixa(&Arc::new(p.clone()));
        assert_eq!(n.0.normalised().0, Availability::Away);
        assert_eq!(
            (n.0.normalised().2, n.0.normalised().1),
            (Some(true), Some(false))
        );
        assert!(n.0.observed_at().is_some() && n.0.last_seen().is_some());
        assert_eq!(n.0.channels(), ["email"]);
        assert_eq!(n.0.raw_status(), Some("Away"));
        assert_eq!(n.0.raw_connection(), Some("Online"));
        assert_eq!(n.0.category(), None);
        assert_eq!(
            GlobalId::decode("agentId", n.0.agent_id().as_str()).unwrap(),
            GlobalId::new(NodeType::Agent, Vendor::Dixa, "u")
        );
        let offline = Presence::from_dixa(&Arc::new(dixa::UserPresence {
            connection_status: "Offline".into(),
            ..p
        }));
        assert_eq!(offline.0.normalised().0, Availability::Offline);
    }

    #[test]
    fn vonage_presence_keeps_category_and_description() {
        let p: vonage::AgentPresence = serde_json::from_str(
            r#"{"userId":"u1","updated":"2021-08-26T07:37:55.465Z","presence":{"presenceId":"p1","selectable":true,
            "category":{"categoryType":"ExtendedAway","description":"Extended away"},"description":"Training"}}"#,
        )
        .unwrap();
        let n = Presence::from_vonage(&Arc::new(p.clone()));
        assert_eq!(n.0.normalised().0, Availability::Away);
        assert_eq!(n.0.category(), Some("ExtendedAway"));
        assert_eq!(n.0.description(), Some("Training"));
        assert_eq!(n.0.raw_status(), Some("Training"));
        assert_eq!(
            (n.0.normalised().2, n.0.normalised().1),
            (Some(true), Some(false))
        );
        assert!(n.0.observed_at().is_some());
        assert!(n.0.channels().is_empty() && n.0.last_seen().is_none());
        let out = Presence::from_vonage(&Arc::new(vonage::AgentPresence {
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
        }));
        assert_eq!(out.0.normalised().0, Availability::Offline);
        assert_eq!(out.0.description(), None);
    }
}
