//! The read cache: a small [`CacheStore`] trait with an in-process implementation
//! ([`memory`]) and, behind the same trait, Redis. Keys always carry the namespace and
//! the tenant, so one tenant never reads another's data; concurrent misses for one key
//! make one upstream call. A failing store is logged and bypassed: reads then go to the
//! vendor, never fail because of the cache.
//!
//! May depend on: `config` (its settings), `metrics` (hits and misses), serde, tokio and
//! the redis crate. Knows
//! nothing of vendors beyond the key it is handed.

pub mod memory;
pub mod records;
pub mod redis;
pub mod slots;

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    fmt,
    future::Future,
    sync::{
        Arc, Mutex, OnceLock, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use async_trait::async_trait;
use serde::{Serialize, de::DeserializeOwned};
use tracing::Instrument as _;

use crate::{config::CacheSettings, metrics::Metrics};

/// A store failed (Redis down, say).
#[derive(Debug, thiserror::Error)]
#[error("cache store failed: {0}")]
pub struct CacheError(pub String);

/// Where cached bytes live.
///
/// Every key has a generation, bumped by [`CacheStore::invalidate`]: a read that began
/// before a write (and so may have fetched what the write changed) stores its answer
/// with [`CacheStore::set_if_generation`], which refuses once the generation moved. So a
/// slow read can never put a stale answer back after a mutation cleared it.
#[async_trait]
pub trait CacheStore: Send + Sync {
    /// The values under `keys`, in order, in one round trip.
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, CacheError>;
    /// Stores every entry for `ttl`, in one round trip.
    async fn set_many(&self, entries: Vec<(String, Vec<u8>)>, ttl: Duration) -> Result<(), CacheError>;
    /// The generation of `key` (0 until it is first invalidated).
    async fn generation(&self, key: &str) -> Result<u64, CacheError>;
    /// The values under `keys`, in order, each with the key's generation, read together
    /// (one round trip on Redis): what a read that may miss needs, since a miss is then
    /// fetched and stored under that generation (a hit's is not used). A store whose
    /// reads cost nothing apart keeps this default, which reads the misses' only.
    async fn get_many_with_generations(
        &self,
        keys: &[String],
    ) -> Result<Vec<(Option<Vec<u8>>, u64)>, CacheError> {
        let values = self.get_many(keys).await?;
        let mut out = Vec::with_capacity(keys.len());
        for (key, value) in keys.iter().zip(values) {
            let generation = match value {
                Some(_) => 0,
                None => self.generation(key).await?,
            };
            out.push((value, generation));
        }
        Ok(out)
    }
    /// Stores `value` under `key` for `ttl` if its generation is still `generation`;
    /// whether it did.
    async fn set_if_generation(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Duration,
        generation: u64,
    ) -> Result<bool, CacheError>;
    /// Removes `keys` and bumps their generations, atomically per key.
    async fn invalidate(&self, keys: &[String]) -> Result<(), CacheError>;
    /// Checks the store answers.
    async fn ping(&self) -> Result<(), CacheError>;
    /// Reserves the next slot of the rate budget `key` (a GCRA: one slot every
    /// `interval_ms`, `burst` at once): the milliseconds to wait before using it, or
    /// `None` (nothing reserved) when that would exceed `max_wait_ms`. Only a store shared
    /// by the replicas keeps budgets; the others answer an error.
    async fn reserve_slot(
        &self,
        key: &str,
        interval_ms: u64,
        burst: u32,
        max_wait_ms: u64,
    ) -> Result<Option<u64>, CacheError> {
        let _ = (key, interval_ms, burst, max_wait_ms);
        Err(CacheError(format!(
            "the {} store keeps no budgets",
            self.backend()
        )))
    }
    /// The record under `key` (see [`CacheStore::swap_record`]). Only a store shared by
    /// the replicas keeps records; the others answer an error.
    async fn get_record(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let _ = key;
        Err(CacheError(format!(
            "the {} store keeps no records",
            self.backend()
        )))
    }
    /// Replaces the record under `key` with `new` (removes it when `None`), kept for
    /// `ttl`, if it now holds exactly `expected` (`None`: nothing), atomically; whether
    /// it did. Only a store shared by the replicas keeps records.
    async fn swap_record(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let _ = (key, expected, new, ttl);
        Err(CacheError(format!(
            "the {} store keeps no records",
            self.backend()
        )))
    }
    /// `memory` or `redis`.
    fn backend(&self) -> &'static str;
}

/// The hex SHA-256 of `parts`, each ended by a 0 byte: names a cache or record entry
/// without showing what it was made of.
pub fn digest(parts: &[&[u8]]) -> String {
    use sha2::{Digest as _, Sha256};
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part);
        hash.update([0]);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// How long a kind of data stays cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtlClass {
    /// Teams, agents, users, supervisors.
    Directory,
    /// Presence.
    Presence,
    /// Skill queues, locations.
    Reference,
}

/// A tenant-scoped cache key: `{namespace}:{tenant}:{vendor}:{resource}[:{id}]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey(String, ResourceLabel);

/// Where `{vendor}:{resource}` sits in a key: the metrics label, without the tenant or
/// an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ResourceLabel {
    start: usize,
    end: usize,
}

impl CacheKey {
    /// The key of `resource` (optionally one `id` of it) for `tenant` on `vendor`.
    pub fn new(tenant: &str, vendor: &str, resource: &str, id: Option<&str>) -> Self {
        let mut key = format!("{tenant}:{vendor}:{resource}");
        let label = ResourceLabel {
            start: tenant.len() + 1,
            end: key.len(),
        };
        if let Some(id) = id {
            key.push(':');
            key.push_str(id);
        }
        Self(key, label)
    }

    /// `{vendor}:{resource}`: what the key caches, never whose or which one.
    pub fn resource(&self) -> &str {
        &self.0[self.1.start..self.1.end]
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a read that missed a key saw of it: when the read began (a fetch of the key
/// that ended after that is one it may share) and the key's generation then (`None`
/// while the store fails), under which a fetched answer is stored.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    at: Instant,
    generation: Option<u64>,
}

/// The cache every loader reads through.
#[derive(Clone)]
pub struct Cache {
    store: Arc<dyn CacheStore>,
    namespace: Arc<str>,
    ttls: Arc<CacheSettings>,
    /// Fetches under way (or just ended), by key and result type: every concurrent miss
    /// of a key waits for the one fetch and gets its outcome, failure included.
    inflight: Arc<Mutex<Flights>>,
    healthy: Arc<AtomicBool>,
    /// Rate slots in this process: the in-process cache's, and a shared store's
    /// stand-in while it fails.
    local_slots: Arc<slots::LocalSlots>,
    /// Records in this process: the in-process cache's, and a shared store's stand-in
    /// while it fails.
    local_records: Arc<records::LocalRecords>,
    /// Where hits and misses are counted, when set.
    metrics: Option<Metrics>,
}

/// One fetch, shared by everyone waiting for it: its outcome (a `Result<T, E>`), the
/// key's generation when it began, and when it ended.
struct Flight {
    outcome: tokio::sync::OnceCell<Arc<dyn Any + Send + Sync>>,
    /// `None` while the store failed to tell.
    generation: Option<u64>,
    ended: OnceLock<Instant>,
}

/// How long an ended fetch stays joinable, for a miss whose read of the store began
/// before the fetch ended (and so could not see what it stored); at least as long as
/// any store read may take.
const ENDED_FLIGHT_KEPT: Duration = Duration::from_secs(1);

/// The fetches under way, and those ended within [`ENDED_FLIGHT_KEPT`].
struct Flights {
    by_key: HashMap<(String, TypeId), Arc<Flight>>,
    /// When ended fetches were last dropped (at most once per [`ENDED_FLIGHT_KEPT`]).
    pruned_at: Instant,
}

impl Default for Flights {
    fn default() -> Self {
        Self {
            by_key: HashMap::new(),
            pruned_at: Instant::now(),
        }
    }
}

impl Flights {
    /// Drops the fetches ended longer than [`ENDED_FLIGHT_KEPT`] ago, and those nobody
    /// runs any more (a caller that gave up: nobody else holds them), at most once per
    /// [`ENDED_FLIGHT_KEPT`].
    fn prune(&mut self) {
        let now = Instant::now();
        if now.duration_since(self.pruned_at) < ENDED_FLIGHT_KEPT {
            return;
        }
        self.by_key.retain(|_, f| match f.ended.get() {
            None => Arc::strong_count(f) > 1,
            Some(ended) => now.duration_since(*ended) < ENDED_FLIGHT_KEPT,
        });
        self.pruned_at = now;
    }

    /// The fetch of `slot` a miss whose store read began at `looked`, and which then
    /// found the key at `generation`, joins: one begun at that generation (none begun
    /// before a write since, on any replica sharing the store) that is under way or
    /// ended after `looked` (what it stored landed too late for that read); otherwise a
    /// new one.
    fn join(&mut self, slot: &(String, TypeId), looked: Instant, generation: Option<u64>) -> Arc<Flight> {
        if let Some(flight) = self.by_key.get(slot)
            && flight.generation == generation
            && flight.ended.get().is_none_or(|ended| *ended >= looked)
        {
            return flight.clone();
        }
        self.prune();
        let flight = Arc::new(Flight {
            outcome: tokio::sync::OnceCell::new(),
            generation,
            ended: OnceLock::new(),
        });
        self.by_key.insert(slot.clone(), flight.clone());
        flight
    }
}

impl Cache {
    /// A cache over `store`.
    pub fn new(store: Arc<dyn CacheStore>, settings: &CacheSettings) -> Self {
        Self {
            store,
            namespace: settings.namespace.clone().into(),
            ttls: Arc::new(settings.clone()),
            inflight: Arc::default(),
            healthy: Arc::new(AtomicBool::new(true)),
            local_slots: Arc::default(),
            local_records: Arc::default(),
            metrics: None,
        }
    }

    /// Counts every read's hits and misses by resource into `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    fn count(&self, key: &CacheKey, hit: bool) {
        if let Some(metrics) = &self.metrics {
            metrics.cache_lookup(key.resource(), hit);
        }
    }

    /// The cache `settings` describe: Redis when `redis_url` is set, else in process.
    pub async fn from_settings(settings: &CacheSettings) -> Result<Self, CacheError> {
        use secrecy::ExposeSecret;
        match &settings.redis_url {
            Some(url) => {
                let timeout = Duration::from_millis(settings.redis_timeout_ms.max(1));
                let store = redis::RedisStore::connect(url.expose_secret(), timeout).await?;
                Ok(Self::new(Arc::new(store), settings))
            }
            None => Ok(Self::in_memory(settings)),
        }
    }

    /// An in-process cache sized by `settings`.
    pub fn in_memory(settings: &CacheSettings) -> Self {
        Self::new(
            Arc::new(memory::MemoryStore::new(settings.memory_max_mib)),
            settings,
        )
    }

    /// `memory` or `redis`.
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// Whether the last store operation succeeded.
    pub fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    /// Asks the store whether it answers.
    pub async fn ping(&self) -> Result<(), CacheError> {
        let result = self.store.ping().await;
        self.note(result.as_ref().map(drop).map_err(|e| CacheError(e.0.clone())));
        result
    }

    /// Reserves the next slot of the rate budget `key` (a GCRA: one call every
    /// `interval`, `burst` at once): how long to wait before using it, or `None`
    /// (nothing reserved) when that would be longer than `max_wait`. Kept in Redis when
    /// the cache is there, so every replica draws from one budget; in this process
    /// otherwise, and while Redis fails (never an error).
    pub async fn reserve_slot(
        &self,
        key: &str,
        interval: Duration,
        burst: u32,
        max_wait: Duration,
    ) -> Option<Duration> {
        let interval_ms = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX).max(1);
        let max_wait_ms = u64::try_from(max_wait.as_millis()).unwrap_or(u64::MAX);
        let key = format!("{}:{key}", self.namespace);
        let shared = self
            .shared(self.store.reserve_slot(&key, interval_ms, burst, max_wait_ms))
            .await;
        let wait = match shared {
            Some(wait) => wait,
            None => self.local_slots.reserve(&key, interval_ms, burst, max_wait_ms),
        };
        wait.map(Duration::from_millis)
    }

    /// The record under `key` (namespaced here): in Redis when the cache is there, so
    /// every replica sees it; in this process otherwise, and while Redis fails.
    pub async fn record(&self, key: &str) -> Option<Vec<u8>> {
        let key = format!("{}:{key}", self.namespace);
        match self.shared(self.store.get_record(&key)).await {
            Some(shared) => shared,
            None => self.local_records.get(&key),
        }
    }

    /// Replaces the record under `key` with `new` (removes it when `None`), kept for
    /// `ttl`, if it now holds exactly `expected` (`None`: nothing); whether it did.
    /// Atomic across replicas when the cache is in Redis; while Redis fails, only within
    /// this process.
    pub async fn swap_record(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
        ttl: Duration,
    ) -> bool {
        let key = format!("{}:{key}", self.namespace);
        match self
            .shared(self.store.swap_record(&key, expected, new, ttl))
            .await
        {
            Some(swapped) => swapped,
            None => self.local_records.swap(&key, expected, new, ttl),
        }
    }

    /// How long a mutation's outcome is kept under its idempotency key.
    pub fn idempotency_ttl(&self) -> Duration {
        Duration::from_secs(self.ttls.idempotency_ttl_secs)
    }

    /// What `op` answers on a store shared by the replicas; `None` (and `op` never
    /// run) on the in-process store, or when the shared store fails: the caller then
    /// keeps the state in this process.
    async fn shared<T>(&self, op: impl Future<Output = Result<T, CacheError>>) -> Option<T> {
        if self.store.backend() == "memory" {
            return None;
        }
        self.note(op.await)
    }

    /// The TTL of `class`.
    pub fn ttl(&self, class: TtlClass) -> Duration {
        Duration::from_secs(match class {
            TtlClass::Directory => self.ttls.directory_ttl_secs,
            TtlClass::Presence => self.ttls.presence_ttl_secs,
            TtlClass::Reference => self.ttls.reference_ttl_secs,
        })
    }

    fn full_key(&self, key: &CacheKey) -> String {
        format!("{}:{}", self.namespace, key.0)
    }

    /// Keeps the store's health, logging once per change of state (not per request).
    fn note<T>(&self, result: Result<T, CacheError>) -> Option<T> {
        match result {
            Ok(v) => {
                if !self.healthy.swap(true, Ordering::Relaxed) {
                    tracing::info!(backend = self.backend(), "cache store answering again");
                }
                Some(v)
            }
            Err(e) => {
                if self.healthy.swap(false, Ordering::Relaxed) {
                    tracing::warn!(error = %e, backend = self.backend(), "cache store failing; serving from vendors");
                }
                None
            }
        }
    }

    fn decode<T: DeserializeOwned>(full: &str, bytes: &[u8]) -> Option<T> {
        match serde_json::from_slice(bytes) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(key = full, error = %e, "dropping an unreadable cache entry");
                None
            }
        }
    }

    async fn read<T: DeserializeOwned>(&self, full: &str) -> Option<T> {
        let keys = [full.to_owned()];
        let bytes = self.note(self.store.get_many(&keys).await)?.pop().flatten()?;
        Self::decode(full, &bytes)
    }

    /// The values under `full` (whole keys), each with the key's generation at the read
    /// (`None` while the store fails), in one round trip.
    async fn read_with_generations<T: DeserializeOwned>(
        &self,
        full: &[String],
    ) -> Vec<(Option<T>, Option<u64>)> {
        match self.note(self.store.get_many_with_generations(full).await) {
            Some(found) => found
                .into_iter()
                .zip(full)
                .map(|((bytes, generation), key)| {
                    (bytes.and_then(|b| Self::decode(key, &b)), Some(generation))
                })
                .collect(),
            None => full.iter().map(|_| (None, None)).collect(),
        }
    }

    /// The value under `key`, when cached.
    pub async fn get<T: DeserializeOwned>(&self, key: &CacheKey) -> Option<T> {
        let value = self.read(&self.full_key(key)).await;
        self.count(key, value.is_some());
        value
    }

    /// The values under `keys`, in order, read in one round trip, for a read that fetches
    /// its misses (a loader's batch, [`Cache::get_or_fetch`]): each miss comes with what
    /// [`Cache::fetch_seen`] needs, read with the values (on Redis one `MGET` of the keys
    /// and their generations, rather than a `GET` of each missed key's generation after
    /// it: a round trip less before the vendor is asked).
    pub async fn get_many_seen<T: DeserializeOwned>(&self, keys: &[CacheKey]) -> Vec<Result<T, Seen>> {
        let at = Instant::now();
        let full: Vec<String> = keys.iter().map(|k| self.full_key(k)).collect();
        let found = self.read_with_generations(&full).await;
        keys.iter()
            .zip(found)
            .map(|(key, (value, generation))| {
                self.count(key, value.is_some());
                value.ok_or(Seen { at, generation })
            })
            .collect()
    }

    /// Stores `value` under `key`.
    pub async fn put<T: Serialize>(&self, key: &CacheKey, class: TtlClass, value: &T) {
        self.put_many(class, [(key, value)]).await;
    }

    /// Stores every `(key, value)`, written in one round trip.
    pub async fn put_many<'k, T: Serialize + 'k>(
        &self,
        class: TtlClass,
        entries: impl IntoIterator<Item = (&'k CacheKey, &'k T)>,
    ) {
        let ttl = self.ttl(class);
        if ttl.is_zero() {
            return;
        }
        let entries: Vec<(String, Vec<u8>)> = entries
            .into_iter()
            .filter_map(|(k, v)| Some((self.full_key(k), serde_json::to_vec(v).ok()?)))
            .collect();
        if !entries.is_empty() {
            self.note(self.store.set_many(entries, ttl).await);
        }
    }

    /// The value under `key`, or what `fetch` returns (then cached). Concurrent misses
    /// for one key make one fetch and all get its outcome, a failure included (a failure
    /// is not cached: the next miss fetches again). The answer is stored only if no
    /// invalidation of the key happened since the fetch began (see [`CacheStore`]).
    pub async fn get_or_fetch<T, E, F, Fut>(&self, key: &CacheKey, class: TtlClass, fetch: F) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
        E: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        match self.get_many_seen(std::slice::from_ref(key)).await.pop() {
            Some(Ok(hit)) => Ok(hit),
            Some(Err(seen)) => self.fetch_seen(key, seen, class, fetch).await,
            None => unreachable!("one key read, one answer"),
        }
    }

    /// What `fetch` returns for `key`, which a read ([`Cache::get_many_seen`]) just
    /// missed: as [`Cache::get_or_fetch`] after its read, sharing one fetch among
    /// concurrent misses (a fetch that ended while the read was under way counts as
    /// concurrent) and storing the answer only if no write happened since the read.
    pub async fn fetch_seen<T, E, F, Fut>(
        &self,
        key: &CacheKey,
        seen: Seen,
        class: TtlClass,
        fetch: F,
    ) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
        E: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let full = self.full_key(key);
        let slot = (full.clone(), TypeId::of::<Result<T, E>>());
        // The key's generation at the read, before the vendor is asked: a write after
        // that bumps it, so an answer fetched from here is then not stored, and a miss
        // after the write (here or on another replica) does not join this fetch.
        let Seen {
            at: looked,
            generation,
        } = seen;
        let flight = self
            .inflight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .join(&slot, looked, generation);
        let outcome = flight
            .outcome
            .get_or_init(|| async {
                let fetched = Arc::new(fetch().await);
                match (fetched.as_ref(), flight.generation) {
                    (Ok(_), Some(generation)) => {
                        // Stored by a task of its own: the waiters have the answer now,
                        // not after it is serialised (a list of hundreds of records) and
                        // written (a round trip, with Redis). Until it is stored, `ended`
                        // stays unset, so a miss meanwhile joins this flight and gets its
                        // answer rather than calling again; the generation check still
                        // keeps the answer out of the store if a write came in between.
                        let (cache, flight, stored) = (self.clone(), flight.clone(), fetched.clone());
                        let store = async move {
                            if let Ok(value) = stored.as_ref() {
                                cache.store_if_unchanged(&full, class, value, generation).await;
                            }
                            // Stored (or not): a read begun from now on sees what the
                            // store holds.
                            let _ = flight.ended.set(Instant::now());
                        };
                        tokio::spawn(store.in_current_span());
                    }
                    _ => {
                        let _ = flight.ended.set(Instant::now());
                    }
                }
                fetched as Arc<dyn Any + Send + Sync>
            })
            .await
            .clone();
        match outcome.downcast_ref::<Result<T, E>>() {
            Some(result) => result.clone(),
            None => unreachable!("a flight is keyed by its result type"),
        }
    }

    async fn store_if_unchanged<T: Serialize>(
        &self,
        full: &str,
        class: TtlClass,
        value: &T,
        generation: u64,
    ) {
        let ttl = self.ttl(class);
        if ttl.is_zero() {
            return;
        }
        if let Ok(bytes) = serde_json::to_vec(value) {
            let stored = self.note(self.store.set_if_generation(full, bytes, ttl, generation).await);
            if stored == Some(false) {
                tracing::debug!(key = full, "not caching an answer read before a write");
            }
        }
    }

    /// Removes `keys` and bumps their generations, so the next read goes to the vendor
    /// and no read already under way stores what it fetched before.
    pub async fn invalidate(&self, keys: &[CacheKey]) {
        let mut full: Vec<String> = keys.iter().map(|k| self.full_key(k)).collect();
        // A miss from now on starts a fetch of its own rather than join one begun before
        // the write (whose waiters still get its outcome). The generation a fetch began at
        // says as much while the store answers (on every replica); this also holds, on
        // this replica, while it does not.
        {
            let mut flights = self.inflight.lock().unwrap_or_else(PoisonError::into_inner);
            flights.by_key.retain(|(key, _), _| !full.contains(key));
            flights.prune();
        }
        // Every write also moves the write generation (see `write_generation`).
        full.push(self.writes_key());
        self.note(self.store.invalidate(&full).await);
    }

    /// Something changed that no cache key holds (a presence event a vendor pushed):
    /// moves the write generation, so no whole answer kept from before is served.
    pub async fn note_write(&self) {
        self.note(self.store.invalidate(&[self.writes_key()]).await);
    }

    fn writes_key(&self) -> String {
        format!("{}:writes", self.namespace)
    }

    /// A number that moves with every invalidation, of any tenant, on any replica when
    /// the store is shared: what whole answers are cached under (`graphql::answers`), so
    /// a write makes every one of them stale at once. `None` while the store fails.
    pub async fn write_generation(&self) -> Option<u64> {
        self.note(self.store.generation(&self.writes_key()).await)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    /// What `fetch` returns for `key`, which a read begun at `looked` missed, the key's
    /// generation taken now.
    async fn fetch_missed<T, E, F, Fut>(
        cache: &Cache,
        key: &CacheKey,
        looked: Instant,
        class: TtlClass,
        fetch: F,
    ) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
        E: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let generation = cache.note(cache.store.generation(&cache.full_key(key)).await);
        let seen = Seen {
            at: looked,
            generation,
        };
        cache.fetch_seen(key, seen, class, fetch).await
    }

    #[tokio::test]
    async fn a_miss_read_before_a_fetch_ended_joins_it_unless_a_write_came_between() {
        let cache = Cache::in_memory(&CacheSettings::default());
        let key = CacheKey::new("t1", "DIXA", "agents", None);
        let calls = Arc::new(AtomicUsize::new(0));
        let fetch = |n: u32| {
            let calls = calls.clone();
            move || async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ()>(n)
            }
        };
        // A read that began before the first fetch ended (and so missed what it
        // stored) gets that fetch's answer, without a call of its own.
        let looked = Instant::now();
        assert_eq!(
            cache.get_or_fetch(&key, TtlClass::Directory, fetch(1)).await,
            Ok(1)
        );
        assert_eq!(
            fetch_missed(&cache, &key, looked, TtlClass::Directory, fetch(2)).await,
            Ok(1)
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // The answer is stored by a task of its own, after the waiters have it; a miss
        // meanwhile joins the fetch too. Once stored, the key is a hit.
        while cache.get::<u32>(&key).await.is_none() {
            tokio::task::yield_now().await;
        }
        // A miss that began after the fetch ended (the entry gone by then: evicted, say)
        // fetches again.
        let later = Instant::now();
        assert_eq!(
            fetch_missed(&cache, &key, later, TtlClass::Directory, fetch(3)).await,
            Ok(3)
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // A write after a fetch ended, before a read that missed it joins it: the read
        // must not get the answer from before the write.
        let key = CacheKey::new("t1", "DIXA", "teams", None);
        let looked = Instant::now();
        assert_eq!(
            cache.get_or_fetch(&key, TtlClass::Presence, fetch(4)).await,
            Ok(4)
        );
        cache.invalidate(std::slice::from_ref(&key)).await;
        assert_eq!(
            fetch_missed(&cache, &key, looked, TtlClass::Presence, fetch(5)).await,
            Ok(5)
        );
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_miss_after_a_write_on_another_replica_does_not_join_a_fetch_from_before() {
        // Two replicas: each its own fetches under way, one store between them.
        let settings = CacheSettings::default();
        let store: Arc<dyn CacheStore> = Arc::new(memory::MemoryStore::new(settings.memory_max_mib));
        let (a, b) = (Cache::new(store.clone(), &settings), Cache::new(store, &settings));
        let key = CacheKey::new("t1", "DIXA", "team_members", Some("t"));
        let calls = Arc::new(AtomicUsize::new(0));
        let fetch = |n: u32, late: u64| {
            let calls = calls.clone();
            move || async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(late)).await;
                Ok::<_, ()>(n)
            }
        };
        // B reads slowly; A writes meanwhile; B reads again: the second read must not
        // get the answer of the read begun before the write.
        let before = tokio::spawn({
            let (b, key, fetch) = (b.clone(), key.clone(), fetch(1, 300));
            async move { b.get_or_fetch(&key, TtlClass::Directory, fetch).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        a.invalidate(std::slice::from_ref(&key)).await;
        assert_eq!(
            b.get_or_fetch(&key, TtlClass::Directory, fetch(2, 0)).await,
            Ok(2)
        );
        assert_eq!(before.await.unwrap(), Ok(1));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // And the first read's older answer was not stored.
        assert_eq!(b.get::<u32>(&key).await, Some(2));
    }

    #[tokio::test]
    async fn concurrent_misses_fetch_once_and_invalidation_refetches() {
        let cache = Cache::in_memory(&CacheSettings::default());
        let key = CacheKey::new("t1", "DIXA", "teams", None);
        let calls = Arc::new(AtomicUsize::new(0));
        let fetch = || {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok::<_, ()>(vec![1, 2, 3])
            }
        };
        let results =
            futures::future::join_all((0..8).map(|_| cache.get_or_fetch(&key, TtlClass::Directory, fetch)))
                .await;
        assert!(results.iter().all(|r| r.as_deref() == Ok(&[1, 2, 3][..])));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        cache.invalidate(std::slice::from_ref(&key)).await;
        let _ = cache.get_or_fetch(&key, TtlClass::Directory, fetch).await;
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn concurrent_misses_share_one_failure() {
        let cache = Cache::in_memory(&CacheSettings::default());
        let key = CacheKey::new("t1", "DIXA", "teams", None);
        let calls = Arc::new(AtomicUsize::new(0));
        let fetch = || {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err::<Vec<u8>, _>("vendor down")
            }
        };
        let results =
            futures::future::join_all((0..8).map(|_| cache.get_or_fetch(&key, TtlClass::Directory, fetch)))
                .await;
        assert!(results.iter().all(|r| r == &Err("vendor down")));
        assert_eq!(calls.load(Ordering::SeqCst), 1, "one call, its failure shared");
    }

    #[tokio::test]
    async fn a_read_begun_before_an_invalidation_is_not_stored() {
        let cache = Cache::in_memory(&CacheSettings::default());
        let key = CacheKey::new("t1", "DIXA", "teams", None);
        let (started, go) = (tokio::sync::Notify::new(), tokio::sync::Notify::new());
        let slow = cache.get_or_fetch(&key, TtlClass::Directory, || async {
            started.notify_one();
            go.notified().await;
            Ok::<_, ()>("before the write".to_owned())
        });
        let write = async {
            started.notified().await;
            cache.invalidate(std::slice::from_ref(&key)).await;
            go.notify_one();
        };
        let (read, ()) = tokio::join!(slow, write);
        assert_eq!(
            read.unwrap(),
            "before the write",
            "the caller still gets its answer"
        );
        assert_eq!(cache.get::<String>(&key).await, None, "but it is not cached");
    }

    #[tokio::test]
    async fn tenants_do_not_share_entries() {
        let cache = Cache::in_memory(&CacheSettings::default());
        let a = CacheKey::new("a", "DIXA", "teams", None);
        let b = CacheKey::new("b", "DIXA", "teams", None);
        cache.put(&a, TtlClass::Directory, &"from a").await;
        let got: Result<String, ()> = cache
            .get_or_fetch(&b, TtlClass::Directory, || async { Ok("from b".to_owned()) })
            .await;
        assert_eq!(got.unwrap(), "from b");
    }

    #[tokio::test]
    async fn errors_are_not_cached() {
        let cache = Cache::in_memory(&CacheSettings::default());
        let key = CacheKey::new("t", "DIXA", "team", Some("x"));
        let first: Result<u8, &str> = cache
            .get_or_fetch(&key, TtlClass::Directory, || async { Err("down") })
            .await;
        assert!(first.is_err());
        let second: Result<u8, &str> = cache
            .get_or_fetch(&key, TtlClass::Directory, || async { Ok(7) })
            .await;
        assert_eq!(second, Ok(7));
    }
}
