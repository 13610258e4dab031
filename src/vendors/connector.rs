//! How a vendor connects for a tenant, said once in the vendor's own folder: which
//! section of the tenant's settings is its, what its credential is, how its client is
//! built over the shared HTTP layer, and the cheap call that proves it is reachable. The
//! tenant ([`crate::tenant::Tenant::build`]) loops over nothing vendor-specific but the
//! one line that names each connector; cache scopes, call budgets, breakers and
//! readiness probes come from here.
//!
//! May depend on: `config` (the settings sections), [`super::http`].

use std::sync::Arc;

use futures::future::BoxFuture;
use secrecy::SecretString;
use url::Url;

use super::{Vendor, VendorError, http::VendorHttp};
use crate::config::TenantSettings;

/// One vendor's connection rules. Implemented by a unit type in `vendors/<vendor>/mod.rs`.
pub trait Connector {
    /// The vendor.
    const VENDOR: Vendor;

    /// Its settings section.
    type Settings;

    /// Its client, as the layers above hold it (`dyn DixaApi`, …).
    type Api: ?Sized + Send + Sync + 'static;

    /// Its section of `tenant`, when the tenant has configured it.
    fn settings(tenant: &TenantSettings) -> Option<&Self::Settings>;

    /// The parts of its credential. Their hash names the credential in cache keys and
    /// call budgets, so a rotated credential never serves what the old one read; the
    /// parts themselves are never shown.
    fn credential(settings: &Self::Settings) -> Vec<SecretString>;

    /// Its client. `endpoint` gives the vendor's HTTP endpoint at a base URL (with the
    /// tenant's breaker, cap on concurrent calls, budget and metrics); call it once and
    /// derive further bases (a token service) with [`VendorHttp::at`].
    fn connect(settings: &Self::Settings, endpoint: &mut dyn FnMut(&Url) -> VendorHttp) -> Arc<Self::Api>;

    /// One cheap authenticated call, for `/readyz`.
    fn probe(api: Arc<Self::Api>) -> BoxFuture<'static, Result<(), VendorError>>;
}
