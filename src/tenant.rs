//! A tenant: one customer's vendor connections, built once at start-up from its
//! settings. Requests carry the tenant they authenticated as.
//!
//! Each vendor connects as its [`Connector`] (in `vendors/<vendor>/mod.rs`) says; this
//! file names a vendor only in its typed field, its accessor and its one
//! `connect::<…>()` line in [`Tenant::build`].
//!
//! May depend on: `config`, `vendors`, `presence`, `metrics`.

use std::sync::Arc;

use futures::future::BoxFuture;
use reqwest::Client;
use secrecy::SecretString;

use crate::{
    config::{HttpSettings, TenantSettings},
    metrics::Metrics,
    presence::PresenceStore,
    vendors::{
        Vendor, VendorError,
        breaker::{Breaker, BreakerState},
        budget::{Budget, Rate, Slots},
        connector::Connector,
        dixa::{self, DixaApi},
        http::VendorHttp,
        huawei::{self, HuaweiApi},
        vonage::{self, VonageApi},
        webex::{self, WebexApi},
    },
};

/// One tenant's vendor clients. A vendor the tenant has not configured is `None`, and
/// the fields it would serve answer `VENDOR_UNAVAILABLE` saying so.
pub struct Tenant {
    /// The tenant id, as configured; part of every cache key.
    pub id: Arc<str>,
    /// Dixa, when configured.
    pub dixa: Option<Arc<dyn DixaApi>>,
    /// Webex Calling, when configured.
    pub webex: Option<Arc<dyn WebexApi>>,
    /// Huawei Cloud AICC, when configured.
    pub huawei: Option<Arc<dyn HuaweiApi>>,
    /// Vonage Contact Center, when configured.
    pub vonage: Option<Arc<dyn VonageApi>>,
    /// The secret Vonage webhooks for this tenant must present.
    pub vonage_webhook_secret: Option<SecretString>,
    /// Live presence pushed by vendors (webhooks) and read by the graph.
    pub presence: Arc<PresenceStore>,
    /// How long one GraphQL request may spend on this tenant's vendor calls
    /// (`http.request_deadline_ms`).
    pub request_deadline: std::time::Duration,
    /// Per vendor: the tenant id and a short hash of the vendor credential, which every
    /// cache key of that vendor starts with, so a rotated credential never serves what
    /// the old one read.
    cache_scopes: Vec<(Vendor, Arc<str>)>,
    /// Each configured vendor's circuit breaker.
    breakers: Vec<(Vendor, Arc<Breaker>)>,
    /// Each configured vendor's readiness probe.
    probes: Vec<(Vendor, Probe)>,
}

/// A vendor's readiness probe: one cheap authenticated call.
type Probe = Arc<dyn Fn() -> BoxFuture<'static, Result<(), VendorError>> + Send + Sync>;

/// 8 hex digits of SHA-256 over the credential parts: names a credential without
/// showing it.
fn credential_hash(credential: &[&SecretString]) -> String {
    use secrecy::ExposeSecret;
    let parts: Vec<&[u8]> = credential.iter().map(|p| p.expose_secret().as_bytes()).collect();
    let mut hash = crate::cache::digest(&parts);
    hash.truncate(8);
    hash
}

/// `tenant~<credential hash>`.
fn cache_scope(tenant: &str, credential_hash: &str) -> Arc<str> {
    format!("{tenant}~{credential_hash}").into()
}

/// What [`Tenant::build`] collects while each vendor connects.
struct Connecting<'a> {
    id: Arc<str>,
    client: &'a Client,
    http: &'a HttpSettings,
    slots: Arc<dyn Slots>,
    metrics: &'a Metrics,
    cache_scopes: Vec<(Vendor, Arc<str>)>,
    breakers: Vec<(Vendor, Arc<Breaker>)>,
    probes: Vec<(Vendor, Probe)>,
}

impl Connecting<'_> {
    /// `C`'s client when the tenant configures it, with its cache scope, budget, breaker
    /// and readiness probe recorded.
    fn connect<C: Connector + 'static>(&mut self, settings: &TenantSettings) -> Option<Arc<C::Api>> {
        let settings = C::settings(settings)?;
        let vendor = C::VENDOR;
        let credential = C::credential(settings);
        let hash = credential_hash(&credential.iter().collect::<Vec<_>>());
        self.cache_scopes.push((vendor, cache_scope(&self.id, &hash)));
        // A budget belongs to the credential: two tenants configured with one token
        // share the vendor's one limit.
        let budget = self
            .http
            .budgets
            .of(&vendor.as_str().to_ascii_lowercase())
            .map(|b| {
                let rate = Rate::per_second(b.per_second, b.burst);
                Arc::new(Budget::new(vendor, &hash, rate, self.slots.clone()))
            });
        let breakers = &mut self.breakers;
        let (client, id, http, metrics) = (self.client, &self.id, self.http, self.metrics);
        let api = C::connect(settings, &mut |base| {
            let endpoint = VendorHttp::new(client.clone(), vendor, id.clone(), base.clone(), http)
                .with_budget(budget.clone())
                .with_metrics(metrics.clone());
            breakers.push((vendor, endpoint.breaker()));
            endpoint
        });
        let probed = api.clone();
        self.probes
            .push((vendor, Arc::new(move || C::probe(probed.clone()))));
        Some(api)
    }
}

impl Tenant {
    /// Builds the clients `settings` describe, sharing `client`'s connection pool.
    /// Calls are budgeted per credential as `http.budgets` says, kept in `slots`; every
    /// call is counted into `metrics`. Each vendor connects as its
    /// [`Connector`] in its own folder says.
    pub fn build(
        id: &str,
        settings: &TenantSettings,
        client: &Client,
        http: &HttpSettings,
        slots: Arc<dyn Slots>,
        metrics: &Metrics,
    ) -> Self {
        let mut connecting = Connecting {
            id: id.into(),
            client,
            http,
            slots,
            metrics,
            cache_scopes: Vec::new(),
            breakers: Vec::new(),
            probes: Vec::new(),
        };
        let dixa = connecting.connect::<dixa::Connection>(settings);
        let webex = connecting.connect::<webex::Connection>(settings);
        let huawei = connecting.connect::<huawei::Connection>(settings);
        let vonage = connecting.connect::<vonage::Connection>(settings);
        let vonage_webhook_secret = settings.vonage.as_ref().and_then(|v| v.webhook_secret.clone());
        Self {
            id: connecting.id,
            dixa,
            webex,
            huawei,
            vonage,
            vonage_webhook_secret,
            presence: Arc::new(PresenceStore::new()),
            request_deadline: http.request_deadline(),
            cache_scopes: connecting.cache_scopes,
            breakers: connecting.breakers,
            probes: connecting.probes,
        }
    }

    /// What `vendor`'s cache keys start with: the tenant and its credential's hash.
    pub fn cache_scope(&self, vendor: Vendor) -> Arc<str> {
        self.cache_scopes
            .iter()
            .find(|(v, _)| *v == vendor)
            .map_or_else(|| self.id.clone(), |(_, scope)| scope.clone())
    }

    /// Where `vendor`'s circuit breaker stands (`None` when it is not configured).
    pub fn breaker_state(&self, vendor: Vendor) -> Option<BreakerState> {
        self.breakers
            .iter()
            .find(|(v, _)| *v == vendor)
            .map(|(_, b)| b.state())
    }

    /// The Vonage client, or the error saying the tenant has none.
    pub fn vonage(&self) -> Result<&Arc<dyn VonageApi>, VendorError> {
        self.vonage
            .as_ref()
            .ok_or_else(|| VendorError::not_configured(Vendor::Vonage))
    }

    /// The Dixa client, or the error saying the tenant has none.
    pub fn dixa(&self) -> Result<&Arc<dyn DixaApi>, VendorError> {
        self.dixa
            .as_ref()
            .ok_or_else(|| VendorError::not_configured(Vendor::Dixa))
    }

    /// The Huawei AICC client, or the error saying the tenant has none.
    pub fn huawei(&self) -> Result<&Arc<dyn HuaweiApi>, VendorError> {
        self.huawei
            .as_ref()
            .ok_or_else(|| VendorError::not_configured(Vendor::HuaweiAicc))
    }

    /// One cheap authenticated call per configured vendor (its connector's probe), to
    /// run concurrently.
    pub fn probes(&self) -> Vec<(Vendor, BoxFuture<'static, Result<(), VendorError>>)> {
        self.probes
            .iter()
            .map(|(vendor, probe)| (*vendor, probe()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_scope_changes_with_the_credential_and_never_shows_it() {
        let cache_scope =
            |tenant: &str, parts: &[&SecretString]| cache_scope(tenant, &credential_hash(parts));
        let old = cache_scope("acme", &[&SecretString::from("token-one")]);
        let new = cache_scope("acme", &[&SecretString::from("token-two")]);
        assert!(old.starts_with("acme~") && new.starts_with("acme~"));
        assert_ne!(old, new, "a rotated credential gets keys of its own");
        assert_eq!(old, cache_scope("acme", &[&SecretString::from("token-one")]));
        assert!(!old.contains("token"));
        // Parts are separated: ("ab", "c") is not ("a", "bc").
        let ab_c = cache_scope("t", &[&SecretString::from("ab"), &SecretString::from("c")]);
        let a_bc = cache_scope("t", &[&SecretString::from("a"), &SecretString::from("bc")]);
        assert_ne!(ab_c, a_bc);
    }
}
