//! Per-request DataLoaders, one per vendor resource: they batch and dedupe what one
//! GraphQL request asks, read through the [`Cache`], and call the vendor trait only on
//! a miss. Writes go through here too, so the cache is invalidated before a mutation
//! returns.
//!
//! May depend on: `cache`, `vendors`, `tenant`, `presence`. Never on GraphQL types.

pub mod dixa;
pub mod huawei;
pub mod vonage;
mod waves;
pub mod webex;

use std::{
    collections::HashMap,
    future::Future,
    hash::Hash,
    sync::{Arc, OnceLock},
};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

pub use waves::{Waved, Waves};

use crate::{
    cache::{Cache, CacheKey, Seen, TtlClass},
    tenant::Tenant,
    vendors::{Vendor, VendorError, VendorErrorKind},
};

pub use crate::vendors::http::with_deadline;

/// A DataLoader that remembers what it loaded for the rest of the request, each batch
/// in a `loader_batch` span.
pub type RequestLoader<T> = DataLoader<Traced<T>, HashMapCache>;

/// A loader whose batches run as tasks of their own, under the request's deadline
/// (see [`crate::vendors::http::with_deadline`]).
///
/// A batch starts as soon as the operation that asked for its keys pauses, held until
/// then by the request's [`Waves`] (see there), without DataLoader's default 1 ms wait
/// (which tokio's millisecond timer makes 1 to 2 ms, at every level of a query: 3 to
/// 5 ms of the benchmark wallboard's cold latency, in runs on one machine). Its wait is
/// zero, and async-graphql's `tokio-timer` feature is off (`Cargo.toml`): with it,
/// DataLoader waits on tokio's timer even for zero, which rounds a deadline up to its
/// next millisecond tick, so every level still slept up to 1 ms (about 1.5 ms of each
/// cold wallboard before `GET /teams` left, and again before the member lists did);
/// without it, on async-io's timer, done at once. Keys of a later wave (fields whose
/// reads came back apart) make a batch of their own; when such keys are asked apart,
/// the cache's single flight shares what they read again, and a lone Dixa presence
/// joins the read of every agent's (see `dixa::AgentPresenceOf`), once its list said so
/// beforehand (`presence_of_many_ahead`).
///
/// A batch runs in the span of the field that started it (the operation's), so its
/// `loader_batch` span, and the vendor calls under it, sit in the request's trace.
/// DataLoader's own spans (async-graphql's `tracing` feature: two per key asked, so a
/// thousand for a page of 500 entities, about 8 % of its cold CPU) are not built.
fn request_loader<T: Send + Sync + 'static>(loader: T, waves: &Arc<Waves>) -> RequestLoader<T> {
    use futures::FutureExt as _;
    use tracing::Instrument as _;
    let deadline = crate::vendors::http::current_deadline();
    let waves = waves.clone();
    let spawn = move |batch: futures::future::BoxFuture<'static, ()>| {
        let batch = batch.instrument(tracing::Span::current());
        waves.start(match deadline {
            Some(deadline) => with_deadline(deadline, batch).boxed(),
            None => batch.boxed(),
        });
    };
    DataLoader::with_cache(Traced(loader), spawn, HashMapCache::default()).delay(std::time::Duration::ZERO)
}

/// Runs `task` as a task of its own, under `deadline` when there is one.
fn spawn_within<F>(deadline: Option<tokio::time::Instant>, task: F) -> tokio::task::JoinHandle<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    match deadline {
        Some(deadline) => tokio::spawn(with_deadline(deadline, task)),
        None => tokio::spawn(task),
    }
}

/// A loader whose every batch runs in a `loader_batch` span naming the key type and
/// counting the keys, so the vendor calls it makes sit under it in a trace. (The
/// DataLoader starts a batch in the span of the resolver that asked first.)
pub struct Traced<T>(T);

impl<T> std::ops::Deref for Traced<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<K, T> Loader<K> for Traced<T>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    T: Loader<K>,
{
    type Value = T::Value;
    type Error = T::Error;

    async fn load(&self, keys: &[K]) -> Result<HashMap<K, Self::Value>, Self::Error> {
        use tracing::Instrument as _;
        let name = std::any::type_name::<K>();
        let span = tracing::info_span!(
            "loader_batch",
            loader = name.rsplit("::").next().unwrap_or(name),
            keys = keys.len(),
        );
        self.0.load(keys).instrument(span).await
    }
}

/// The loaders of one request, for the tenant it authenticated as. Each is made when
/// the request first asks for it: a request (or a subscription, which holds its context
/// for its whole life) touching one vendor pays for that vendor's loader only.
pub struct Loaders {
    tenant: Arc<Tenant>,
    cache: Cache,
    dixa: OnceLock<RequestLoader<dixa::DixaLoader>>,
    webex: OnceLock<RequestLoader<webex::WebexLoader>>,
    huawei: OnceLock<RequestLoader<huawei::HuaweiLoader>>,
    vonage: OnceLock<RequestLoader<vonage::VonageLoader>>,
    waves: Arc<Waves>,
}

impl Loaders {
    /// Loaders for one request.
    pub fn new(tenant: &Arc<Tenant>, cache: &Cache) -> Self {
        Self {
            tenant: tenant.clone(),
            cache: cache.clone(),
            dixa: OnceLock::new(),
            webex: OnceLock::new(),
            huawei: OnceLock::new(),
            vonage: OnceLock::new(),
            waves: Arc::default(),
        }
    }

    /// `operation` (the request's execution), whose polls hold the loader batches they
    /// ask for until it pauses (see [`Waves`]).
    pub fn around<F: Future>(&self, operation: F) -> Waved<F> {
        self.waves.around(operation)
    }

    /// The Vonage loader, or the error saying the tenant has no Vonage connection.
    pub fn vonage(&self) -> Result<&RequestLoader<vonage::VonageLoader>, VendorError> {
        self.lazily(&self.vonage, self.tenant.vonage.as_ref(), Vendor::Vonage, |api| {
            vonage::VonageLoader::new(
                api,
                self.cache.clone(),
                self.tenant.cache_scope(Vendor::Vonage),
                self.tenant.presence.clone(),
            )
        })
    }

    /// The Dixa loader, or the error saying the tenant has no Dixa connection.
    pub fn dixa(&self) -> Result<&RequestLoader<dixa::DixaLoader>, VendorError> {
        self.lazily(&self.dixa, self.tenant.dixa.as_ref(), Vendor::Dixa, |api| {
            dixa::DixaLoader::new(api, self.cache.clone(), self.tenant.cache_scope(Vendor::Dixa))
        })
    }

    /// The Webex loader, or the error saying the tenant has no Webex connection.
    pub fn webex(&self) -> Result<&RequestLoader<webex::WebexLoader>, VendorError> {
        self.lazily(&self.webex, self.tenant.webex.as_ref(), Vendor::Webex, |api| {
            webex::WebexLoader::new(api, self.cache.clone(), self.tenant.cache_scope(Vendor::Webex))
        })
    }

    /// The Huawei AICC loader, or the error saying the tenant has no AICC connection.
    pub fn huawei(&self) -> Result<&RequestLoader<huawei::HuaweiLoader>, VendorError> {
        self.lazily(
            &self.huawei,
            self.tenant.huawei.as_ref(),
            Vendor::HuaweiAicc,
            |api| {
                huawei::HuaweiLoader::new(
                    api,
                    self.cache.clone(),
                    self.tenant.cache_scope(Vendor::HuaweiAicc),
                )
            },
        )
    }

    /// The loader in `cell`, made by `make` over the vendor's `api` when first asked
    /// for; the error saying the tenant has no connection to `vendor` when `api` is
    /// absent.
    fn lazily<'a, L: Send + Sync + 'static, A: ?Sized>(
        &self,
        cell: &'a OnceLock<RequestLoader<L>>,
        api: Option<&Arc<A>>,
        vendor: Vendor,
        make: impl FnOnce(Arc<A>) -> L,
    ) -> Result<&'a RequestLoader<L>, VendorError> {
        let api = api.ok_or_else(|| VendorError::not_configured(vendor))?;
        Ok(cell.get_or_init(|| request_loader(make(api.clone()), &self.waves)))
    }
}

/// What [`Loaders::warm`] starts reading early.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Warm {
    /// Every configured vendor's whole list of people: what `linkedAgents` matches
    /// emails against.
    pub people: bool,
    /// Webex's supervisors, each with its agents: what `Agent.supervisors` searches.
    pub supervisors: bool,
    /// Dixa's every-agent presence: what a page of teams shows of its members' presence
    /// and of its own.
    pub team_presence: bool,
}

impl Loaders {
    /// Starts reading `what`, in a task of its own. A query that will need these lists
    /// deep down starts them with its first round trip, rather than after the round
    /// trips that find who they are needed for; they land in this request's loaders
    /// (and the cache), where the later reads find them, in flight or done. The task
    /// runs under the request's deadline and in its span. A failure here is left to the
    /// later read, which reports it.
    pub fn warm(self: &Arc<Self>, what: Warm) {
        use tracing::Instrument as _;
        if what == Warm::default() {
            return;
        }
        let loaders = self.clone();
        let warm = async move {
            let people = async {
                if what.people {
                    loaders.warm_people().await;
                }
            };
            let supervisors = async {
                if what.supervisors
                    && let Ok(l) = loaders.webex()
                    && let Ok(Some(all)) = l.fetch_one(webex::Supervisors(Default::default())).await
                {
                    let _ = l.load_many(all.iter().map(webex::SupervisorById::of)).await;
                }
            };
            let team_presence = async {
                if what.team_presence
                    && let Ok(l) = loaders.dixa()
                {
                    let _ = l.loader().all_presence().await;
                }
            };
            futures::join!(people, supervisors, team_presence);
        }
        .instrument(tracing::Span::current());
        spawn_within(crate::vendors::http::current_deadline(), warm);
    }

    async fn warm_people(&self) {
        let dixa = async {
            if let Ok(l) = self.dixa() {
                let _ = l.load_one(dixa::AllAgents).await;
            }
        };
        let webex = async {
            if let Ok(l) = self.webex() {
                let everyone = webex::AvailableAgents(Default::default());
                let _ = futures::join!(l.load_one(everyone), l.load_one(webex::PeopleEmails));
            }
        };
        let huawei = async {
            if let Ok(l) = self.huawei() {
                let _ = huawei::all_agents(l, &[]).await;
            }
        };
        let vonage = async {
            if let Ok(l) = self.vonage() {
                let active = vonage::AllUsers(crate::vendors::vonage::Include::Active);
                let _ = l.load_one(active).await;
            }
        };
        futures::join!(dixa, webex, huawei, vonage);
    }
}

/// What one key of a batch came to: its value, or the failure of the vendor call that
/// serves it. Every loader's values are outcomes, so one key failing fails only the
/// fields that key serves; the other keys of the batch resolve. A key the vendor does
/// not know is left out of the batch's map instead (the field resolves to null).
pub type Outcome<V> = Result<V, VendorError>;

/// `result` as a key's outcome: `None` (left out) when the vendor does not know the key.
fn outcome<V>(result: Result<V, VendorError>) -> Option<Outcome<V>> {
    match result {
        Err(e) if e.kind == VendorErrorKind::NotFound => None,
        other => Some(other),
    }
}

/// Loads every key on its own, concurrently, for vendors without a batch endpoint.
/// Each key gets its own [`Outcome`]; a key the vendor does not know is left out.
pub(crate) async fn each_key<K, V, F, Fut>(keys: &[K], load: F) -> HashMap<K, Outcome<V>>
where
    K: Clone + Eq + Hash,
    F: Fn(K) -> Fut,
    Fut: Future<Output = Result<V, VendorError>>,
{
    let results = futures::future::join_all(keys.iter().cloned().map(|k| {
        let fut = load(k.clone());
        async move { (k, fut.await) }
    }))
    .await;
    results
        .into_iter()
        .filter_map(|(key, result)| Some((key, outcome(result)?)))
        .collect()
}

/// Loads every key of a batch through the cache: one round trip reads them all with
/// their generations (one `MGET` on Redis), then the misses are fetched each on its
/// own, concurrently, by `load` (concurrent misses of one key share one fetch; an
/// answer is stored only if no write happened meanwhile). Each key gets its own [`Outcome`]; a key the vendor does not
/// know is left out.
pub(crate) async fn each_key_cached<K, V, F, Fut>(
    cache: &Cache,
    keys: &[K],
    cache_key: impl Fn(&K) -> CacheKey,
    class: TtlClass,
    load: F,
) -> HashMap<K, Outcome<V>>
where
    K: Clone + Eq + Hash,
    V: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    F: Fn(K) -> Fut,
    Fut: Future<Output = Result<V, VendorError>>,
{
    let cache_keys: Vec<CacheKey> = keys.iter().map(&cache_key).collect();
    let found: Vec<Result<V, Seen>> = cache.get_many_seen(&cache_keys).await;
    let mut out = HashMap::with_capacity(keys.len());
    let mut missing = Vec::new();
    for ((key, cached), found) in keys.iter().zip(cache_keys).zip(found) {
        match found {
            Ok(value) => {
                out.insert(key.clone(), Ok(value));
            }
            Err(seen) => missing.push((key.clone(), cached, seen)),
        }
    }
    let load = &load;
    let fetched = futures::future::join_all(missing.into_iter().map(|(key, cached, seen)| async move {
        let result = cache.fetch_seen(&cached, seen, class, || load(key.clone())).await;
        (key, result)
    }))
    .await;
    out.extend(
        fetched
            .into_iter()
            .filter_map(|(key, result)| Some((key, outcome(result)?))),
    );
    out
}

/// Reads through a loader whose values are [`Outcome`]s, as resolvers do.
pub trait Fetch<K, V> {
    /// The value of `key`: `None` when the vendor does not know it, the failure of the
    /// call that serves it otherwise.
    fn fetch_one(&self, key: K) -> impl Future<Output = Result<Option<V>, VendorError>> + Send;

    /// The values of `keys`, the ones the vendor does not know left out; the first
    /// failure among them fails the whole read (for a field that needs them all).
    fn fetch_many<I>(&self, keys: I) -> impl Future<Output = Result<HashMap<K, V>, VendorError>> + Send
    where
        I: IntoIterator<Item = K> + Send;
}

impl<L, K, V> Fetch<K, V> for RequestLoader<L>
where
    L: Loader<K, Value = Outcome<V>, Error = VendorError>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
{
    async fn fetch_one(&self, key: K) -> Result<Option<V>, VendorError> {
        self.load_one(key).await?.transpose()
    }

    async fn fetch_many<I>(&self, keys: I) -> Result<HashMap<K, V>, VendorError>
    where
        I: IntoIterator<Item = K> + Send,
    {
        self.load_many(keys)
            .await?
            .into_iter()
            .map(|(key, value)| value.map(|v| (key, v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_key_keeps_failures_to_their_key_and_leaves_unknown_keys_out() {
        let got = each_key(&["ok", "gone", "down"], |k| async move {
            match k {
                "ok" => Ok(1),
                "gone" => Err(VendorError::from_status(Vendor::Dixa, 404)),
                _ => Err(VendorError::from_status(Vendor::Dixa, 503)),
            }
        })
        .await;
        assert_eq!(got.len(), 2);
        assert_eq!(got["ok"].as_ref().ok(), Some(&1));
        assert_eq!(got["down"].as_ref().unwrap_err().status, Some(503));
        assert!(!got.contains_key("gone"));
    }
}
