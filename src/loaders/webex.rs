//! Webex Calling's loaders: supervisors (the lists and one by id), the org's available
//! supervisors and agents, locations and their available agents, the emails of the
//! org's people (only the location lists carry them), and the supervisor writes, which
//! invalidate what they change before they return.

use std::{collections::HashMap, future::Future, sync::Arc};

use async_graphql::dataloader::Loader;

use super::{Outcome, RequestLoader, each_key, each_key_cached};
use crate::{
    cache::{Cache, CacheKey, TtlClass},
    vendors::VendorErrorKind,
    vendors::{
        Vendor, VendorError,
        webex::{
            Agent, AgentChange, AgentStatus, ListFilter, Location, Supervisor, SupervisorDetail, WebexApi,
            ids::uuid_of,
        },
    },
};

/// The supervisors matching a filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Supervisors(pub ListFilter);
/// One supervisor with its agents, by Webex id; `has_cx_essentials` is passed on as
/// `hasCxEssentials` (Webex needs `true` to show a CX Essentials supervisor).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SupervisorById {
    /// The supervisor's Webex id.
    pub id: String,
    /// `hasCxEssentials`.
    pub has_cx_essentials: Option<bool>,
}

impl SupervisorById {
    /// The read of a listed supervisor's agents: with `hasCxEssentials=true` for a
    /// Customer Assist supervisor, as Webex requires.
    pub fn of(summary: &crate::vendors::webex::Supervisor) -> Self {
        Self {
            id: summary.id.clone(),
            has_cx_essentials: summary.has_cx_essentials.filter(|cx| *cx),
        }
    }
}
/// People who could become supervisors.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AvailableSupervisors(pub ListFilter);
/// Agents who could be assigned to a supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AvailableAgents(pub ListFilter);
/// The agents available in a location.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocationAgents {
    /// The location's Webex id.
    pub location_id: String,
    /// `hasCxEssentials`: CX Essentials agents when true, CX Basic ones otherwise.
    pub has_cx_essentials: Option<bool>,
}
/// The organisation's locations.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Locations;
/// The email of every person, workspace or line the location lists show, by the UUID
/// inside its Webex id. Webex's supervisor and org-wide agent lists carry no email; the
/// agents available in each location (CX Essentials and CX Basic) do.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PeopleEmails;

/// Reads Webex Calling through the cache for one tenant.
pub struct WebexLoader {
    api: Arc<dyn WebexApi>,
    cache: Cache,
    tenant: Arc<str>,
}

/// The cache id of a licence filter.
/// Webex refuses (400) to show or change a supervisor with a Customer Assist licence
/// unless `hasCxEssentials=true`. When the caller did not say which the supervisor has,
/// ask as for a Basic one and, on that refusal, once more as for a Customer Assist one.
async fn with_cx_fallback<T, F, Fut>(has_cx_essentials: Option<bool>, call: F) -> Result<T, VendorError>
where
    F: Fn(Option<bool>) -> Fut,
    Fut: Future<Output = Result<T, VendorError>>,
{
    match call(has_cx_essentials).await {
        Err(e) if has_cx_essentials.is_none() && e.status == Some(400) => call(Some(true)).await,
        other => other,
    }
}

fn cx_key(cx: Option<bool>) -> &'static str {
    match cx {
        None => "all",
        Some(true) => "cx",
        Some(false) => "basic",
    }
}

const CX_KEYS: [Option<bool>; 3] = [None, Some(true), Some(false)];

impl WebexLoader {
    /// A loader over `api` for `tenant`.
    pub fn new(api: Arc<dyn WebexApi>, cache: Cache, tenant: Arc<str>) -> Self {
        Self { api, cache, tenant }
    }

    fn key(&self, resource: &str, id: Option<&str>) -> CacheKey {
        CacheKey::new(&self.tenant, Vendor::Webex.as_str(), resource, id)
    }

    /// A filtered list: through the cache when only the licence filter is set (those
    /// keys are few, so writes can invalidate them); straight from Webex otherwise.
    async fn list<T, Fut>(
        &self,
        resource: &str,
        filter: &ListFilter,
        fetch: impl FnOnce() -> Fut,
    ) -> Result<Arc<Vec<T>>, VendorError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<Vec<T>, VendorError>>,
    {
        let items = if filter.is_plain() {
            let key = self.key(resource, Some(cx_key(filter.has_cx_essentials)));
            self.cache.get_or_fetch(&key, TtlClass::Directory, fetch).await?
        } else {
            fetch().await?
        };
        Ok(Arc::new(items))
    }

    /// The locations, through the cache.
    async fn locations(&self) -> Result<Vec<Location>, VendorError> {
        self.cache
            .get_or_fetch(&self.key("locations", None), TtlClass::Reference, || {
                self.api.list_locations()
            })
            .await
    }

    /// The agents available in a location, through the cache.
    async fn location_agents(
        &self,
        location_id: &str,
        has_cx_essentials: Option<bool>,
    ) -> Result<Vec<Agent>, VendorError> {
        let id = format!("{location_id}:{}", cx_key(has_cx_essentials));
        self.cache
            .get_or_fetch(
                &self.key("location_agents", Some(&id)),
                TtlClass::Directory,
                || self.api.list_location_agents(location_id, has_cx_essentials),
            )
            .await
    }

    /// Every cache key a supervisor write may have made stale.
    fn written_keys(&self, supervisor_ids: &[&str]) -> Vec<CacheKey> {
        let mut keys = Vec::new();
        for cx in CX_KEYS {
            for resource in ["supervisors", "available_supervisors", "available_agents"] {
                keys.push(self.key(resource, Some(cx_key(cx))));
            }
            for id in supervisor_ids {
                keys.push(self.key("supervisor", Some(&format!("{id}:{}", cx_key(cx)))));
            }
        }
        keys
    }
}

impl Loader<Supervisors> for WebexLoader {
    type Value = Outcome<Arc<Vec<Supervisor>>>;
    type Error = VendorError;

    async fn load(&self, keys: &[Supervisors]) -> Result<HashMap<Supervisors, Self::Value>, VendorError> {
        Ok(each_key(keys, |Supervisors(filter)| async move {
            self.list("supervisors", &filter, || self.api.list_supervisors(&filter))
                .await
        })
        .await)
    }
}

impl Loader<SupervisorById> for WebexLoader {
    type Value = Outcome<SupervisorDetail>;
    type Error = VendorError;

    async fn load(
        &self,
        keys: &[SupervisorById],
    ) -> Result<HashMap<SupervisorById, Self::Value>, VendorError> {
        Ok(each_key_cached(
            &self.cache,
            keys,
            |k| {
                let id = format!("{}:{}", k.id, cx_key(k.has_cx_essentials));
                self.key("supervisor", Some(&id))
            },
            TtlClass::Directory,
            |key: SupervisorById| async move {
                with_cx_fallback(key.has_cx_essentials, |cx| self.api.get_supervisor(&key.id, cx)).await
            },
        )
        .await)
    }
}

impl Loader<AvailableSupervisors> for WebexLoader {
    type Value = Outcome<Arc<Vec<Supervisor>>>;
    type Error = VendorError;

    async fn load(
        &self,
        keys: &[AvailableSupervisors],
    ) -> Result<HashMap<AvailableSupervisors, Self::Value>, VendorError> {
        Ok(each_key(keys, |AvailableSupervisors(filter)| async move {
            self.list("available_supervisors", &filter, || {
                self.api.list_available_supervisors(&filter)
            })
            .await
        })
        .await)
    }
}

impl Loader<AvailableAgents> for WebexLoader {
    type Value = Outcome<Arc<Vec<Agent>>>;
    type Error = VendorError;

    async fn load(
        &self,
        keys: &[AvailableAgents],
    ) -> Result<HashMap<AvailableAgents, Self::Value>, VendorError> {
        Ok(each_key(keys, |AvailableAgents(filter)| async move {
            self.list("available_agents", &filter, || {
                self.api.list_available_agents(&filter)
            })
            .await
        })
        .await)
    }
}

impl Loader<LocationAgents> for WebexLoader {
    type Value = Outcome<Arc<Vec<Agent>>>;
    type Error = VendorError;

    async fn load(
        &self,
        keys: &[LocationAgents],
    ) -> Result<HashMap<LocationAgents, Self::Value>, VendorError> {
        Ok(each_key(keys, |key: LocationAgents| async move {
            self.location_agents(&key.location_id, key.has_cx_essentials)
                .await
                .map(Arc::new)
        })
        .await)
    }
}

impl Loader<Locations> for WebexLoader {
    type Value = Outcome<Arc<Vec<Location>>>;
    type Error = VendorError;

    async fn load(&self, _keys: &[Locations]) -> Result<HashMap<Locations, Self::Value>, VendorError> {
        Ok(HashMap::from([(Locations, self.locations().await.map(Arc::new))]))
    }
}

impl Loader<PeopleEmails> for WebexLoader {
    type Value = Arc<HashMap<uuid::Uuid, String>>;
    type Error = VendorError;

    /// The locations, then both licence lists of every location, four at a time. A
    /// location gone since the list was read is skipped; a list that fails leaves out
    /// only its own people's emails (logged), unless every list failed.
    async fn load(&self, _keys: &[PeopleEmails]) -> Result<HashMap<PeopleEmails, Self::Value>, VendorError> {
        use futures::StreamExt as _;
        let locations = self.locations().await?;
        let mut reads: Vec<futures::future::BoxFuture<'_, Result<Vec<_>, VendorError>>> = Vec::new();
        for location in &locations {
            for cx in [Some(true), Some(false)] {
                reads.push(Box::pin(self.location_agents(&location.id, cx)));
            }
        }
        let results: Vec<_> = futures::stream::iter(reads).buffer_unordered(4).collect().await;
        let mut lists = Vec::with_capacity(results.len());
        let mut failure = None;
        for result in results {
            match result {
                Ok(list) => lists.push(list),
                Err(e) if e.kind == VendorErrorKind::NotFound => {}
                Err(e) => failure = Some(e),
            }
        }
        if let Some(e) = failure {
            if lists.is_empty() {
                return Err(e);
            }
            tracing::warn!(error = %e, "a Webex location list failed; its people's emails are missing");
        }
        let mut emails = HashMap::new();
        for agent in lists.iter().flatten() {
            if let (Some(uuid), Some(email)) = (uuid_of(&agent.id), agent.email.as_deref()) {
                emails.entry(uuid).or_insert_with(|| email.to_owned());
            }
        }
        Ok(HashMap::from([(PeopleEmails, Arc::new(emails))]))
    }
}

fn clear_all(loader: &RequestLoader<WebexLoader>) {
    loader.clear::<Supervisors>();
    loader.clear::<SupervisorById>();
    loader.clear::<AvailableSupervisors>();
    loader.clear::<AvailableAgents>();
}

/// Creates a supervisor (never retried); returns the agents Webex did not assign.
pub async fn create_supervisor(
    loader: &RequestLoader<WebexLoader>,
    person_id: &str,
    agent_ids: &[String],
    has_cx_essentials: Option<bool>,
) -> Result<Vec<AgentStatus>, VendorError> {
    let l = loader.loader();
    let result = l
        .api
        .create_supervisor(person_id, agent_ids, has_cx_essentials)
        .await;
    // A create that failed late (a timeout, a 5xx) may still have happened.
    l.cache.invalidate(&l.written_keys(&[person_id])).await;
    clear_all(loader);
    result
}

/// The supervisor `supervisor_id` with its agents, read from Webex itself (not the
/// cache): how a create whose outcome was unknown is found before creating again.
pub async fn find_supervisor(
    loader: &RequestLoader<WebexLoader>,
    supervisor_id: &str,
    has_cx_essentials: Option<bool>,
) -> Result<Option<SupervisorDetail>, VendorError> {
    match loader
        .loader()
        .api
        .get_supervisor(supervisor_id, has_cx_essentials)
        .await
    {
        Ok(detail) => Ok(Some(detail)),
        Err(e) if e.kind == VendorErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Assigns or unassigns agents; returns the agents Webex did not change as asked.
pub async fn change_agents(
    loader: &RequestLoader<WebexLoader>,
    supervisor_id: &str,
    agent_ids: &[String],
    change: AgentChange,
    has_cx_essentials: Option<bool>,
) -> Result<Vec<AgentStatus>, VendorError> {
    let l = loader.loader();
    // A refused (400) change changed nothing, so asking again with the flag is safe.
    let result = with_cx_fallback(has_cx_essentials, |cx| {
        l.api
            .change_supervisor_agents(supervisor_id, agent_ids, change, cx)
    })
    .await;
    // Even a failed write may have changed something: forget what it touched.
    l.cache.invalidate(&l.written_keys(&[supervisor_id])).await;
    clear_all(loader);
    result
}

/// Deletes supervisors: one with `DELETE /supervisors/{id}`, several with the bulk
/// `DELETE /supervisors`.
pub async fn delete_supervisors(
    loader: &RequestLoader<WebexLoader>,
    supervisor_ids: &[String],
) -> Result<(), VendorError> {
    let l = loader.loader();
    let result = match supervisor_ids {
        [one] => l.api.delete_supervisor(one).await,
        many => l.api.delete_supervisors(many).await,
    };
    let ids: Vec<&str> = supervisor_ids.iter().map(String::as_str).collect();
    l.cache.invalidate(&l.written_keys(&ids)).await;
    clear_all(loader);
    result
}
