//! A call budget per vendor credential: the client-side limit that keeps the whole
//! deployment under a vendor's documented rate (Dixa: 10 requests/s per token, bursts of
//! 4), so Switchboard queues its own calls briefly instead of tripping the vendor's 429.
//!
//! The budget is a GCRA ("generic cell rate algorithm"): one timestamp per credential,
//! the theoretical arrival time `tat` of the next call. A call reserves the slot
//! `max(tat, now) + interval`, usable `burst × interval` before that; it waits until
//! then. A reservation that would wait past the request's deadline is not made, and the
//! call fails as rate limited. With Redis configured the timestamp lives there (one
//! atomic script, Redis's clock), so every replica draws from the same budget; without
//! it, or while Redis fails, each process keeps its own (logged once per change).
//!
//! May depend on: `vendors::error`. The shared store is handed in ([`Slots`]).

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use tokio::time::Instant;

use super::{Vendor, VendorError, VendorErrorKind};

/// A rate: one call every `interval`, up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Time between calls at the sustained rate.
    pub interval: Duration,
    /// Calls that may go at once after a quiet spell.
    pub burst: u32,
}

impl Rate {
    /// `per_second` calls a second, `burst` at once.
    pub fn per_second(per_second: f64, burst: u32) -> Self {
        Self {
            interval: Duration::from_secs_f64(1.0 / per_second.max(0.001)),
            burst: burst.max(1),
        }
    }
}

/// Where budgets are kept across replicas.
#[async_trait]
pub trait Slots: Send + Sync {
    /// Reserves the next call of budget `key` at `rate`: how long to wait before making
    /// it, or `None` (nothing reserved) when that wait would exceed `max_wait`.
    async fn reserve(&self, key: &str, rate: Rate, max_wait: Duration) -> Result<Option<Duration>, String>;
}

/// Budgets kept in this process.
#[derive(Default)]
pub struct LocalSlots {
    tat: Mutex<HashMap<String, Instant>>,
}

impl LocalSlots {
    fn reserve_now(&self, key: &str, rate: Rate, max_wait: Duration) -> Option<Duration> {
        let now = Instant::now();
        let mut tat = self.tat.lock().unwrap_or_else(PoisonError::into_inner);
        let current = tat.get(key).copied().unwrap_or(now).max(now);
        let next = current + rate.interval;
        let allowed_at = next.checked_sub(rate.interval * rate.burst).unwrap_or(now);
        let wait = allowed_at.saturating_duration_since(now);
        if wait > max_wait {
            return None;
        }
        tat.insert(key.to_owned(), next);
        Some(wait)
    }
}

#[async_trait]
impl Slots for LocalSlots {
    async fn reserve(&self, key: &str, rate: Rate, max_wait: Duration) -> Result<Option<Duration>, String> {
        Ok(self.reserve_now(key, rate, max_wait))
    }
}

/// The longest a call waits for its budget when its request has no deadline.
const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(10);

/// One credential's budget at one vendor.
pub struct Budget {
    vendor: Vendor,
    key: String,
    rate: Rate,
    shared: Option<Arc<dyn Slots>>,
    local: LocalSlots,
    /// Whether the shared store failed last time (so its failure is logged once).
    degraded: AtomicBool,
}

impl Budget {
    /// The budget `key` (a credential's scope) at `rate`, kept in `shared` when given.
    pub fn new(vendor: Vendor, key: String, rate: Rate, shared: Option<Arc<dyn Slots>>) -> Self {
        Self {
            vendor,
            key: format!("budget:{key}:{}", vendor.as_str()),
            rate,
            shared,
            local: LocalSlots::default(),
            degraded: AtomicBool::new(false),
        }
    }

    /// Waits for this call's slot, or fails as rate limited when it would come after
    /// `deadline`.
    pub async fn acquire(&self, deadline: Option<Instant>) -> Result<(), VendorError> {
        let max_wait = deadline.map_or(DEFAULT_MAX_WAIT, |d| d.saturating_duration_since(Instant::now()));
        let wait = match &self.shared {
            Some(shared) => match shared.reserve(&self.key, self.rate, max_wait).await {
                Ok(wait) => {
                    if self.degraded.swap(false, Ordering::Relaxed) {
                        tracing::info!(vendor = %self.vendor, "vendor budget shared again");
                    }
                    wait
                }
                Err(error) => {
                    if !self.degraded.swap(true, Ordering::Relaxed) {
                        tracing::warn!(vendor = %self.vendor, %error, "vendor budget store failing: this process keeps its own budget meanwhile");
                    }
                    self.local.reserve_now(&self.key, self.rate, max_wait)
                }
            },
            None => self.local.reserve_now(&self.key, self.rate, max_wait),
        };
        match wait {
            Some(wait) if wait.is_zero() => Ok(()),
            Some(wait) => {
                tracing::debug!(vendor = %self.vendor, wait_ms = wait.as_millis() as u64, "waiting for the vendor budget");
                tokio::time::sleep(wait).await;
                Ok(())
            }
            None => Err(
                VendorError::new(self.vendor, VendorErrorKind::RateLimited).with_message(Some(
                    "Switchboard's call budget for this vendor is spent until after the request's deadline"
                        .into(),
                )),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_then_the_sustained_rate() {
        let slots = LocalSlots::default();
        let rate = Rate::per_second(10.0, 4);
        let long = Duration::from_secs(60);
        let waits: Vec<Duration> = (0..6)
            .map(|_| slots.reserve_now("k", rate, long).unwrap())
            .collect();
        assert_eq!(&waits[..4], &[Duration::ZERO; 4], "the burst goes at once");
        assert_eq!(waits[4], Duration::from_millis(100));
        assert_eq!(waits[5], Duration::from_millis(200));
        // Nothing reserved past the longest wait.
        assert_eq!(slots.reserve_now("k", rate, Duration::from_millis(250)), None);
        assert_eq!(
            slots.reserve_now("k", rate, Duration::from_millis(300)),
            Some(Duration::from_millis(300))
        );
        // Other keys are other budgets.
        assert_eq!(slots.reserve_now("other", rate, long), Some(Duration::ZERO));
        // After a quiet spell the burst is back.
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(slots.reserve_now("k", rate, long), Some(Duration::ZERO));
    }
}
