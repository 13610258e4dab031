//! A tenant: one customer's vendor connections, built once at start-up from its
//! settings. Requests carry the tenant they authenticated as.
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
        dixa::{DixaApi, DixaClient},
        http::VendorHttp,
        huawei::{HuaweiApi, HuaweiClient, SkillFilter},
        vonage::{Include, VonageApi, VonageClient, VonageTokenSource},
        webex::{WebexApi, WebexClient},
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
}

/// 8 hex digits of SHA-256 over the credential parts: names a credential without
/// showing it.
fn credential_hash(credential: &[&SecretString]) -> String {
    use secrecy::ExposeSecret;
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in credential {
        hash.update(part.expose_secret().as_bytes());
        hash.update([0]);
    }
    hash.finalize()[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// `tenant~<credential hash>`.
fn cache_scope(tenant: &str, credential_hash: &str) -> Arc<str> {
    format!("{tenant}~{credential_hash}").into()
}

impl Tenant {
    /// Builds the clients `settings` describe, sharing `client`'s connection pool.
    /// Calls are budgeted per credential as `http.budgets` says, kept in `slots`; every
    /// call is counted into `metrics`.
    pub fn build(
        id: &str,
        settings: &TenantSettings,
        client: &Client,
        http: &HttpSettings,
        slots: Arc<dyn Slots>,
        metrics: &Metrics,
    ) -> Self {
        let id: Arc<str> = id.into();
        let client_id = settings
            .vonage
            .as_ref()
            .map(|v| SecretString::from(v.client_id.clone()));
        let credentials = [
            (Vendor::Dixa, settings.dixa.as_ref().map(|d| vec![&d.api_token])),
            (
                Vendor::Webex,
                settings.webex.as_ref().map(|w| vec![&w.access_token]),
            ),
            (
                Vendor::HuaweiAicc,
                settings.huawei.as_ref().map(|h| vec![&h.app_key, &h.app_secret]),
            ),
            (
                Vendor::Vonage,
                settings
                    .vonage
                    .as_ref()
                    .zip(client_id.as_ref())
                    .map(|(v, id)| vec![id, &v.client_secret]),
            ),
        ]
        .into_iter()
        .filter_map(|(vendor, parts)| Some((vendor, credential_hash(&parts?))))
        .collect::<Vec<_>>();
        let cache_scopes: Vec<(Vendor, Arc<str>)> = credentials
            .iter()
            .map(|(vendor, hash)| (*vendor, cache_scope(&id, hash)))
            .collect();
        let breakers = std::cell::RefCell::new(Vec::new());
        let endpoint = |vendor: Vendor, base: &url::Url| {
            // A budget belongs to the credential: two tenants configured with one token
            // share the vendor's one limit.
            let budget = http.budgets.of(&vendor.as_str().to_ascii_lowercase()).map(|b| {
                let credential = credentials
                    .iter()
                    .find(|(v, _)| *v == vendor)
                    .map_or(&*id, |(_, hash)| hash.as_str());
                let rate = Rate::per_second(b.per_second, b.burst);
                Arc::new(Budget::new(vendor, credential, rate, slots.clone()))
            });
            let endpoint = VendorHttp::new(client.clone(), vendor, id.clone(), base.clone(), http)
                .with_budget(budget)
                .with_metrics(metrics.clone());
            breakers.borrow_mut().push((vendor, endpoint.breaker()));
            endpoint
        };
        let dixa = settings.dixa.as_ref().map(|d| {
            DixaClient::new(
                endpoint(Vendor::Dixa, &d.base_url),
                d.api_token.clone(),
                d.page_limit,
            ) as Arc<dyn DixaApi>
        });
        let webex = settings.webex.as_ref().map(|w| {
            WebexClient::new(
                endpoint(Vendor::Webex, &w.base_url),
                w.access_token.clone(),
                w.org_id.clone(),
                w.page_size,
            ) as Arc<dyn WebexApi>
        });
        let huawei = settings.huawei.as_ref().map(|h| {
            HuaweiClient::new(
                endpoint(Vendor::HuaweiAicc, &h.base_url),
                h.app_key.clone(),
                h.app_secret.clone(),
                std::time::Duration::from_secs(h.token_lifetime_secs),
                std::time::Duration::from_secs(h.token_renew_margin_secs),
            ) as Arc<dyn HuaweiApi>
        });
        let vonage = settings.vonage.as_ref().map(|v| {
            // The token service and the API share one cap on concurrent calls.
            let api = endpoint(Vendor::Vonage, &v.base_url);
            let source = VonageTokenSource::new(
                api.at(v.token_url.clone()),
                v.client_id.clone(),
                v.client_secret.clone(),
                v.scopes.clone(),
            );
            VonageClient::new(api, source, v.page_limit) as Arc<dyn VonageApi>
        });
        let vonage_webhook_secret = settings.vonage.as_ref().and_then(|v| v.webhook_secret.clone());
        Self {
            id,
            dixa,
            webex,
            huawei,
            vonage,
            vonage_webhook_secret,
            presence: Arc::new(PresenceStore::new()),
            request_deadline: http.request_deadline(),
            breakers: breakers.into_inner(),
            cache_scopes,
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

    /// One cheap authenticated call per configured vendor, to run concurrently.
    pub fn probes(&self) -> Vec<(Vendor, BoxFuture<'_, Result<(), VendorError>>)> {
        let mut out: Vec<(Vendor, BoxFuture<'_, Result<(), VendorError>>)> = Vec::new();
        if let Some(dixa) = &self.dixa {
            out.push((
                Vendor::Dixa,
                Box::pin(async move { dixa.list_teams().await.map(drop) }),
            ));
        }
        if let Some(webex) = &self.webex {
            out.push((Vendor::Webex, Box::pin(webex.probe())));
        }
        if let Some(huawei) = &self.huawei {
            out.push((
                Vendor::HuaweiAicc,
                Box::pin(async move {
                    let one = SkillFilter {
                        limit: 1,
                        ..SkillFilter::default()
                    };
                    huawei.query_skills(&one).await.map(drop)
                }),
            ));
        }
        if let Some(vonage) = &self.vonage {
            out.push((
                Vendor::Vonage,
                Box::pin(async move { vonage.list_users(Include::Active, 1, 1).await.map(drop) }),
            ));
        }
        out
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
