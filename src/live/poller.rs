//! The pollers: while anyone watches a tenant's vendor, read every agent's presence of
//! that vendor once per interval and apply each to the tenant's store, which keeps the
//! last known state and broadcasts what differs.
//!
//! - Dixa: one `GET /agents/presence` (every agent at once), so one call per tenant per
//!   interval serves every watched team.
//! - With Redis, only the replica holding the lease polls; the others read the
//!   deployment's state once (for their snapshots) and get changes from the bus.
//! - Vonage: the active users who act as agents (`GET /useradmin/users`, re-read every
//!   [`AGENT_LIST_REFRESH`]), then `GET /agents/{userId}/presence` for each, a few at a
//!   time.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::Utc;
use futures::StreamExt;

use super::{Source, cluster::Cluster};
use crate::{
    presence::{PresenceEntry, VendorPresence},
    tenant::Tenant,
    vendors::{Vendor, VendorError, vonage::Include},
};

/// How often the Vonage poller re-reads which users are agents.
const AGENT_LIST_REFRESH: Duration = Duration::from_secs(60);

/// Vonage presence reads in flight at once.
const VONAGE_CONCURRENCY: usize = 8;

/// Polls `source` until nobody watches it.
pub(super) async fn run(tenant: Arc<Tenant>, source: Arc<Source>, cluster: Option<Arc<Cluster>>) {
    let vendor = source.vendor.as_str();
    tracing::info!(tenant = %tenant.id, vendor, "presence poller started");
    let mut vonage_agents: Option<(Instant, Vec<String>)> = None;
    let mut failing = false;
    let mut holding = false;
    loop {
        let leads = match &cluster {
            None => true,
            Some(c) => c.lead(&tenant.id, source.vendor, &mut holding).await,
        };
        if !leads {
            if *source.polls.borrow() == 0
                && let Some(c) = &cluster
            {
                // Another replica polls: start from what the deployment knows.
                if let Ok(entries) = c.state(&tenant.id, Some(source.vendor)).await
                    && !entries.is_empty()
                {
                    for entry in entries {
                        tenant.presence.apply_remote(entry, false);
                    }
                    source.polls.send_modify(|n| *n += 1);
                }
            }
            if wait(&source).await {
                return;
            }
            continue;
        }
        let outcome = match source.vendor {
            Vendor::Dixa => poll_dixa(&tenant).await,
            Vendor::Vonage => poll_vonage(&tenant, &mut vonage_agents).await,
            _ => Ok(()),
        };
        match outcome {
            Ok(()) => {
                if failing {
                    tracing::info!(tenant = %tenant.id, vendor, "presence poll recovered");
                    failing = false;
                }
                source.polls.send_modify(|n| *n += 1);
            }
            Err(error) => {
                if !failing {
                    tracing::warn!(tenant = %tenant.id, vendor, %error, "presence poll failed; retrying every interval");
                    failing = true;
                }
            }
        }
        if wait(&source).await {
            if holding && let Some(c) = &cluster {
                c.release(&tenant.id, source.vendor).await;
            }
            tracing::info!(tenant = %tenant.id, vendor, "presence poller stopped: nobody watches");
            return;
        }
    }
}

/// Waits one interval (less when the last subscriber leaves); whether to stop.
async fn wait(source: &Source) -> bool {
    tokio::select! {
        () = tokio::time::sleep(source.interval) => {}
        () = source.idle.notified() => {}
    }
    source.should_stop()
}

async fn poll_dixa(tenant: &Tenant) -> Result<(), VendorError> {
    let all = tenant.dixa()?.list_all_presence().await?;
    let seen = Utc::now();
    for presence in all {
        tenant.presence.apply_read(PresenceEntry::dixa(presence, seen));
    }
    Ok(())
}

async fn poll_vonage(
    tenant: &Tenant,
    agents: &mut Option<(Instant, Vec<String>)>,
) -> Result<(), VendorError> {
    let api = tenant.vonage()?;
    if agents
        .as_ref()
        .is_none_or(|(read, _)| read.elapsed() >= AGENT_LIST_REFRESH)
    {
        let users = api.list_all_users(Include::Active).await?;
        let ids = users
            .into_iter()
            .filter(|u| u.acts_as_agent())
            .map(|u| u.user_id)
            .collect();
        *agents = Some((Instant::now(), ids));
    }
    let ids = agents.as_ref().map(|(_, ids)| ids.clone()).unwrap_or_default();
    let reads = futures::stream::iter(ids)
        .map(|id| async move { api.get_agent_presence(&id).await })
        .buffer_unordered(VONAGE_CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    let mut first_error = None;
    let mut read_any = false;
    for read in reads {
        match read {
            Ok(presence) => {
                read_any = true;
                let entry = PresenceEntry::vonage(presence.clone()).unwrap_or_else(|| PresenceEntry {
                    vendor: Vendor::Vonage,
                    agent_id: presence.user_id.clone(),
                    updated: Utc::now(),
                    presence: VendorPresence::Vonage(presence),
                });
                tenant.presence.apply_read(entry);
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    match first_error {
        Some(error) if !read_any => Err(error),
        _ => Ok(()),
    }
}
