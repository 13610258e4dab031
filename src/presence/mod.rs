//! Live presence state: what vendors pushed (webhooks) or what was last read from them,
//! one entry per agent, applied only when newer by the vendor's timestamp, so duplicate
//! and out-of-order deliveries change nothing. Every applied change is broadcast to
//! [`PresenceStore::subscribe`]rs (the base for GraphQL subscriptions).
//!
//! May depend on: `vendors` (for the vendors' presence records). Never on GraphQL.

use std::{collections::HashMap, sync::Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

pub use crate::vendors::vonage::webhook::MalformedEvent;
use crate::vendors::{
    Vendor, parse_timestamp, vonage,
    vonage::webhook::{self, WebhookEvent},
};

/// Changes kept for a subscriber that falls behind; it then skips ahead (a slow
/// subscriber never slows the others).
const CHANNEL_CAPACITY: usize = 1_024;

/// A vendor's own presence record.
#[derive(Debug, Clone, PartialEq)]
pub enum VendorPresence {
    /// Vonage Contact Center (`GET /agents/{userId}/presence`, `agent.presencechanged.v0`).
    Vonage(vonage::AgentPresence),
}

/// One agent's presence as of `updated`.
#[derive(Debug, Clone, PartialEq)]
pub struct PresenceEntry {
    /// The vendor it is on.
    pub vendor: Vendor,
    /// The vendor's id of the agent.
    pub agent_id: String,
    /// When the vendor says it changed.
    pub updated: DateTime<Utc>,
    /// The vendor's record.
    pub presence: VendorPresence,
}

/// What [`PresenceStore::apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Newer than what was known: stored and broadcast.
    Changed,
    /// The same timestamp as what is known: ignored.
    Duplicate,
    /// Older than what is known (arrived out of order): ignored.
    Stale,
}

impl Applied {
    /// `changed`, `duplicate` or `stale`.
    pub fn as_str(self) -> &'static str {
        match self {
            Applied::Changed => "changed",
            Applied::Duplicate => "duplicate",
            Applied::Stale => "stale",
        }
    }
}

/// The presence of one tenant's agents.
pub struct PresenceStore {
    entries: Mutex<HashMap<(Vendor, String), PresenceEntry>>,
    changes: broadcast::Sender<PresenceEntry>,
}

impl Default for PresenceStore {
    fn default() -> Self {
        Self::new()
    }
}

impl PresenceStore {
    /// An empty store.
    pub fn new() -> Self {
        Self {
            entries: Mutex::default(),
            changes: broadcast::channel(CHANNEL_CAPACITY).0,
        }
    }

    /// Stores `entry` if it is newer than what is known for its agent.
    pub fn apply(&self, entry: PresenceEntry) -> Applied {
        let mut entries = self.entries.lock().expect("presence lock");
        let key = (entry.vendor, entry.agent_id.clone());
        if let Some(known) = entries.get(&key) {
            if entry.updated == known.updated {
                return Applied::Duplicate;
            }
            if entry.updated < known.updated {
                return Applied::Stale;
            }
        }
        entries.insert(key, entry.clone());
        drop(entries);
        // No subscriber is fine: nobody is listening yet.
        let _ = self.changes.send(entry);
        Applied::Changed
    }

    /// What is known of `agent_id` on `vendor`.
    pub fn get(&self, vendor: Vendor, agent_id: &str) -> Option<PresenceEntry> {
        self.entries
            .lock()
            .expect("presence lock")
            .get(&(vendor, agent_id.to_owned()))
            .cloned()
    }

    /// Every change applied from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<PresenceEntry> {
        self.changes.subscribe()
    }
}

/// What one Vonage webhook delivery comes to.
#[derive(Debug, Clone, PartialEq)]
pub enum VonageDelivery {
    /// An agent's presence changed: the entry to apply.
    Change {
        /// The agent's presence as of the event's time.
        entry: PresenceEntry,
        /// The event's id, where sent.
        event_id: Option<String>,
    },
    /// An event of a type Switchboard does not consume (acknowledge it, change nothing).
    NotConsumed {
        /// The event's `type`.
        event_type: String,
    },
}

/// Reads a Vonage webhook delivery (`agent.presencechanged.v0`); the error says, fit for
/// the sender, why the body is not a readable event.
pub fn vonage_delivery(body: &[u8]) -> Result<VonageDelivery, MalformedEvent> {
    Ok(match webhook::read_event(body)? {
        WebhookEvent::PresenceChanged(change) => VonageDelivery::Change {
            entry: PresenceEntry {
                vendor: Vendor::Vonage,
                agent_id: change.presence.user_id.clone(),
                updated: change.at,
                presence: VendorPresence::Vonage(change.presence),
            },
            event_id: change.event_id,
        },
        WebhookEvent::NotConsumed { event_type } => VonageDelivery::NotConsumed { event_type },
    })
}

impl PresenceEntry {
    /// A Vonage presence, when its `updated` is readable.
    pub fn vonage(p: vonage::AgentPresence) -> Option<Self> {
        let updated = parse_timestamp(p.updated.as_deref()?)?;
        Some(Self {
            vendor: Vendor::Vonage,
            agent_id: p.user_id.clone(),
            updated,
            presence: VendorPresence::Vonage(p),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendors::vonage::wire::{PresenceCategory, PresenceState};

    fn event(at: &str, category: &str) -> PresenceEntry {
        PresenceEntry::vonage(vonage::AgentPresence {
            user_id: "u1".into(),
            updated: Some(at.into()),
            presence: PresenceState {
                presence_id: None,
                selectable: None,
                category: Some(PresenceCategory {
                    category_type: category.into(),
                    description: None,
                }),
                description: None,
            },
        })
        .unwrap()
    }

    #[test]
    fn a_vonage_delivery_is_an_entry_whose_record_keeps_a_readable_time() {
        let body = br#"{"type":"agent.presencechanged.v0","id":"e1","timestamp":"  2026-11-23T10:00:00Z ",
            "presence":{"category":{"categoryType":"Away"},"description":"Lunch"},"user":{"agentId":"u1"}}"#;
        let Ok(VonageDelivery::Change { entry, event_id }) = vonage_delivery(body) else {
            panic!("a change");
        };
        assert_eq!(event_id.as_deref(), Some("e1"));
        assert_eq!(entry.updated.to_rfc3339(), "2026-11-23T10:00:00+00:00");
        let VendorPresence::Vonage(record) = &entry.presence;
        // The record re-read (as a poll's would be) gives the same entry.
        assert_eq!(PresenceEntry::vonage(record.clone()), Some(entry.clone()));
        assert!(vonage_delivery(b"{}").is_err());
    }

    #[tokio::test]
    async fn newer_wins_duplicates_and_stale_events_change_nothing() {
        let store = PresenceStore::new();
        let mut changes = store.subscribe();
        assert_eq!(
            store.apply(event("2026-01-01T10:00:00Z", "Ready")),
            Applied::Changed
        );
        assert_eq!(
            store.apply(event("2026-01-01T10:00:00Z", "Ready")),
            Applied::Duplicate
        );
        assert_eq!(store.apply(event("2026-01-01T09:00:00Z", "Away")), Applied::Stale);
        let now = store.get(Vendor::Vonage, "u1").unwrap();
        assert_eq!(now, event("2026-01-01T10:00:00Z", "Ready"));
        assert_eq!(
            store.apply(event("2026-01-01T11:00:00+01:00", "Away")),
            Applied::Duplicate
        );
        assert_eq!(
            store.apply(event("2026-01-01T10:00:01Z", "Away")),
            Applied::Changed
        );
        assert_eq!(
            changes.recv().await.unwrap().updated.to_rfc3339(),
            "2026-01-01T10:00:00+00:00"
        );
        assert_eq!(
            changes.recv().await.unwrap().updated.to_rfc3339(),
            "2026-01-01T10:00:01+00:00"
        );
        assert!(changes.try_recv().is_err());
        assert!(store.get(Vendor::Dixa, "u1").is_none());
    }
}
