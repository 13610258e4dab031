//! Live presence state: what vendors pushed (webhooks) or what was last read from them
//! (queries, pollers), one entry per agent, applied only when newer by the vendor's
//! timestamp, so duplicate and out-of-order deliveries change nothing. A timestamp more
//! than [`MAX_CLOCK_SKEW`] ahead of this machine's clock is taken as "now", so one event
//! stamped far in the future cannot freeze an agent's presence. Every applied change
//! of state is broadcast, with the state it replaced, to [`PresenceStore::subscribe`]rs
//! (the base of `Subscription.presenceChanged`, see `live`).
//!
//! May depend on: `vendors` (for the vendors' presence records). Never on GraphQL.

use std::{
    collections::HashMap,
    sync::{Mutex, OnceLock},
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

pub use crate::vendors::vonage::webhook::MalformedEvent;
use crate::vendors::{
    Vendor, dixa, parse_timestamp, vonage,
    vonage::webhook::{self, WebhookEvent},
};

/// Changes kept for a subscriber that falls behind; past it the subscriber is told it
/// lagged (the `live` layer then sends its clients a fresh snapshot), so a slow
/// subscriber never slows the others.
const CHANNEL_CAPACITY: usize = 4_096;

/// How far ahead of this machine's clock a vendor's timestamp may be; a later one is
/// taken as now.
pub const MAX_CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// A vendor's own presence record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum VendorPresence {
    /// Dixa (`GET /agents/presence`).
    Dixa(dixa::UserPresence),
    /// Vonage Contact Center (`GET /agents/{userId}/presence`, `agent.presencechanged.v0`).
    Vonage(vonage::AgentPresence),
}

impl VendorPresence {
    /// Whether `self` and `other` say the same thing, leaving out when they were read.
    pub fn same_state(&self, other: &VendorPresence) -> bool {
        match (self, other) {
            (VendorPresence::Dixa(a), VendorPresence::Dixa(b)) => {
                a.presence_status == b.presence_status
                    && a.connection_status == b.connection_status
                    && a.active_channels == b.active_channels
            }
            (VendorPresence::Vonage(a), VendorPresence::Vonage(b)) => a.presence == b.presence,
            _ => false,
        }
    }
}

/// One agent's presence as of `updated`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PresenceEntry {
    /// The vendor it is on.
    pub vendor: Vendor,
    /// The vendor's id of the agent.
    pub agent_id: String,
    /// When the vendor says it changed (or, for a vendor that does not say, when it was
    /// seen to have changed).
    pub updated: DateTime<Utc>,
    /// The vendor's record.
    pub presence: VendorPresence,
}

/// One agent's presence changed.
#[derive(Debug, Clone, PartialEq)]
pub struct PresenceChange {
    /// What was known before, if anything.
    pub previous: Option<PresenceEntry>,
    /// The new presence.
    pub current: PresenceEntry,
}

/// What [`PresenceStore::apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Newer than what was known and a different state: stored and broadcast.
    Changed,
    /// Newer than what was known, but the same state: its time stored, nothing broadcast.
    Unchanged,
    /// The same timestamp as what is known: ignored.
    Duplicate,
    /// Older than what is known (arrived out of order): ignored.
    Stale,
}

impl Applied {
    /// `changed`, `unchanged`, `duplicate` or `stale`.
    pub fn as_str(self) -> &'static str {
        match self {
            Applied::Changed => "changed",
            Applied::Unchanged => "unchanged",
            Applied::Duplicate => "duplicate",
            Applied::Stale => "stale",
        }
    }
}

/// Told of every entry this process learnt first (a poll, a webhook, a read), not of
/// those other replicas sent ([`PresenceStore::apply_remote`]); with whether a first
/// sighting of the agent is to be announced.
pub type Observer = Box<dyn Fn(&PresenceEntry, bool) + Send + Sync>;

/// The presence of one tenant's agents.
pub struct PresenceStore {
    entries: Mutex<HashMap<(Vendor, String), PresenceEntry>>,
    changes: broadcast::Sender<PresenceChange>,
    observer: OnceLock<Observer>,
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
            observer: OnceLock::new(),
        }
    }

    /// Sets the observer of changes learnt here (once; later calls are ignored).
    pub fn set_observer(&self, observer: Observer) {
        let _ = self.observer.set(observer);
    }

    /// Stores `entry`, a change the vendor pushed, if it is newer than what is known for
    /// its agent, and broadcasts it when its state differs (or nothing was known).
    pub fn apply(&self, entry: PresenceEntry) -> Applied {
        self.store(entry, true, true)
    }

    /// Stores `entry`, a state read from the vendor (a poll, a query), like [`apply`];
    /// the first state known of an agent is not broadcast: it is no change anyone saw
    /// (subscribers who want it ask for a snapshot).
    ///
    /// [`apply`]: PresenceStore::apply
    pub fn apply_read(&self, entry: PresenceEntry) -> Applied {
        self.store(entry, false, true)
    }

    /// Stores `entry`, which another replica learnt, by the same rules; the observer is
    /// not told (it came from the others).
    pub fn apply_remote(&self, entry: PresenceEntry, announce_first: bool) -> Applied {
        self.store(entry, announce_first, false)
    }

    fn store(&self, mut entry: PresenceEntry, announce_first: bool, local: bool) -> Applied {
        let now = Utc::now();
        if entry.updated > now + MAX_CLOCK_SKEW {
            tracing::warn!(vendor = entry.vendor.as_str(), agent = %entry.agent_id, stamped = %entry.updated,
                "presence stamped in the future beyond the accepted clock skew: taken as now");
            entry.updated = now;
        }
        let mut entries = self.entries.lock().expect("presence lock");
        let key = (entry.vendor, entry.agent_id.clone());
        let previous = match entries.get(&key) {
            Some(known) if entry.updated == known.updated => return Applied::Duplicate,
            Some(known) if entry.updated < known.updated => return Applied::Stale,
            Some(known) if known.presence.same_state(&entry.presence) => {
                entries.insert(key, entry);
                return Applied::Unchanged;
            }
            known => known.cloned(),
        };
        entries.insert(key, entry.clone());
        drop(entries);
        if local && let Some(observer) = self.observer.get() {
            observer(&entry, announce_first);
        }
        if previous.is_none() && !announce_first {
            return Applied::Changed;
        }
        // No subscriber is fine: nobody is listening.
        let _ = self.changes.send(PresenceChange {
            previous,
            current: entry,
        });
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

    /// Everything known of the agents `keep` selects, by vendor and agent id.
    pub fn snapshot(&self, keep: impl Fn(Vendor, &str) -> bool) -> Vec<PresenceEntry> {
        let mut out: Vec<PresenceEntry> = self
            .entries
            .lock()
            .expect("presence lock")
            .values()
            .filter(|e| keep(e.vendor, &e.agent_id))
            .cloned()
            .collect();
        out.sort_by(|a, b| (a.vendor, &a.agent_id).cmp(&(b.vendor, &b.agent_id)));
        out
    }

    /// Every change applied from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<PresenceChange> {
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
    /// A Dixa presence as read at `seen` (Dixa does not say when a presence changed).
    pub fn dixa(p: dixa::UserPresence, seen: DateTime<Utc>) -> Self {
        Self {
            vendor: Vendor::Dixa,
            agent_id: p.user_id.clone(),
            updated: seen,
            presence: VendorPresence::Dixa(p),
        }
    }

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
        let VendorPresence::Vonage(record) = &entry.presence else {
            panic!("a Vonage record");
        };
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
        // Newer but the same state: kept, not broadcast.
        assert_eq!(
            store.apply(event("2026-01-01T10:00:02Z", "Away")),
            Applied::Unchanged
        );
        let first = changes.recv().await.unwrap();
        assert_eq!(first.previous, None);
        assert_eq!(first.current.updated.to_rfc3339(), "2026-01-01T10:00:00+00:00");
        let second = changes.recv().await.unwrap();
        assert_eq!(
            second.previous.unwrap().updated.to_rfc3339(),
            "2026-01-01T10:00:00+00:00"
        );
        assert_eq!(second.current.updated.to_rfc3339(), "2026-01-01T10:00:01+00:00");
        assert!(changes.try_recv().is_err());
        assert!(store.get(Vendor::Dixa, "u1").is_none());
        assert_eq!(store.snapshot(|v, _| v == Vendor::Vonage).len(), 1);
        assert!(store.snapshot(|v, _| v == Vendor::Dixa).is_empty());
    }

    #[test]
    fn an_event_stamped_far_ahead_does_not_freeze_the_agent() {
        let store = PresenceStore::new();
        let future = (Utc::now() + chrono::TimeDelta::days(365)).to_rfc3339();
        assert_eq!(store.apply(event(&future, "Away")), Applied::Changed);
        let stored = store.get(Vendor::Vonage, "u1").unwrap();
        assert!(stored.updated <= Utc::now(), "taken as now");
        // A real event a moment later still applies.
        std::thread::sleep(std::time::Duration::from_millis(5));
        let next = Utc::now().to_rfc3339();
        assert_eq!(store.apply(event(&next, "Ready")), Applied::Changed);
    }

    #[test]
    fn dixa_reads_differ_only_by_state() {
        let read = |status: &str, at: &str| dixa::UserPresence {
            user_id: "d1".into(),
            request_time: at.into(),
            last_seen: None,
            presence_status: Some(status.into()),
            connection_status: "Online".into(),
            active_channels: vec![],
        };
        let store = PresenceStore::new();
        let t0 = Utc::now();
        let t1 = t0 + chrono::TimeDelta::seconds(1);
        let t2 = t0 + chrono::TimeDelta::seconds(2);
        assert_eq!(
            store.apply(PresenceEntry::dixa(read("Working", "a"), t0)),
            Applied::Changed
        );
        assert_eq!(
            store.apply(PresenceEntry::dixa(read("Working", "b"), t1)),
            Applied::Unchanged
        );
        assert_eq!(
            store.apply(PresenceEntry::dixa(read("Away", "c"), t2)),
            Applied::Changed
        );
    }
}
