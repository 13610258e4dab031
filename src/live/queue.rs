//! One subscriber's queue: the changes it has not yet taken, at most one per agent (a
//! later change of an agent replaces the waiting one, keeping the state the subscriber
//! last saw as `previous`), in the order agents first changed. Past `max` agents
//! waiting, the queue is emptied and marked for a fresh snapshot, so a stalled client
//! holds a bounded amount of memory and never slows the others.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
};

use tokio::sync::Notify;

use crate::{presence::PresenceChange, vendors::Vendor};

type Key = (Vendor, String);

/// What the subscriber takes next.
#[derive(Debug)]
pub enum Next {
    /// One agent's change.
    Change(Box<PresenceChange>),
    /// The queue overflowed or the source lost track: start again from a snapshot.
    Resync,
}

#[derive(Default)]
struct Inner {
    order: VecDeque<Key>,
    waiting: HashMap<Key, PresenceChange>,
    resync: bool,
}

/// A bounded, latest-per-agent queue.
pub struct Queue {
    inner: Mutex<Inner>,
    max: usize,
    ready: Notify,
}

impl Queue {
    /// An empty queue holding at most `max` agents' changes.
    pub fn new(max: usize) -> Self {
        Self {
            inner: Mutex::default(),
            max: max.max(1),
            ready: Notify::new(),
        }
    }

    /// Adds `change`, merging it with a waiting change of the same agent.
    pub fn push(&self, change: PresenceChange) {
        let mut inner = self.inner.lock().expect("queue lock");
        if inner.resync {
            return; // a snapshot is coming anyway
        }
        let key = (change.current.vendor, change.current.agent_id.clone());
        if let Some(waiting) = inner.waiting.get_mut(&key) {
            waiting.current = change.current;
        } else if inner.order.len() >= self.max {
            inner.order.clear();
            inner.waiting.clear();
            inner.resync = true;
        } else {
            inner.order.push_back(key.clone());
            inner.waiting.insert(key, change);
        }
        drop(inner);
        self.ready.notify_one();
    }

    /// Drops what waits and asks for a fresh snapshot.
    pub fn resync(&self) {
        let mut inner = self.inner.lock().expect("queue lock");
        inner.order.clear();
        inner.waiting.clear();
        inner.resync = true;
        drop(inner);
        self.ready.notify_one();
    }

    /// Takes the next item, if any waits.
    pub fn try_next(&self) -> Option<Next> {
        let mut inner = self.inner.lock().expect("queue lock");
        if inner.resync {
            inner.resync = false;
            return Some(Next::Resync);
        }
        while let Some(key) = inner.order.pop_front() {
            if let Some(change) = inner.waiting.remove(&key) {
                // A change back to what the subscriber last saw is no change for it.
                let same = change
                    .previous
                    .as_ref()
                    .is_some_and(|p| p.presence.same_state(&change.current.presence));
                if !same {
                    return Some(Next::Change(Box::new(change)));
                }
            }
        }
        None
    }

    /// Drops the waiting changes `stale` selects (those a snapshot already covers).
    pub fn discard(&self, stale: impl Fn(&PresenceChange) -> bool) {
        let mut inner = self.inner.lock().expect("queue lock");
        let Inner { order, waiting, .. } = &mut *inner;
        waiting.retain(|_, change| !stale(change));
        order.retain(|key| waiting.contains_key(key));
    }

    /// Waits until something may have been pushed.
    pub async fn ready(&self) {
        self.ready.notified().await;
    }

    /// How many agents' changes wait.
    pub fn len(&self) -> usize {
        self.inner.lock().expect("queue lock").order.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::{
        presence::{PresenceEntry, VendorPresence},
        vendors::dixa::UserPresence,
    };

    fn entry(agent: &str, status: &str) -> PresenceEntry {
        PresenceEntry::dixa(
            UserPresence {
                user_id: agent.into(),
                request_time: String::new(),
                last_seen: None,
                presence_status: Some(status.into()),
                connection_status: "Online".into(),
                active_channels: vec![],
            },
            Utc::now(),
        )
    }

    fn change(agent: &str, from: &str, to: &str) -> PresenceChange {
        PresenceChange {
            previous: Some(entry(agent, from)),
            current: entry(agent, to),
        }
    }

    fn status(next: Option<Next>) -> (String, String, String) {
        let Some(Next::Change(c)) = next else {
            panic!("a change, got {next:?}");
        };
        let word = |e: &PresenceEntry| match &e.presence {
            VendorPresence::Dixa(p) => p.presence_status.clone().unwrap_or_default(),
            VendorPresence::Vonage(_) => unreachable!(),
        };
        (
            c.current.agent_id.clone(),
            word(&c.previous.unwrap()),
            word(&c.current),
        )
    }

    #[test]
    fn a_later_change_of_an_agent_replaces_the_waiting_one_keeping_what_was_seen() {
        let q = Queue::new(10);
        q.push(change("a", "Working", "Away"));
        q.push(change("b", "Working", "Away"));
        q.push(change("a", "Away", "Offline"));
        assert_eq!(q.len(), 2);
        assert_eq!(
            status(q.try_next()),
            ("a".into(), "Working".into(), "Offline".into())
        );
        assert_eq!(
            status(q.try_next()),
            ("b".into(), "Working".into(), "Away".into())
        );
        assert!(q.try_next().is_none());
        // There and back again while waiting: nothing to tell.
        q.push(change("a", "Working", "Away"));
        q.push(change("a", "Away", "Working"));
        assert!(q.try_next().is_none());
    }

    #[test]
    fn past_its_bound_the_queue_empties_and_asks_for_a_snapshot() {
        let q = Queue::new(3);
        for i in 0..100 {
            q.push(change(&format!("agent-{i}"), "Working", "Away"));
            assert!(q.len() <= 3);
        }
        assert!(matches!(q.try_next(), Some(Next::Resync)));
        // Pushed after the overflow and before the snapshot is taken: covered by it.
        assert!(q.try_next().is_none());
    }
}
