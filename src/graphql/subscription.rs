//! The subscription root: `presenceChanged`, live presence mapped from the `live` layer
//! (which owns the pollers, the diff and the fan-out) onto `Presence`.

use std::{collections::HashSet, sync::Arc};

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};

use super::{
    context::{loaders, request},
    error::{ApiError, ApiResult},
    id::{GlobalId, NodeType},
    types::{Agent, Presence, VendorKind},
    validate,
};
use crate::{
    live::{self, EventKind, Filter, LIVE_VENDORS, Live},
    loaders::{Fetch, dixa::MembersOf},
    vendors::Vendor,
};

/// Most ids one filter list may name.
const MAX_FILTER_IDS: usize = 500;

/// The subscription root.
#[derive(Default)]
pub struct SubscriptionRoot;

/// Which agents' presence to follow; every agent of the live vendors (Dixa, Vonage)
/// when empty. The lists combine: an agent must match each one given.
#[derive(Debug, Default, InputObject)]
pub struct PresenceFilter {
    /// Members of these Dixa teams (membership as of the start of the subscription).
    pub team_ids: Option<Vec<ID>>,
    /// These agents (global ids of Dixa or Vonage agents).
    pub agent_ids: Option<Vec<ID>>,
    /// Agents on these vendors (`DIXA`, `VONAGE`: the vendors whose presence is live).
    pub vendors: Option<Vec<VendorKind>>,
}

/// Whether an event is part of a snapshot or a change.
#[derive(Debug, Enum, Clone, Copy, PartialEq, Eq)]
pub enum PresenceEventKind {
    /// The current presence of one covered agent: sent first with `includeSnapshot`, and
    /// again for every covered agent when the server had to drop changes for this
    /// subscriber (it fell behind), so the client stays consistent.
    Snapshot,
    /// The agent's presence changed from `previous` to `presence`.
    Change,
}

/// One agent's presence, as it changed or as it stands.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct PresenceEvent {
    /// A snapshot entry or a change.
    pub kind: PresenceEventKind,
    /// The global id of the agent.
    pub agent_id: ID,
    /// The vendor the presence is on.
    pub vendor: VendorKind,
    /// The presence now.
    pub presence: Presence,
    /// The presence before, as this subscriber last saw it (changes only).
    pub previous: Option<Presence>,
    /// When the change happened (the vendor's time where it says, else when it was seen).
    pub changed_at: DateTime<Utc>,
}

#[ComplexObject]
impl PresenceEvent {
    /// The agent.
    async fn agent(&self, ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        self.presence.agent_of(ctx).await
    }
}

impl From<live::Event> for PresenceEvent {
    fn from(e: live::Event) -> Self {
        Self {
            kind: match e.kind {
                EventKind::Snapshot => PresenceEventKind::Snapshot,
                EventKind::Change => PresenceEventKind::Change,
            },
            agent_id: GlobalId::new(NodeType::Agent, e.current.vendor, &e.current.agent_id).encode(),
            vendor: e.current.vendor.into(),
            presence: Presence::from_entry(&e.current),
            previous: e.previous.as_ref().map(Presence::from_entry),
            changed_at: e.current.updated,
        }
    }
}

#[Subscription]
impl SubscriptionRoot {
    /// Presence changes of the agents `filter` covers, pushed as they happen (polled
    /// from Dixa and Vonage while anyone subscribes, and pushed by Vonage webhooks).
    /// With `includeSnapshot` (false when absent) the stream starts with the current presence of every
    /// covered agent (`kind: SNAPSHOT`).
    async fn presence_changed(
        &self,
        ctx: &Context<'_>,
        filter: Option<PresenceFilter>,
        include_snapshot: Option<bool>,
    ) -> async_graphql::Result<impl Stream<Item = PresenceEvent> + use<>> {
        let tenant = request(ctx).map_err(async_graphql::Error::from)?.tenant.clone();
        let live = ctx
            .data::<Arc<Live>>()
            .map_err(|_| async_graphql::Error::from(ApiError::internal("live presence missing")))?;
        let hub = live
            .hub(&tenant.id)
            .ok_or_else(|| async_graphql::Error::from(ApiError::internal("no live hub for the tenant")))?
            .clone();
        // Boxed: the field's stream is sized for its largest state and lives as long as
        // the subscription, so the team lookup's state would be kept by every subscriber.
        let filter = Box::pin(resolve_filter(ctx, filter.unwrap_or_default()))
            .await
            .map_err(async_graphql::Error::from)?;
        if !hub.serves(&filter) {
            return Err(ApiError::bad_input(
                "filter",
                "covers no agent of a vendor this tenant has live presence from (DIXA, VONAGE)",
            )
            .into());
        }
        let subscription = hub.subscribe(filter, include_snapshot.unwrap_or(false), live.closing());
        Ok(subscription.into_stream().map(PresenceEvent::from))
    }
}

/// Reads `filter` into the live layer's terms, checking every id.
async fn resolve_filter(ctx: &Context<'_>, filter: PresenceFilter) -> ApiResult<Filter> {
    let mut out = Filter::default();
    if let Some(vendors) = filter.vendors {
        let vendors: HashSet<Vendor> = vendors.into_iter().map(Vendor::from).collect();
        if let Some(v) = vendors.iter().find(|v| !LIVE_VENDORS.contains(v)) {
            return Err(ApiError::bad_input(
                "filter.vendors",
                format!("{} has no live presence (live vendors: DIXA, VONAGE)", v.as_str()),
            ));
        }
        out.vendors = Some(vendors);
    }
    let mut agents: Option<HashSet<(Vendor, String)>> = None;
    if let Some(ids) = filter.agent_ids {
        check_len("filter.agentIds", ids.len())?;
        let mut set = HashSet::new();
        for (i, raw) in ids.iter().enumerate() {
            let field = format!("filter.agentIds[{i}]");
            let id = GlobalId::decode_as(&field, raw, NodeType::Agent)?;
            if !LIVE_VENDORS.contains(&id.vendor) {
                return Err(ApiError::bad_input(
                    field,
                    format!(
                        "a {} agent has no live presence (live vendors: DIXA, VONAGE)",
                        id.vendor.as_str()
                    ),
                ));
            }
            set.insert((id.vendor, id.vendor_id));
        }
        agents = Some(set);
    }
    if let Some(ids) = filter.team_ids {
        check_len("filter.teamIds", ids.len())?;
        let dixa = loaders(ctx)?.dixa()?;
        let mut members = HashSet::new();
        for (i, raw) in ids.iter().enumerate() {
            let field = format!("filter.teamIds[{i}]");
            let team = validate::node_id(&field, raw, NodeType::Team, Vendor::Dixa)?;
            let Some(list) = dixa.fetch_one(MembersOf(team)).await? else {
                return Err(ApiError::bad_input(field, "no such team"));
            };
            members.extend(list.iter().map(|m| (Vendor::Dixa, m.id.clone())));
        }
        // The subscription keeps its loaders for as long as it runs: keep only the ids.
        dixa.clear::<MembersOf>();
        agents = Some(match agents {
            Some(named) => named.intersection(&members).cloned().collect(),
            None => members,
        });
    }
    out.agents = agents.map(Filter::agents_of);
    Ok(out)
}

fn check_len(field: &str, n: usize) -> ApiResult<()> {
    if n == 0 {
        return Err(ApiError::bad_input(field, "must name at least one id"));
    }
    if n > MAX_FILTER_IDS {
        return Err(ApiError::bad_input(
            field,
            format!("must name at most {MAX_FILTER_IDS} ids (got {n})"),
        ));
    }
    Ok(())
}
