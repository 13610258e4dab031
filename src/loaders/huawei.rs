//! Huawei AICC's loaders: agent accounts (one by account, a page, or all of them page by
//! page), skill queues (a page, or many by id in one `querySkills` call), and the agent
//! account writes.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;

use super::{Outcome, RequestLoader, each_key, each_key_cached, outcome};
use crate::{
    cache::{Cache, CacheKey, TtlClass},
    vendors::{
        Vendor, VendorError, VendorErrorKind,
        huawei::{
            AgentAccount, AgentAccountChange, AgentPage, HuaweiApi, MAX_AGENT_PAGE_SIZE, NewAgentAccount,
            SkillFilter, SkillPage, SkillQueue,
        },
    },
};

/// One agent account by `userAccount`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AgentByAccount(pub String);

/// One page of `agentAccount/query`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AgentsPage {
    /// `pageNum`, from 0.
    pub page_num: u32,
    /// `pageSize`.
    pub page_size: u32,
    /// Only these agent types (all when empty).
    pub agent_types: Vec<i32>,
}

/// One page of `skill/querySkills`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SkillsPage(pub SkillFilter);

/// One skill queue by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SkillById(pub i64);

/// Reads Huawei AICC through the cache for one tenant.
pub struct HuaweiLoader {
    api: Arc<dyn HuaweiApi>,
    cache: Cache,
    tenant: Arc<str>,
}

impl HuaweiLoader {
    /// A loader over `api` for `tenant`.
    pub fn new(api: Arc<dyn HuaweiApi>, cache: Cache, tenant: Arc<str>) -> Self {
        Self { api, cache, tenant }
    }

    fn key(&self, resource: &str, id: Option<&str>) -> CacheKey {
        CacheKey::new(&self.tenant, Vendor::HuaweiAicc.as_str(), resource, id)
    }

    /// The current generation of the agent list. Pages are cached under it, so one
    /// write makes every cached page stale without knowing which pages exist.
    async fn agents_generation(&self) -> String {
        let generation: Result<String, VendorError> = self
            .cache
            .get_or_fetch(
                &self.key("agents_generation", None),
                TtlClass::Directory,
                || async { Ok(uuid::Uuid::new_v4().simple().to_string()) },
            )
            .await;
        generation.unwrap_or_default()
    }

    /// Forgets `account` and every cached agent page.
    async fn agents_changed(&self, account: &str) {
        self.cache
            .invalidate(&[
                self.key("agent", Some(account)),
                self.key("agents_generation", None),
            ])
            .await;
    }

    /// Every account of `agent_types` (all when empty), in AICC's order, through the
    /// cached pages of the largest size: the first page, then the others at once when
    /// AICC tells the total, otherwise page after page until one is short (at most
    /// [`MAX_AGENT_PAGES`]); a page that fails fails the read.
    async fn every_account(&self, agent_types: &[i32]) -> Result<Vec<AgentAccount>, VendorError> {
        let page = |page_num: u64| AgentsPage {
            page_num: page_num as u32,
            page_size: MAX_AGENT_PAGE_SIZE,
            agent_types: agent_types.to_vec(),
        };
        let mut first = Loader::<AgentsPage>::load(self, &[page(0)]).await?;
        let Some(first) = first.remove(&page(0)).transpose()? else {
            return Ok(Vec::new());
        };
        let mut accounts = first.agents.clone();
        let Some(total) = first.total else {
            // No total: page after page until one is short.
            let (mut last, mut page_num) = (first.agents.len(), 1);
            while last >= MAX_AGENT_PAGE_SIZE as usize && page_num < MAX_AGENT_PAGES {
                let mut loaded = Loader::<AgentsPage>::load(self, &[page(page_num)]).await?;
                let Some(p) = loaded.remove(&page(page_num)).transpose()? else {
                    break;
                };
                last = p.agents.len();
                accounts.extend(p.agents.iter().cloned());
                page_num += 1;
            }
            return Ok(accounts);
        };
        let pages = total
            .div_ceil(u64::from(MAX_AGENT_PAGE_SIZE))
            .min(MAX_AGENT_PAGES);
        let rest: Vec<AgentsPage> = (1..pages).map(page).collect();
        let mut loaded = Loader::<AgentsPage>::load(self, &rest).await?;
        for key in &rest {
            if let Some(p) = loaded.remove(key).transpose()? {
                accounts.extend(p.agents.iter().cloned());
            }
        }
        Ok(accounts)
    }
}

impl Loader<AgentByAccount> for HuaweiLoader {
    type Value = Outcome<AgentAccount>;
    type Error = VendorError;

    /// One account on its own (`agentAccount/query` by account); several at once from
    /// the cached pages of every account (one call per page of the largest size, shared
    /// with AICC's part of `agents`), instead of one call each.
    async fn load(
        &self,
        keys: &[AgentByAccount],
    ) -> Result<HashMap<AgentByAccount, Self::Value>, VendorError> {
        if keys.len() > 1 {
            return Ok(match self.every_account(&[]).await {
                Ok(all) => {
                    let by_account: HashMap<&str, &AgentAccount> =
                        all.iter().map(|a| (a.user_account.as_str(), a)).collect();
                    keys.iter()
                        .filter_map(|k| Some((k.clone(), Ok((*by_account.get(k.0.as_str())?).clone()))))
                        .collect()
                }
                // The pages served every key: their failure is each key's.
                Err(e) => keys.iter().map(|k| (k.clone(), Err(e.clone()))).collect(),
            });
        }
        Ok(each_key_cached(
            &self.cache,
            keys,
            |k| self.key("agent", Some(&k.0)),
            TtlClass::Directory,
            |AgentByAccount(account)| async move { self.api.get_agent(&account).await },
        )
        .await)
    }
}

impl Loader<AgentsPage> for HuaweiLoader {
    type Value = Outcome<Arc<AgentPage>>;
    type Error = VendorError;

    async fn load(&self, keys: &[AgentsPage]) -> Result<HashMap<AgentsPage, Self::Value>, VendorError> {
        let generation = self.agents_generation().await;
        Ok(each_key(keys, |page| {
            let generation = &generation;
            async move {
                let types: Vec<String> = page.agent_types.iter().map(i32::to_string).collect();
                let id = format!(
                    "{generation}:{}:{}:{}",
                    page.page_num,
                    page.page_size,
                    types.join(",")
                );
                self.cache
                    .get_or_fetch(&self.key("agents_page", Some(&id)), TtlClass::Directory, || {
                        self.api
                            .list_agents(page.page_num, page.page_size, &page.agent_types)
                    })
                    .await
                    .map(Arc::new)
            }
        })
        .await)
    }
}

impl Loader<SkillsPage> for HuaweiLoader {
    type Value = Outcome<Arc<SkillPage>>;
    type Error = VendorError;

    async fn load(&self, keys: &[SkillsPage]) -> Result<HashMap<SkillsPage, Self::Value>, VendorError> {
        Ok(each_key(keys, |SkillsPage(filter)| async move {
            let id = format!(
                "{}:{}:{}:{}",
                filter.offset,
                filter.limit,
                filter.media_type_id.map(|m| m.to_string()).unwrap_or_default(),
                filter.name.as_deref().unwrap_or_default(),
            );
            self.cache
                .get_or_fetch(&self.key("skills_page", Some(&id)), TtlClass::Reference, || {
                    self.api.query_skills(&filter)
                })
                .await
                .map(Arc::new)
        })
        .await)
    }
}

impl Loader<SkillById> for HuaweiLoader {
    type Value = Outcome<SkillQueue>;
    type Error = VendorError;

    /// One `querySkills` call with `skillIds` for every queue not cached yet.
    async fn load(&self, keys: &[SkillById]) -> Result<HashMap<SkillById, Self::Value>, VendorError> {
        let mut found = HashMap::with_capacity(keys.len());
        let mut missing = Vec::new();
        for key in keys {
            let cache_key = self.key("skill", Some(&key.0.to_string()));
            match self.cache.get::<SkillQueue>(&cache_key).await {
                Some(queue) => {
                    found.insert(*key, Ok(queue));
                }
                None => missing.push(key.0),
            }
        }
        for chunk in missing.chunks(crate::vendors::huawei::MAX_SKILL_LIMIT as usize) {
            let filter = SkillFilter {
                skill_ids: Some(chunk.to_vec()),
                limit: chunk.len() as u32,
                ..SkillFilter::default()
            };
            let page = match outcome(self.api.query_skills(&filter).await) {
                None => continue,
                Some(Ok(page)) => page,
                // One call serves the chunk: its failure is each of the chunk's keys'.
                Some(Err(e)) => {
                    found.extend(chunk.iter().map(|id| (SkillById(*id), Err(e.clone()))));
                    continue;
                }
            };
            for queue in page.skills {
                if chunk.contains(&queue.skill_id) {
                    let cache_key = self.key("skill", Some(&queue.skill_id.to_string()));
                    self.cache.put(&cache_key, TtlClass::Reference, &queue).await;
                    found.insert(SkillById(queue.skill_id), Ok(queue));
                }
            }
        }
        Ok(found)
    }
}

/// The most pages [`all_agents`] reads (100,000 accounts).
const MAX_AGENT_PAGES: u64 = 1_000;

/// Every agent account of `agent_types` (all when empty), in AICC's order, through the
/// cached pages of the largest size (shared by AICC's part of `agents` and `node`'s
/// batches).
pub async fn all_agents(
    loader: &RequestLoader<HuaweiLoader>,
    agent_types: &[i32],
) -> Result<Vec<AgentAccount>, VendorError> {
    loader.loader().every_account(agent_types).await
}

/// Creates an agent account; returns the work number handed out. Cached agent pages
/// are stale before this returns.
pub async fn create_agent(
    loader: &RequestLoader<HuaweiLoader>,
    account: &NewAgentAccount,
) -> Result<Option<i64>, VendorError> {
    let created = loader.loader().api.create_agent(account).await;
    // Forgotten also when the call failed: it may have happened all the same.
    agents_changed(loader, &account.user_account).await;
    created
}

/// The account `user_account`, read from AICC itself (not the cache): how a create
/// whose outcome was unknown is found before creating again.
pub async fn find_agent(
    loader: &RequestLoader<HuaweiLoader>,
    user_account: &str,
) -> Result<Option<AgentAccount>, VendorError> {
    match loader.loader().api.get_agent(user_account).await {
        Ok(account) => Ok(Some(account)),
        Err(e) if e.kind == VendorErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Forgets `account` and every cached page, here and in the request's loader.
async fn agents_changed(loader: &RequestLoader<HuaweiLoader>, account: &str) {
    loader.loader().agents_changed(account).await;
    loader.clear::<AgentsPage>();
    loader.clear::<AgentByAccount>();
}

/// Updates an agent account, then forgets what was cached about it (also when the call
/// failed).
pub async fn update_agent(
    loader: &RequestLoader<HuaweiLoader>,
    change: &AgentAccountChange,
) -> Result<(), VendorError> {
    let updated = loader.loader().api.update_agent(change).await;
    agents_changed(loader, &change.user_account).await;
    updated
}

/// Deletes an agent account, then forgets what was cached about it (also when the call
/// failed).
pub async fn delete_agent(loader: &RequestLoader<HuaweiLoader>, account: &str) -> Result<(), VendorError> {
    let deleted = loader.loader().api.delete_agent(account).await;
    agents_changed(loader, account).await;
    deleted
}
