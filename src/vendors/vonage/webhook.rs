//! Vonage's webhook deliveries as Switchboard reads them: an `agent.presencechanged.v0`
//! event is checked and turned into the agent's [`AgentPresence`] with its time; an
//! event of another type is recognised so it can be acknowledged and ignored. Knows
//! nothing of HTTP: a [`MalformedEvent`] says what was wrong, the caller answers.

use chrono::{DateTime, Utc};

use super::wire::{AgentPresence, PRESENCE_CHANGED, PresenceChangedEvent};
use crate::vendors::parse_timestamp;

/// What one delivery holds.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookEvent {
    /// An agent's presence changed.
    PresenceChanged(PresenceChange),
    /// An event of a type Switchboard does not consume.
    NotConsumed {
        /// The event's `type`.
        event_type: String,
    },
}

/// A checked `agent.presencechanged.v0` event.
#[derive(Debug, Clone, PartialEq)]
pub struct PresenceChange {
    /// The event's id, where sent.
    pub event_id: Option<String>,
    /// When the presence changed (the event's `timestamp`).
    pub at: DateTime<Utc>,
    /// The agent's presence as of `at`: `userId` and `updated` trimmed.
    pub presence: AgentPresence,
}

/// Why a delivery is not a readable event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {PRESENCE_CHANGED} event: {0}")]
pub struct MalformedEvent(String);

/// Reads one delivery's body.
pub fn read_event(body: &[u8]) -> Result<WebhookEvent, MalformedEvent> {
    let event: PresenceChangedEvent =
        serde_json::from_slice(body).map_err(|e| MalformedEvent(e.to_string()))?;
    if let Some(kind) = event.event_type.as_deref()
        && kind != PRESENCE_CHANGED
    {
        return Ok(WebhookEvent::NotConsumed {
            event_type: kind.to_owned(),
        });
    }
    let agent_id = event.user.agent_id.trim();
    if agent_id.is_empty() {
        return Err(MalformedEvent("user.agentId is empty".into()));
    }
    let Some(at) = parse_timestamp(&event.timestamp) else {
        return Err(MalformedEvent(format!(
            "timestamp `{}` is not an ISO 8601 time",
            event.timestamp
        )));
    };
    if event.presence.category.is_none() && event.presence.description.is_none() {
        return Err(MalformedEvent(
            "presence has neither category nor description".into(),
        ));
    }
    Ok(WebhookEvent::PresenceChanged(PresenceChange {
        event_id: event.id,
        at,
        presence: AgentPresence {
            user_id: agent_id.to_owned(),
            updated: Some(event.timestamp.trim().to_owned()),
            presence: event.presence,
        },
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(event: serde_json::Value) -> Result<WebhookEvent, MalformedEvent> {
        read_event(event.to_string().as_bytes())
    }

    fn lunch(at: &str, agent: &str) -> serde_json::Value {
        json!({
            "type": PRESENCE_CHANGED, "id": "e1", "timestamp": at,
            "presence": { "category": { "categoryType": "Away" }, "description": "Lunch" },
            "user": { "agentId": agent }
        })
    }

    #[test]
    fn a_presence_change_is_read_trimmed() {
        let Ok(WebhookEvent::PresenceChanged(change)) = read(lunch(" 2026-11-23T10:00:00Z ", " u1 ")) else {
            panic!("a presence change");
        };
        assert_eq!(change.event_id.as_deref(), Some("e1"));
        assert_eq!(change.at.to_rfc3339(), "2026-11-23T10:00:00+00:00");
        assert_eq!(change.presence.user_id, "u1");
        assert_eq!(change.presence.updated.as_deref(), Some("2026-11-23T10:00:00Z"));
        assert_eq!(change.presence.presence.description.as_deref(), Some("Lunch"));
    }

    #[test]
    fn other_event_types_are_not_consumed() {
        let other = json!({ "type": "interaction.created.v0", "timestamp": "x",
            "presence": {}, "user": { "agentId": "" } });
        assert_eq!(
            read(other),
            Ok(WebhookEvent::NotConsumed {
                event_type: "interaction.created.v0".into()
            })
        );
    }

    #[test]
    fn malformed_events_say_what_is_wrong() {
        let why = |e: serde_json::Value| read(e).unwrap_err().to_string();
        assert!(why(lunch("yesterday", "u1")).contains("timestamp `yesterday`"));
        assert!(why(lunch("2026-11-23T10:00:00Z", "  ")).contains("user.agentId is empty"));
        let mut no_time = lunch("2026-11-23T10:00:00Z", "u1");
        no_time.as_object_mut().unwrap().remove("timestamp");
        assert!(why(no_time).contains("timestamp"));
        let mut empty = lunch("2026-11-23T10:00:00Z", "u1");
        empty["presence"] = json!({});
        assert!(why(empty).contains("neither category nor description"));
        assert!(
            read_event(b"not json")
                .unwrap_err()
                .to_string()
                .starts_with("malformed agent.presencechanged.v0 event: ")
        );
    }
}
