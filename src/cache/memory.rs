//! The in-process [`CacheStore`]: moka, bounded by bytes, with a TTL per entry.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use moka::{Expiry, future::Cache as Moka};

use super::{CacheError, CacheStore};

#[derive(Clone)]
struct Entry {
    bytes: Arc<Vec<u8>>,
    ttl: Duration,
}

struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(
        &self,
        _key: &String,
        value: &Entry,
        _now: std::time::Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// Cached bytes in this process's memory.
pub struct MemoryStore {
    entries: Moka<String, Entry>,
    /// Generations of invalidated keys (absent: 0), kept an hour, far longer than any
    /// fetch takes.
    generations: Moka<String, u64>,
    /// Makes "check the generation, then store" and "bump, then remove" atomic.
    writes: tokio::sync::Mutex<()>,
}

impl MemoryStore {
    /// A store holding at most `max_mib` MiB of values.
    pub fn new(max_mib: u64) -> Self {
        let entries = Moka::builder()
            .max_capacity(max_mib.max(1) * 1024 * 1024)
            .weigher(|k: &String, v: &Entry| (k.len() + v.bytes.len()).try_into().unwrap_or(u32::MAX))
            .expire_after(PerEntryTtl)
            .build();
        let generations = Moka::builder()
            .max_capacity(100_000)
            .time_to_live(Duration::from_secs(3600))
            .build();
        Self {
            entries,
            generations,
            writes: tokio::sync::Mutex::new(()),
        }
    }

    async fn insert(&self, key: String, value: Vec<u8>, ttl: Duration) {
        let entry = Entry {
            bytes: Arc::new(value),
            ttl,
        };
        self.entries.insert(key, entry).await;
    }
}

#[async_trait]
impl CacheStore for MemoryStore {
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, CacheError> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(self.entries.get(key).await.map(|e| e.bytes.as_ref().clone()));
        }
        Ok(out)
    }

    async fn set_many(&self, entries: Vec<(String, Vec<u8>)>, ttl: Duration) -> Result<(), CacheError> {
        for (key, value) in entries {
            self.insert(key, value, ttl).await;
        }
        Ok(())
    }

    async fn generation(&self, key: &str) -> Result<u64, CacheError> {
        Ok(self.generations.get(key).await.unwrap_or(0))
    }

    async fn set_if_generation(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Duration,
        generation: u64,
    ) -> Result<bool, CacheError> {
        let _write = self.writes.lock().await;
        if self.generations.get(key).await.unwrap_or(0) != generation {
            return Ok(false);
        }
        self.insert(key.to_owned(), value, ttl).await;
        Ok(true)
    }

    async fn invalidate(&self, keys: &[String]) -> Result<(), CacheError> {
        let _write = self.writes.lock().await;
        for key in keys {
            let next = self.generations.get(key).await.unwrap_or(0).wrapping_add(1);
            self.generations.insert(key.clone(), next).await;
            self.entries.invalidate(key).await;
        }
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}
