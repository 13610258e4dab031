//! Readiness, probed in the background: every `server.readiness_interval_secs` one task
//! pings the cache and makes one cheap call to every configured vendor of every tenant,
//! all at once, each bounded by `server.readiness_timeout_ms`. `/readyz` answers from the
//! latest results, so a probe hitting it every second spends no vendor's rate limit.
//! The task starts with the first `/readyz` (until then there is nobody to tell), and
//! stops before its next round once the application is gone; results older than two
//! intervals and a timeout count as stale (the task died), and `/readyz` says so. A change of a vendor's state is logged once, when it
//! happens.
//!
//! May depend on: `tenant`, `cache`, `vendors` (the `Vendor` name only).

use std::{
    future::Future,
    sync::{Arc, Mutex, PoisonError, RwLock, Weak},
    time::{Duration, Instant},
};

use chrono::{DateTime, SecondsFormat, Utc};
use futures::future::join_all;

use crate::{cache::Cache, tenant::Tenant, vendors::Vendor};

/// One vendor of one tenant, as last probed.
#[derive(Debug, Clone)]
pub struct VendorProbe {
    /// The tenant.
    pub tenant: Arc<str>,
    /// The vendor.
    pub vendor: Vendor,
    /// Why the probe failed, when it did.
    pub error: Option<String>,
    /// How long it took.
    pub latency: Duration,
}

/// The results of one probe round.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// When the round finished.
    pub checked_at: DateTime<Utc>,
    /// `memory` or `redis`.
    pub cache_backend: &'static str,
    /// Why the cache failed its ping, when it did.
    pub cache_error: Option<String>,
    /// Every vendor of every tenant.
    pub vendors: Vec<VendorProbe>,
}

impl Snapshot {
    /// Whether the cache and every vendor answered.
    pub fn all_ok(&self) -> bool {
        self.cache_error.is_none() && self.vendors.iter().all(|v| v.error.is_none())
    }

    /// `checked_at` as RFC 3339.
    pub fn checked_at_text(&self) -> String {
        self.checked_at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

/// The latest probe results; the probing task ends when this is dropped.
pub struct Readiness {
    latest: RwLock<Option<Snapshot>>,
    /// How old a snapshot may be before the prober is taken to have stopped.
    stale_after: Duration,
    /// What to probe, taken by the task when it starts.
    probe: Mutex<Option<Probe>>,
    me: Weak<Readiness>,
}

struct Probe {
    tenants: Vec<Arc<Tenant>>,
    cache: Cache,
    interval: Duration,
    timeout: Duration,
}

impl Readiness {
    /// Will probe `tenants` and `cache` every `interval`, from the first
    /// [`Readiness::latest`] on.
    pub fn new(tenants: Vec<Arc<Tenant>>, cache: Cache, interval: Duration, timeout: Duration) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            latest: RwLock::new(None),
            stale_after: interval.saturating_mul(2).saturating_add(timeout),
            probe: Mutex::new(Some(Probe {
                tenants,
                cache,
                interval,
                timeout,
            })),
            me: me.clone(),
        })
    }

    /// The latest results; `None` until the first round has finished. The first call
    /// starts the probing task (it needs a Tokio runtime).
    pub fn latest(&self) -> Option<Snapshot> {
        if let Some(probe) = self.probe.lock().unwrap_or_else(PoisonError::into_inner).take() {
            tokio::spawn(probe_forever(self.me.clone(), probe));
        }
        self.latest.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Whether `snapshot` is older than two intervals and a timeout: the prober has
    /// stopped (a panic in a probe, say), and the last word can no longer be trusted.
    pub fn is_stale(&self, snapshot: &Snapshot) -> bool {
        let age = Utc::now().signed_duration_since(snapshot.checked_at);
        age.to_std().is_ok_and(|age| age > self.stale_after)
    }

    fn store(&self, snapshot: Snapshot) {
        let mut latest = self.latest.write().unwrap_or_else(PoisonError::into_inner);
        log_changes(latest.as_ref(), &snapshot);
        *latest = Some(snapshot);
    }
}

async fn probe_forever(readiness: Weak<Readiness>, probe: Probe) {
    loop {
        if readiness.strong_count() == 0 {
            return; // the application is gone: no more vendor calls
        }
        let snapshot = probe_once(&probe.tenants, &probe.cache, probe.timeout).await;
        match readiness.upgrade() {
            Some(r) => r.store(snapshot),
            None => return,
        }
        tokio::time::sleep(probe.interval).await;
    }
}

/// One round: the cache and every vendor of every tenant, concurrently.
async fn probe_once(tenants: &[Arc<Tenant>], cache: &Cache, timeout: Duration) -> Snapshot {
    let vendor_probes = tenants.iter().flat_map(|tenant| {
        tenant
            .probes()
            .into_iter()
            .map(move |(vendor, probe)| async move {
                let started = Instant::now();
                let error = match tokio::time::timeout(timeout, probe).await {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(e.to_string()),
                    Err(_) => Some(format!("no answer within {} ms", timeout.as_millis())),
                };
                VendorProbe {
                    tenant: tenant.id.clone(),
                    vendor,
                    error,
                    latency: started.elapsed(),
                }
            })
    });
    let (vendors, cache_error) = tokio::join!(join_all(vendor_probes), within(timeout, cache.ping()));
    Snapshot {
        checked_at: Utc::now(),
        cache_backend: cache.backend(),
        cache_error,
        vendors,
    }
}

/// Why `probe` failed or took longer than `timeout`; `None` when it answered.
async fn within<E: std::fmt::Display>(
    timeout: Duration,
    probe: impl Future<Output = Result<(), E>>,
) -> Option<String> {
    match tokio::time::timeout(timeout, probe).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!("no answer within {} ms", timeout.as_millis())),
    }
}

fn log_changes(before: Option<&Snapshot>, now: &Snapshot) {
    for probe in &now.vendors {
        let was = before.and_then(|b| {
            b.vendors
                .iter()
                .find(|p| p.tenant == probe.tenant && p.vendor == probe.vendor)
        });
        let was_ok = was.is_none_or(|p| p.error.is_none());
        match (&probe.error, was_ok) {
            (Some(error), true) => {
                tracing::warn!(tenant = %probe.tenant, vendor = %probe.vendor, error, "vendor probe failing")
            }
            (None, false) => {
                tracing::info!(tenant = %probe.tenant, vendor = %probe.vendor, "vendor probe answering again")
            }
            _ => {}
        }
    }
    let cache_was_ok = before.is_none_or(|b| b.cache_error.is_none());
    match (&now.cache_error, cache_was_ok) {
        (Some(error), true) => tracing::warn!(backend = now.cache_backend, error, "cache probe failing"),
        (None, false) => tracing::info!(backend = now.cache_backend, "cache probe answering again"),
        _ => {}
    }
}
