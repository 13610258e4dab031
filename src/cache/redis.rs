//! The Redis [`CacheStore`], shared by every replica: batches read with one `MGET`,
//! writes pipelined with their TTL (`PX`), a key's generation beside it (`<key>#gen`),
//! bumped and the value deleted in one `MULTI` on invalidation, and a value stored
//! after a fetch only through a script that checks the generation first.
//!
//! Redis must never take the gateway down: every call is bounded by
//! `cache.redis_timeout_ms`; start-up waits at most a second for the first connection,
//! after which it is made in the background (at most one attempt a second) while calls
//! fail fast; once made, the redis crate's connection manager reconnects by itself. A failing call is an error the
//! [`super::Cache`] turns into "serve from the vendor". Errors never quote the URL,
//! which may carry a password.

use std::{
    future::Future,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use async_trait::async_trait;
use redis::{
    RedisResult,
    aio::{ConnectionManager, ConnectionManagerConfig},
};
use tokio::sync::RwLock;

use super::{CacheError, CacheStore};

/// How long a generation is kept: far longer than any fetch takes.
const GENERATION_TTL_MS: u64 = 3_600_000;

/// Stores `ARGV[1]` under `KEYS[1]` for `ARGV[3]` ms if `KEYS[2]` (the generation, absent
/// meaning 0) still equals `ARGV[2]`.
const SET_IF_GENERATION: &str = r"
local current = redis.call('GET', KEYS[2]) or '0'
if current == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  return 1
end
return 0
";

/// A GCRA reservation on Redis's own clock, so every replica draws from one budget:
/// `KEYS[1]` holds the theoretical arrival time (ms) of the next call; `ARGV` is the
/// interval (ms), the burst and the longest wait (ms). Returns the wait in ms, or -1
/// (nothing reserved) when it would be longer.
const RESERVE_SLOT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next = tat + interval
local wait = next - burst * interval - now
if wait < 0 then wait = 0 end
if wait > tonumber(ARGV[3]) then return -1 end
redis.call('SET', KEYS[1], next, 'PX', next - now + 1000)
return wait
";

/// Replaces `KEYS[1]` with `ARGV[3]` for `ARGV[4]` ms (deletes it when `ARGV[3]` is
/// empty) if it holds `ARGV[2]` (when `ARGV[1]` is `1`) or nothing (when `0`).
const SWAP_RECORD: &str = r"
local current = redis.call('GET', KEYS[1])
local matches
if ARGV[1] == '1' then matches = (current == ARGV[2]) else matches = (current == false) end
if not matches then return 0 end
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return 1
";

/// Cached bytes in Redis.
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    connection: RwLock<Option<ConnectionManager>>,
    connecting: AtomicBool,
    last_attempt: Mutex<Option<Instant>>,
    timeout: Duration,
    set_if_generation: redis::Script,
    reserve_slot: redis::Script,
    swap_record: redis::Script,
}

fn generation_key(key: &str) -> String {
    format!("{key}#gen")
}

fn failed(e: &redis::RedisError) -> CacheError {
    // The kind and the server's words; never the URL.
    CacheError(format!(
        "redis: {:?}: {}",
        e.kind(),
        e.detail().unwrap_or("request failed")
    ))
}

impl RedisStore {
    /// A store for `url` (`redis://[:password@]host:port[/db]`), each call bounded by
    /// `timeout`. Waits up to a second for the first connection, then goes on without
    /// it (connecting in the background): an unreachable server never stops start-up.
    pub async fn connect(url: &str, timeout: Duration) -> Result<Self, CacheError> {
        let client = redis::Client::open(url)
            .map_err(|e| CacheError(format!("cache.redis_url is not a Redis URL ({:?})", e.kind())))?;
        let store = Self {
            inner: Arc::new(Inner {
                client,
                connection: RwLock::new(None),
                connecting: AtomicBool::new(false),
                last_attempt: Mutex::new(None),
                timeout,
                set_if_generation: redis::Script::new(SET_IF_GENERATION),
                reserve_slot: redis::Script::new(RESERVE_SLOT),
                swap_record: redis::Script::new(SWAP_RECORD),
            }),
        };
        if let Some(attempt) = store.inner.clone().connect_in_background() {
            let _ = tokio::time::timeout(Duration::from_secs(1), attempt).await;
        }
        Ok(store)
    }

    /// Runs `op` on the connection within the timeout.
    async fn run<T, F, Fut>(&self, op: F) -> Result<T, CacheError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let connection = self.inner.connection.read().await.clone();
        let Some(connection) = connection else {
            self.inner.clone().connect_in_background();
            return Err(CacheError("redis: not connected".into()));
        };
        match tokio::time::timeout(self.inner.timeout, op(connection)).await {
            Ok(result) => result.map_err(|e| failed(&e)),
            Err(_) => Err(CacheError(format!(
                "redis: no answer within {} ms",
                self.inner.timeout.as_millis()
            ))),
        }
    }
}

impl Inner {
    /// Starts one connection attempt unless one is under way or the last began less
    /// than a second ago; the attempt's task, when one started.
    fn connect_in_background(self: Arc<Self>) -> Option<tokio::task::JoinHandle<()>> {
        {
            let mut last = self.last_attempt.lock().unwrap_or_else(PoisonError::into_inner);
            if last.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
                return None;
            }
            if self.connecting.swap(true, Ordering::AcqRel) {
                return None;
            }
            *last = Some(Instant::now());
        }
        Some(tokio::spawn(async move {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(self.timeout.max(Duration::from_millis(250))))
                .set_response_timeout(Some(self.timeout))
                .set_number_of_retries(1);
            let attempt = ConnectionManager::new_with_config(self.client.clone(), config);
            match tokio::time::timeout(Duration::from_secs(2), attempt).await {
                Ok(Ok(manager)) => *self.connection.write().await = Some(manager),
                Ok(Err(e)) => tracing::debug!(error = %failed(&e), "redis connection attempt failed"),
                Err(_) => tracing::debug!("redis connection attempt timed out"),
            }
            self.connecting.store(false, Ordering::Release);
        }))
    }
}

#[async_trait]
impl CacheStore for RedisStore {
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, CacheError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        self.run(|mut c| async move { redis::cmd("MGET").arg(keys).query_async(&mut c).await })
            .await
    }

    async fn set_many(&self, entries: Vec<(String, Vec<u8>)>, ttl: Duration) -> Result<(), CacheError> {
        let mut pipe = redis::pipe();
        for (key, value) in &entries {
            pipe.cmd("SET")
                .arg(key)
                .arg(value)
                .arg("PX")
                .arg(ttl_ms(ttl))
                .ignore();
        }
        self.run(|mut c| async move { pipe.query_async::<()>(&mut c).await })
            .await
    }

    async fn get_many_with_generations(
        &self,
        keys: &[String],
    ) -> Result<Vec<(Option<Vec<u8>>, u64)>, CacheError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // One MGET of the keys, then their generations: the values and the generations
        // they were read at, in one atomic read.
        let generations: Vec<String> = keys.iter().map(|k| generation_key(k)).collect();
        let mut found: Vec<Option<Vec<u8>>> = self
            .run(|mut c| async move {
                redis::cmd("MGET")
                    .arg(keys)
                    .arg(&generations)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        if found.len() != 2 * keys.len() {
            return Err(CacheError(format!(
                "redis: MGET of {} keys answered {} values",
                2 * keys.len(),
                found.len()
            )));
        }
        let generations = found.split_off(keys.len());
        generations
            .into_iter()
            .zip(found)
            .map(|(generation, value)| {
                let generation = match generation {
                    None => 0,
                    Some(bytes) => std::str::from_utf8(&bytes)
                        .ok()
                        .and_then(|g| g.parse().ok())
                        .ok_or_else(|| CacheError("redis: a key's generation is not a number".into()))?,
                };
                Ok((value, generation))
            })
            .collect()
    }

    async fn generation(&self, key: &str) -> Result<u64, CacheError> {
        let key = generation_key(key);
        let value: Option<u64> = self
            .run(|mut c| async move { redis::cmd("GET").arg(&key).query_async(&mut c).await })
            .await?;
        Ok(value.unwrap_or(0))
    }

    async fn set_if_generation(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Duration,
        generation: u64,
    ) -> Result<bool, CacheError> {
        let script = &self.inner.set_if_generation;
        let mut invocation = script.prepare_invoke();
        invocation
            .key(key)
            .key(generation_key(key))
            .arg(value)
            .arg(generation)
            .arg(ttl_ms(ttl));
        let stored: i64 = self
            .run(|mut c| async move { invocation.invoke_async(&mut c).await })
            .await?;
        Ok(stored == 1)
    }

    async fn invalidate(&self, keys: &[String]) -> Result<(), CacheError> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut pipe = redis::pipe();
        pipe.atomic();
        for key in keys {
            let generation = generation_key(key);
            pipe.cmd("INCR").arg(&generation).ignore();
            pipe.cmd("PEXPIRE")
                .arg(&generation)
                .arg(GENERATION_TTL_MS)
                .ignore();
            pipe.cmd("DEL").arg(key).ignore();
        }
        self.run(|mut c| async move { pipe.query_async::<()>(&mut c).await })
            .await
    }

    async fn reserve_slot(
        &self,
        key: &str,
        interval_ms: u64,
        burst: u32,
        max_wait_ms: u64,
    ) -> Result<Option<u64>, CacheError> {
        let script = self.inner.reserve_slot.clone();
        let key = key.to_owned();
        let wait: i64 = self
            .run(|mut c| async move {
                script
                    .key(key)
                    .arg(interval_ms)
                    .arg(burst)
                    .arg(max_wait_ms)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(u64::try_from(wait).ok())
    }

    async fn get_record(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let key = key.to_owned();
        self.run(|mut c| async move { redis::cmd("GET").arg(&key).query_async(&mut c).await })
            .await
    }

    async fn swap_record(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: Option<&[u8]>,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let mut invocation = self.inner.swap_record.prepare_invoke();
        invocation
            .key(key)
            .arg(if expected.is_some() { "1" } else { "0" })
            .arg(expected.unwrap_or_default())
            .arg(new.unwrap_or_default())
            .arg(ttl_ms(ttl));
        let swapped: i64 = self
            .run(|mut c| async move { invocation.invoke_async(&mut c).await })
            .await?;
        Ok(swapped == 1)
    }

    async fn ping(&self) -> Result<(), CacheError> {
        let pong: String = self
            .run(|mut c| async move { redis::cmd("PING").query_async(&mut c).await })
            .await?;
        if pong == "PONG" {
            Ok(())
        } else {
            Err(CacheError("redis: unexpected answer to PING".into()))
        }
    }

    fn backend(&self) -> &'static str {
        "redis"
    }
}

fn ttl_ms(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}
