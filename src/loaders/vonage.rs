//! Vonage Contact Center's loaders: user lists, users, supervisors and agent presence,
//! and the user writes. Presence is read through the cache and merged with the
//! tenant's [`PresenceStore`]: whichever is newer by Vonage's timestamp is served, so a
//! webhook's change shows at once and a poll never overwrites a newer push.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;

use super::{Outcome, RequestLoader, each_key, each_key_cached};
use crate::{
    cache::{Cache, CacheKey, TtlClass},
    presence::{PresenceEntry, PresenceStore, VendorPresence},
    vendors::{
        Vendor, VendorError,
        vonage::{AgentPresence, Include, User, UserBody, VonageApi},
    },
};

/// Every user of a list (`Active`, `Archived` or `All`), read page by page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AllUsers(pub Include);
/// One user by Vonage id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserById(pub String);
/// The active users whose role is Supervisor (the graph's Vonage `Supervisor`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SupervisorUsers;
/// One agent's presence, by user id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VonagePresenceOf(pub String);

/// Reads Vonage through the cache for one tenant.
pub struct VonageLoader {
    api: Arc<dyn VonageApi>,
    cache: Cache,
    tenant: Arc<str>,
    presence: Arc<PresenceStore>,
}

impl VonageLoader {
    /// A loader over `api` for `tenant`, merging presence with `presence`.
    pub fn new(
        api: Arc<dyn VonageApi>,
        cache: Cache,
        tenant: Arc<str>,
        presence: Arc<PresenceStore>,
    ) -> Self {
        Self {
            api,
            cache,
            tenant,
            presence,
        }
    }

    fn key(&self, resource: &str, id: Option<&str>) -> CacheKey {
        CacheKey::new(&self.tenant, Vendor::Vonage.as_str(), resource, id)
    }

    fn list_keys(&self) -> Vec<CacheKey> {
        [Include::Active, Include::Archived, Include::All]
            .into_iter()
            .map(|i| self.key("users", Some(i.as_str())))
            .collect()
    }

    async fn all_users(&self, include: Include) -> Result<Vec<User>, VendorError> {
        self.cache
            .get_or_fetch(
                &self.key("users", Some(include.as_str())),
                TtlClass::Directory,
                || self.api.list_all_users(include),
            )
            .await
    }

    /// The store's presence of `user_id`, if it holds one.
    fn stored(&self, user_id: &str) -> Option<AgentPresence> {
        self.presence
            .get(Vendor::Vonage, user_id)
            .and_then(|e| match e.presence {
                VendorPresence::Vonage(p) => Some(p),
                VendorPresence::Dixa(_) => None,
            })
    }
}

impl Loader<AllUsers> for VonageLoader {
    type Value = Outcome<Arc<Vec<User>>>;
    type Error = VendorError;

    async fn load(&self, keys: &[AllUsers]) -> Result<HashMap<AllUsers, Self::Value>, VendorError> {
        let mut out = HashMap::new();
        for key in keys {
            out.insert(*key, self.all_users(key.0).await.map(Arc::new));
        }
        Ok(out)
    }
}

impl Loader<UserById> for VonageLoader {
    type Value = Outcome<User>;
    type Error = VendorError;

    /// One user on its own (`GET /users/{id}`); several at once from the one list of
    /// every user, active and archived (`GET /users?include=All`, cached like the other
    /// lists), instead of one call each.
    async fn load(&self, keys: &[UserById]) -> Result<HashMap<UserById, Self::Value>, VendorError> {
        if keys.len() > 1 {
            return Ok(match self.all_users(Include::All).await {
                Ok(all) => {
                    let by_id: HashMap<&str, &User> = all.iter().map(|u| (u.user_id.as_str(), u)).collect();
                    keys.iter()
                        .filter_map(|k| Some((k.clone(), Ok((*by_id.get(k.0.as_str())?).clone()))))
                        .collect()
                }
                // The one call served every key: its failure is each one's.
                Err(e) => keys.iter().map(|k| (k.clone(), Err(e.clone()))).collect(),
            });
        }
        Ok(each_key_cached(
            &self.cache,
            keys,
            |k| self.key("user", Some(&k.0)),
            TtlClass::Directory,
            |UserById(id)| async move { self.api.get_user(&id).await },
        )
        .await)
    }
}

impl Loader<SupervisorUsers> for VonageLoader {
    type Value = Outcome<Arc<Vec<User>>>;
    type Error = VendorError;

    async fn load(
        &self,
        _keys: &[SupervisorUsers],
    ) -> Result<HashMap<SupervisorUsers, Self::Value>, VendorError> {
        let supervisors = self
            .all_users(Include::Active)
            .await
            .map(|users| Arc::new(users.into_iter().filter(User::is_supervisor).collect::<Vec<_>>()));
        Ok(HashMap::from([(SupervisorUsers, supervisors)]))
    }
}

impl Loader<VonagePresenceOf> for VonageLoader {
    type Value = Outcome<Arc<AgentPresence>>;
    type Error = VendorError;

    async fn load(
        &self,
        keys: &[VonagePresenceOf],
    ) -> Result<HashMap<VonagePresenceOf, Self::Value>, VendorError> {
        Ok(each_key(keys, |VonagePresenceOf(id)| async move {
            let polled = self
                .cache
                .get_or_fetch(&self.key("agent_presence", Some(&id)), TtlClass::Presence, || {
                    self.api.get_agent_presence(&id)
                })
                .await;
            match polled {
                Ok(p) => {
                    // A read is an observation too: it wins only when newer.
                    if let Some(entry) = PresenceEntry::vonage(p.clone()) {
                        self.presence.apply_read(entry);
                    }
                    Ok(Arc::new(self.stored(&id).unwrap_or(p)))
                }
                // The vendor cannot say right now, but a webhook did.
                Err(e) => self.stored(&id).map(Arc::new).ok_or(e),
            }
        })
        .await)
    }
}

/// Forgets every cached list and `user_id`, here and in the request's loader.
async fn forget(loader: &RequestLoader<VonageLoader>, user_id: Option<&str>) {
    let l = loader.loader();
    let mut keys = l.list_keys();
    if let Some(id) = user_id {
        keys.push(l.key("user", Some(id)));
        keys.push(l.key("agent_presence", Some(id)));
    }
    l.cache.invalidate(&keys).await;
    loader.clear::<AllUsers>();
    loader.clear::<UserById>();
    loader.clear::<SupervisorUsers>();
    loader.clear::<VonagePresenceOf>();
}

/// Creates a user (never retried); the lists are invalidated before this returns.
pub async fn create_user(loader: &RequestLoader<VonageLoader>, body: &UserBody) -> Result<User, VendorError> {
    let l = loader.loader();
    let created = l.api.create_user(body).await;
    // A create that failed may still have happened (a timeout): forget the lists either way.
    forget(loader, created.as_ref().ok().map(|u| u.user_id.as_str())).await;
    let user = created?;
    l.cache
        .put(&l.key("user", Some(&user.user_id)), TtlClass::Directory, &user)
        .await;
    Ok(user)
}

/// The user named `username`, archived ones included, read from Vonage itself (not the
/// cache): how a create whose outcome was unknown is found before creating again.
pub async fn find_user_named(
    loader: &RequestLoader<VonageLoader>,
    username: &str,
) -> Result<Option<User>, VendorError> {
    let users = loader.loader().api.list_all_users(Include::All).await?;
    Ok(users.into_iter().find(|u| u.username == username))
}

/// Patches a user (archive with `active: false`), then forgets what was cached of it,
/// also when the call failed (it may have happened all the same).
pub async fn update_user(
    loader: &RequestLoader<VonageLoader>,
    user_id: &str,
    patch: &UserBody,
) -> Result<User, VendorError> {
    let l = loader.loader();
    let updated = l.api.update_user(user_id, patch).await;
    forget(loader, Some(user_id)).await;
    let user = updated?;
    l.cache
        .put(&l.key("user", Some(user_id)), TtlClass::Directory, &user)
        .await;
    Ok(user)
}

/// Deletes an archived user and forgets everything cached of it.
pub async fn delete_user(loader: &RequestLoader<VonageLoader>, user_id: &str) -> Result<(), VendorError> {
    let deleted = loader.loader().api.delete_user(user_id).await;
    forget(loader, Some(user_id)).await;
    deleted
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use async_trait::async_trait;

    use super::*;
    use crate::{
        config::CacheSettings,
        loaders::Fetch,
        vendors::vonage::wire::{PresenceCategory, PresenceState, UserAccountConfiguration},
    };

    struct Fake {
        presence_down: AtomicBool,
    }

    fn user(id: &str, role: &str) -> User {
        User {
            user_id: id.into(),
            username: id.into(),
            name: None,
            email: None,
            last_login_time: None,
            active: Some(true),
            locked: None,
            sso_external_id: None,
            user_account_configuration: UserAccountConfiguration {
                role: role.into(),
                ..Default::default()
            },
        }
    }

    fn presence(id: &str, at: &str, category: &str) -> AgentPresence {
        AgentPresence {
            user_id: id.into(),
            updated: Some(at.into()),
            presence: PresenceState {
                presence_id: None,
                selectable: None,
                category: Some(PresenceCategory {
                    category_type: category.into(),
                    description: None,
                }),
                description: None,
            },
        }
    }

    #[async_trait]
    impl VonageApi for Fake {
        async fn list_users(
            &self,
            _: Include,
            _: u32,
            _: u32,
        ) -> Result<crate::vendors::vonage::UserPage, VendorError> {
            unreachable!("lists are read whole")
        }
        async fn list_all_users(&self, _: Include) -> Result<Vec<User>, VendorError> {
            Ok(vec![
                user("a", "Admin"),
                user("s1", "Supervisor"),
                user("g", "Agent"),
                user("s2", "supervisor"),
            ])
        }
        async fn get_user(&self, id: &str) -> Result<User, VendorError> {
            Ok(user(id, "Agent"))
        }
        async fn create_user(&self, _: &UserBody) -> Result<User, VendorError> {
            unreachable!()
        }
        async fn update_user(&self, _: &str, _: &UserBody) -> Result<User, VendorError> {
            unreachable!()
        }
        async fn delete_user(&self, _: &str) -> Result<(), VendorError> {
            unreachable!()
        }
        async fn get_agent_presence(&self, id: &str) -> Result<AgentPresence, VendorError> {
            if self.presence_down.load(Ordering::SeqCst) {
                return Err(VendorError::from_status(Vendor::Vonage, 503));
            }
            Ok(presence(id, "2026-01-01T10:00:00Z", "Ready"))
        }
    }

    fn loader(store: Arc<PresenceStore>, down: bool) -> RequestLoader<VonageLoader> {
        let settings = CacheSettings {
            presence_ttl_secs: 0,
            ..CacheSettings::default()
        };
        let api = Arc::new(Fake {
            presence_down: AtomicBool::new(down),
        });
        super::super::request_loader(
            VonageLoader::new(api, Cache::in_memory(&settings), "t".into(), store),
            &Default::default(),
        )
    }

    #[tokio::test]
    async fn supervisors_are_the_users_whose_role_is_supervisor() {
        let l = loader(Arc::new(PresenceStore::new()), false);
        let supervisors = l.fetch_one(SupervisorUsers).await.unwrap().unwrap();
        let ids: Vec<&str> = supervisors.iter().map(|u| u.user_id.as_str()).collect();
        assert_eq!(ids, ["s1", "s2"]);
    }

    #[tokio::test]
    async fn the_fresher_of_store_and_read_is_served() {
        let store = Arc::new(PresenceStore::new());
        // Nothing pushed: the read is served (and remembered).
        let l = loader(store.clone(), false);
        let read = l.fetch_one(VonagePresenceOf("g".into())).await.unwrap().unwrap();
        assert_eq!(read.presence.category.as_ref().unwrap().category_type, "Ready");
        assert!(store.get(Vendor::Vonage, "g").is_some());

        // A newer push wins over the read.
        store.apply(PresenceEntry::vonage(presence("g", "2026-01-01T11:00:00Z", "Away")).unwrap());
        let l = loader(store.clone(), false);
        let p = l.fetch_one(VonagePresenceOf("g".into())).await.unwrap().unwrap();
        assert_eq!(p.presence.category.as_ref().unwrap().category_type, "Away");

        // The vendor down: the pushed presence is still served; without one, the error.
        let l = loader(store.clone(), true);
        let p = l.fetch_one(VonagePresenceOf("g".into())).await.unwrap().unwrap();
        assert_eq!(p.updated.as_deref(), Some("2026-01-01T11:00:00Z"));
        assert!(l.fetch_one(VonagePresenceOf("other".into())).await.is_err());
    }
}
