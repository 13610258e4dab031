//! One person across vendors: the email rule that says two accounts belong to the same
//! person, the order the vendor-neutral lists are merged in, and each configured
//! vendor's whole list of agents and of supervisors, read through the loaders (the same
//! cached lists the vendor-specific roots read).
//!
//! May depend on: `graphql::{context, error, types}`, `loaders`, `vendors`.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, PoisonError},
};

use async_graphql::{Context, ErrorExtensions};

use super::{
    context::{loaders, request},
    error::{ApiError, ApiResult},
    types::{
        Agent, Supervisor, User, supervisor_vonage::VonageSupervisor, supervisor_webex::WebexSupervisor,
    },
};
use crate::{
    loaders::Fetch as _,
    loaders::{
        dixa::AllAgents,
        huawei,
        vonage::{AllUsers, SupervisorUsers},
        webex::{AvailableAgents, Supervisors},
    },
    vendors::{Vendor, VendorErrorKind, vonage::Include, webex::ListFilter},
};

/// The vendors whose people can be supervisors.
pub const SUPERVISOR_VENDORS: [Vendor; 2] = [Vendor::Webex, Vendor::Vonage];

/// An email as accounts are matched by: trimmed, lower-cased, and without a
/// plus-address tag (`local+tag@domain` is `local@domain`). `None` when nothing is left.
/// The one place this rule lives.
pub fn normalise_email(raw: &str) -> Option<String> {
    let lower = raw.trim().to_lowercase();
    let normalised = match lower.rsplit_once('@') {
        Some((local, domain)) => match local.split_once('+') {
            Some((base, _tag)) if !base.is_empty() => format!("{base}@{domain}"),
            _ => lower.clone(),
        },
        None => lower,
    };
    (!normalised.is_empty()).then_some(normalised)
}

/// Where an item goes in a vendor-neutral list: by normalised display name (trimmed,
/// inner whitespace collapsed, lower-cased; items without a name last), then by vendor
/// (`WEBEX`, `HUAWEI_AICC`, `DIXA`, `VONAGE`), then by the vendor's id. In a cursor it
/// is `[name, vendor, vendorId]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(from = "(String, Vendor, String)", into = "(String, Vendor, String)")]
pub struct OrderKey {
    unnamed: bool,
    name: String,
    vendor: Vendor,
    vendor_id: String,
}

impl From<(String, Vendor, String)> for OrderKey {
    fn from((name, vendor, vendor_id): (String, Vendor, String)) -> Self {
        Self::new(Some(&name), vendor, &vendor_id)
    }
}

impl From<OrderKey> for (String, Vendor, String) {
    fn from(key: OrderKey) -> Self {
        (key.name, key.vendor, key.vendor_id)
    }
}

impl OrderKey {
    /// The key of an item named `display_name` with `vendor_id` on `vendor`.
    pub fn new(display_name: Option<&str>, vendor: Vendor, vendor_id: &str) -> Self {
        let name = display_name
            .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase())
            .unwrap_or_default();
        Self {
            unnamed: name.is_empty(),
            name,
            vendor,
            vendor_id: vendor_id.to_owned(),
        }
    }

    /// The key of `agent`.
    pub fn of_agent(agent: &Agent) -> Self {
        Self::new(
            agent.name().as_deref(),
            agent.account_vendor(),
            agent.account_id(),
        )
    }

    /// The key of `supervisor`.
    pub fn of_supervisor(supervisor: &Supervisor) -> Self {
        Self::new(
            supervisor.name().as_deref(),
            supervisor.account_vendor(),
            supervisor.account_id(),
        )
    }
}

/// What narrows one vendor's list before the vendor-neutral filters apply.
#[derive(Debug, Clone, Default)]
pub struct VendorLists {
    /// Webex's list filters (`name`, `phoneNumber`, `hasCxEssentials`), sent to Webex.
    pub webex: ListFilter,
    /// AICC agent types (all when empty), sent to AICC.
    pub aicc_agent_types: Vec<i32>,
}

/// Every agent account on `vendor`: Webex's org-wide available agents, AICC's agent
/// accounts, Dixa's agents, and the active Vonage users who act as agents.
pub async fn agents_of(ctx: &Context<'_>, vendor: Vendor, lists: &VendorLists) -> ApiResult<Vec<Agent>> {
    let loaders = loaders(ctx)?;
    Ok(match vendor {
        Vendor::Webex => loaders
            .webex()?
            .fetch_one(AvailableAgents(lists.webex.clone()))
            .await?
            .map(|all| all.iter().cloned().map(Agent::new).collect())
            .unwrap_or_default(),
        Vendor::HuaweiAicc => huawei::all_agents(loaders.huawei()?, &lists.aicc_agent_types)
            .await?
            .into_iter()
            .map(Agent::new)
            .collect(),
        Vendor::Dixa => loaders
            .dixa()?
            .load_one(AllAgents)
            .await?
            .map(|all| all.iter().cloned().map(Agent::shared).collect())
            .unwrap_or_default(),
        Vendor::Vonage => loaders
            .vonage()?
            .fetch_one(AllUsers(Include::Active))
            .await?
            .map(|all| {
                all.iter()
                    .filter(|u| u.acts_as_agent())
                    .cloned()
                    .map(Agent::new)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Every supervisor on `vendor`: Webex's supervisors (narrowed by `webex`), and the
/// active Vonage users whose role is Supervisor. Other vendors have none.
pub async fn supervisors_of(
    ctx: &Context<'_>,
    vendor: Vendor,
    webex: &ListFilter,
) -> ApiResult<Vec<Supervisor>> {
    let loaders = loaders(ctx)?;
    Ok(match vendor {
        Vendor::Webex => loaders
            .webex()?
            .fetch_one(Supervisors(webex.clone()))
            .await?
            .map(|all| {
                all.iter()
                    .cloned()
                    .map(|s| Supervisor::new(WebexSupervisor::from_summary(s)))
                    .collect()
            })
            .unwrap_or_default(),
        Vendor::Vonage => loaders
            .vonage()?
            .fetch_one(SupervisorUsers)
            .await?
            .map(|all| {
                all.iter()
                    .cloned()
                    .map(|u| Supervisor::new(VonageSupervisor(u)))
                    .collect()
            })
            .unwrap_or_default(),
        Vendor::HuaweiAicc | Vendor::Dixa => Vec::new(),
    })
}

/// Whether `e` says the tenant has no connection to the vendor.
pub fn is_not_configured(e: &ApiError) -> bool {
    e.vendor
        .as_ref()
        .is_some_and(|v| v.kind == VendorErrorKind::NotConfigured)
}

/// Reports `vendor`'s failure next to the data of the field being resolved, with
/// `extensions.vendor` set even when the failure did not come from the vendor's answer.
pub fn report(ctx: &Context<'_>, vendor: Vendor, e: ApiError) {
    let from_vendor = e.vendor.is_some();
    let mut error: async_graphql::Error = e.into();
    if !from_vendor {
        error = error.extend_with(|_, ext| ext.set("vendor", vendor.as_str()));
    }
    ctx.add_error(ctx.set_error_path(error.into_server_error(ctx.item.pos)));
}

/// The same person's agent accounts: every configured vendor's agents whose email
/// normalises to `email`'s, but the account `this` (vendor, vendor id) itself, in the
/// vendor-neutral order. A vendor that fails is reported beside the answer and left out.
pub async fn linked_agents(
    ctx: &Context<'_>,
    this: Option<(Vendor, &str)>,
    email: Option<&str>,
) -> ApiResult<Vec<Agent>> {
    let Some(wanted) = email.and_then(normalise_email) else {
        return Ok(Vec::new());
    };
    let wanted = &wanted;
    let read = futures::future::join_all(
        Vendor::ALL
            .into_iter()
            .map(|vendor| async move { (vendor, with_email(ctx, vendor, wanted).await) }),
    )
    .await;
    let mut linked = Vec::new();
    for (vendor, result) in read {
        match result {
            Ok(agents) => linked.extend(
                agents
                    .into_iter()
                    .filter(|a| this != Some((a.account_vendor(), a.account_id()))),
            ),
            Err(e) if is_not_configured(&e) => {}
            Err(e) => {
                if request(ctx)?.people.first_report(vendor) {
                    report(ctx, vendor, e);
                }
            }
        }
    }
    linked.sort_by_cached_key(OrderKey::of_agent);
    Ok(linked)
}

/// The active Vonage user (of any role) whose email normalises to `wanted` (already
/// normalised); `None` when there is none, or the tenant has no Vonage.
pub async fn vonage_user_with_email(ctx: &Context<'_>, wanted: &str) -> ApiResult<Option<User>> {
    let Ok(vonage) = loaders(ctx)?.vonage() else {
        return Ok(None);
    };
    let users = vonage
        .fetch_one(AllUsers(Include::Active))
        .await?
        .unwrap_or_default();
    Ok(users
        .iter()
        .find(|u| u.email.as_deref().and_then(normalise_email).as_deref() == Some(wanted))
        .cloned()
        .map(User::new))
}

/// What one request learned of who is who: per vendor, its agents by normalised email,
/// built the first time a field asks (so a page of 500 agents asking `linkedAgents`
/// reads and indexes each vendor's list once, not 500 times), and which vendors'
/// failures were already reported (once per request, not once per field).
#[derive(Default)]
pub struct RequestPeople {
    by_email: [tokio::sync::OnceCell<Result<Arc<EmailIndex>, ApiError>>; 4],
    reported: Mutex<HashSet<Vendor>>,
}

type EmailIndex = HashMap<String, Vec<Agent>>;

impl RequestPeople {
    fn slot(&self, vendor: Vendor) -> &tokio::sync::OnceCell<Result<Arc<EmailIndex>, ApiError>> {
        let at = Vendor::ALL.iter().position(|v| *v == vendor).unwrap_or(0);
        &self.by_email[at]
    }

    /// Whether `vendor`'s failure is reported for the first time in this request.
    fn first_report(&self, vendor: Vendor) -> bool {
        self.reported
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(vendor)
    }
}

/// `vendor`'s agent accounts whose email normalises to `wanted`.
async fn with_email(ctx: &Context<'_>, vendor: Vendor, wanted: &str) -> ApiResult<Vec<Agent>> {
    let people = &request(ctx)?.people;
    let index = people
        .slot(vendor)
        .get_or_init(|| async {
            let agents = agents_of(ctx, vendor, &VendorLists::default()).await?;
            let emails = futures::future::try_join_all(agents.iter().map(|a| a.email_of(ctx))).await?;
            let mut index = EmailIndex::new();
            for (agent, email) in agents.into_iter().zip(emails) {
                if let Some(email) = email.as_deref().and_then(normalise_email) {
                    index.entry(email).or_default().push(agent);
                }
            }
            Ok(Arc::new(index))
        })
        .await
        .clone()?;
    Ok(index.get(wanted).cloned().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lower_cased_and_lose_their_plus_tag() {
        assert_eq!(
            normalise_email("  Sofia.Garcia@Example.com ").as_deref(),
            Some("sofia.garcia@example.com")
        );
        assert_eq!(
            normalise_email("ava.thompson+chat@example.com").as_deref(),
            Some("ava.thompson@example.com")
        );
        assert_eq!(normalise_email("A+b+c@x.org").as_deref(), Some("a@x.org"));
        // A tag with nothing before it is not a tag; the domain keeps a `+`.
        assert_eq!(normalise_email("+x@y.org").as_deref(), Some("+x@y.org"));
        assert_eq!(normalise_email("a@b+c.org").as_deref(), Some("a@b+c.org"));
        assert_eq!(normalise_email("   "), None);
    }

    #[test]
    fn the_order_is_name_then_vendor_then_id() {
        let mut keys = [
            OrderKey::new(Some("liam  Patel"), Vendor::Dixa, "2"),
            OrderKey::new(None, Vendor::Webex, "0"),
            OrderKey::new(Some("Liam Patel"), Vendor::Webex, "9"),
            OrderKey::new(Some("Ava"), Vendor::Vonage, "1"),
            OrderKey::new(Some("Liam Patel"), Vendor::Dixa, "1"),
        ];
        keys.sort();
        let order: Vec<(Vendor, &str)> = keys.iter().map(|k| (k.vendor, k.vendor_id.as_str())).collect();
        assert_eq!(
            order,
            [
                (Vendor::Vonage, "1"),
                (Vendor::Webex, "9"),
                (Vendor::Dixa, "1"),
                (Vendor::Dixa, "2"),
                (Vendor::Webex, "0"),
            ]
        );
    }
}
