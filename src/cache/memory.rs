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
}

impl MemoryStore {
    /// A store holding at most `max_mib` MiB of values.
    pub fn new(max_mib: u64) -> Self {
        let entries = Moka::builder()
            .max_capacity(max_mib.max(1) * 1024 * 1024)
            .weigher(|k: &String, v: &Entry| (k.len() + v.bytes.len()).try_into().unwrap_or(u32::MAX))
            .expire_after(PerEntryTtl)
            .build();
        Self { entries }
    }
}

#[async_trait]
impl CacheStore for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        Ok(self.entries.get(key).await.map(|e| e.bytes.as_ref().clone()))
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), CacheError> {
        self.entries
            .insert(
                key.to_owned(),
                Entry {
                    bytes: Arc::new(value),
                    ttl,
                },
            )
            .await;
        Ok(())
    }

    async fn delete(&self, keys: &[String]) -> Result<(), CacheError> {
        for key in keys {
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
