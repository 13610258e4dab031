//! Dixa's loaders: teams, members, presence and agents (one by id, or all of them), and
//! the team writes.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use async_graphql::dataloader::Loader;

use super::{Outcome, RequestLoader, each_key_cached, outcome};
use crate::{
    cache::{Cache, CacheKey, TtlClass},
    vendors::{
        Vendor, VendorError,
        dixa::{Agent, DixaApi, Team, TeamMember, UserPresence},
    },
};

/// A team list with more members than this is resolved with one `GET /agents`
/// instead of one `GET /agents/{id}` per member.
const AGENT_LIST_THRESHOLD: usize = 8;

/// All teams of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AllTeams;
/// One team by Dixa id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TeamById(pub String);
/// The members of a team.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MembersOf(pub String);
/// The presence of a team's members.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TeamPresenceOf(pub String);
/// One agent by Dixa id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AgentById(pub String);
/// Every agent of the organisation (`GET /agents`, every page).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AllAgents;
/// One agent's presence.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AgentPresenceOf(pub String);
/// The ids of the teams an agent is in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TeamsOfAgent(pub String);

/// Reads Dixa through the cache for one tenant, for one request.
pub struct DixaLoader {
    api: Arc<dyn DixaApi>,
    cache: Cache,
    tenant: Arc<str>,
    /// Every agent's presence as last read (or its failure), and when (see
    /// [`DixaLoader::all_presence`]).
    all_presence: tokio::sync::Mutex<Option<(Instant, Outcome<PresenceList>)>>,
    /// When a batch last read (or was about to read) every agent's presence.
    all_presence_wanted: std::sync::Mutex<Option<Instant>>,
}

/// How long one read of every agent's presence serves the loader's batches: a request's
/// span. (A subscription keeps its loaders for as long as it runs; its later events
/// read presence again.)
const ALL_PRESENCE_SHARED: Duration = Duration::from_secs(1);

/// Presence records (every agent's, or a team's), each behind an `Arc`: the list, the
/// keys it answers and the `Presence` objects that read them share one copy of each.
pub type PresenceList = Arc<Vec<Arc<UserPresence>>>;

/// `records`, each behind an `Arc`.
fn shared(records: Vec<UserPresence>) -> Vec<Arc<UserPresence>> {
    records.into_iter().map(Arc::new).collect()
}

impl DixaLoader {
    /// A loader over `api` for `tenant`.
    pub fn new(api: Arc<dyn DixaApi>, cache: Cache, tenant: Arc<str>) -> Self {
        Self {
            api,
            cache,
            tenant,
            all_presence: tokio::sync::Mutex::new(None),
            all_presence_wanted: std::sync::Mutex::new(None),
        }
    }

    fn key(&self, resource: &str, id: Option<&str>) -> CacheKey {
        CacheKey::new(&self.tenant, Vendor::Dixa.as_str(), resource, id)
    }

    /// `resource` `id` from the cache, or from `fetch` on a miss.
    async fn cached<T, Fut>(
        &self,
        resource: &str,
        id: &str,
        class: TtlClass,
        fetch: impl FnOnce() -> Fut,
    ) -> Result<T, VendorError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<T, VendorError>>,
    {
        self.cache
            .get_or_fetch(&self.key(resource, Some(id)), class, fetch)
            .await
    }

    /// Every key of a batch of `resource` (each named by `id`) through the cache: one
    /// read for the batch, then `load` for each miss (see [`each_key_cached`]).
    async fn batch<K, V, Fut>(
        &self,
        keys: &[K],
        resource: &str,
        id: impl Fn(&K) -> &String,
        class: TtlClass,
        load: impl Fn(K) -> Fut,
    ) -> HashMap<K, Outcome<V>>
    where
        K: Clone + Eq + std::hash::Hash,
        V: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<V, VendorError>>,
    {
        each_key_cached(
            &self.cache,
            keys,
            |k| self.key(resource, Some(id(k))),
            class,
            load,
        )
        .await
    }

    /// Every agent, through the cache (the list a large batch of [`AgentById`] reads too).
    /// Each record behind an `Arc`: the list, the keys it answers and the fields that
    /// read them share one copy, rather than cloning hundreds of records at each step.
    async fn all_agents(&self) -> Result<Arc<Vec<Arc<Agent>>>, VendorError> {
        self.cache
            .get_or_fetch(&self.key("agents", None), TtlClass::Directory, || async {
                let agents = self.api.list_agents().await?;
                Ok(Arc::new(agents.into_iter().map(Arc::new).collect()))
            })
            .await
    }

    /// Every agent's presence (`GET /agents/presence`), through the cache, read once for
    /// a request ([`ALL_PRESENCE_SHARED`]): the team and the agent presence batches share
    /// one copy, and a batch starting while another reads it waits for that read. A
    /// failure is shared the same way: the batches that wait for a read the query started
    /// early (see `graphql::prefetch`) get its failure rather than call again.
    pub(super) async fn all_presence(&self) -> Result<PresenceList, VendorError> {
        // Noted before the read: a lone key asked meanwhile joins it.
        self.presence_of_many_ahead();
        let mut last = self.all_presence.lock().await;
        if let Some((read_at, outcome)) = last.as_ref()
            && read_at.elapsed() < ALL_PRESENCE_SHARED
        {
            return outcome.clone();
        }
        let outcome = self
            .cache
            .get_or_fetch(&self.key("all_presence", None), TtlClass::Presence, || async {
                Ok(shared(self.api.list_all_presence().await?))
            })
            .await
            .map(Arc::new);
        *last = Some((Instant::now(), outcome.clone()));
        outcome
    }

    /// Notes that the request is about to ask for the presence of several agents (a
    /// list's, whose nodes select it): a batch of those keys that starts with a lone one
    /// (split off the list's wave, see `loaders::request_loader`) then joins the read of
    /// every agent's presence instead of making a call for that agent alone. Said by the
    /// list's resolver before it returns, so before any of the keys is asked for.
    pub fn presence_of_many_ahead(&self) {
        *self
            .all_presence_wanted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
    }

    /// Whether a batch read (or is about to read) every agent's presence lately: a lone
    /// key then joins that read rather than make a call of its own.
    fn all_presence_wanted(&self) -> bool {
        self.all_presence_wanted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some_and(|at| at.elapsed() < ALL_PRESENCE_SHARED)
    }

    fn team_keys(&self, team_id: &str) -> Vec<CacheKey> {
        vec![
            self.key("team", Some(team_id)),
            self.key("team_members", Some(team_id)),
            self.key("team_presence", Some(team_id)),
        ]
    }
}

/// The records of a whole list (`all`, each named by `id`) that `keys` (each naming one
/// by `key_id`) ask for, each under its key (made by `key`): how one call for every
/// record answers a batch of keys.
fn asked_for<K, V: Clone>(
    keys: &[K],
    key_id: impl Fn(&K) -> &String,
    all: &[V],
    id: impl Fn(&V) -> &String,
    key: impl Fn(String) -> K,
) -> HashMap<K, Outcome<V>>
where
    K: Eq + std::hash::Hash,
{
    let wanted: std::collections::HashSet<&str> = keys.iter().map(|k| key_id(k).as_str()).collect();
    let mut found = HashMap::with_capacity(keys.len());
    found.extend(
        all.iter()
            .filter(|v| wanted.contains(id(v).as_str()))
            .map(|v| (key(id(v).clone()), Ok(v.clone()))),
    );
    found
}

/// Each outcome behind an `Arc` (shared by every field that reads it).
fn arcs<K: Eq + std::hash::Hash, T>(outcomes: HashMap<K, Outcome<T>>) -> HashMap<K, Outcome<Arc<T>>> {
    outcomes.into_iter().map(|(k, v)| (k, v.map(Arc::new))).collect()
}

impl Loader<AllTeams> for DixaLoader {
    type Value = Outcome<Arc<Vec<Team>>>;
    type Error = VendorError;

    async fn load(&self, _keys: &[AllTeams]) -> Result<HashMap<AllTeams, Self::Value>, Self::Error> {
        let teams = self
            .cache
            .get_or_fetch(&self.key("teams", None), TtlClass::Directory, || {
                self.api.list_teams()
            })
            .await;
        Ok(HashMap::from([(AllTeams, teams.map(Arc::new))]))
    }
}

impl Loader<TeamById> for DixaLoader {
    type Value = Outcome<Team>;
    type Error = VendorError;

    async fn load(&self, keys: &[TeamById]) -> Result<HashMap<TeamById, Self::Value>, VendorError> {
        Ok(self
            .batch(
                keys,
                "team",
                |k| &k.0,
                TtlClass::Directory,
                |TeamById(id)| async move { self.api.get_team(&id).await },
            )
            .await)
    }
}

impl Loader<MembersOf> for DixaLoader {
    type Value = Outcome<Arc<Vec<TeamMember>>>;
    type Error = VendorError;

    async fn load(&self, keys: &[MembersOf]) -> Result<HashMap<MembersOf, Self::Value>, VendorError> {
        Ok(arcs(
            self.batch(
                keys,
                "team_members",
                |k| &k.0,
                TtlClass::Directory,
                |MembersOf(id)| async move { self.api.list_team_members(&id).await },
            )
            .await,
        ))
    }
}

impl Loader<TeamPresenceOf> for DixaLoader {
    type Value = Outcome<PresenceList>;
    type Error = VendorError;

    /// One team: `GET /teams/{id}/presence`. Several (or one while the request reads
    /// every agent's presence anyway): a team's presence is its members', so each team's
    /// member list (the one `Team.members` reads: one shared call per team through the
    /// cache) and one `GET /agents/presence` for every agent serve them all, instead of
    /// one presence call per team.
    async fn load(
        &self,
        keys: &[TeamPresenceOf],
    ) -> Result<HashMap<TeamPresenceOf, Self::Value>, VendorError> {
        if keys.len() < 2 && !self.all_presence_wanted() {
            return Ok(arcs(
                self.batch(
                    keys,
                    "team_presence",
                    |k| &k.0,
                    TtlClass::Presence,
                    |TeamPresenceOf(id)| async move { Ok(shared(self.api.list_team_presence(&id).await?)) },
                )
                .await,
            ));
        }
        let members = futures::future::join_all(keys.iter().map(|TeamPresenceOf(id)| {
            self.cached("team_members", id, TtlClass::Directory, || {
                self.api.list_team_members(id)
            })
        }));
        let (members, all) = futures::join!(members, self.all_presence());
        let all = match all {
            Ok(all) => all,
            // One call served every team: its failure is each one's.
            Err(e) => return Ok(keys.iter().map(|k| (k.clone(), Err(e.clone()))).collect()),
        };
        let by_agent: HashMap<&str, &Arc<UserPresence>> =
            all.iter().map(|p| (p.user_id.as_str(), p)).collect();
        Ok(keys
            .iter()
            .zip(members)
            .filter_map(
                |(key, members): (&TeamPresenceOf, Result<Vec<TeamMember>, VendorError>)| {
                    let presence = outcome(members)?.map(|members| {
                        Arc::new(
                            members
                                .iter()
                                .filter_map(|m| by_agent.get(m.id.as_str()).map(|p| Arc::clone(p)))
                                .collect(),
                        )
                    });
                    Some((key.clone(), presence))
                },
            )
            .collect())
    }
}

impl Loader<AgentById> for DixaLoader {
    type Value = Outcome<Arc<Agent>>;
    type Error = VendorError;

    async fn load(&self, keys: &[AgentById]) -> Result<HashMap<AgentById, Self::Value>, VendorError> {
        if keys.len() > AGENT_LIST_THRESHOLD {
            // One call serves every key: its failure is each key's.
            let all = match outcome(self.all_agents().await) {
                None => return Ok(HashMap::new()),
                Some(Err(e)) => return Ok(keys.iter().map(|k| (k.clone(), Err(e.clone()))).collect()),
                Some(Ok(all)) => all,
            };
            return Ok(asked_for(keys, |k| &k.0, &all, |a| &a.id, AgentById));
        }
        Ok(arcs(
            self.batch(
                keys,
                "agent",
                |k| &k.0,
                TtlClass::Directory,
                |AgentById(id)| async move { self.api.get_agent(&id).await },
            )
            .await,
        ))
    }
}

impl Loader<AllAgents> for DixaLoader {
    type Value = Arc<Vec<Arc<Agent>>>;
    type Error = VendorError;

    async fn load(&self, _keys: &[AllAgents]) -> Result<HashMap<AllAgents, Self::Value>, VendorError> {
        Ok(HashMap::from([(AllAgents, self.all_agents().await?)]))
    }
}

impl Loader<AgentPresenceOf> for DixaLoader {
    type Value = Outcome<Arc<UserPresence>>;
    type Error = VendorError;

    async fn load(
        &self,
        keys: &[AgentPresenceOf],
    ) -> Result<HashMap<AgentPresenceOf, Self::Value>, VendorError> {
        // One agent: its own entry (`GET /agents/{id}/presence` on a miss). Several, or
        // one while the request reads every agent's presence anyway (a lone key split off
        // a larger batch, say): the one list of every agent's presence, cached as one
        // entry and read once for the request, answers them all. No entry per agent is
        // read or written for them: a wallboard's 200 members would cost 200 cache reads
        // and 200 writes (a tenth of its cold query's CPU), for answers the one list
        // already holds, and the members and their teams then show one snapshot.
        // A list's resolver says beforehand that it wants several agents' presence
        // ([`DixaLoader::presence_of_many_ahead`]), so a lone key split off its wave
        // joins the list too, however the batches start.
        if let [AgentPresenceOf(id)] = keys
            && !self.all_presence_wanted()
        {
            let one = self
                .cached("agent_presence", id, TtlClass::Presence, || {
                    self.api.get_agent_presence(id)
                })
                .await;
            return Ok(outcome(one)
                .map(|o| (AgentPresenceOf(id.clone()), o.map(Arc::new)))
                .into_iter()
                .collect());
        }
        let all = match self.all_presence().await {
            Ok(all) => all,
            // One call served every key: its failure is each one's.
            Err(e) => return Ok(keys.iter().map(|k| (k.clone(), Err(e.clone()))).collect()),
        };
        Ok(asked_for(keys, |k| &k.0, &all, |p| &p.user_id, AgentPresenceOf))
    }
}

impl Loader<TeamsOfAgent> for DixaLoader {
    type Value = Outcome<Arc<Vec<String>>>;
    type Error = VendorError;

    async fn load(&self, keys: &[TeamsOfAgent]) -> Result<HashMap<TeamsOfAgent, Self::Value>, VendorError> {
        Ok(arcs(
            self.batch(
                keys,
                "agent_teams",
                |k| &k.0,
                TtlClass::Directory,
                |TeamsOfAgent(id)| async move { self.api.list_agent_teams(&id).await },
            )
            .await,
        ))
    }
}

/// Creates a team; the team list is invalidated before this returns, also when the
/// call failed (a create whose answer was lost may still have happened).
pub async fn create_team(loader: &RequestLoader<DixaLoader>, name: &str) -> Result<Team, VendorError> {
    let l = loader.loader();
    let created = l.api.create_team(name).await;
    l.cache.invalidate(&[l.key("teams", None)]).await;
    loader.clear::<AllTeams>();
    let team = created?;
    l.cache
        .put(&l.key("team", Some(&team.id)), TtlClass::Directory, &team)
        .await;
    Ok(team)
}

/// The team named exactly `name`, read from Dixa itself (not the cache): how a create
/// whose outcome was unknown is found before creating again.
pub async fn find_team_named(
    loader: &RequestLoader<DixaLoader>,
    name: &str,
) -> Result<Option<Team>, VendorError> {
    let teams = loader.loader().api.list_teams().await?;
    Ok(teams.into_iter().find(|t| t.name == name))
}

/// Deletes a team and forgets everything cached about it.
pub async fn delete_team(loader: &RequestLoader<DixaLoader>, team_id: &str) -> Result<(), VendorError> {
    let l = loader.loader();
    let deleted = l.api.delete_team(team_id).await;
    // Forgotten also when the call failed: it may have happened all the same.
    let mut keys = l.team_keys(team_id);
    keys.push(l.key("teams", None));
    l.cache.invalidate(&keys).await;
    loader.clear::<AllTeams>();
    loader.clear::<TeamById>();
    loader.clear::<MembersOf>();
    loader.clear::<TeamPresenceOf>();
    deleted
}

/// Adds or removes team members, then invalidates the team's members and presence and
/// the agents' team lists.
pub async fn change_members(
    loader: &RequestLoader<DixaLoader>,
    team_id: &str,
    agent_ids: &[String],
    add: bool,
) -> Result<(), VendorError> {
    let l = loader.loader();
    let changed = if add {
        l.api.add_team_members(team_id, agent_ids).await
    } else {
        l.api.remove_team_members(team_id, agent_ids).await
    };
    // Forgotten also when the call failed: it may have happened all the same. The team's
    // own record (its name) does not hold its members and stays.
    let mut keys = vec![
        l.key("team_members", Some(team_id)),
        l.key("team_presence", Some(team_id)),
    ];
    keys.extend(agent_ids.iter().map(|a| l.key("agent_teams", Some(a))));
    l.cache.invalidate(&keys).await;
    loader.clear::<MembersOf>();
    loader.clear::<TeamPresenceOf>();
    loader.clear::<TeamsOfAgent>();
    changed
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;

    use super::*;
    use crate::config::CacheSettings;

    /// A Dixa whose agents `a1`…`a3` are online, counting its presence calls; nothing
    /// else is asked of it here.
    #[derive(Default)]
    struct Presences {
        one: AtomicUsize,
        all: AtomicUsize,
    }

    fn online(id: &str) -> UserPresence {
        UserPresence {
            user_id: id.to_owned(),
            request_time: "2026-12-01T00:00:00Z".to_owned(),
            last_seen: None,
            presence_status: Some("Working".to_owned()),
            connection_status: "Online".to_owned(),
            active_channels: Vec::new(),
        }
    }

    #[async_trait]
    impl DixaApi for Presences {
        async fn get_agent_presence(&self, agent_id: &str) -> Result<UserPresence, VendorError> {
            self.one.fetch_add(1, Ordering::SeqCst);
            Ok(online(agent_id))
        }
        async fn list_all_presence(&self) -> Result<Vec<UserPresence>, VendorError> {
            self.all.fetch_add(1, Ordering::SeqCst);
            Ok(["a1", "a2", "a3"].map(online).into())
        }
        async fn list_teams(&self) -> Result<Vec<Team>, VendorError> {
            unreachable!()
        }
        async fn get_team(&self, _: &str) -> Result<Team, VendorError> {
            unreachable!()
        }
        async fn create_team(&self, _: &str) -> Result<Team, VendorError> {
            unreachable!()
        }
        async fn delete_team(&self, _: &str) -> Result<(), VendorError> {
            unreachable!()
        }
        async fn list_team_members(&self, _: &str) -> Result<Vec<TeamMember>, VendorError> {
            unreachable!()
        }
        async fn add_team_members(&self, _: &str, _: &[String]) -> Result<(), VendorError> {
            unreachable!()
        }
        async fn remove_team_members(&self, _: &str, _: &[String]) -> Result<(), VendorError> {
            unreachable!()
        }
        async fn list_team_presence(&self, _: &str) -> Result<Vec<UserPresence>, VendorError> {
            unreachable!()
        }
        async fn list_agents(&self) -> Result<Vec<Agent>, VendorError> {
            unreachable!()
        }
        async fn get_agent(&self, _: &str) -> Result<Agent, VendorError> {
            unreachable!()
        }
        async fn list_agent_teams(&self, _: &str) -> Result<Vec<String>, VendorError> {
            unreachable!()
        }
    }

    fn loader() -> (Arc<Presences>, DixaLoader) {
        let api = Arc::new(Presences::default());
        let cache = Cache::in_memory(&CacheSettings::default());
        (api.clone(), DixaLoader::new(api, cache, "t".into()))
    }

    async fn presence_of(loader: &DixaLoader, id: &str) -> Outcome<Arc<UserPresence>> {
        let key = AgentPresenceOf(id.to_owned());
        let mut found = loader.load(std::slice::from_ref(&key)).await.unwrap();
        found.remove(&key).unwrap()
    }

    #[tokio::test]
    async fn a_lone_agent_has_its_own_presence_call() {
        let (api, loader) = loader();
        assert_eq!(*presence_of(&loader, "a2").await.unwrap(), online("a2"));
        assert_eq!(
            (api.one.load(Ordering::SeqCst), api.all.load(Ordering::SeqCst)),
            (1, 0)
        );
    }

    /// A list said it will read its agents' presence: a batch of them that starts with
    /// one key (split off the list's wave) joins the one read of every agent's, and so
    /// does the rest of the wave.
    #[tokio::test]
    async fn a_lone_key_of_a_list_that_wants_presence_joins_the_read_of_all() {
        let (api, loader) = loader();
        loader.presence_of_many_ahead();
        assert_eq!(*presence_of(&loader, "a2").await.unwrap(), online("a2"));
        let rest = [AgentPresenceOf("a1".into()), AgentPresenceOf("a3".into())];
        assert_eq!(loader.load(&rest).await.unwrap().len(), 2);
        assert_eq!(
            (api.one.load(Ordering::SeqCst), api.all.load(Ordering::SeqCst)),
            (0, 1)
        );
    }
}
