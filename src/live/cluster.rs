//! Live presence across replicas, through the Redis of `cache.redis_url`:
//!
//! - **The bus.** Every presence this replica learns first (its poller's reads, a webhook
//!   it received) is written to the tenant's state hash (`<ns>:live:<tenant>:state`,
//!   one field per agent) and published on `<ns>:live:<tenant>`; every replica applies
//!   what the others publish to its own store (newest wins, as for any source), which
//!   pushes it to its own subscribers.
//! - **The lease.** One poller per (tenant, vendor) in the whole deployment: the replica
//!   holding `<ns>:live:<tenant>:<VENDOR>:poller` (taken when free, for
//!   `live.lease_ms`, renewed every poll by a script that checks the holder, released
//!   when its last subscriber leaves) polls; the others, while their own subscribers
//!   watch, try to take it every interval, so a holder that dies is replaced within the
//!   lease plus one interval.
//! - **Snapshots.** A replica that does not poll reads the state hash before its first
//!   snapshot; after the pub/sub connection comes back, it reads it again and gives
//!   every subscriber a fresh snapshot instead of a silent gap.
//!
//! Redis failing never stops presence: every call is bounded by
//! `cache.redis_timeout_ms`, and while Redis cannot be asked, each replica polls for
//! its own subscribers. Errors never quote the URL.

use std::{
    collections::HashMap,
    sync::{Arc, Weak},
    time::Duration,
};

use futures::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};
use tokio::sync::{RwLock, mpsc, watch};

use super::{Hub, Live};
use crate::{presence::PresenceEntry, vendors::Vendor};

/// Entries waiting to be published; past it a change is dropped (and logged): other
/// replicas catch up at their next snapshot.
const OUTBOX: usize = 10_000;

/// How long the state hash outlives its last write.
const STATE_TTL_MS: u64 = 24 * 3_600_000;

/// Takes the lease when it is free, or renews it when this replica (`ARGV[1]`) holds
/// it, for `ARGV[2]` ms; 1 when this replica holds it afterwards.
const LEAD: &str = r"
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
";

/// Deletes the lease if this replica holds it.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// What waits to be published: the tenant, the entry, whether to announce a first
/// sighting.
pub(super) type Outgoing = (Arc<str>, PresenceEntry, bool);

/// One published presence.
#[derive(Serialize, Deserialize)]
struct Published {
    /// The replica that learnt it.
    from: String,
    /// Whether a first sighting is to be announced (a pushed change, not a read).
    announce: bool,
    entry: PresenceEntry,
}

/// This replica's part in the deployment.
pub struct Cluster {
    client: redis::Client,
    connection: RwLock<Option<ConnectionManager>>,
    namespace: String,
    /// This replica's id (the lease's value).
    replica: String,
    lease: Duration,
    timeout: Duration,
    outbox: mpsc::Sender<Outgoing>,
    lead: redis::Script,
    release: redis::Script,
}

fn failed(e: &redis::RedisError) -> String {
    format!("{:?}: {}", e.kind(), e.detail().unwrap_or("request failed"))
}

impl Cluster {
    /// Joins the deployment over `url`; returns the cluster and what its publisher reads.
    pub(super) fn new(
        url: &str,
        namespace: &str,
        lease: Duration,
        timeout: Duration,
    ) -> Result<(Arc<Self>, mpsc::Receiver<Outgoing>), String> {
        let client = redis::Client::open(url)
            .map_err(|e| format!("cache.redis_url is not a Redis URL ({:?})", e.kind()))?;
        let (outbox, published) = mpsc::channel(OUTBOX);
        Ok((
            Arc::new(Self {
                client,
                connection: RwLock::new(None),
                namespace: namespace.to_owned(),
                replica: uuid::Uuid::new_v4().to_string(),
                lease,
                timeout,
                outbox,
                lead: redis::Script::new(LEAD),
                release: redis::Script::new(RELEASE),
            }),
            published,
        ))
    }

    fn channel(&self, tenant: &str) -> String {
        format!("{}:live:{tenant}", self.namespace)
    }

    fn state_key(&self, tenant: &str) -> String {
        format!("{}:live:{tenant}:state", self.namespace)
    }

    fn lease_key(&self, tenant: &str, vendor: Vendor) -> String {
        format!("{}:live:{tenant}:{}:poller", self.namespace, vendor.as_str())
    }

    /// Queues `entry` (learnt here) for the others.
    pub(super) fn publish(&self, tenant: &Arc<str>, entry: &PresenceEntry, announce: bool) {
        if self
            .outbox
            .try_send((tenant.clone(), entry.clone(), announce))
            .is_err()
        {
            tracing::warn!(tenant = %tenant, "presence bus is behind: a change was not published");
        }
    }

    /// Connects (at most a second of waiting), then keeps trying in the background.
    async fn connection(&self) -> Result<ConnectionManager, String> {
        if let Some(c) = self.connection.read().await.clone() {
            return Ok(c);
        }
        let mut slot = self.connection.write().await;
        if let Some(c) = slot.clone() {
            return Ok(c);
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout.max(Duration::from_millis(250))))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1);
        let attempt = ConnectionManager::new_with_config(self.client.clone(), config);
        match tokio::time::timeout(Duration::from_secs(1), attempt).await {
            Ok(Ok(c)) => {
                *slot = Some(c.clone());
                Ok(c)
            }
            Ok(Err(e)) => Err(failed(&e)),
            Err(_) => Err("no connection within 1 s".into()),
        }
    }

    /// Runs `op` within the timeout.
    async fn run<T, F, Fut>(&self, op: F) -> Result<T, String>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let c = self.connection().await?;
        match tokio::time::timeout(self.timeout, op(c)).await {
            Ok(r) => r.map_err(|e| failed(&e)),
            Err(_) => Err(format!("no answer within {} ms", self.timeout.as_millis())),
        }
    }

    /// Whether this replica may poll `vendor` for `tenant` now: it held the lease (now
    /// renewed) or took it, free. `holding` tracks what it held. When Redis cannot be
    /// asked, every replica polls for its own subscribers.
    pub(super) async fn lead(&self, tenant: &str, vendor: Vendor, holding: &mut bool) -> bool {
        let key = self.lease_key(tenant, vendor);
        let lease_ms = self.lease.as_millis() as u64;
        let mut invocation = self.lead.prepare_invoke();
        invocation.key(&key).arg(&self.replica).arg(lease_ms);
        let held = self
            .run(|mut c| async move { invocation.invoke_async::<i64>(&mut c).await })
            .await
            .map(|held| held == 1);
        match held {
            Ok(now) => {
                if now != *holding {
                    tracing::info!(
                        tenant,
                        vendor = vendor.as_str(),
                        poller = now,
                        "{}",
                        if now {
                            "this replica polls"
                        } else {
                            "another replica polls"
                        }
                    );
                }
                *holding = now;
                now
            }
            Err(error) => {
                tracing::warn!(tenant, vendor = vendor.as_str(), %error, "presence lease unavailable: polling locally");
                *holding = false;
                true
            }
        }
    }

    /// Gives the lease up (the last subscriber left).
    pub(super) async fn release(&self, tenant: &str, vendor: Vendor) {
        let key = self.lease_key(tenant, vendor);
        let mut invocation = self.release.prepare_invoke();
        invocation.key(&key).arg(&self.replica);
        if let Err(error) = self
            .run(|mut c| async move { invocation.invoke_async::<i64>(&mut c).await })
            .await
        {
            tracing::warn!(tenant, %error, "presence lease not released; it expires by itself");
        }
    }

    /// The deployment's last known presence of `tenant` (of `vendor` only, when given).
    pub(super) async fn state(
        &self,
        tenant: &str,
        vendor: Option<Vendor>,
    ) -> Result<Vec<PresenceEntry>, String> {
        let key = self.state_key(tenant);
        let all: HashMap<String, String> = self
            .run(|mut c| async move { redis::cmd("HGETALL").arg(&key).query_async(&mut c).await })
            .await?;
        Ok(all
            .into_values()
            .filter_map(|v| serde_json::from_str::<PresenceEntry>(&v).ok())
            .filter(|e| vendor.is_none_or(|v| e.vendor == v))
            .collect())
    }

    /// Writes and publishes what this replica learnt, in order, until the server stops.
    pub(super) async fn run_publisher(
        self: Arc<Self>,
        mut published: mpsc::Receiver<Outgoing>,
        mut closing: watch::Receiver<bool>,
    ) {
        let mut failing = false;
        loop {
            let next = tokio::select! {
                next = published.recv() => next,
                () = Live::closed(&mut closing) => None,
            };
            let Some((tenant, entry, announce)) = next else {
                return;
            };
            let field = format!("{}|{}", entry.vendor.as_str(), entry.agent_id);
            let message = Published {
                from: self.replica.clone(),
                announce,
                entry,
            };
            let Ok(json) = serde_json::to_string(&message) else {
                continue;
            };
            let mut pipe = redis::pipe();
            let state = self.state_key(&tenant);
            pipe.cmd("HSET").arg(&state).arg(&field).arg(&json).ignore();
            pipe.cmd("PEXPIRE").arg(&state).arg(STATE_TTL_MS).ignore();
            pipe.cmd("PUBLISH").arg(self.channel(&tenant)).arg(&json).ignore();
            match self
                .run(|mut c| async move { pipe.query_async::<()>(&mut c).await })
                .await
            {
                Ok(()) if failing => {
                    tracing::info!("presence bus: publishing again");
                    failing = false;
                }
                Ok(()) => {}
                Err(error) if !failing => {
                    tracing::warn!(%error, "presence bus: publishing failed; other replicas catch up at their next snapshot");
                    failing = true;
                }
                Err(_) => {}
            }
        }
    }

    /// Receives what the other replicas publish until the server stops; after a
    /// reconnect, reloads the state and gives every subscriber a fresh snapshot.
    pub(super) async fn run_subscriber(
        self: Arc<Self>,
        hubs: Weak<HashMap<Arc<str>, Arc<Hub>>>,
        mut closing: watch::Receiver<bool>,
    ) {
        let pattern = format!("{}:live:*", self.namespace);
        let prefix = format!("{}:live:", self.namespace);
        let mut connected_before = false;
        loop {
            if hubs.strong_count() == 0 {
                return;
            }
            let pubsub = async {
                let mut p = self.client.get_async_pubsub().await?;
                p.psubscribe(&pattern).await?;
                Ok::<_, redis::RedisError>(p)
            };
            if *closing.borrow() {
                return;
            }
            let pubsub = match tokio::time::timeout(Duration::from_secs(2), pubsub).await {
                Ok(Ok(p)) => p,
                Ok(Err(e)) => {
                    tracing::debug!(error = %failed(&e), "presence bus: subscribing failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                Err(_) => {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if connected_before {
                tracing::info!("presence bus: reconnected; subscribers get a fresh snapshot");
                let Some(hubs) = hubs.upgrade() else { return };
                for hub in hubs.values() {
                    if let Ok(entries) = self.state(&hub.tenant.id, None).await {
                        for entry in entries {
                            hub.tenant.presence.apply_remote(entry, false);
                        }
                    }
                    hub.resync_all();
                }
            }
            connected_before = true;
            let mut messages = pubsub.into_on_message();
            loop {
                let message = tokio::select! {
                    m = messages.next() => m,
                    () = Live::closed(&mut closing) => return,
                };
                let Some(message) = message else { break };
                let Some(hubs) = hubs.upgrade() else { return };
                let channel = message.get_channel_name();
                let Some(hub) = channel.strip_prefix(&prefix).and_then(|tenant| hubs.get(tenant)) else {
                    continue;
                };
                let Ok(payload) = message.get_payload::<String>() else {
                    continue;
                };
                let Ok(published) = serde_json::from_str::<Published>(&payload) else {
                    tracing::warn!(channel, "presence bus: an unreadable message was ignored");
                    continue;
                };
                if published.from != self.replica {
                    hub.tenant
                        .presence
                        .apply_remote(published.entry, published.announce);
                }
            }
            tracing::warn!("presence bus: the pub/sub connection closed; reconnecting");
        }
    }
}
