//! Rate slots kept in this process: a GCRA per key (the theoretical arrival time of the
//! next call), the same algorithm the Redis store runs as a script on Redis's clock. The
//! in-process cache keeps its budgets here, and a Redis cache falls back to it while
//! Redis fails, so a budget is never lost, only no longer shared for a while.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::Instant,
};

/// Keys kept before the ones whose slots all passed are swept out.
const SWEEP_AT: usize = 10_000;

/// GCRA slots by key.
pub struct LocalSlots {
    epoch: Instant,
    /// Key → theoretical arrival time of its next call, in ms since `epoch`.
    tat: Mutex<HashMap<String, u64>>,
}

impl Default for LocalSlots {
    fn default() -> Self {
        Self {
            epoch: Instant::now(),
            tat: Mutex::default(),
        }
    }
}

impl LocalSlots {
    /// Reserves the next slot of `key` (one every `interval_ms`, `burst` at once): the ms
    /// to wait before using it, or `None` (nothing reserved) past `max_wait_ms`.
    pub fn reserve(&self, key: &str, interval_ms: u64, burst: u32, max_wait_ms: u64) -> Option<u64> {
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut tat = self.tat.lock().unwrap_or_else(PoisonError::into_inner);
        if tat.len() >= SWEEP_AT {
            tat.retain(|_, t| *t > now);
        }
        let current = tat.get(key).copied().unwrap_or(now).max(now);
        let next = current.saturating_add(interval_ms);
        let wait = next
            .saturating_sub(interval_ms.saturating_mul(u64::from(burst)))
            .saturating_sub(now);
        if wait > max_wait_ms {
            return None;
        }
        tat.insert(key.to_owned(), next);
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let slots = LocalSlots::default();
        let waits: Vec<u64> = (0..6)
            .map(|_| slots.reserve("k", 100, 4, 60_000).unwrap())
            .collect();
        assert_eq!(&waits[..4], &[0; 4], "the burst goes at once");
        // Each later call waits one more interval (give or take the ms that passed).
        assert!(
            (95..=100).contains(&waits[4]) && (195..=200).contains(&waits[5]),
            "{waits:?}"
        );
        assert_eq!(
            slots.reserve("k", 100, 4, 250),
            None,
            "nothing reserved past the longest wait"
        );
        assert_eq!(
            slots.reserve("other", 100, 4, 0),
            Some(0),
            "other keys are other budgets"
        );
    }
}
