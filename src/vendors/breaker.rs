//! A circuit breaker per (tenant, vendor): after `failures` vendor calls in a row fail
//! as an outage (unreachable, timed out, or a 5xx answer) it opens, and every call is
//! answered `VENDOR_UNAVAILABLE` at once, without reaching the vendor, for `cool_down`.
//! Then one call is let through as a probe (half open): its success closes the breaker,
//! its failure opens it for another cool-down. A vendor refusing one request (4xx) or
//! rate limiting it is not an outage and never opens it. Each change is logged once.
//!
//! May depend on: nothing of Switchboard's but the `Vendor` name.

use std::{
    fmt,
    sync::{Mutex, PoisonError},
    time::Duration,
};

use tokio::time::Instant;

use super::Vendor;

/// Where a breaker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through.
    Closed,
    /// Calls are refused until the cool-down ends.
    Open,
    /// One probe call is in flight; the others are refused until it ends.
    HalfOpen,
}

impl BreakerState {
    /// `closed`, `open` or `half_open`.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

impl fmt::Display for BreakerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug)]
enum Inner {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen,
}

/// What a caller may do now.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// Call the vendor.
    Go,
    /// Call the vendor: this call is the probe that decides whether the breaker closes.
    Probe,
    /// Do not call; the breaker reopens its trial after this long.
    Refused(Duration),
}

/// One (tenant, vendor)'s breaker.
#[derive(Debug)]
pub struct Breaker {
    vendor: Vendor,
    tenant: std::sync::Arc<str>,
    failures: u32,
    cool_down: Duration,
    inner: Mutex<Inner>,
}

impl Breaker {
    /// A closed breaker that opens after `failures` failed calls in a row (never, when
    /// 0) for `cool_down`.
    pub fn new(tenant: std::sync::Arc<str>, vendor: Vendor, failures: u32, cool_down: Duration) -> Self {
        Self {
            vendor,
            tenant,
            failures,
            cool_down,
            inner: Mutex::new(Inner::Closed { failures: 0 }),
        }
    }

    /// Where it stands now.
    pub fn state(&self) -> BreakerState {
        match *self.lock() {
            Inner::Closed { .. } => BreakerState::Closed,
            Inner::Open { until } if Instant::now() >= until => BreakerState::HalfOpen,
            Inner::Open { .. } => BreakerState::Open,
            Inner::HalfOpen => BreakerState::HalfOpen,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a call may go to the vendor now.
    pub fn admit(&self) -> Admission {
        let mut inner = self.lock();
        match *inner {
            Inner::Closed { .. } => Admission::Go,
            Inner::Open { until } => {
                let now = Instant::now();
                if now < until {
                    return Admission::Refused(until - now);
                }
                *inner = Inner::HalfOpen;
                drop(inner);
                tracing::info!(vendor = %self.vendor, tenant = %self.tenant, "vendor breaker half open: probing");
                Admission::Probe
            }
            Inner::HalfOpen => Admission::Refused(self.cool_down),
        }
    }

    /// Records how an admitted call ended: `outage` when it failed as an outage.
    pub fn record(&self, admitted: &Admission, outage: bool) {
        let mut inner = self.lock();
        let before = match *inner {
            Inner::Closed { .. } => BreakerState::Closed,
            Inner::Open { .. } => BreakerState::Open,
            Inner::HalfOpen => BreakerState::HalfOpen,
        };
        match (&*inner, outage) {
            (Inner::Closed { failures }, true) => {
                let failures = failures + 1;
                *inner = if self.failures > 0 && failures >= self.failures {
                    Inner::Open {
                        until: Instant::now() + self.cool_down,
                    }
                } else {
                    Inner::Closed { failures }
                };
            }
            (Inner::Closed { .. }, false) => *inner = Inner::Closed { failures: 0 },
            // Only the probe decides a half-open breaker.
            (Inner::HalfOpen, true) if *admitted == Admission::Probe => {
                *inner = Inner::Open {
                    until: Instant::now() + self.cool_down,
                };
            }
            (Inner::HalfOpen, false) if *admitted == Admission::Probe => {
                *inner = Inner::Closed { failures: 0 }
            }
            _ => {}
        }
        let after = match *inner {
            Inner::Closed { .. } => BreakerState::Closed,
            Inner::Open { .. } => BreakerState::Open,
            Inner::HalfOpen => BreakerState::HalfOpen,
        };
        drop(inner);
        if before != after {
            match after {
                BreakerState::Open => tracing::warn!(
                    vendor = %self.vendor,
                    tenant = %self.tenant,
                    cool_down_ms = self.cool_down.as_millis() as u64,
                    "vendor breaker open: calls are refused until the cool-down ends"
                ),
                state => {
                    tracing::info!(vendor = %self.vendor, tenant = %self.tenant, %state, "vendor breaker changed")
                }
            }
        }
    }
}

/// An admitted call, recorded when it ends; a probe dropped before it ended (its
/// request was cancelled) counts as failed, so the breaker never stays half open.
pub struct Trial<'a> {
    breaker: &'a Breaker,
    admission: Admission,
    recorded: bool,
}

impl<'a> Trial<'a> {
    /// The trial of a call `breaker` admits; when it refuses, how long until it tries again.
    pub fn start(breaker: &'a Breaker) -> Result<Self, Duration> {
        match breaker.admit() {
            Admission::Refused(wait) => Err(wait),
            admission => Ok(Self {
                breaker,
                admission,
                recorded: false,
            }),
        }
    }

    /// Records how the call ended.
    pub fn end(mut self, outage: bool) {
        self.breaker.record(&self.admission, outage);
        self.recorded = true;
    }
}

impl Drop for Trial<'_> {
    fn drop(&mut self) {
        if !self.recorded && self.admission == Admission::Probe {
            self.breaker.record(&self.admission, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(cool_down_ms: u64) -> Breaker {
        Breaker::new("t".into(), Vendor::Dixa, 3, Duration::from_millis(cool_down_ms))
    }

    #[test]
    fn opens_after_failures_in_a_row_only() {
        let b = breaker(60_000);
        for _ in 0..2 {
            b.record(&b.admit(), true);
        }
        b.record(&b.admit(), false);
        for _ in 0..2 {
            b.record(&b.admit(), true);
        }
        assert_eq!(
            b.state(),
            BreakerState::Closed,
            "a success in between starts again"
        );
        b.record(&b.admit(), true);
        assert_eq!(b.state(), BreakerState::Open);
        assert!(matches!(b.admit(), Admission::Refused(_)));
    }

    #[tokio::test(start_paused = true)]
    async fn one_probe_after_the_cool_down_decides() {
        let b = breaker(1_000);
        for _ in 0..3 {
            b.record(&b.admit(), true);
        }
        tokio::time::advance(Duration::from_millis(1_001)).await;
        let probe = b.admit();
        assert_eq!(probe, Admission::Probe);
        assert!(matches!(b.admit(), Admission::Refused(_)), "one probe at a time");
        b.record(&probe, true);
        assert_eq!(b.state(), BreakerState::Open, "a failed probe reopens it");
        tokio::time::advance(Duration::from_millis(1_001)).await;
        let probe = b.admit();
        b.record(&probe, false);
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.admit(), Admission::Go);
    }

    #[test]
    fn zero_failures_means_never_open() {
        let b = Breaker::new("t".into(), Vendor::Dixa, 0, Duration::from_secs(1));
        for _ in 0..100 {
            b.record(&b.admit(), true);
        }
        assert_eq!(b.state(), BreakerState::Closed);
    }
}
