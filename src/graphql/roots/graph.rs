//! The vendor-neutral roots: `agents` and `supervisors` over every vendor the tenant has
//! configured, each vendor's whole list read at once (concurrently, through the cached
//! loaders), filtered, and merged into one documented order with cursors that record
//! each vendor's position (`merged.rs`). A vendor that fails leaves its part out of the
//! page and its error beside the data.
//!
//! May depend on: `graphql` (types, people, merged, validate, the vendors' own filter
//! objects of `roots::webex` and `roots::huawei`), `loaders` (Dixa's team members).

use async_graphql::{Context, ID, InputObject, Object};

use super::{huawei::AiccAgentFilter, webex::WebexListFilter};
use crate::{
    graphql::{
        connection::{ListConnection, page_size},
        context::loaders,
        error::{ApiError, ApiResult},
        id::NodeType,
        merged::{self, Part, Positions},
        people::{self, OrderKey, VendorLists, normalise_email},
        types::{Agent, Supervisor, VendorKind, agent_dixa::presence_ahead, presence::Availability},
        validate,
    },
    loaders::Fetch as _,
    loaders::dixa::MembersOf,
    vendors::{Vendor, webex::ListFilter},
};

/// Longest `search` accepted.
pub const MAX_SEARCH: usize = 100;
/// Longest `email` filter accepted.
pub const MAX_EMAIL: usize = 254;

/// Which agents `agents` lists. Every condition given must hold.
#[derive(Debug, Default, InputObject)]
pub struct AgentFilter {
    /// Only accounts on these vendors (every vendor the tenant has configured when
    /// absent; naming one it has not configured is an error beside the data).
    pub vendors: Option<Vec<VendorKind>>,
    /// A case-insensitive substring of the display name or the email.
    pub search: Option<String>,
    /// Only accounts whose email matches this one once both are normalised: trimmed,
    /// lower-cased, and without a plus-address tag (`local+tag@domain` matches
    /// `local@domain`).
    pub email: Option<String>,
    /// Only members of this team (a team's global id). Teams are Dixa's, so no other
    /// vendor's agent matches.
    pub team_id: Option<ID>,
    /// Only agents whose presence has this availability. Reads each listed agent's
    /// presence; vendors that report no presence (Webex, Huawei AICC) never match.
    pub availability: Option<Availability>,
    /// Webex's own filters (`name`, `phoneNumber`, `hasCxEssentials`), sent to Webex;
    /// they narrow Webex's part only. Webex's `order` is not offered: this list has one
    /// documented order of its own.
    pub webex: Option<WebexListFilter>,
    /// Huawei AICC's own filters (`agentTypes`), sent to AICC; they narrow AICC's part
    /// only.
    pub aicc: Option<AiccAgentFilter>,
}

/// Which supervisors `supervisors` lists. Every condition given must hold.
#[derive(Debug, Default, InputObject)]
pub struct SupervisorFilter {
    /// Only supervisors on these vendors (Webex and Vonage have supervisors; every one
    /// the tenant has configured when absent).
    pub vendors: Option<Vec<VendorKind>>,
    /// A case-insensitive substring of the display name or the email.
    pub search: Option<String>,
    /// Only supervisors whose email matches this one once both are normalised, as in
    /// `AgentFilter.email`.
    pub email: Option<String>,
    /// Webex's own filters (`name`, `phoneNumber`, `hasCxEssentials`), sent to Webex;
    /// they narrow Webex's part only (no `order`: this list has one of its own).
    pub webex: Option<WebexListFilter>,
}

/// The vendor-neutral conditions, checked.
#[derive(Debug, Default)]
struct Conditions {
    /// Lower-cased.
    search: Option<String>,
    /// Normalised.
    email: Option<String>,
    /// A Dixa team id.
    team: Option<String>,
    availability: Option<Availability>,
}

/// A checked `search` (at `field`): trimmed, 1 to [`MAX_SEARCH`] characters,
/// lower-cased.
pub(crate) fn search_text(field: &str, raw: Option<String>) -> ApiResult<Option<String>> {
    raw.map(|s| validate::name(field, &s, MAX_SEARCH).map(|s| s.to_lowercase()))
        .transpose()
}

/// A checked `email` filter (at `field`), normalised as accounts are matched
/// ([`normalise_email`]).
pub(crate) fn email_filter(field: &str, raw: Option<String>) -> ApiResult<Option<String>> {
    raw.map(|e| {
        let e = validate::name(field, &e, MAX_EMAIL)?;
        normalise_email(&e).ok_or_else(|| ApiError::bad_input(field, "must not be empty"))
    })
    .transpose()
}

/// Whether any of `texts` contains `search` (lower-cased by [`search_text`]), in any
/// case; true when there is no `search`.
pub(crate) fn found_in<'a>(search: Option<&str>, texts: impl IntoIterator<Item = Option<&'a str>>) -> bool {
    search.is_none_or(|s| {
        texts
            .into_iter()
            .flatten()
            .any(|text| text.to_lowercase().contains(s))
    })
}

/// Whether `email` matches `wanted` (normalised by [`email_filter`]) once normalised;
/// true when nothing is wanted.
pub(crate) fn email_matches(wanted: Option<&str>, email: Option<&str>) -> bool {
    wanted.is_none_or(|wanted| email.and_then(normalise_email).as_deref() == Some(wanted))
}

impl Conditions {
    fn read(search: Option<String>, email: Option<String>) -> ApiResult<Self> {
        Ok(Self {
            search: search_text("filter.search", search)?,
            email: email_filter("filter.email", email)?,
            ..Self::default()
        })
    }

    fn needs_email(&self) -> bool {
        self.search.is_some() || self.email.is_some()
    }

    /// Whether an account named `name` with `email` passes `search` and `email`.
    fn matches(&self, name: Option<&str>, email: Option<&str>) -> bool {
        found_in(self.search.as_deref(), [name, email]) && email_matches(self.email.as_deref(), email)
    }
}

/// The vendors asked for, in the documented vendor order, and whether they were named.
fn vendors(asked: Option<Vec<VendorKind>>, have: &[Vendor]) -> (Vec<Vendor>, bool) {
    match asked {
        None => (have.to_vec(), false),
        Some(asked) => {
            let asked: Vec<Vendor> = asked.into_iter().map(Vendor::from).collect();
            (have.iter().copied().filter(|v| asked.contains(v)).collect(), true)
        }
    }
}

/// A vendor's items with their places in the order.
type Keyed<N> = Vec<(OrderKey, N)>;

/// The parts of a merged list from each vendor's result: a vendor the tenant has not
/// configured is left out silently unless it was named.
fn parts<N>(results: Vec<(Vendor, ApiResult<Keyed<N>>)>, named: bool) -> Vec<(Vendor, Part<OrderKey, N>)> {
    results
        .into_iter()
        .filter_map(|(vendor, result)| match result {
            Ok(items) => Some((vendor, Part::Listed(items))),
            Err(e) if people::is_not_configured(&e) && !named => None,
            Err(e) => Some((vendor, Part::Failed(e))),
        })
        .collect()
}

/// `vendor`'s agents that pass `conditions`, with their keys.
async fn agent_part(
    ctx: &Context<'_>,
    vendor: Vendor,
    lists: &VendorLists,
    conditions: &Conditions,
) -> ApiResult<Keyed<Agent>> {
    let mut agents = people::agents_of(ctx, vendor, lists).await?;
    if let Some(team) = &conditions.team {
        let members = loaders(ctx)?
            .dixa()?
            .fetch_one(MembersOf(team.clone()))
            .await?
            .unwrap_or_default();
        let members: std::collections::HashSet<&str> = members.iter().map(|m| m.id.as_str()).collect();
        agents.retain(|a| members.contains(a.account_id()));
    }
    if conditions.needs_email() {
        let emails = futures::future::try_join_all(agents.iter().map(|a| a.email_of(ctx))).await?;
        agents = agents
            .into_iter()
            .zip(emails)
            .filter(|(a, e)| conditions.matches(a.name().as_deref(), e.as_deref()))
            .map(|(a, _)| a)
            .collect();
    }
    if let Some(wanted) = conditions.availability {
        presence_ahead(ctx, &agents, true);
        let presence = futures::future::try_join_all(agents.iter().map(|a| a.presence_of(ctx))).await?;
        agents = agents
            .into_iter()
            .zip(presence)
            .filter(|(_, p)| p.as_ref().is_some_and(|p| p.normalised_availability() == wanted))
            .map(|(a, _)| a)
            .collect();
    }
    Ok(agents.into_iter().map(|a| (OrderKey::of_agent(&a), a)).collect())
}

/// `vendor`'s supervisors that pass `conditions`, with their keys.
async fn supervisor_part(
    ctx: &Context<'_>,
    vendor: Vendor,
    webex: &ListFilter,
    conditions: &Conditions,
) -> ApiResult<Keyed<Supervisor>> {
    let mut supervisors = people::supervisors_of(ctx, vendor, webex).await?;
    if conditions.needs_email() {
        let emails = futures::future::try_join_all(supervisors.iter().map(|s| s.email_of(ctx))).await?;
        supervisors = supervisors
            .into_iter()
            .zip(emails)
            .filter(|(s, e)| conditions.matches(s.name().as_deref(), e.as_deref()))
            .map(|(s, _)| s)
            .collect();
    }
    Ok(supervisors
        .into_iter()
        .map(|s| (OrderKey::of_supervisor(&s), s))
        .collect())
}

/// The vendor-neutral queries.
#[derive(Default)]
pub struct GraphQuery;

#[Object]
impl GraphQuery {
    /// Agent accounts on every vendor the tenant has configured: Webex's agents (the
    /// organisation's available agents: people, workspaces, virtual lines), Huawei
    /// AICC's agent accounts, Dixa's agents, and the active Vonage users who act as
    /// agents. One person with accounts on several vendors appears once per account
    /// (see `linkedAgents`).
    ///
    /// Order: by display name (trimmed, inner spaces collapsed, lower-cased; accounts
    /// without a name last), then by vendor (WEBEX, HUAWEI_AICC, DIXA, VONAGE), then by
    /// the vendor's id. Each vendor's list is read whole and the lists are merged in that
    /// order; a cursor records the key of its account, and the next page resumes after
    /// that key in every vendor's list, so accounts added or removed between pages never
    /// make another one repeat or go missing. Keep the filter the same from page to page.
    /// `totalCount` is exact: the sum over the vendors that answered.
    ///
    /// A vendor that fails contributes nothing to the page, and an error with
    /// `extensions.vendor` says so; the cursors keep its position, so a later page
    /// resumes its list where it stood (`hasNextPage` counts only the vendors that
    /// answered).
    async fn agents(
        &self,
        ctx: &Context<'_>,
        filter: Option<AgentFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<ListConnection<Agent>> {
        let first = page_size(first)?;
        let after = Positions::<OrderKey>::decode("agents", after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let mut conditions = Conditions::read(filter.search, filter.email)?;
        conditions.availability = filter.availability;
        conditions.team = filter
            .team_id
            // Checked as `team(id:)` checks it, so the one id is accepted by both.
            .map(|id| validate::node_id("filter.teamId", &id, NodeType::Team, Vendor::Dixa))
            .transpose()?;
        let lists = VendorLists {
            webex: filter.webex.unwrap_or_default().checked("filter.webex.", None)?,
            aicc_agent_types: filter.aicc.unwrap_or_default().codes(),
        };
        // Teams are Dixa's: with a team, no other vendor can have a match to list; only
        // Dixa and Vonage report presence, so only they can match an availability.
        let have: &[Vendor] = if conditions.team.is_some() {
            &[Vendor::Dixa]
        } else if conditions.availability.is_some() {
            &[Vendor::Dixa, Vendor::Vonage]
        } else {
            &Vendor::ALL
        };
        let (vendors, named) = vendors(filter.vendors, have);
        let (lists, conditions) = (&lists, &conditions);
        let results = futures::future::join_all(
            vendors
                .into_iter()
                .map(|vendor| async move { (vendor, agent_part(ctx, vendor, lists, conditions).await) }),
        )
        .await;
        let (connection, failed) = merged::page("agents", parts(results, named), first, after);
        for (vendor, e) in failed {
            people::report(ctx, vendor, e);
        }
        presence_ahead(ctx, connection.edges.iter().map(|e| &e.node), false);
        Ok(connection)
    }

    /// Supervisors on every vendor the tenant has configured that has them: Webex
    /// Calling's supervisors and the active Vonage users whose role is Supervisor. In
    /// `agents`' order (display name, vendor, vendor id), paged, counted and reported as
    /// `agents` is.
    async fn supervisors(
        &self,
        ctx: &Context<'_>,
        filter: Option<SupervisorFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<ListConnection<Supervisor>> {
        let first = page_size(first)?;
        let after = Positions::<OrderKey>::decode("supervisors", after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let conditions = Conditions::read(filter.search, filter.email)?;
        let webex = filter.webex.unwrap_or_default().checked("filter.webex.", None)?;
        let (vendors, named) = vendors(filter.vendors, &people::SUPERVISOR_VENDORS);
        let (webex, conditions) = (&webex, &conditions);
        let results =
            futures::future::join_all(vendors.into_iter().map(|vendor| async move {
                (vendor, supervisor_part(ctx, vendor, webex, conditions).await)
            }))
            .await;
        let (connection, failed) = merged::page("supervisors", parts(results, named), first, after);
        for (vendor, e) in failed {
            people::report(ctx, vendor, e);
        }
        Ok(connection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_looks_at_name_and_email_and_email_is_normalised() {
        let c = Conditions::read(Some(" GARCIA ".into()), None).unwrap();
        assert!(c.matches(Some("Sofia Garcia"), None));
        assert!(c.matches(None, Some("Sofia.Garcia@example.com")));
        assert!(!c.matches(Some("Ava"), Some("ava@example.com")));
        let c = Conditions::read(None, Some("Sofia.Garcia+x@EXAMPLE.com".into())).unwrap();
        assert!(c.matches(None, Some("sofia.garcia@example.com")));
        assert!(!c.matches(Some("Sofia Garcia"), None));
        let err = Conditions::read(Some(" ".into()), None).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("filter.search"));
    }

    #[test]
    fn vendors_keep_the_documented_order() {
        let (v, named) = vendors(Some(vec![VendorKind::Vonage, VendorKind::Webex]), &Vendor::ALL);
        assert_eq!(v, [Vendor::Webex, Vendor::Vonage]);
        assert!(named);
        let (v, named) = vendors(None, &people::SUPERVISOR_VENDORS);
        assert_eq!(v, people::SUPERVISOR_VENDORS);
        assert!(!named);
    }
}
