//! The read cache: a small [`CacheStore`] trait with an in-process implementation
//! ([`memory`]) and, behind the same trait, Redis. Keys always carry the namespace and
//! the tenant, so one tenant never reads another's data; concurrent misses for one key
//! make one upstream call. A failing store is logged and bypassed: reads then go to the
//! vendor, never fail because of the cache.
//!
//! May depend on: nothing but serde and tokio. Knows nothing of vendors beyond the
//! key it is handed.

pub mod memory;

use std::{
    collections::HashMap,
    fmt,
    future::Future,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use serde::{Serialize, de::DeserializeOwned};

use crate::config::CacheSettings;

/// A store failed (Redis down, say).
#[derive(Debug, thiserror::Error)]
#[error("cache store failed: {0}")]
pub struct CacheError(pub String);

/// Where cached bytes live.
#[async_trait]
pub trait CacheStore: Send + Sync {
    /// The value under `key`, if present and fresh.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;
    /// Stores `value` under `key` for `ttl`.
    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), CacheError>;
    /// Removes `keys`.
    async fn delete(&self, keys: &[String]) -> Result<(), CacheError>;
    /// Checks the store answers.
    async fn ping(&self) -> Result<(), CacheError>;
    /// `memory` or `redis`.
    fn backend(&self) -> &'static str;
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
pub struct CacheKey(String);

impl CacheKey {
    /// The key of `resource` (optionally one `id` of it) for `tenant` on `vendor`.
    pub fn new(tenant: &str, vendor: &str, resource: &str, id: Option<&str>) -> Self {
        let mut key = format!("{tenant}:{vendor}:{resource}");
        if let Some(id) = id {
            key.push(':');
            key.push_str(id);
        }
        Self(key)
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The cache every loader reads through.
#[derive(Clone)]
pub struct Cache {
    store: Arc<dyn CacheStore>,
    namespace: Arc<str>,
    ttls: Arc<CacheSettings>,
    inflight: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    healthy: Arc<AtomicBool>,
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
        self.healthy.store(result.is_ok(), Ordering::Relaxed);
        result
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

    fn note<T>(&self, result: Result<T, CacheError>) -> Option<T> {
        match result {
            Ok(v) => {
                self.healthy.store(true, Ordering::Relaxed);
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

    async fn read<T: DeserializeOwned>(&self, full: &str) -> Option<T> {
        let bytes = self.note(self.store.get(full).await).flatten()?;
        match serde_json::from_slice(&bytes) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!(key = full, error = %e, "dropping an unreadable cache entry");
                None
            }
        }
    }

    /// The value under `key`, when cached (for loaders that batch their own misses).
    pub async fn get<T: DeserializeOwned>(&self, key: &CacheKey) -> Option<T> {
        self.read(&self.full_key(key)).await
    }

    /// Stores `value` under `key`.
    pub async fn put<T: Serialize>(&self, key: &CacheKey, class: TtlClass, value: &T) {
        let ttl = self.ttl(class);
        if ttl.is_zero() {
            return;
        }
        if let Ok(bytes) = serde_json::to_vec(value) {
            let full = self.full_key(key);
            self.note(self.store.set(&full, bytes, ttl).await);
        }
    }

    /// The value under `key`, or what `fetch` returns (then cached). Concurrent misses
    /// for one key wait for the first fetch instead of making their own call.
    pub async fn get_or_fetch<T, E, F, Fut>(&self, key: &CacheKey, class: TtlClass, fetch: F) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let full = self.full_key(key);
        if let Some(hit) = self.read(&full).await {
            return Ok(hit);
        }
        let gate = {
            let mut inflight = self.inflight.lock().expect("inflight map lock");
            inflight.entry(full.clone()).or_default().clone()
        };
        let result = {
            let _turn = gate.lock().await;
            match self.read(&full).await {
                Some(hit) => Ok(hit),
                None => {
                    let fetched = fetch().await;
                    if let Ok(value) = &fetched {
                        self.put(key, class, value).await;
                    }
                    fetched
                }
            }
        };
        let mut inflight = self.inflight.lock().expect("inflight map lock");
        let last = Arc::strong_count(&gate) <= 2;
        if last && inflight.get(&full).is_some_and(|g| Arc::ptr_eq(g, &gate)) {
            inflight.remove(&full);
        }
        result
    }

    /// Removes `keys`, so the next read goes to the vendor.
    pub async fn invalidate(&self, keys: &[CacheKey]) {
        let full: Vec<String> = keys.iter().map(|k| self.full_key(k)).collect();
        self.note(self.store.delete(&full).await);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

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
