//! Records kept in this process: small values replaced only by compare-and-swap, each
//! with its own expiry. The in-process cache keeps its records here (idempotency
//! records, see `graphql::idempotency`), and a Redis cache falls back to it while Redis
//! fails, so a record is never lost, only no longer shared for a while.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// The most records kept; past it, the ones expiring soonest make room.
const MAX_RECORDS: usize = 100_000;

/// Records by key, with when each expires.
#[derive(Default)]
pub struct LocalRecords {
    records: Mutex<HashMap<String, (Vec<u8>, Instant)>>,
}

impl LocalRecords {
    /// The record under `key`, unless absent or expired.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        records
            .get(key)
            .filter(|(_, expires)| *expires > Instant::now())
            .map(|(value, _)| value.clone())
    }

    /// Replaces the record under `key` with `new` (removes it when `None`), kept for
    /// `ttl`, if it now holds `expected` (`None`: nothing); whether it did.
    pub fn swap(&self, key: &str, expected: Option<&[u8]>, new: Option<&[u8]>, ttl: Duration) -> bool {
        let now = Instant::now();
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        let current = records
            .get(key)
            .filter(|(_, expires)| *expires > now)
            .map(|(value, _)| value.as_slice());
        if current != expected {
            return false;
        }
        match new {
            None => {
                records.remove(key);
            }
            Some(new) => {
                if records.len() >= MAX_RECORDS && !records.contains_key(key) {
                    records.retain(|_, (_, expires)| *expires > now);
                    if records.len() >= MAX_RECORDS {
                        let soonest = records
                            .iter()
                            .min_by_key(|(_, (_, expires))| *expires)
                            .map(|(k, _)| k.clone());
                        if let Some(soonest) = soonest {
                            records.remove(&soonest);
                        }
                    }
                }
                records.insert(key.to_owned(), (new.to_vec(), now + ttl));
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swap_happens_only_from_the_expected_value() {
        let records = LocalRecords::default();
        let ttl = Duration::from_secs(60);
        assert!(records.swap("k", None, Some(b"a"), ttl), "claims an absent key");
        assert!(!records.swap("k", None, Some(b"b"), ttl), "not twice");
        assert!(
            !records.swap("k", Some(b"x"), Some(b"b"), ttl),
            "not from another value"
        );
        assert!(records.swap("k", Some(b"a"), Some(b"b"), ttl));
        assert_eq!(records.get("k").as_deref(), Some(&b"b"[..]));
        assert!(records.swap("k", Some(b"b"), None, ttl), "removes");
        assert_eq!(records.get("k"), None);
    }

    #[test]
    fn an_expired_record_counts_as_absent() {
        let records = LocalRecords::default();
        assert!(records.swap("k", None, Some(b"a"), Duration::ZERO));
        assert_eq!(records.get("k"), None);
        assert!(records.swap("k", None, Some(b"b"), Duration::from_secs(1)));
    }
}
