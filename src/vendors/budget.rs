//! A call budget per vendor credential: the client-side limit that keeps the whole
//! deployment under a vendor's documented rate (Dixa: 10 requests/s per token, bursts of
//! 4), so Switchboard queues its own calls briefly instead of tripping the vendor's 429.
//!
//! The budget is a GCRA ("generic cell rate algorithm"): one timestamp per credential,
//! the theoretical arrival time `tat` of the next call. A call reserves the slot
//! `max(tat, now) + interval`, usable `burst × interval` before that; it waits until
//! then. A reservation that would wait past the request's deadline is not made, and the
//! call fails as rate limited. The timestamps are kept by a [`Slots`] store handed in:
//! the cache's, so with Redis configured every replica draws from the same budget (one
//! atomic script on Redis's clock), and without it, or while Redis fails, each process
//! keeps its own.
//!
//! May depend on: `vendors::error`. The shared store is handed in ([`Slots`]).

use std::{sync::Arc, time::Duration};

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
    /// it, or `None` (nothing reserved) when that wait would exceed `max_wait`. A store
    /// that fails answers from a budget of its own process meanwhile, never an error.
    async fn reserve(&self, key: &str, rate: Rate, max_wait: Duration) -> Option<Duration>;
}

/// The longest a call waits for its budget when its request has no deadline.
const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(10);

/// One credential's budget at one vendor.
pub struct Budget {
    vendor: Vendor,
    key: String,
    rate: Rate,
    slots: Arc<dyn Slots>,
}

impl Budget {
    /// The budget `key` (a credential's hash) at `rate`, kept in `slots`.
    pub fn new(vendor: Vendor, key: &str, rate: Rate, slots: Arc<dyn Slots>) -> Self {
        Self {
            vendor,
            key: format!("budget:{key}:{}", vendor.as_str()),
            rate,
            slots,
        }
    }

    /// Waits for this call's slot, or fails as rate limited when it would come after
    /// `deadline`.
    pub async fn acquire(&self, deadline: Option<Instant>) -> Result<(), VendorError> {
        let max_wait = deadline.map_or(DEFAULT_MAX_WAIT, |d| d.saturating_duration_since(Instant::now()));
        let wait = self.slots.reserve(&self.key, self.rate, max_wait).await;
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

/// Slots that never make a call wait: for tools and tests that keep no budget.
pub struct Unlimited;

#[async_trait]
impl Slots for Unlimited {
    async fn reserve(&self, _key: &str, _rate: Rate, _max_wait: Duration) -> Option<Duration> {
        Some(Duration::ZERO)
    }
}
