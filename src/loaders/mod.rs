//! Per-request DataLoaders, one per vendor resource: they batch and dedupe what one
//! GraphQL request asks, read through the [`Cache`], and call the vendor trait only on
//! a miss. Writes go through here too, so the cache is invalidated before a mutation
//! returns.
//!
//! May depend on: `cache`, `vendors`, `tenant`, `presence`. Never on GraphQL types.

pub mod dixa;
pub mod huawei;
pub mod vonage;
pub mod webex;

use std::{collections::HashMap, future::Future, hash::Hash, sync::Arc};

use async_graphql::dataloader::{DataLoader, HashMapCache};

use crate::{
    cache::Cache,
    tenant::Tenant,
    vendors::{Vendor, VendorError, VendorErrorKind},
};

/// A DataLoader that remembers what it loaded for the rest of the request.
pub type RequestLoader<T> = DataLoader<T, HashMapCache>;

fn request_loader<T: Send + Sync + 'static>(loader: T) -> RequestLoader<T> {
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
}

/// The loaders of one request, for the tenant it authenticated as.
pub struct Loaders {
    dixa: Option<RequestLoader<dixa::DixaLoader>>,
    webex: Option<RequestLoader<webex::WebexLoader>>,
    huawei: Option<RequestLoader<huawei::HuaweiLoader>>,
    vonage: Option<RequestLoader<vonage::VonageLoader>>,
}

impl Loaders {
    /// Fresh loaders for one request.
    pub fn new(tenant: &Arc<Tenant>, cache: &Cache) -> Self {
        Self {
            dixa: tenant.dixa.clone().map(|api| {
                request_loader(dixa::DixaLoader::new(
                    api,
                    cache.clone(),
                    tenant.cache_scope(Vendor::Dixa),
                ))
            }),
            webex: tenant.webex.clone().map(|api| {
                request_loader(webex::WebexLoader::new(
                    api,
                    cache.clone(),
                    tenant.cache_scope(Vendor::Webex),
                ))
            }),
            huawei: tenant.huawei.clone().map(|api| {
                request_loader(huawei::HuaweiLoader::new(
                    api,
                    cache.clone(),
                    tenant.cache_scope(Vendor::HuaweiAicc),
                ))
            }),
            vonage: tenant.vonage.clone().map(|api| {
                request_loader(vonage::VonageLoader::new(
                    api,
                    cache.clone(),
                    tenant.cache_scope(Vendor::Vonage),
                    tenant.presence.clone(),
                ))
            }),
        }
    }

    /// The Vonage loader, or the error saying the tenant has no Vonage connection.
    pub fn vonage(&self) -> Result<&RequestLoader<vonage::VonageLoader>, VendorError> {
        self.vonage
            .as_ref()
            .ok_or_else(|| VendorError::not_configured(Vendor::Vonage))
    }

    /// The Dixa loader, or the error saying the tenant has no Dixa connection.
    pub fn dixa(&self) -> Result<&RequestLoader<dixa::DixaLoader>, VendorError> {
        self.dixa
            .as_ref()
            .ok_or_else(|| VendorError::not_configured(Vendor::Dixa))
    }
}

impl Loaders {
    /// The Webex loader, or the error saying the tenant has no Webex connection.
    pub fn webex(&self) -> Result<&RequestLoader<webex::WebexLoader>, VendorError> {
        self.webex
            .as_ref()
            .ok_or_else(|| VendorError::not_configured(Vendor::Webex))
    }
    /// The Huawei AICC loader, or the error saying the tenant has no AICC connection.
    pub fn huawei(&self) -> Result<&RequestLoader<huawei::HuaweiLoader>, VendorError> {
        self.huawei
            .as_ref()
            .ok_or_else(|| VendorError::not_configured(Vendor::HuaweiAicc))
    }
}

/// Loads every key on its own, concurrently, for vendors without a batch endpoint.
/// A key the vendor does not know is left out (the field resolves to null); any other
/// failure fails the batch.
pub(crate) async fn each_key<K, V, F, Fut>(keys: &[K], load: F) -> Result<HashMap<K, V>, VendorError>
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
    let mut out = HashMap::with_capacity(results.len());
    for (key, result) in results {
        match result {
            Ok(value) => {
                out.insert(key, value);
            }
            Err(e) if e.kind == VendorErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
