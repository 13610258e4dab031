//! Live presence for `Subscription.presenceChanged`: per tenant a hub that owns the
//! pollers (one per vendor source, running only while someone watches it), fans every
//! change of the tenant's [`PresenceStore`](crate::presence::PresenceStore) out to its
//! subscribers, and gives each subscriber a bounded, latest-per-agent [`Queue`], so a
//! slow client never slows the others. Changes are found by diffing a poll against the
//! last known state (the store); Vonage webhooks feed the same store, so they reach the
//! same streams. [`Live::close`] (SIGTERM) ends every stream.
//!
//! With Redis (`cache.redis_url`), [`cluster`] carries changes between replicas and
//! elects one poller per tenant and vendor in the whole deployment; without it, all of
//! this works in one process.
//!
//! May depend on: `presence`, `tenant`, `vendors`, `config`, and Redis (the bus and
//! the lease). Never on GraphQL or HTTP.

pub mod cluster;
mod poller;
mod queue;

use std::{
    collections::{HashMap, HashSet, VecDeque},
    hash::{Hash, Hasher},
    sync::{
        Arc, Mutex, Weak,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use futures::Stream;
use tokio::sync::{Notify, broadcast, watch};

pub use queue::{Next, Queue};

use crate::{
    config::LiveSettings,
    presence::{PresenceChange, PresenceEntry},
    tenant::Tenant,
    vendors::Vendor,
};

/// The vendors whose presence is live (polled, and pushed where the vendor pushes).
pub const LIVE_VENDORS: [Vendor; 2] = [Vendor::Dixa, Vendor::Vonage];

/// The longest a snapshot waits for a poller's first read before it is taken from what
/// is known.
const SNAPSHOT_WAIT: Duration = Duration::from_secs(3);

/// Where the deployment's Redis is, for [`Live::new`].
pub struct RedisLink<'a> {
    /// `cache.redis_url`.
    pub url: &'a str,
    /// `cache.namespace`: every key and channel starts with it.
    pub namespace: &'a str,
    /// `cache.redis_timeout_ms`.
    pub timeout: Duration,
}

/// Live presence for every tenant of this process.
pub struct Live {
    hubs: Arc<HashMap<Arc<str>, Arc<Hub>>>,
    settings: LiveSettings,
    connections: AtomicUsize,
    closing: watch::Sender<bool>,
}

impl Live {
    /// A hub per tenant (each starts its fan-out task); with `redis`, joined to the
    /// other replicas (see [`cluster`]).
    pub fn new(
        tenants: &[Arc<Tenant>],
        settings: &LiveSettings,
        redis: Option<RedisLink<'_>>,
    ) -> Result<Arc<Self>, String> {
        let closing = watch::channel(false).0;
        let cluster = match redis {
            Some(link) => {
                let lease = Duration::from_millis(settings.lease_ms);
                let (cluster, published) =
                    cluster::Cluster::new(link.url, link.namespace, lease, link.timeout)?;
                tokio::spawn(cluster.clone().run_publisher(published, closing.subscribe()));
                Some(cluster)
            }
            None => None,
        };
        let hubs: Arc<HashMap<Arc<str>, Arc<Hub>>> = Arc::new(
            tenants
                .iter()
                .map(|t| (t.id.clone(), Hub::start(t.clone(), settings, cluster.clone())))
                .collect(),
        );
        if let Some(cluster) = &cluster {
            tokio::spawn(
                cluster
                    .clone()
                    .run_subscriber(Arc::downgrade(&hubs), closing.subscribe()),
            );
        }
        Ok(Arc::new(Self {
            hubs,
            settings: settings.clone(),
            connections: AtomicUsize::new(0),
            closing,
        }))
    }

    /// The hub of `tenant`.
    pub fn hub(&self, tenant: &str) -> Option<&Arc<Hub>> {
        self.hubs.get(tenant)
    }

    /// The settings.
    pub fn settings(&self) -> &LiveSettings {
        &self.settings
    }

    /// A slot for one more socket or SSE stream, unless `live.max_connections` are open.
    pub fn connect(self: &Arc<Self>) -> Option<ConnectionSlot> {
        let max = self.settings.max_connections;
        self.connections
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| ConnectionSlot(self.clone()))
    }

    /// Sockets and SSE streams open now.
    pub fn open_connections(&self) -> usize {
        self.connections.load(Ordering::Acquire)
    }

    /// Ends every stream (the server is stopping).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Becomes true when the server stops.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Completes once `closing` (from [`Live::closing`]) turns true.
    pub async fn closed(closing: &mut watch::Receiver<bool>) {
        if closing.wait_for(|c| *c).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Waits, at most `within`, until every socket and stream has closed.
    pub async fn drained(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while self.open_connections() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// One open socket or SSE stream, counted against `live.max_connections` until dropped.
pub struct ConnectionSlot(Arc<Live>);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Which agents a subscription covers: every agent of the live vendors when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only these vendors.
    pub vendors: Option<HashSet<Vendor>>,
    /// Only these agents: vendor ids by vendor (see [`Filter::agents_of`]).
    pub agents: Option<HashMap<Vendor, HashSet<String>>>,
}

impl Filter {
    /// `(vendor, vendor id)` pairs grouped for [`Filter::agents`].
    pub fn agents_of(pairs: impl IntoIterator<Item = (Vendor, String)>) -> HashMap<Vendor, HashSet<String>> {
        let mut out: HashMap<Vendor, HashSet<String>> = HashMap::new();
        for (vendor, id) in pairs {
            out.entry(vendor).or_default().insert(id);
        }
        out
    }

    /// Whether the filter covers `agent` on `vendor` (no allocation: it runs for every
    /// subscriber on every change).
    pub fn covers(&self, vendor: Vendor, agent: &str) -> bool {
        self.vendors.as_ref().is_none_or(|v| v.contains(&vendor))
            && self
                .agents
                .as_ref()
                .is_none_or(|a| a.get(&vendor).is_some_and(|ids| ids.contains(agent)))
    }

    /// A hash of what the filter covers, the same for equal filters whatever order their
    /// sets iterate in.
    fn fingerprint(&self) -> u64 {
        let mut vendors: Option<Vec<Vendor>> = self.vendors.as_ref().map(|v| v.iter().copied().collect());
        if let Some(v) = &mut vendors {
            v.sort_unstable();
        }
        let mut agents: Option<Vec<(Vendor, &str)>> = self.agents.as_ref().map(|a| {
            a.iter()
                .flat_map(|(v, ids)| ids.iter().map(move |id| (*v, id.as_str())))
                .collect()
        });
        if let Some(a) = &mut agents {
            a.sort_unstable();
        }
        let mut hasher = std::hash::DefaultHasher::new();
        (vendors, agents).hash(&mut hasher);
        hasher.finish()
    }

    /// Whether the filter may cover any agent of `vendor`.
    pub fn watches(&self, vendor: Vendor) -> bool {
        LIVE_VENDORS.contains(&vendor)
            && self.vendors.as_ref().is_none_or(|v| v.contains(&vendor))
            && self
                .agents
                .as_ref()
                .is_none_or(|a| a.get(&vendor).is_some_and(|ids| !ids.is_empty()))
    }
}

/// What a subscriber receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The current presence of one covered agent, at the start (or after a resync).
    Snapshot,
    /// A change.
    Change,
}

/// One agent's presence, as a subscriber receives it.
#[derive(Debug, Clone)]
pub struct Event {
    /// A snapshot entry or a change.
    pub kind: EventKind,
    /// The state the subscriber saw before (changes only, when it saw one).
    pub previous: Option<PresenceEntry>,
    /// The new state.
    pub current: PresenceEntry,
}

/// A poller's source: one vendor of one tenant.
pub(crate) struct Source {
    vendor: Vendor,
    interval: Duration,
    /// Subscribers watching it, and whether its poller runs.
    state: Mutex<SourceState>,
    /// Wakes the poller when the last subscriber leaves.
    idle: Notify,
    /// Successful polls since the poller started (0: none yet, a snapshot waits).
    polls: watch::Sender<u64>,
}

#[derive(Default)]
struct SourceState {
    demand: usize,
    running: bool,
}

struct Subscriber {
    filter: Arc<Filter>,
    queue: Arc<Queue>,
}

/// One tenant's live presence.
pub struct Hub {
    tenant: Arc<Tenant>,
    cluster: Option<Arc<cluster::Cluster>>,
    sources: Vec<Arc<Source>>,
    subscribers: Mutex<HashMap<u64, Subscriber>>,
    /// The open subscriptions' filters by [`Filter::fingerprint`], each shared by every
    /// subscription that covers the same agents (a wallboard per team opens many alike,
    /// and a team's filter holds every member's id).
    filters: Mutex<HashMap<u64, Weak<Filter>>>,
    next_id: AtomicU64,
    queue_max: usize,
}

impl Hub {
    fn start(
        tenant: Arc<Tenant>,
        settings: &LiveSettings,
        cluster: Option<Arc<cluster::Cluster>>,
    ) -> Arc<Self> {
        let mut sources = Vec::new();
        if tenant.dixa.is_some() {
            sources.push(Source::new(Vendor::Dixa, settings.dixa_poll_ms));
        }
        if tenant.vonage.is_some() {
            sources.push(Source::new(Vendor::Vonage, settings.vonage_poll_ms));
        }
        if let Some(cluster) = &cluster {
            let (cluster, id) = (cluster.clone(), tenant.id.clone());
            tenant.presence.set_observer(Box::new(move |entry, announce| {
                cluster.publish(&id, entry, announce)
            }));
        }
        let hub = Arc::new(Self {
            tenant,
            cluster,
            sources,
            subscribers: Mutex::default(),
            filters: Mutex::default(),
            next_id: AtomicU64::new(1),
            queue_max: settings.queue_max,
        });
        tokio::spawn(fan_out(Arc::downgrade(&hub), hub.tenant.presence.subscribe()));
        hub
    }

    /// The tenant.
    pub fn tenant(&self) -> &Arc<Tenant> {
        &self.tenant
    }

    /// Subscribers open now.
    pub fn subscriber_count(&self) -> usize {
        self.subscribers.lock().expect("subscribers lock").len()
    }

    /// Whether the poller of `vendor` runs.
    pub fn polling(&self, vendor: Vendor) -> bool {
        self.source(vendor)
            .is_some_and(|s| s.state.lock().expect("source lock").running)
    }

    /// Whether `filter` covers a vendor this tenant has live presence from.
    pub fn serves(&self, filter: &Filter) -> bool {
        self.sources.iter().any(|s| filter.watches(s.vendor))
    }

    /// Gives every subscriber a fresh snapshot (changes may have been missed).
    fn resync_all(&self) {
        for s in self.subscribers.lock().expect("subscribers lock").values() {
            s.queue.resync();
        }
    }

    /// `filter`, or the equal one an open subscription already holds.
    fn share(&self, filter: Filter) -> Arc<Filter> {
        let key = filter.fingerprint();
        let mut filters = self.filters.lock().expect("filters lock");
        match filters.get(&key).and_then(Weak::upgrade) {
            Some(open) if *open == filter => open,
            // Another filter with the same fingerprint: this one goes unshared.
            Some(_) => Arc::new(filter),
            None => {
                let filter = Arc::new(filter);
                filters.insert(key, Arc::downgrade(&filter));
                filter
            }
        }
    }

    /// Forgets `filter` when the subscription leaving holds its last copy.
    fn unshare(&self, filter: &Arc<Filter>) {
        let key = filter.fingerprint();
        let mut filters = self.filters.lock().expect("filters lock");
        // Shared copies are made under this lock: the count cannot grow meanwhile.
        if Arc::strong_count(filter) == 1
            && filters
                .get(&key)
                .is_some_and(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(filter)))
        {
            filters.remove(&key);
        }
    }

    fn source(&self, vendor: Vendor) -> Option<&Arc<Source>> {
        self.sources.iter().find(|s| s.vendor == vendor)
    }

    /// Starts a subscription covering `filter`; with `snapshot` it first yields the
    /// current presence of everything it covers. `closing` ends it.
    pub fn subscribe(
        self: &Arc<Self>,
        filter: Filter,
        snapshot: bool,
        closing: watch::Receiver<bool>,
    ) -> Subscription {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let queue = Arc::new(Queue::new(self.queue_max));
        // One copy, shared by the fan-out's registry, the stream and every other open
        // subscription with an equal filter.
        let filter = self.share(filter);
        self.subscribers.lock().expect("subscribers lock").insert(
            id,
            Subscriber {
                filter: filter.clone(),
                queue: queue.clone(),
            },
        );
        let watched: Vec<Arc<Source>> = self
            .sources
            .iter()
            .filter(|s| filter.watches(s.vendor))
            .cloned()
            .collect();
        for source in &watched {
            source.watch(self);
        }
        Subscription {
            hub: self.clone(),
            id,
            queue,
            filter,
            watched,
            pending: VecDeque::new(),
            want_snapshot: snapshot,
            closing,
        }
    }
}

impl Source {
    fn new(vendor: Vendor, interval_ms: u64) -> Arc<Self> {
        Arc::new(Self {
            vendor,
            interval: Duration::from_millis(interval_ms),
            state: Mutex::default(),
            idle: Notify::new(),
            polls: watch::channel(0).0,
        })
    }

    /// One more subscriber: starts the poller if it is not running.
    fn watch(self: &Arc<Self>, hub: &Arc<Hub>) {
        let mut state = self.state.lock().expect("source lock");
        state.demand += 1;
        if !state.running {
            state.running = true;
            self.polls.send_replace(0);
            tokio::spawn(poller::run(hub.tenant.clone(), self.clone(), hub.cluster.clone()));
        }
    }

    /// One subscriber fewer: the poller stops within one interval of the last.
    fn unwatch(&self) {
        let mut state = self.state.lock().expect("source lock");
        state.demand = state.demand.saturating_sub(1);
        if state.demand == 0 {
            self.idle.notify_one();
        }
    }

    /// Whether the poller should stop; if so it is marked stopped.
    fn should_stop(&self) -> bool {
        let mut state = self.state.lock().expect("source lock");
        if state.demand == 0 {
            state.running = false;
            true
        } else {
            false
        }
    }

    /// Waits (at most `within`) for the first successful poll.
    async fn primed(&self, within: Duration) {
        let mut polls = self.polls.subscribe();
        let _ = tokio::time::timeout(within, polls.wait_for(|n| *n > 0)).await;
    }
}

/// Pushes every change of the tenant's store to the subscribers it concerns.
async fn fan_out(hub: Weak<Hub>, mut changes: broadcast::Receiver<PresenceChange>) {
    loop {
        let received = changes.recv().await;
        let Some(hub) = hub.upgrade() else { return };
        let subscribers = hub.subscribers.lock().expect("subscribers lock");
        match received {
            Ok(change) => {
                let (vendor, agent) = (change.current.vendor, change.current.agent_id.as_str());
                for s in subscribers.values() {
                    if s.filter.covers(vendor, agent) {
                        s.queue.push(change.clone());
                    }
                }
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(tenant = %hub.tenant.id, missed, "presence fan-out fell behind: subscribers get a fresh snapshot");
                for s in subscribers.values() {
                    s.queue.resync();
                }
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// One subscriber's stream of [`Event`]s; leaving it (drop) unsubscribes.
pub struct Subscription {
    hub: Arc<Hub>,
    id: u64,
    queue: Arc<Queue>,
    filter: Arc<Filter>,
    watched: Vec<Arc<Source>>,
    pending: VecDeque<Event>,
    want_snapshot: bool,
    closing: watch::Receiver<bool>,
}

impl Subscription {
    /// The next event; `None` once the server stops.
    pub async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if self.want_snapshot {
                self.want_snapshot = false;
                self.load_snapshot().await;
                continue;
            }
            match self.queue.try_next() {
                Some(Next::Change(change)) => {
                    let change = *change;
                    return Some(Event {
                        kind: EventKind::Change,
                        previous: change.previous,
                        current: change.current,
                    });
                }
                Some(Next::Resync) => {
                    self.want_snapshot = true;
                    continue;
                }
                None => {}
            }
            if *self.closing.borrow() {
                return None;
            }
            tokio::select! {
                () = self.queue.ready() => {}
                _ = self.closing.changed() => {}
            }
        }
    }

    /// The events as a stream.
    pub fn into_stream(self) -> impl Stream<Item = Event> + Send + 'static {
        futures::stream::unfold(self, |mut s| async move { s.next().await.map(|e| (e, s)) })
    }

    /// Queues the current presence of everything covered, once each watched poller has
    /// read once (or [`SNAPSHOT_WAIT`] passed), dropping queued changes it already shows.
    async fn load_snapshot(&mut self) {
        futures::future::join_all(self.watched.iter().map(|s| s.primed(SNAPSHOT_WAIT))).await;
        let filter = &self.filter;
        let entries = self.hub.tenant.presence.snapshot(|v, a| filter.covers(v, a));
        let newest: HashMap<(Vendor, &str), &PresenceEntry> = entries
            .iter()
            .map(|e| ((e.vendor, e.agent_id.as_str()), e))
            .collect();
        self.queue.discard(|change| {
            newest
                .get(&(change.current.vendor, change.current.agent_id.as_str()))
                .is_some_and(|known| known.updated >= change.current.updated)
        });
        self.pending.extend(entries.into_iter().map(|current| Event {
            kind: EventKind::Snapshot,
            previous: None,
            current,
        }));
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub
            .subscribers
            .lock()
            .expect("subscribers lock")
            .remove(&self.id);
        self.hub.unshare(&self.filter);
        for source in &self.watched {
            source.unwatch();
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, Utc};

    use super::*;
    use crate::{
        config::{HttpSettings, TenantSettings},
        presence::VendorPresence,
        vendors::dixa::UserPresence,
    };

    fn entry(agent: usize, round: i64) -> PresenceEntry {
        PresenceEntry::dixa(
            UserPresence {
                user_id: format!("agent-{agent}"),
                request_time: String::new(),
                last_seen: None,
                presence_status: Some(if round % 2 == 0 { "Working" } else { "Away" }.into()),
                connection_status: "Online".into(),
                active_channels: vec![],
            },
            Utc::now() - TimeDelta::hours(1) + TimeDelta::seconds(round),
        )
    }

    /// Tenant `t`, with no vendor configured.
    fn bare_tenant() -> Arc<Tenant> {
        Arc::new(Tenant::build(
            "t",
            &TenantSettings::default(),
            &reqwest::Client::new(),
            &HttpSettings::default(),
            Arc::new(crate::vendors::budget::Unlimited),
            &crate::metrics::Metrics::new(),
        ))
    }

    #[tokio::test]
    async fn subscriptions_with_equal_filters_share_one_copy_until_the_last_leaves() {
        let tenant = bare_tenant();
        let live = Live::new(std::slice::from_ref(&tenant), &LiveSettings::default(), None).unwrap();
        let hub = live.hub("t").unwrap().clone();
        let team = |ids: &[&str]| Filter {
            vendors: None,
            agents: Some(Filter::agents_of(
                ids.iter().map(|id| (Vendor::Dixa, (*id).to_owned())),
            )),
        };
        let a = hub.subscribe(team(&["a", "b", "c"]), false, live.closing());
        let b = hub.subscribe(team(&["c", "a", "b"]), false, live.closing());
        let other = hub.subscribe(team(&["a", "b"]), false, live.closing());
        assert!(Arc::ptr_eq(&a.filter, &b.filter), "equal filters, one copy");
        assert!(!Arc::ptr_eq(&a.filter, &other.filter));
        drop(a);
        let c = hub.subscribe(team(&["b", "c", "a"]), false, live.closing());
        assert!(Arc::ptr_eq(&b.filter, &c.filter), "still shared after one left");
        assert_eq!(hub.filters.lock().unwrap().len(), 2);
        drop((b, c, other));
        assert!(hub.filters.lock().unwrap().is_empty(), "forgotten with the last");
        assert_eq!(hub.subscriber_count(), 0);
    }

    #[tokio::test]
    async fn a_stalled_subscriber_stays_bounded_and_never_holds_up_another() {
        let tenant = bare_tenant();
        let settings = LiveSettings {
            queue_max: 50,
            ..LiveSettings::default()
        };
        let live = Live::new(std::slice::from_ref(&tenant), &settings, None).unwrap();
        let hub = live.hub("t").unwrap().clone();
        let mut stalled = hub.subscribe(Filter::default(), false, live.closing());
        let mut reader = hub.subscribe(Filter::default(), false, live.closing());
        let agents = 200;
        let rounds = 20;
        let read = tokio::spawn(async move {
            let mut last = HashMap::new();
            while last.len() < agents || last.values().any(|r: &String| r != "Away") {
                let e = reader.next().await.expect("open");
                let VendorPresence::Dixa(p) = &e.current.presence else {
                    unreachable!()
                };
                last.insert(e.current.agent_id.clone(), p.presence_status.clone().unwrap());
            }
        });
        for round in 0..rounds {
            for agent in 0..agents {
                tenant.presence.apply(entry(agent, round));
            }
            tokio::task::yield_now().await;
            assert!(stalled.queue.len() <= 50, "bounded: {}", stalled.queue.len());
        }
        // The reader saw every agent's last state, the stalled one holding nothing back.
        tokio::time::timeout(Duration::from_secs(5), read)
            .await
            .expect("the reader is not held up")
            .unwrap();
        // The stalled subscriber, when it reads again, starts over from a snapshot of
        // the latest states.
        let first = stalled.next().await.unwrap();
        assert_eq!(first.kind, EventKind::Snapshot);
        let mut snapshot = vec![first];
        while snapshot.len() < agents {
            snapshot.push(stalled.next().await.unwrap());
        }
        assert!(snapshot.iter().all(|e| e.kind == EventKind::Snapshot
            && matches!(&e.current.presence, VendorPresence::Dixa(p) if p.presence_status.as_deref() == Some("Away"))));
        assert!(stalled.queue.is_empty());
        drop(stalled);
        assert_eq!(hub.subscriber_count(), 0, "both left");
    }
}
